/**
 * grid − service areas for one grid, in integer coordinates (Clipper, compiled to WebAssembly).
 *
 * Per grid: a local tangent plane centred on the grid's bbox (metres per degree on the WGS84
 * ellipsoid), 1 unit = 1 mm. Reached street stretches are cut to the grid's bbox grown by their
 * width, joined end to end into chains, simplified, and turned into closed round-ended outlines
 * ("sausages"); every covering polygon (outlines, circles) is cut to the grid's bbox + 1 m, so what
 * lies away from the grid never enters the sweep. One Clipper difference (grid − clips, the clips
 * taken with the Positive fill rule, which unions them) gives the gaps, turned back into lon/lat.
 *
 * Pure apart from loading the WebAssembly module once at import (no I/O, no download: the binary
 * ships inside the npm package).
 */
import clipperLib from 'js-angusj-clipper';
import type { Position } from 'geojson';
import { joinAtEnds, simplifyIdx } from '../network/graph.js';
import { metresPerDegree, type Piece, type PolygonCoords } from './pieces.js';

const { ClipType, NativeClipperLibRequestedFormat, PolyFillType } = clipperLib;
type IntPoint = { x: number; y: number };
type PolyNode = { contour: IntPoint[]; childs: PolyNode[] };

const clipper = await clipperLib.loadNativeClipperLibInstanceAsync(NativeClipperLibRequestedFormat.WasmWithAsmJsFallback);

/** Integer units per metre: 1 mm. */
const SCALE = 1000;

/** Accuracy of the street buffer; see {@link outline}. */
export const BUFFER = {
  /** Polygon vertices per full circle for round caps and joins (circumscribed, so never short). */
  segments: 32,
  /** Douglas–Peucker tolerance (m) for the street lines; the width grows by the distance it moved them (≤ this). */
  simplifyM: 0.25,
};

/** A grid's local frame: lon/lat ↔ metres (x east, y north) around its bbox centre. */
interface Frame {
  lon0: number;
  lat0: number;
  kx: number;
  ky: number;
}

/** Liang–Barsky: the part of segment (x0,y0)→(x1,y1) inside box b, or null. */
function cutSegment(x0: number, y0: number, x1: number, y1: number, b: readonly number[], out: number[]): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const ps = [-dx, dx, -dy, dy];
  const qs = [x0 - b[0]!, b[2]! - x0, y0 - b[1]!, b[3]! - y0];
  for (let i = 0; i < 4; i++) {
    const p = ps[i]!;
    const q = qs[i]!;
    if (p === 0) {
      if (q < 0) return false;
      continue;
    }
    const r = q / p;
    if (p < 0) {
      if (r > t1) return false;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return false;
      if (r < t1) t1 = r;
    }
  }
  out[0] = x0 + t0 * dx;
  out[1] = y0 + t0 * dy;
  out[2] = x0 + t1 * dx;
  out[3] = y0 + t1 * dy;
  return true;
}

/**
 * Sutherland–Hodgman against an axis-aligned box, for any closed ring (interleaved x,y, not
 * repeated at the end). Concave or self-intersecting rings come out with extra edges along the box
 * boundary, but the winding number of every point inside the box is unchanged — which is all the
 * Positive/NonZero fill rules look at.
 */
export function clipRingToBox(xy: readonly number[], b: readonly number[]): number[] {
  let cur: readonly number[] = xy;
  for (let side = 0; side < 4 && cur.length >= 6; side++) {
    const next: number[] = [];
    const n = cur.length / 2;
    const axis = side & 1 ? 1 : 0; // 0: x, 1: y
    const lim = b[side === 0 ? 0 : side === 1 ? 1 : side === 2 ? 2 : 3]!;
    const keepGreater = side < 2;
    let px = cur[2 * n - 2]!;
    let py = cur[2 * n - 1]!;
    let pin = keepGreater ? (axis ? py : px) >= lim : (axis ? py : px) <= lim;
    for (let i = 0; i < n; i++) {
      const x = cur[2 * i]!;
      const y = cur[2 * i + 1]!;
      const cin = keepGreater ? (axis ? y : x) >= lim : (axis ? y : x) <= lim;
      if (cin !== pin) {
        if (axis === 0) next.push(lim, py + ((lim - px) * (y - py)) / (x - px));
        else next.push(px + ((lim - py) * (x - px)) / (y - py), lim);
      }
      if (cin) next.push(x, y);
      px = x;
      py = y;
      pin = cin;
    }
    cur = next;
  }
  return cur.length >= 6 ? (cur as number[]) : [];
}

