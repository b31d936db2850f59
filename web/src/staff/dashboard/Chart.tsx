/** A small ECharts wrapper (tree-shaken core): init once, set options on change, resize with the box. */
import { useEffect, useId, useRef } from 'react';
import * as coreModule from 'echarts/core';
import * as renderersModule from 'echarts/renderers';
import type * as CoreTypes from 'echarts/types/dist/core';
import type * as RendererTypes from 'echarts/types/dist/renderers';
import type { GridCollection } from '../../lib/types.ts';
// Side-effect installs keep the chunk to the charts used here.
import 'echarts/lib/chart/bar';
import 'echarts/lib/chart/line';
import 'echarts/lib/chart/map';
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

/** What a chart shows, as a table: the first cell of each row names it (a month, a category, a grid). */
export interface ChartData {
  columns: string[];
  rows: (string | number | null)[][];
}

/**
 * A chart named by `label`, with its data in a table that screen readers reach (visually hidden,
 * and the chart's description). ECharts' own aria text is off: it replaced the label with "…的数据是0，86"
 * and read only the first ten points.
 */
export function Chart({
  option,
  height = 280,
  label,
  data,
}: {
  option: EChartsCoreOption;
  height?: number;
  label: string;
  data: ChartData;
}) {
  const tableId = useId();
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
    chart.current?.setOption({ ...option, aria: { enabled: false } }, true);
  }, [option]);

  return (
    <>
      <div
        ref={box}
        role="img"
        aria-label={label}
        aria-describedby={tableId}
        style={{ width: '100%', height }}
      />
      <table id={tableId} className="sr-only">
        <caption>{label}</caption>
        <thead>
          <tr>
            {data.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.rows.map((row, r) => (
            <tr key={r}>
              {row.map((v, i) =>
                i === 0 ? (
                  <th key={i} scope="row">
                    {v ?? '—'}
                  </th>
                ) : (
                  <td key={i}>{v ?? '—'}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
