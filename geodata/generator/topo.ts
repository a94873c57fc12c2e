/**
 * Exact unions of cells that share vertices: directed edges used in both directions are interior and
 * cancel; the remaining edges are chained into rings. Because every cell uses the same vertex ids on
 * shared edges, the unions of neighbouring groups share their boundaries vertex for vertex.
 */
import { pointInRing, signedArea, type XY } from './geo.js';

export type PolygonCoords = XY[][];
export type Geometry = { type: 'Polygon'; coordinates: PolygonCoords } | { type: 'MultiPolygon'; coordinates: PolygonCoords[] };

/**
 * @param rings open rings of vertex ids (counter-clockwise, no repeated closing vertex)
 * @param verts vertex coordinates indexed by id
 */
export function unionCells(rings: readonly (readonly number[])[], verts: readonly XY[]): Geometry {
  const nv = verts.length;
  const keys = new Set<number>();
  for (const r of rings) {
    for (let i = 0; i < r.length; i++) keys.add(r[i]! * nv + r[(i + 1) % r.length]!);
  }
  // Boundary edges in deterministic (insertion) order.
  const out = new Map<number, number[]>();
  const order: [number, number][] = [];
  for (const r of rings) {
    for (let i = 0; i < r.length; i++) {
      const a = r[i]!;
      const b = r[(i + 1) % r.length]!;
      if (keys.has(b * nv + a)) continue;
      order.push([a, b]);
      let l = out.get(a);
      if (!l) out.set(a, (l = []));
      l.push(b);
    }
  }
  const used = new Set<number>();
  const idRings: number[][] = [];
  for (const [a0, b0] of order) {
    if (used.has(a0 * nv + b0)) continue;
    used.add(a0 * nv + b0);
    const ring = [a0];
    let prev = a0;
    let cur = b0;
    let guard = 0;
    while (cur !== a0) {
      if (++guard > 10_000_000) throw new Error('unionCells: ring did not close');
      ring.push(cur);
      const cands = (out.get(cur) ?? []).filter((c) => !used.has(cur * nv + c));
      if (cands.length === 0) throw new Error('unionCells: open boundary');
      let next = cands[0]!;
      if (cands.length > 1) {
        // Pinch vertex: take the leftmost turn so each lobe closes on its own.
        const p = verts[prev]!;
        const c = verts[cur]!;
        const dx = c[0] - p[0];
        const dy = c[1] - p[1];
        let best = -Infinity;
        for (const cand of cands) {
          const q = verts[cand]!;
          const ex = q[0] - c[0];
          const ey = q[1] - c[1];
          const ang = Math.atan2(dx * ey - dy * ex, dx * ex + dy * ey);
          if (ang > best) {
            best = ang;
            next = cand;
          }
        }
      }
      used.add(cur * nv + next);
      prev = cur;
      cur = next;
    }
    idRings.push(ring);
  }
  const outers: XY[][] = [];
  const holes: XY[][] = [];
  for (const r of idRings) {
    const coords = r.map((i) => verts[i]!);
    coords.push(coords[0]!);
    if (signedArea(coords) > 0) outers.push(coords);
    else holes.push(coords);
  }
  outers.sort((a, b) => signedArea(b) - signedArea(a));
  const polys: PolygonCoords[] = outers.map((o) => [o]);
  for (const h of holes) {
    const outerVerts = new Set<string>();
    let placed = false;
    for (const poly of polys) {
      const o = poly[0]!;
      outerVerts.clear();
      for (const p of o) outerVerts.add(`${p[0]},${p[1]}`);
      const probe = h.find((p) => !outerVerts.has(`${p[0]},${p[1]}`)) ?? h[0]!;
      if (pointInRing(probe[0], probe[1], o)) {
        poly.push(h);
        placed = true;
        break;
      }
    }
    if (!placed) throw new Error('unionCells: hole without outer ring');
  }
  if (polys.length === 1) return { type: 'Polygon', coordinates: polys[0]! };
  return { type: 'MultiPolygon', coordinates: polys };
}
