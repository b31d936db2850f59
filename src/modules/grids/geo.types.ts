/**
 * GeoJSON geometry types (RFC 7946) used by grids, the demo seed and matching.
 * Positions are `[longitude, latitude]` in WGS 84 degrees.
 */
export type Position = [number, number];
/** A closed ring: first and last positions are equal, at least 4 positions. */
export type LinearRing = Position[];

export interface GeoJsonPolygon {
  type: 'Polygon';
  /** Exterior ring first (counter-clockwise), then holes (clockwise). */
  coordinates: LinearRing[];
}

export interface GeoJsonMultiPolygon {
  type: 'MultiPolygon';
  coordinates: LinearRing[][];
}

export type GeoJsonArea = GeoJsonPolygon | GeoJsonMultiPolygon;

export interface LatLng {
  lat: number;
  lng: number;
}
