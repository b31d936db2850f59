/** GeoJSON shapes for tests. */
export type Ring = Array<[number, number]>;

/** A closed square ring of half-side `d` degrees around a point. */
export const square = (lng: number, lat: number, d: number): Ring => [
  [lng - d, lat - d],
  [lng + d, lat - d],
  [lng + d, lat + d],
  [lng - d, lat + d],
  [lng - d, lat - d],
];
