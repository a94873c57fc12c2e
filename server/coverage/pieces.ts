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
  /**
   * For a circle: its centre and radius, and the distance from the centre (localDistanceM) within
   * which every point is inside the polygon — an exact "grid fully inside" test.
   */
  circle?: { lon: number; lat: number; radiusM: number; insideM: number };
  /**
   * For a street stretch: the line as interleaved lon, lat (for pieces read from a PieceSet, a view
   * into the set's shared memory, not a copy) and the distance from it that counts as covered.
   */
  xy?: Float64Array;
  widthM?: number;
}

/** Vertices of a circle piece by default: the polygon is within ±0.2 m of a 1 km circle. */
export const CIRCLE_STEPS = 128;

/**
 * A geodesic circle on the WGS84 ellipsoid as a regular polygon of `steps` vertices, starting due
 * north, counter-clockwise, whose area equals the circle's: the vertices lie at
 * r·√(2π / (n·sin(2π/n))) from the centre (1 km, 128 steps: 0.20 m outside the circle, edge
 * midpoints 0.10 m inside), so it is never inscribed and neither over- nor under-counts coverage.
 * Each vertex is the point at that geodesic distance and azimuth, from a second-order expansion
 * (latitude with the meridional scale at the middle and the parallel's curvature, longitude with
 * the scale at the vertex's latitude): within 1 mm of GeographicLib's Direct for 5 km up to 46°.
 * @param steps number of vertices (default {@link CIRCLE_STEPS}); packing.ts rebuilds a circle from
 *   (lon, lat, radiusM, steps), so the same arguments must always give the same piece.
 * @example circlePiece('s1', 121.6, 38.91, 1000)
 */
export function circlePiece(id: string, lon: number, lat: number, radiusM: number, steps = CIRCLE_STEPS): Piece {
  const r = radiusM * Math.sqrt((2 * Math.PI) / (steps * Math.sin((2 * Math.PI) / steps)));
  const k = metresPerDegree(lat);
  // Metres east → degrees of latitude lost to the parallel's curvature: tan φ / (2 N) / (m per ° north).
  const bend = Math.tan((lat * Math.PI) / 180) / (2 * (k.x / Math.cos((lat * Math.PI) / 180)) * (180 / Math.PI)) / k.y;
  const ring: Ring = [];
  for (let i = 0; i < steps; i++) {
    const a = (2 * Math.PI * i) / steps;
    const x = -r * Math.sin(a);
    const y = r * Math.cos(a);
    const vLat = lat + y / metresPerDegree(lat + y / (2 * k.y)).y - x * x * bend;
    ring.push([lon + x / metresPerDegree(vLat).x, vLat]);
  }
  ring.push(ring[0]!);
  const polygons = [[ring]];
  // The polygon's inner radius, less 1 cm + 10 ppm for the local distance's approximation.
  const insideM = r * Math.cos(Math.PI / steps) - 0.01 - 1e-5 * radiusM;
  return {
    key: `c:${id}@${lon},${lat},${radiusM},${steps}`,
    polygons,
    bbox: bboxOfLines(polygons.map((poly) => poly[0]!)),
    circle: { lon, lat, radiusM, insideM },
  };
}

/**
 * A reached street stretch that covers residents within `widthM` of it. It stays a line: each
 * grid buffers only the stretches near it (see coverGrid), which is far cheaper than clipping
 * against pre-built buffers of every stretch.
 * @example bufferedLinePiece('w:17:0-35.2', [[121.6, 38.91], [121.6004, 38.91]], 50)
 */
export function bufferedLinePiece(key: string, line: Position[], widthM: number): Piece {
  const xy = new Float64Array(2 * line.length);
  line.forEach((q, i) => {
    xy[2 * i] = q[0]!;
    xy[2 * i + 1] = q[1]!;
  });
  return { key, polygons: [], xy, widthM, bbox: lineBox(xy, widthM) };
}

/** The bbox of a stretch (interleaved lon, lat) grown by its width plus 10 %, so every grid the buffer reaches finds it. */
export function lineBox(xy: ArrayLike<number>, widthM: number): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    const x = xy[i]!;
    const y = xy[i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const k = metresPerDegree((minY + maxY) / 2);
  const dy = (widthM * 1.1) / k.y;
  const dx = (widthM * 1.1) / k.x;
  return [minX - dx, minY - dy, maxX + dx, maxY + dy];
}
