/**
 * The community's grid polygons drawn as SVG (no map tiles): tap to pick a point. Small enough
 * to live in the resident's first page; the dashboard draws the same GeoJSON with ECharts.
 */
import { useMemo, useState } from 'react';
import type { KeyboardEvent, MouseEvent } from 'react';
import type { GridCollection, LatLng } from '../lib/types.ts';

const W = 320;

function rings(f: GridCollection['features'][number]): number[][][] {
  const g = f.geometry;
  if (g.type === 'Polygon') return g.coordinates as number[][][];
  return (g.coordinates as number[][][][]).flat();
}

/** Point-in-polygon (ray casting) on the first ring. */
function inside(ring: number[][], lng: number, lat: number): boolean {
  let hit = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi = 0, yi = 0] = ring[i] ?? [];
    const [xj = 0, yj = 0] = ring[j] ?? [];
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

export function gridAt(grids: GridCollection, p: LatLng): string | null {
  for (const f of grids.features) {
    if (rings(f).some((r) => inside(r, p.lng, p.lat))) return f.properties.name;
  }
  return null;
}

export function GridMap({
  grids,
  value,
  onPick,
  label,
}: {
  grids: GridCollection;
  value: LatLng | null;
  onPick: (p: LatLng) => void;
  label: string;
}) {
  const box = useMemo(() => {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const f of grids.features)
      for (const r of rings(f))
        for (const [x = 0, y = 0] of r) {
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
    const pad = (maxX - minX) * 0.03 || 0.001;
    return { minX: minX - pad, minY: minY - pad, maxX: maxX + pad, maxY: maxY + pad };
  }, [grids]);
  const [focus, setFocus] = useState(false);
  const spanX = box.maxX - box.minX || 1;
  const spanY = box.maxY - box.minY || 1;
  // Degrees of longitude are shorter than latitude away from the equator.
  const k = Math.cos((((box.minY + box.maxY) / 2) * Math.PI) / 180);
  const H = Math.round((W * spanY) / (spanX * k));
  const sx = (lng: number) => ((lng - box.minX) / spanX) * W;
  const sy = (lat: number) => H - ((lat - box.minY) / spanY) * H;

  function pick(evt: MouseEvent<SVGSVGElement>) {
    const rect = evt.currentTarget.getBoundingClientRect();
    const x = ((evt.clientX - rect.left) / rect.width) * W;
    const y = ((evt.clientY - rect.top) / rect.height) * H;
    onPick({
      lng: Number((box.minX + (x / W) * spanX).toFixed(6)),
      lat: Number((box.minY + ((H - y) / H) * spanY).toFixed(6)),
    });
  }

  function key(evt: KeyboardEvent<SVGSVGElement>) {
    // Arrow keys move the picked point, so the map works without a pointer too.
    const step = spanX / 40;
    const cur = value ?? { lat: (box.minY + box.maxY) / 2, lng: (box.minX + box.maxX) / 2 };
    const moves: Record<string, LatLng> = {
      ArrowLeft: { lat: cur.lat, lng: cur.lng - step },
      ArrowRight: { lat: cur.lat, lng: cur.lng + step },
      ArrowUp: { lat: cur.lat + step, lng: cur.lng },
      ArrowDown: { lat: cur.lat - step, lng: cur.lng },
    };
    const next = moves[evt.key];
    if (next) {
      evt.preventDefault();
      onPick({ lat: Number(next.lat.toFixed(6)), lng: Number(next.lng.toFixed(6)) });
    }
  }

  return (
    <svg
      className="gridmap"
      viewBox={`0 0 ${W} ${H}`}
      role="application"
      aria-label={label}
      tabIndex={0}
      onClick={pick}
      onKeyDown={key}
      onFocus={() => setFocus(true)}
      onBlur={() => setFocus(false)}
      style={focus ? { outline: '3px solid #ffb020' } : undefined}
    >
      {grids.features.map((f) =>
        rings(f).map((r, i) => {
          const pts = r.map(([x = 0, y = 0]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
          const cx = r.reduce((a, [x = 0]) => a + x, 0) / r.length;
          const cy = r.reduce((a, [, y = 0]) => a + y, 0) / r.length;
          return (
            <g key={`${f.id}-${i}`}>
              <polygon points={pts}>
                <title>{f.properties.name}</title>
              </polygon>
              {i === 0 && (
                <text x={sx(cx)} y={sy(cy)} textAnchor="middle">
                  {f.properties.name}
                </text>
              )}
            </g>
          );
        }),
      )}
      {value && (
        <circle cx={sx(value.lng)} cy={sy(value.lat)} r={7} fill="#c4161c" stroke="#fff" strokeWidth={2} />
      )}
    </svg>
  );
}
