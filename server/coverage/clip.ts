/**
 * grid − service areas for one grid, in integer coordinates (Clipper, compiled to WebAssembly).
 *
 * Per grid: a local frame centred on the grid's bbox (server/geo), 1 unit = 1 mm. Reached street
 * stretches are cut to the grid's bbox grown by their width and buffered by the street buffer of
 * server/network/buffer.ts (the one isochrones use: round-ended outlines of joined, simplified
 * chains); every covering polygon (outlines, circles) is cut to the grid's bbox + 1 m, so what lies
 * away from the grid never enters the sweep. One Clipper difference (grid − clips, the clips taken
 * with the Positive fill rule, which unions them) gives the gaps, turned back into lon/lat.
 *
 * Pure.
 */
import { frameStretch, localFrame, type LocalFrame } from '../geo/measure.js';
import { BUFFER, bufferOutlines, clipper, ClipType, polygonsOf, PolyFillType, project, toInt, type IntPoint, type PolyNode } from '../network/buffer.js';
import type { Piece, PolygonCoords } from './pieces.js';

/** Interleaved lon, lat into the frame as interleaved metres. */
function projectXY(f: LocalFrame, ll: Float64Array): number[] {
  const xy: number[] = new Array(ll.length);
  for (let i = 0; i < ll.length; i += 2) {
    xy[i] = (ll[i]! - f.lon0) * f.kx;
    xy[i + 1] = (ll[i + 1]! - f.lat0) * f.ky;
  }
  return xy;
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

const signedArea = (xy: readonly number[]) => {
  let s = 0;
  const n = xy.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) s += xy[2 * j]! * xy[2 * i + 1]! - xy[2 * i]! * xy[2 * j + 1]!;
  return s / 2;
};

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
function clipRings(f: LocalFrame, box: readonly number[], stretch: number, pieces: readonly Piece[]): IntPoint[][] {
  const out: IntPoint[][] = [];
  const cb = [box[0]! - 1, box[1]! - 1, box[2]! + 1, box[3]! + 1];
  const byWidth = new Map<number, number[][]>();
  const seg = [0, 0, 0, 0];
  for (const p of pieces) {
    for (const poly of p.polygons) for (let i = 0; i < poly.length; i++) pushPolygonRing(project(f, poly[i]!, true), i === 0, cb, out);
    if (!p.xy || !p.widthM) continue;
    // Only the stretch within width (+ simplification, + 1 m) of the bbox can reach the grid.
    const m = p.widthM + BUFFER.simplifyM + 1;
    const b = [box[0]! - m, box[1]! - m, box[2]! + m, box[3]! + m];
    const xy = projectXY(f, p.xy);
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
    for (const ring of bufferOutlines(lines, width, stretch)) {
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
  const f = localFrame(lon0, lat0);
  // What matters lies within the grid's bbox + 1 m: the frame's distortion there (≈ 6e-5 for a 1 km grid: 3 mm on 50 m).
  const stretch = frameStretch(f, bbox[1]! - 1 / f.ky, bbox[3]! + 1 / f.ky);
  const box = [(bbox[0]! - lon0) * f.kx, (bbox[1]! - lat0) * f.ky, (bbox[2]! - lon0) * f.kx, (bbox[3]! - lat0) * f.ky];
  const clips = clipRings(f, box, stretch, pieces);
  if (clips.length === 0) return [polygon];
  const subject: IntPoint[][] = [];
  for (const ring of polygon) {
    const r = toInt(project(f, ring, true));
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
  return polygonsOf(tree, f);
}
