/**
 * Covering pieces: the polygons that make up service areas, each small, with its bbox and a
 * content key. Coverage clips grids against only the pieces that touch them, and an update
 * compares keys to find what changed — so no global union is ever built.
 */
import circle from '@turf/circle';
import type { Position } from 'geojson';

export type Ring = Position[];
/** Polygon coordinates: outer ring, then holes. */
export type PolygonCoords = Ring[];

export interface Piece {
  /** Content-derived key: equal keys ⇔ equal geometry. */
  key: string;
  /** MultiPolygon coordinates (lon/lat). */
  polygons: PolygonCoords[];
  bbox: [number, number, number, number];
  /** For a circle: its centre and radius, which allow an exact "grid fully inside" test. */
  circle?: { lon: number; lat: number; radiusM: number };
}

function bboxOf(polygons: PolygonCoords[]): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const poly of polygons) {
    for (const [x, y] of poly[0]) {
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

/**
 * A geodesic circle (a polygon of `steps` vertices on the true circle).
 * @param steps default 64; PostGIS's ST_Buffer(geography, r, 'quad_segs=16') is the same density.
 * @example circlePiece('s1', 121.6, 38.91, 1000)
 */
export function circlePiece(id: string, lon: number, lat: number, radiusM: number, steps = 64): Piece {
  const c = circle([lon, lat], radiusM / 1000, { steps, units: 'kilometers' });
  const polygons = [c.geometry.coordinates as PolygonCoords];
  return { key: `c:${id}@${lon},${lat},${radiusM},${steps}`, polygons, bbox: bboxOf(polygons), circle: { lon, lat, radiusM } };
}

const R = 6_371_008.8;
const RAD = Math.PI / 180;

/**
 * A polyline buffered by `widthM`, as rectangles around each segment plus a regular polygon at
 * every vertex (their union is the round-capped buffer). Built in a local equirectangular frame,
 * which is exact enough at street scale (a 50 m buffer is off by millimetres).
 * @param sides polygon sides approximating each round join (default 12)
 */
export function bufferedLinePiece(key: string, line: Position[], widthM: number, sides = 12): Piece {
  const lat0 = line[0][1] * RAD;
  const kx = R * Math.cos(lat0) * RAD; // metres per degree of longitude
  const ky = R * RAD;
  const polygons: PolygonCoords[] = [];
  // Circumscribed polygon so the piece covers at least the true width everywhere.
  const rv = widthM / Math.cos(Math.PI / sides);
  const disc = (p: Position): PolygonCoords => {
    const ring: Ring = [];
    for (let i = 0; i < sides; i++) {
      const a = (2 * Math.PI * i) / sides;
      ring.push([p[0] + (rv * Math.cos(a)) / kx, p[1] + (rv * Math.sin(a)) / ky]);
    }
    ring.push(ring[0]);
    return [ring];
  };
  for (let i = 0; i < line.length; i++) {
    polygons.push(disc(line[i]));
    if (i === 0) continue;
    const a = line[i - 1];
    const b = line[i];
    const dx = (b[0] - a[0]) * kx;
    const dy = (b[1] - a[1]) * ky;
    const len = Math.hypot(dx, dy);
    if (len < 1e-6) continue;
    const nx = (-dy / len) * widthM;
    const ny = (dx / len) * widthM;
    const ox = nx / kx;
    const oy = ny / ky;
    polygons.push([
      [
        [a[0] + ox, a[1] + oy],
        [a[0] - ox, a[1] - oy],
        [b[0] - ox, b[1] - oy],
        [b[0] + ox, b[1] + oy],
        [a[0] + ox, a[1] + oy],
      ],
    ]);
  }
  return { key, polygons, bbox: bboxOf(polygons) };
}
