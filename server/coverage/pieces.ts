/**
 * Covering pieces: the polygons that make up service areas, each small, with its bbox and a
 * content key. Coverage clips grids against only the pieces that touch them, and an update
 * compares keys to find what changed — so no global union is ever built.
 */
import type { Position } from 'geojson';
import { bboxOfLines } from '../geo/bbox.js';
import { metresPerDegree } from '../geo/measure.js';

export type Ring = Position[];
/** Polygon coordinates: outer ring, then holes. */
export type PolygonCoords = Ring[];

export interface Piece {
  /** Content-derived key: equal keys ⇔ equal geometry. */
  key: string;
  /** MultiPolygon coordinates (lon/lat); empty for line pieces. */
  polygons: PolygonCoords[];
  bbox: [number, number, number, number];
  /** For a circle: its centre and radius, which allow an exact "grid fully inside" test. */
  circle?: { lon: number; lat: number; radiusM: number };
  /** For a street stretch: the line and the distance from it that counts as covered. */
  line?: Position[];
  widthM?: number;
}

/**
 * A geodesic circle on the WGS84 ellipsoid: `steps` vertices at `radiusM` from the centre,
 * starting due north, counter-clockwise (exact to millimetres for radii of a few kilometres).
 * @param steps default 64; PostGIS's ST_Buffer(geography, r, 'quad_segs=16') is the same density.
 * @example circlePiece('s1', 121.6, 38.91, 1000)
 */
export function circlePiece(id: string, lon: number, lat: number, radiusM: number, steps = 64): Piece {
  const k = metresPerDegree(lat);
  const ring: Ring = [];
  for (let i = 0; i < steps; i++) {
    const a = (2 * Math.PI * i) / steps;
    ring.push([lon - (radiusM * Math.sin(a)) / k.x, lat + (radiusM * Math.cos(a)) / k.y]);
  }
  ring.push(ring[0]);
  const polygons = [[ring]];
  return { key: `c:${id}@${lon},${lat},${radiusM},${steps}`, polygons, bbox: bboxOfLines(polygons.map((poly) => poly[0]!)), circle: { lon, lat, radiusM } };
}

/**
 * A reached street stretch that covers residents within `widthM` of it. It stays a line: each
 * grid buffers only the stretches near it (see coverGrid), which is far cheaper than clipping
 * against pre-built buffers of every stretch.
 * @example bufferedLinePiece('w:17:0-35.2', [[121.6, 38.91], [121.6004, 38.91]], 50)
 */
export function bufferedLinePiece(key: string, line: Position[], widthM: number): Piece {
  const [minX, minY, maxX, maxY] = bboxOfLines([line]);
  // Grow the bbox by the width (plus 10 %) so every grid the buffer reaches finds the piece.
  const k = metresPerDegree((minY + maxY) / 2);
  const dy = (widthM * 1.1) / k.y;
  const dx = (widthM * 1.1) / k.x;
  return { key, polygons: [], line, widthM, bbox: [minX - dx, minY - dy, maxX + dx, maxY + dy] };
}
