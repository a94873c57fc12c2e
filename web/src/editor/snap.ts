/**
 * Snapping a dragged or drawn point to other grids, in screen pixels: first to the nearest vertex
 * within the tolerance, else to the nearest point on an edge. Pure (the projection is passed in),
 * so it is tested without a map; terra-draw calls it through `snapping.toCustom`.
 */
import type { Position } from 'geojson';

export interface Px {
  x: number;
  y: number;
}

export interface SnapResult {
  kind: 'vertex' | 'edge';
  position: Position;
  distancePx: number;
}

/**
 * The snapped position for a pointer at `pointer` (pixels), or undefined when nothing is within
 * `tolerancePx`. `rings` are closed rings in lon/lat; `project` turns lon/lat into pixels.
 */
export function snapToRings(pointer: Px, rings: Position[][], project: (p: Position) => Px, tolerancePx: number): SnapResult | undefined {
  let vertex: SnapResult | undefined;
  let edge: SnapResult | undefined;
  for (const ring of rings) {
    let prev: Px | undefined;
    for (let i = 0; i < ring.length; i++) {
      const q = project(ring[i]);
      const d = Math.hypot(q.x - pointer.x, q.y - pointer.y);
      if (d <= tolerancePx && (!vertex || d < vertex.distancePx)) vertex = { kind: 'vertex', position: [ring[i][0], ring[i][1]], distancePx: d };
      if (prev && i > 0) {
        const dx = q.x - prev.x;
        const dy = q.y - prev.y;
        const len2 = dx * dx + dy * dy;
        if (len2 > 0) {
          const t = Math.max(0, Math.min(1, ((pointer.x - prev.x) * dx + (pointer.y - prev.y) * dy) / len2));
          const ex = prev.x + t * dx;
          const ey = prev.y + t * dy;
          const de = Math.hypot(ex - pointer.x, ey - pointer.y);
          if (de <= tolerancePx && (!edge || de < edge.distancePx)) {
            const a = ring[i - 1];
            const b = ring[i];
            edge = { kind: 'edge', position: [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])], distancePx: de };
          }
        }
      }
      prev = q;
    }
  }
  return vertex ?? edge;
}

/** Rings whose bbox comes within `pad` (degrees) of `p`: a cheap filter before projecting. */
export function ringsNear(rings: { ring: Position[]; bbox: [number, number, number, number] }[], p: Position, pad: number): Position[][] {
  return rings.filter(({ bbox: b }) => p[0] >= b[0] - pad && p[0] <= b[2] + pad && p[1] >= b[1] - pad && p[1] <= b[3] + pad).map((r) => r.ring);
}

export function ringBbox(ring: Position[]): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
  }
  return b;
}