/**
 * The closed outline of the buffer of an open polyline (interleaved metres, no repeated points):
 * counter-clockwise, round caps and round joins on the convex side; on the concave side the outline
 * passes through the vertex (as Clipper's own offsetting does), which leaves small loops of
 * negative winding that the Positive fill rule discards. Arcs are circumscribed polygons: sides lie
 * exactly at `radius`, arc vertices at most radius/cos(π/segments) from the line.
 */
/** Arc of `radius` round (px, py) from angle a0 turning `turn` (> 0) counter-clockwise, as tangent edges of at most `maxStep`. */
function arc(px: number, py: number, radius: number, a0: number, turn: number, maxStep: number, out: number[]): void {
  const k = Math.max(1, Math.ceil(turn / maxStep - 1e-9));
  const step = turn / k;
  const far = radius / Math.cos(step / 2);
  out.push(px + radius * Math.cos(a0), py + radius * Math.sin(a0));
  for (let j = 0; j < k; j++) {
    const a = a0 + (j + 0.5) * step;
    out.push(px + far * Math.cos(a), py + far * Math.sin(a));
  }
  out.push(px + radius * Math.cos(a0 + turn), py + radius * Math.sin(a0 + turn));
}

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

function toInt(xy: readonly number[]): IntPoint[] {
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

const signedArea = (xy: readonly number[]) => {
  let s = 0;
  const n = xy.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) s += xy[2 * j]! * xy[2 * i + 1]! - xy[2 * i]! * xy[2 * j + 1]!;
  return s / 2;
};

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

function project(f: Frame, ring: readonly Position[], closed: boolean): number[] {
  const xy: number[] = [];
  const n = closed && ring.length > 1 ? ring.length - 1 : ring.length;
  for (let i = 0; i < n; i++) xy.push((ring[i]![0]! - f.lon0) * f.kx, (ring[i]![1]! - f.lat0) * f.ky);
  return xy;
}

/** A polygon piece's ring, oriented (outer counter-clockwise, holes clockwise), cut to the box, in mm. */
function pushPolygonRing(xy: number[], outer: boolean, cb: readonly number[], out: IntPoint[][]): void {
  const a = signedArea(xy);
  if (a === 0) return;
  if (a > 0 !== outer) {
    for (let i = 0, j = xy.length - 2; i < j; i += 2, j -= 2) {
      [xy[i], xy[j]] = [xy[j]!, xy[i]!];
      [xy[i + 1], xy[j + 1]] = [xy[j + 1]!, xy[i + 1]!];
    }
  }
  const cut = clipRingToBox(xy, cb);
  if (cut.length < 6) return;
  const ring = toInt(cut);
  if (ring.length >= 3) out.push(ring);
}

/**
 * The covering polygons of `pieces` that matter for the grid, in its frame (integer mm, cut to the
 * grid's bbox + 1 m; outer rings counter-clockwise so that the Positive fill rule unions them).
 */
