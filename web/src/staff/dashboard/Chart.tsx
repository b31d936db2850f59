/** A small ECharts wrapper (tree-shaken core): init once, set options on change, resize with the box. */
import { useEffect, useRef } from 'react';
import * as coreModule from 'echarts/core';
import * as renderersModule from 'echarts/renderers';
import type * as CoreTypes from 'echarts/types/dist/core';
import type * as RendererTypes from 'echarts/types/dist/renderers';
import type { GridCollection } from '../../lib/types.ts';
// Side-effect installs keep the chunk to the charts used here.
import 'echarts/lib/chart/bar';
import 'echarts/lib/chart/line';
import 'echarts/lib/chart/map';
import 'echarts/lib/component/aria';
import 'echarts/lib/component/grid';
import 'echarts/lib/component/legend';
import 'echarts/lib/component/tooltip';
import 'echarts/lib/component/visualMap';

// echarts' entry declarations re-export without file extensions, which NodeNext resolution
// cannot follow; the same declarations are reachable through the package's types/dist path.
const echarts = coreModule as unknown as typeof CoreTypes;

export type EChartsCoreOption = CoreTypes.EChartsCoreOption;

echarts.use([(renderersModule as unknown as typeof RendererTypes).CanvasRenderer]);

type GeoSource = Parameters<typeof echarts.registerMap>[1];

/** Registers a community's grid polygons as an ECharts map (no tiles); answers the map name. */
export function registerGrids(communityId: string, grids: GridCollection): string {
  const name = `grids-${communityId}`;
  // ECharts names regions by `properties.name`, which the grids GeoJSON carries.
  echarts.registerMap(name, grids as unknown as GeoSource);
  return name;
}

export function Chart({
  option,
  height = 280,
  label,
}: {
  option: EChartsCoreOption;
  height?: number;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<CoreTypes.ECharts | null>(null);

  useEffect(() => {
    if (!box.current) return;
    const c = echarts.init(box.current);
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(box.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, ...option }, true);
  }, [option]);

  return <div ref={box} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
