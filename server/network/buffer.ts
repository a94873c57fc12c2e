/**
 * The street buffer: the area within a width of some lines (reached street stretches), as one
 * definition shared by isochrones (bufferLines: the union of the outlines, with Clipper) and by
 * coverage (server/coverage/clip.ts: grid − outlines, with Clipper).
 *
 * In a local metre frame (server/geo) lines meeting end to end are joined into chains, simplified
 * (Douglas–Peucker, BUFFER.simplifyM) and each chain becomes one closed round-ended outline at the
 * width plus what simplification moved the line; arcs are circumscribed polygons at most
 * BUFFER.arcM outside the circle. So the buffer holds every point within the width of the lines and
 * reaches at most max(2·simplifyM, simplifyM + arcM) = 0.4 m beyond it (+ the frame's distortion,
 * ≤ 0.06 m for a 60-minute isochrone, + 1 mm rounding).
 *
 * Integer coordinates: 1 unit = 1 mm. Pure apart from loading the WebAssembly module once at
 * import (no I/O, no download: the binary ships inside the npm package).
 */
import clipperLib from 'js-angusj-clipper';
import type { Position } from 'geojson';
import { bboxOfLines } from '../geo/bbox.js';
import { frameStretch, localFrame, type LocalFrame } from '../geo/measure.js';
import type { LonLat } from './graph.js';

export const { ClipType, PolyFillType } = clipperLib;
export type IntPoint = { x: number; y: number };
export type PolyNode = { contour: IntPoint[]; childs: PolyNode[] };

export const clipper = await clipperLib.loadNativeClipperLibInstanceAsync(clipperLib.NativeClipperLibRequestedFormat.WasmWithAsmJsFallback);

/** Integer units per metre: 1 mm. */
export const SCALE = 1000;

/** Accuracy of the street buffer, in metres beyond the width; see the module comment. */
export const BUFFER = {
  /** Douglas–Peucker tolerance for the lines; the width grows by the distance it moved them (≤ this). */
  simplifyM: 0.2,
  /** How far outside the circle the vertices of a round cap or join may lie (the sides touch it). */
  arcM: 0.2,
};

// ---------------------------------------------------------------------------------------------
// Lines in the metre frame

