/**
 * Which grid contains a point, in memory: a Flatbush over the grids' bounding boxes, then an
 * even-odd ray test on each candidate's rings. Pure; built once per set of grids.
 *
 * It answers only when it is sure. A point closer than `eps` degrees to a candidate's boundary
 * (on a shared border, at a vertex — where PostGIS `ST_Intersects` counts the boundary as inside —
 * or within the rounding of the coordinates it was given) is `'unsure'`, and the caller asks the
 * database. Elsewhere floating-point ray crossing cannot be wrong, so the answer equals
 * PostGIS `ST_Intersects(boundary, point) ORDER BY id LIMIT 1`.
 */
import Flatbush from 'flatbush';
import type { Polygon } from 'geojson';

export interface LocatableGrid {
  id: number;
  polygon: Polygon;
}

export class GridLocator<T extends LocatableGrid> {
  private readonly index: Flatbush;

  /**
   * @param grids the grids (polygons in lon/lat degrees)
   * @param eps a band around every boundary, in degrees, inside which the answer is 'unsure'
   *   (default 1e-7° ≈ 1 cm: well above coordinates rounded to 9 decimals)
   */
  constructor(
    readonly grids: readonly T[],
    private readonly eps = 1e-7,
  ) {
    this.index = new Flatbush(Math.max(1, grids.length));
    for (const g of grids) {
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      for (const ring of g.polygon.coordinates) {
        for (const [x, y] of ring) {
          if (x < minX) minX = x;
          if (y < minY) minY = y;
          if (x > maxX) maxX = x;
          if (y > maxY) maxY = y;
        }
      }
      this.index.add(minX - eps, minY - eps, maxX + eps, maxY + eps);
    }
    if (grids.length === 0) this.index.add(0, 0, 0, 0);
    this.index.finish();
  }

  /**
   * The grid (smallest id) containing (lon, lat); null when none does; 'unsure' when the point is
   * within `eps` of the boundary of a grid whose box contains it.
   * @example locator.locate(121.6, 38.91) // { id: 17, … }
   */
  locate(lon: number, lat: number): T | null | 'unsure' {
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || this.grids.length === 0) return 'unsure';
    let best: T | null = null;
    for (const i of this.index.search(lon, lat, lon, lat)) {
      const g = this.grids[i]!;
      const r = classify(g.polygon, lon, lat, this.eps);
      if (r === 'near') return 'unsure';
      if (r === 'in' && (!best || g.id < best.id)) best = g;
    }
    return best;
  }
}

/** Inside (even-odd over all rings: holes excluded), outside, or within eps of an edge. */
function classify(polygon: Polygon, x: number, y: number, eps: number): 'in' | 'out' | 'near' {
  const eps2 = eps * eps;
  let inside = false;
  for (const ring of polygon.coordinates) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      // Distance from the point to segment j→i.
      const dx = xi - xj;
      const dy = yi - yj;
      const l2 = dx * dx + dy * dy;
      let t = l2 > 0 ? ((x - xj) * dx + (y - yj) * dy) / l2 : 0;
      if (t < 0) t = 0;
      else if (t > 1) t = 1;
      const px = xj + t * dx - x;
      const py = yj + t * dy - y;
      if (px * px + py * py <= eps2) return 'near';
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside ? 'in' : 'out';
}