function clipRings(f: Frame, box: readonly number[], pieces: readonly Piece[]): IntPoint[][] {
  const out: IntPoint[][] = [];
  const cb = [box[0]! - 1, box[1]! - 1, box[2]! + 1, box[3]! + 1];
  const byWidth = new Map<number, number[][]>();
  const seg = [0, 0, 0, 0];
  for (const p of pieces) {
    for (const poly of p.polygons) for (let i = 0; i < poly.length; i++) pushPolygonRing(project(f, poly[i]!, true), i === 0, cb, out);
    if (!p.line || !p.widthM) continue;
    // Only the stretch within width (+ simplification, + 1 m) of the bbox can reach the grid.
    const m = p.widthM + BUFFER.simplifyM + 1;
    const b = [box[0]! - m, box[1]! - m, box[2]! + m, box[3]! + m];
    const xy = project(f, p.line, false);
    const list = byWidth.get(p.widthM) ?? [];
    byWidth.set(p.widthM, list);
    let part: number[] = [];
    for (let i = 2; i < xy.length; i += 2) {
      if (!cutSegment(xy[i - 2]!, xy[i - 1]!, xy[i]!, xy[i + 1]!, b, seg)) continue;
      const k = part.length;
      if (k && (part[k - 2] !== seg[0] || part[k - 1] !== seg[1])) {
        list.push(part);
        part = [];
      }
      if (!part.length) part.push(seg[0]!, seg[1]!);
      part.push(seg[2]!, seg[3]!);
    }
    if (part.length) list.push(part);
    else if (xy.length === 2 && xy[0]! >= b[0]! && xy[0]! <= b[2]! && xy[1]! >= b[1]! && xy[1]! <= b[3]!) list.push(xy);
  }
  for (const [width, lines] of byWidth) {
    for (const chain of joinAtEnds(lines)) {
      const keep = simplifyIdx(chain, chain.length / 2, BUFFER.simplifyM);
      // Grow the width by how far simplification actually moved the line (≤ the tolerance).
      const radius = width + (keep.length < chain.length / 2 ? simplifiedBy(chain, keep) : 0);
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
      const ring: number[] = [];
      outline(xy, radius, BUFFER.segments, ring);
      const cut = clipRingToBox(ring, cb);
      if (cut.length < 6) continue;
      const r = toInt(cut);
      if (r.length >= 3) out.push(r);
    }
  }
  return out;
}

/**
 * The uncovered parts of a grid polygon (lon/lat, outer ring then holes) given the pieces that
 * touch it: Polygon coordinates, outer rings counter-clockwise, holes clockwise, rings closed.
 * @param bbox the polygon's bbox [minLon, minLat, maxLon, maxLat]
 */
export function uncoveredParts(polygon: PolygonCoords, bbox: readonly number[], pieces: readonly Piece[]): PolygonCoords[] {
  const lon0 = (bbox[0]! + bbox[2]!) / 2;
  const lat0 = (bbox[1]! + bbox[3]!) / 2;
  const k = metresPerDegree(lat0);
  const f: Frame = { lon0, lat0, kx: k.x, ky: k.y };
  const box = [(bbox[0]! - lon0) * f.kx, (bbox[1]! - lat0) * f.ky, (bbox[2]! - lon0) * f.kx, (bbox[3]! - lat0) * f.ky];
  const clips = clipRings(f, box, pieces);
  if (clips.length === 0) return [polygon];
  const subject: IntPoint[][] = [];
  for (const ring of polygon) {
    const xy: number[] = [];
    for (let i = 0; i < ring.length - 1; i++) xy.push((ring[i]![0]! - lon0) * f.kx, (ring[i]![1]! - lat0) * f.ky);
    const r = toInt(xy);
    if (r.length >= 3) subject.push(r);
  }
  if (subject.length === 0) return [];
  const tree = clipper.clipToPolyTree({
    clipType: ClipType.Difference,
    subjectInputs: [{ data: subject, closed: true }],
    subjectFillType: PolyFillType.EvenOdd,
    clipInputs: [{ data: clips }],
    clipFillType: PolyFillType.Positive,
  }) as unknown as PolyNode;
  const gaps: PolygonCoords[] = [];
  for (const o of tree.childs) collect(o, f, gaps);
  return gaps;
}

/** An outer node of Clipper's PolyTree and its holes as lon/lat Polygon coordinates; islands in holes recursively. */
function collect(outer: PolyNode, f: Frame, gaps: PolygonCoords[]): void {
  const rings = [unproject(outer.contour, f)];
  for (const h of outer.childs) rings.push(unproject(h.contour, f));
  gaps.push(rings);
  for (const h of outer.childs) for (const o of h.childs) collect(o, f, gaps);
}

function unproject(c: readonly IntPoint[], f: Frame): Position[] {
  const kx = f.kx * SCALE;
  const ky = f.ky * SCALE;
  const ring: Position[] = [];
  for (const p of c) ring.push([f.lon0 + p.x / kx, f.lat0 + p.y / ky]);
  ring.push([ring[0]![0]!, ring[0]![1]!]);
  return ring;
}