/** Douglas–Peucker on an interleaved x,y array; returns kept vertex indices (iterative). */
export function simplifyIdx(xy: ArrayLike<number>, n: number, tol: number): number[] {
  if (n <= 2 || tol <= 0) return Array.from({ length: n }, (_, i) => i);
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const stack: number[] = [0, n - 1];
  const tol2 = tol * tol;
  while (stack.length) {
    const b = stack.pop()!;
    const a = stack.pop()!;
    const ax = xy[2 * a]!;
    const ay = xy[2 * a + 1]!;
    const dx = xy[2 * b]! - ax;
    const dy = xy[2 * b + 1]! - ay;
    const l2 = dx * dx + dy * dy;
    let maxD = -1;
    let idx = -1;
    for (let i = a + 1; i < b; i++) {
      const x = xy[2 * i]!;
      const y = xy[2 * i + 1]!;
      let t = l2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / l2 : 0;
      t = t < 0 ? 0 : Math.min(t, 1);
      const px = x - (ax + t * dx);
      const py = y - (ay + t * dy);
      const d2 = px * px + py * py;
      if (d2 > maxD) {
        maxD = d2;
        idx = i;
      }
    }
    if (maxD > tol2) {
      keep[idx] = 1;
      stack.push(a, idx, idx, b);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(i);
  return out;
}

/**
 * Unit direction leaving a line at one end (start: towards the next distinct vertex; end: towards
 * the previous one), or null for a line of coincident points.
 */
function endDirection(xy: number[], atEnd: boolean): [number, number] | null {
  const n = xy.length / 2;
  const i0 = atEnd ? n - 1 : 0;
  const stepI = atEnd ? -1 : 1;
  for (let i = i0 + stepI; i >= 0 && i < n; i += stepI) {
    const dx = xy[2 * i]! - xy[2 * i0]!;
    const dy = xy[2 * i + 1]! - xy[2 * i0 + 1]!;
    const l = Math.hypot(dx, dy);
    if (l > 0) return [dx / l, dy / l];
  }
  return null;
}

/** A point's key to 1 cm: one exact number within ±335 km of the frame's origin, else a string. */
function endKey(x: number, y: number): number | string {
  const cx = Math.round(x * 100);
  const cy = Math.round(y * 100);
  return Math.abs(cx) < 2 ** 25 && Math.abs(cy) < 2 ** 25 ? (cx + 2 ** 25) * 2 ** 26 + (cy + 2 ** 25) : `${cx},${cy}`;
}

/**
 * Joins metre-frame polylines that share an end point (to 1 cm) into chains. At each junction the
 * line ends are paired greedily, straightest continuation first; unpaired ends start chains, and
 * closed loops are walked last. The union of the chains' buffers equals the union of the lines'.
 */
export function joinAtEnds(lines: number[][]): number[][] {
  const endsAt = new Map<number | string, number[]>(); // key → end ids (2·line + 0 start / 1 end)
  const dirs: ([number, number] | null)[] = [];
  for (let i = 0; i < lines.length; i++) {
    const xy = lines[i]!;
    const n = xy.length / 2;
    for (const atEnd of [false, true]) {
      const dir = endDirection(xy, atEnd);
      dirs.push(dir);
      if (!dir) continue; // a point joins nothing
      const k = atEnd ? n - 1 : 0;
      const key = endKey(xy[2 * k]!, xy[2 * k + 1]!);
      const list = endsAt.get(key);
      if (list) list.push(2 * i + (atEnd ? 1 : 0));
      else endsAt.set(key, [2 * i + (atEnd ? 1 : 0)]);
    }
  }

  const partner = new Int32Array(2 * lines.length).fill(-1);
  for (const ends of endsAt.values()) {
    if (ends.length < 2) continue;
    // Straight on means the two directions leaving the junction are opposite: most negative dot first.
    const pairs: [number, number, number][] = [];
    for (let a = 0; a < ends.length; a++) {
      for (let b = a + 1; b < ends.length; b++) {
        const da = dirs[ends[a]!]!;
        const db = dirs[ends[b]!]!;
        pairs.push([da[0] * db[0] + da[1] * db[1], ends[a]!, ends[b]!]);
      }
    }
    pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
    for (const [, a, b] of pairs) {
      if (partner[a]! >= 0 || partner[b]! >= 0) continue;
      partner[a] = b;
      partner[b] = a;
    }
  }

  const used = new Uint8Array(lines.length);
  const chains: number[][] = [];
  const walk = (startEnd: number) => {
    const chain: number[] = [];
    let end = startEnd;
    while (end >= 0 && !used[end >> 1]) {
      const li = end >> 1;
      used[li] = 1;
      const xy = lines[li]!;
      const n = xy.length / 2;
      const reverse = (end & 1) === 1; // entering at the line's end: walk it backwards
      for (let j = chain.length ? 1 : 0; j < n; j++) {
        const k = reverse ? n - 1 - j : j;
        chain.push(xy[2 * k]!, xy[2 * k + 1]!);
      }
      end = partner[end ^ 1]!; // leave by the opposite end, continue into its partner
    }
    chains.push(chain);
  };
  for (let e = 0; e < partner.length; e++) if (partner[e] === -1 && !used[e >> 1]) walk(e);
  for (let i = 0; i < lines.length; i++) if (!used[i]) walk(2 * i); // closed loops
  return chains;
}

// ---------------------------------------------------------------------------------------------
// Outlines

/**
 * Arc of `radius` round (px, py) from angle a0 turning `turn` (> 0) counter-clockwise, as tangent
 * edges of at most `maxStep`: only the corners between tangent edges are written. The points where
 * the arc starts and ends (on the circle) lie on the first and last tangent edges, which continue the
 * offset sides of the segments before and after, so they would be collinear vertices: left out, the
 * outline is the same polygon with about a third fewer vertices at curvy streets.
 */
function arc(px: number, py: number, radius: number, a0: number, turn: number, maxStep: number, out: number[]): void {
  const k = Math.max(1, Math.ceil(turn / maxStep - 1e-9));
  const step = turn / k;
  const far = radius / Math.cos(step / 2);
  for (let j = 0; j < k; j++) {
    const a = a0 + (j + 0.5) * step;
    out.push(px + far * Math.cos(a), py + far * Math.sin(a));
  }
}

/**
 * The closed outline of the buffer of an open polyline (interleaved metres, no repeated points):
 * counter-clockwise, round caps and round joins on the convex side; on the concave side the outline
 * passes through the vertex (as Clipper's own offsetting does), which leaves small loops of
 * negative winding that the Positive fill rule discards. Arcs are circumscribed polygons: sides lie
 * exactly at `radius`, arc vertices at most radius/cos(π/segments) from the line.
 */
export function outline(xy: readonly number[], radius: number, segments: number, out: number[]): void {
  const n = xy.length / 2;
  const maxStep = (2 * Math.PI) / segments;
  if (n === 1) {
    const k = segments;
    const far = radius / Math.cos(Math.PI / k);
    for (let j = 0; j < k; j++) out.push(xy[0]! + far * Math.cos((2 * Math.PI * (j + 0.5)) / k), xy[1]! + far * Math.sin((2 * Math.PI * (j + 0.5)) / k));
    return;
  }
  // Walk 0 … n−1 … 1 (closed); the line is on the left, the outline on the right of the walk.
  const m = 2 * n - 2;
  for (let t = 0; t < m; t++) {
    const tp = (t - 1 + m) % m;
    const tn = (t + 1) % m;
    const i = t < n ? t : m - t;
    const ip = tp < n ? tp : m - tp;
    const inx = tn < n ? tn : m - tn;
    const px = xy[2 * i]!;
    const py = xy[2 * i + 1]!;
    let ax = px - xy[2 * ip]!;
    let ay = py - xy[2 * ip + 1]!;
    const la = Math.hypot(ax, ay);
    ax /= la;
    ay /= la;
    let bx = xy[2 * inx]! - px;
    let by = xy[2 * inx + 1]! - py;
    const lb = Math.hypot(bx, by);
    bx /= lb;
    by /= lb;
    // Right-hand normals of the incoming and outgoing directions.
    const a0 = Math.atan2(-ax, ay);
    const turn = t === 0 || t === n - 1 ? Math.PI : Math.atan2(ax * by - ay * bx, ax * bx + ay * by);
    if (turn > 1e-12) arc(px, py, radius, a0, turn, maxStep, out);
    else if (turn < -1e-12) out.push(px + radius * ay, py - radius * ax, px, py, px + radius * by, py - radius * bx);
    else out.push(px + radius * ay, py - radius * ax);
  }
}

/**
 * The largest distance from a dropped vertex to the simplified segment that replaced it: every
 * point of the original line lies within it of the simplified line.
 */
function simplifiedBy(xy: readonly number[], keep: readonly number[]): number {
  let worst = 0;
  for (let j = 1; j < keep.length; j++) {
    const a = keep[j - 1]!;
    const b = keep[j]!;
    if (b - a < 2) continue;
    const ax = xy[2 * a]!;
    const ay = xy[2 * a + 1]!;
    const dx = xy[2 * b]! - ax;
    const dy = xy[2 * b + 1]! - ay;
    const l2 = dx * dx + dy * dy;
    for (let i = a + 1; i < b; i++) {
      const px = xy[2 * i]! - ax;
      const py = xy[2 * i + 1]! - ay;
      const t = l2 > 0 ? Math.max(0, Math.min(1, (px * dx + py * dy) / l2)) : 0;
      const d = Math.hypot(px - t * dx, py - t * dy);
      if (d > worst) worst = d;
    }
  }
  return worst;
}

/**
 * The buffer of metre-frame polylines (interleaved x,y) as closed outlines (interleaved x,y, not
 * repeated at the end, counter-clockwise; small loops of negative winding where a chain turns, which
 * the Positive fill rule drops). Their union is the buffer.
 * @param stretch how much the frame may overstate a true distance (see frameStretch); the width grows by it
 */
export function bufferOutlines(lines: number[][], widthM: number, stretch = 1): number[][] {
  const out: number[][] = [];
  for (const chain of joinAtEnds(lines)) {
    const keep = simplifyIdx(chain, chain.length / 2, BUFFER.simplifyM);
    // Grow the width by how far simplification actually moved the line (≤ the tolerance), and by
    // 1 mm for the rounding of the vertices to the integer grid.
    const radius = widthM * stretch + (keep.length < chain.length / 2 ? simplifiedBy(chain, keep) : 0) + 1 / SCALE;
    const xy: number[] = [];
    for (const i of keep) {
      const x = chain[2 * i]!;
      const y = chain[2 * i + 1]!;
      const k = xy.length;
      // Drop vertices closer than 1 mm to the previous one (no zero-length segments).
      if (k && Math.abs(x - xy[k - 2]!) < 1e-3 && Math.abs(y - xy[k - 1]!) < 1e-3) continue;
      xy.push(x, y);
    }
    if (!xy.length) continue;
    // Polygon vertices per full circle for arcs at most BUFFER.arcM outside it.
    const segments = Math.max(8, Math.ceil(Math.PI / Math.acos(radius / (radius + BUFFER.arcM))));
    const ring: number[] = [];
    outline(xy, radius, segments, ring);
    out.push(ring);
  }
  return out;
}

/** Metres → integer mm, without repeated points (nor a closing one). */
export function toInt(xy: readonly number[]): IntPoint[] {
  const out: IntPoint[] = [];
  let lx = NaN;
  let ly = NaN;
  for (let i = 0; i < xy.length; i += 2) {
    const x = Math.round(xy[i]! * SCALE);
    const y = Math.round(xy[i + 1]! * SCALE);
    if (x !== lx || y !== ly) out.push({ x, y });
    lx = x;
    ly = y;
  }
  if (out.length > 1 && out[0]!.x === lx && out[0]!.y === ly) out.pop();
  return out;
}

/** Positions (lon/lat) into the frame as interleaved metres; `closed` drops a ring's repeated last position. */
export function project(f: LocalFrame, ring: readonly Position[], closed: boolean): number[] {
  const xy: number[] = [];
  const n = closed && ring.length > 1 ? ring.length - 1 : ring.length;
  for (let i = 0; i < n; i++) xy.push((ring[i]![0]! - f.lon0) * f.kx, (ring[i]![1]! - f.lat0) * f.ky);
  return xy;
}

/**
 * Clipper's PolyTree as lon/lat Polygon coordinates (outer rings counter-clockwise, holes clockwise,
 * as Clipper gives them; rings closed); islands in holes come as polygons of their own.
 */
export function polygonsOf(tree: PolyNode, f: LocalFrame): Position[][][] {
  const out: Position[][][] = [];
  for (const o of tree.childs) collect(o, f, out);
  return out;
}

/** An outer node of Clipper's PolyTree and its holes as lon/lat Polygon coordinates; islands in holes recursively. */
function collect(outer: PolyNode, f: LocalFrame, out: Position[][][]): void {
  const rings = [unproject(outer.contour, f)];
  for (const h of outer.childs) rings.push(unproject(h.contour, f));
  out.push(rings);
  for (const h of outer.childs) for (const o of h.childs) collect(o, f, out);
}

function unproject(c: readonly IntPoint[], f: LocalFrame): Position[] {
  const kx = f.kx * SCALE;
  const ky = f.ky * SCALE;
  const ring: Position[] = [];
  for (const p of c) ring.push([f.lon0 + p.x / kx, f.lat0 + p.y / ky]);
  ring.push([ring[0]![0]!, ring[0]![1]!]);
  return ring;
}

// ---------------------------------------------------------------------------------------------
// Isochrone polygons

/**
 * The area within `widthM` of lon/lat polylines as a MultiPolygon: the union of their outlines
 * (Clipper, Positive fill rule, strictly simple output). Never short of the width, at most ~0.4 m
 * beyond it (see the module comment).
 *
 * @param lines lon/lat polylines, e.g. from intervalsToLines; not modified
 * @param widthM buffer width in metres (default 50)
 * @returns MultiPolygon coordinates, outer rings counter-clockwise, holes clockwise (RFC 7946); [] for no lines.
 * @example
 * bufferLines([[[121.6, 38.91], [121.601, 38.91]]], 50) // [[[[…], …]]]
 */
export function bufferLines(lines: LonLat[][], widthM = 50): LonLat[][][] {
  if (!(widthM > 0)) return [];
  const [minX, minY, maxX, maxY] = bboxOfLines(lines);
  if (!Number.isFinite(minX)) return [];
  // One frame for all lines, centred on their bounding box (isochrones span a few km at most).
  const f = localFrame((minX + maxX) / 2, (minY + maxY) / 2);
  const reach = (2 * widthM) / f.ky;
  const stretch = frameStretch(f, minY - reach, maxY + reach);
  const parts: number[][] = [];
  for (const l of lines) if (l.length) parts.push(project(f, l, false));
  const rings: IntPoint[][] = [];
  for (const ring of bufferOutlines(parts, widthM, stretch)) {
    const r = toInt(ring);
    if (r.length >= 3) rings.push(r);
  }
  if (!rings.length) return [];
  const tree = clipper.clipToPolyTree({
    clipType: ClipType.Union,
    subjectInputs: [{ data: rings, closed: true }],
    subjectFillType: PolyFillType.Positive,
    strictlySimple: true,
  }) as unknown as PolyNode;
  return polygonsOf(tree, f) as LonLat[][][];
}
