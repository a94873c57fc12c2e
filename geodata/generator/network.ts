/**
 * Street network: a jittered, slightly rotated and smoothly warped lattice of block streets with
 * arterials every ~600–1,100 m, random removed segments and "superblocks", footpaths and service
 * spurs inside blocks, clipped to the city rectangle and to the river (plus a 12 m bank margin).
 * Riverside roads run along both banks and a few arterials cross the river on bridges.
 *
 * All lattice geometry is built from straight segments in lattice space (u, v) and mapped to metres
 * through one smooth, injective warp, so segments that don't cross in lattice space don't cross in
 * metres either; nodes are shared by construction (no floating-point noding).
 *
 * Over 500 lines on purpose: one generation algorithm (arterials, blocks, lanes, river and bridges,
 * splitting at junctions) whose steps share their intermediate arrays; cut apart, each step would
 * need the others' internals.
 */
import { lineLengthM } from '../../server/geo/measure.js';
import type { NetworkEdge, NetworkNode, StreetNetwork } from '../../server/network/types.js';
import { dist, type Frame, type XY } from './geo.js';
import { ARTERIAL_NAMES, BRIDGE_NAMES, chineseNumber, RIVERSIDE_NORTH, RIVERSIDE_SOUTH, ROAD_STEMS } from './names.js';
import type { River } from './river.js';
import { Rng } from './rng.js';

export interface NetworkConfig {
  /** Mean block-street spacing (m). */
  spacing: number;
  /** Distance between arterials (m), min and max. */
  arterialGap: [number, number];
  /** Target number of bridges. */
  bridges: number;
  /** Minimum distance between bridges (m). */
  bridgeSpacing: number;
}

export interface BuiltNetwork {
  network: StreetNetwork;
  /** Metric polylines, parallel to network.edges. */
  edgeXY: XY[][];
  /** Number of bridges. */
  bridgeCount: number;
}

/** Metres the network keeps away from the river (the riverside roads run on this line). */
export const BANK_MARGIN = 12;

interface ProtoEdge {
  a: number;
  b: number;
  highway: string;
  name: string | null;
  /** Lattice line (-1 for in-block paths) and position along it, for finding bridges. */
  line: number;
  order: number;
}

interface LineDef {
  pos: number;
  arterial: boolean;
  highway: string;
  name: string | null;
}

interface OutEdge {
  a: number;
  b: number;
  pts: XY[];
  highway: string;
  name: string | null;
}

type Side = 'N' | 'S' | 'B';

/** A polyline with cumulative lengths for sampling and sub-lines. */
class Poly {
  readonly cum: number[] = [0];
  constructor(readonly pts: XY[]) {
    for (let i = 1; i < pts.length; i++) this.cum.push(this.cum[i - 1]! + dist(pts[i - 1]!, pts[i]!));
  }
  get length(): number {
    return this.cum[this.cum.length - 1]!;
  }
  at(s: number): XY {
    const c = this.cum;
    let k = 1;
    while (k < c.length - 1 && c[k]! < s) k++;
    const seg = c[k]! - c[k - 1]!;
    const f = seg > 0 ? Math.min(1, Math.max(0, (s - c[k - 1]!) / seg)) : 0;
    const p = this.pts[k - 1]!;
    const q = this.pts[k]!;
    return [p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1])];
  }
  sub(s0: number, s1: number): XY[] {
    const out: XY[] = [this.at(s0)];
    for (let k = 1; k < this.pts.length - 1; k++) if (this.cum[k]! > s0 && this.cum[k]! < s1) out.push(this.pts[k]!);
    out.push(this.at(s1));
    return out;
  }
}

export function buildNetwork(frame: Frame, river: River, cfg: NetworkConfig, seed: number): BuiltNetwork {
  const rng = Rng.derive(seed, 'network');
  const W = frame.width;
  const H = frame.height;
  const sp = cfg.spacing;

  // ---- lattice-space → metres ---------------------------------------------------------------------
  const theta = (rng.range(5, 15) * Math.PI * (rng.chance(0.5) ? 1 : -1)) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const waves: { d: number; kx: number; ky: number; a: number; p: number }[] = [];
  for (let d = 0; d < 2; d++) {
    for (let k = 0; k < 3; k++) {
      const lam = rng.range(1500, 3500);
      const dir = rng.range(0, 2 * Math.PI);
      const kk = (2 * Math.PI) / lam;
      waves.push({ d, kx: kk * Math.cos(dir), ky: kk * Math.sin(dir), a: rng.range(10, 20), p: rng.range(0, 2 * Math.PI) });
    }
  }
  const F = (u: number, v: number): XY => {
    let x = W / 2 + cos * u - sin * v;
    let y = H / 2 + sin * u + cos * v;
    for (const w of waves) {
      const s = w.a * Math.sin(w.kx * u + w.ky * v + w.p);
      if (w.d === 0) x += s;
      else y += s;
    }
    return [x, y];
  };

  // ---- lines --------------------------------------------------------------------------------------
  const arterialNames = rng.shuffle(ARTERIAL_NAMES);
  let fallbackArterial = 0;
  const makeLines = (half: number, lineKind: string): LineDef[] => {
    const lines: LineDef[] = [];
    let p = -half - rng.range(0, sp);
    let since = rng.range(0, cfg.arterialGap[1]);
    let gap = rng.range(cfg.arterialGap[0], cfg.arterialGap[1]);
    while (p <= half + sp) {
      const arterial = since >= gap;
      if (arterial) {
        since = 0;
        gap = rng.range(cfg.arterialGap[0], cfg.arterialGap[1]);
        const name = arterialNames.shift() ?? `${lineKind}${chineseNumber(++fallbackArterial)}路`;
        lines.push({ pos: p, arterial, highway: rng.chance(0.45) ? 'primary' : 'secondary', name });
      } else {
        lines.push({ pos: p, arterial, highway: rng.chance(0.25) ? 'tertiary' : 'residential', name: null });
      }
      const step = sp * rng.range(0.7, 1.3);
      p += step;
      since += step;
    }
    return lines;
  };
  const hu = (W / 2) * Math.abs(cos) + (H / 2) * Math.abs(sin) + 100;
  const hv = (W / 2) * Math.abs(sin) + (H / 2) * Math.abs(cos) + 100;
  const cols = makeLines(hu, '经'); // constant u: north–south-ish
  const rows = makeLines(hv, '纬'); // constant v: east–west-ish
  const nu = cols.length;
  const nvl = rows.length;

  // Block-street names per (line, span between arterials).
  let roadPool: string[] = [];
  const spanNames = new Map<string, string | null>();
  const spanName = (line: LineDef, key: string): string | null => {
    let n = spanNames.get(key);
    if (n === undefined) {
      if (rng.chance(0.15)) n = null;
      else {
        if (roadPool.length === 0) roadPool = rng.shuffle(ROAD_STEMS);
        n = roadPool.pop()! + (line.highway === 'tertiary' ? '路' : '街');
      }
      spanNames.set(key, n);
    }
    return n;
  };

  // ---- nodes ----------------------------------------------------------------------------------------
  const nodeUV: XY[] = [];
  const nodeXY: XY[] = [];
  const addNode = (uv: XY | null, xy: XY): number => {
    nodeUV.push(uv ?? [NaN, NaN]);
    nodeXY.push(xy);
    return nodeXY.length - 1;
  };
  const far: boolean[] = [];
  const m2 = 2 * sp;
  for (let j = 0; j < nvl; j++) {
    for (let i = 0; i < nu; i++) {
      const ju = cols[i]!.arterial ? 0 : rng.range(-0.1, 0.1) * sp;
      const jv = rows[j]!.arterial ? 0 : rng.range(-0.1, 0.1) * sp;
      const uv: XY = [cols[i]!.pos + ju, rows[j]!.pos + jv];
      const xy = F(uv[0], uv[1]);
      addNode(uv, xy);
      far.push(xy[0] < -m2 || xy[0] > W + m2 || xy[1] < -m2 || xy[1] > H + m2);
    }
  }
  const nid = (i: number, j: number) => j * nu + i;

  // ---- lattice edges --------------------------------------------------------------------------------
  interface LatEdge {
    a: number;
    b: number;
    line: number; // rows: 0..nvl-1, cols: nvl + i
    order: number;
    highway: string;
    name: string | null;
    removed: boolean;
    splits: Map<number, number>;
  }
  const lat: LatEdge[] = [];
  const hEdge = new Int32Array(nu * nvl).fill(-1);
  const vEdge = new Int32Array(nu * nvl).fill(-1);
  const arterialCols = cols.map((c, i) => (c.arterial ? i : -1)).filter((i) => i >= 0);
  const arterialRows = rows.map((r, j) => (r.arterial ? j : -1)).filter((j) => j >= 0);
  const spanOf = (arts: number[], k: number) => arts.filter((x) => x <= k).length;
  for (let j = 0; j < nvl; j++) {
    for (let i = 0; i < nu; i++) {
      const a = nid(i, j);
      if (i + 1 < nu && !(far[a] && far[nid(i + 1, j)])) {
        const row = rows[j]!;
        hEdge[a] = lat.length;
        lat.push({
          a,
          b: nid(i + 1, j),
          line: j,
          order: i,
          highway: row.highway,
          name: row.arterial ? row.name : spanName(row, `r${j}:${spanOf(arterialCols, i)}`),
          removed: !row.arterial && rng.chance(0.08),
          splits: new Map(),
        });
      }
      if (j + 1 < nvl && !(far[a] && far[nid(i, j + 1)])) {
        const col = cols[i]!;
        vEdge[a] = lat.length;
        lat.push({
          a,
          b: nid(i, j + 1),
          line: nvl + i,
          order: j,
          highway: col.highway,
          name: col.arterial ? col.name : spanName(col, `c${i}:${spanOf(arterialRows, j)}`),
          removed: !col.arterial && rng.chance(0.08),
          splits: new Map(),
        });
      }
    }
  }

  // Superblocks: a few interior nodes between block streets lose all their edges (large compounds).
  const superblock = new Uint8Array(nu * nvl);
  for (let j = 1; j < nvl - 1; j++) {
    for (let i = 1; i < nu - 1; i++) {
      if (cols[i]!.arterial || rows[j]!.arterial || !rng.chance(0.04)) continue;
      if (superblock[nid(i - 1, j)] || superblock[nid(i, j - 1)]) continue;
      superblock[nid(i, j)] = 1;
      for (const e of [hEdge[nid(i, j)]!, hEdge[nid(i - 1, j)]!, vEdge[nid(i, j)]!, vEdge[nid(i, j - 1)]!]) if (e >= 0) lat[e]!.removed = true;
    }
  }

  // ---- in-block features ----------------------------------------------------------------------------
  const proto: ProtoEdge[] = [];
  const present = (e: number) => e >= 0 && !lat[e]!.removed;
  const splitNode = (e: number, t: number): number => {
    const le = lat[e]!;
    const key = Math.round(t * 100);
    let id = le.splits.get(key);
    if (id === undefined) {
      const pa = nodeUV[le.a]!;
      const pb = nodeUV[le.b]!;
      const tt = key / 100;
      const uv: XY = [pa[0] + tt * (pb[0] - pa[0]), pa[1] + tt * (pb[1] - pa[1])];
      id = addNode(uv, F(uv[0], uv[1]));
      le.splits.set(key, id);
    }
    return id;
  };
  for (let j = 0; j < nvl - 1; j++) {
    for (let i = 0; i < nu - 1; i++) {
      const c = [nid(i, j), nid(i + 1, j), nid(i + 1, j + 1), nid(i, j + 1)];
      if (c.some((n) => far[n] || superblock[n])) continue;
      const bottom = hEdge[c[0]!]!;
      const top = hEdge[c[3]!]!;
      const left = vEdge[c[0]!]!;
      const right = vEdge[c[1]!]!;
      const r = rng.next();
      if (r < 0.05) {
        const diag = rng.chance(0.5);
        proto.push({ a: diag ? c[0]! : c[1]!, b: diag ? c[2]! : c[3]!, highway: rng.chance(0.5) ? 'footway' : 'path', name: null, line: -1, order: 0 });
      } else if (r < 0.12) {
        if (rng.chance(0.5)) {
          if (present(bottom) && present(top))
            proto.push({ a: splitNode(bottom, 0.5), b: splitNode(top, 0.5), highway: 'footway', name: null, line: -1, order: 0 });
        } else if (present(left) && present(right)) {
          proto.push({ a: splitNode(left, 0.5), b: splitNode(right, 0.5), highway: 'footway', name: null, line: -1, order: 0 });
        }
      } else if (r < 0.22) {
        const e = rng.pick([bottom, top, left, right]);
        if (present(e)) {
          const s = splitNode(e, rng.chance(0.5) ? 0.35 : 0.65);
          const cu = c.reduce((acc, n) => acc + nodeUV[n]![0], 0) / 4;
          const cv = c.reduce((acc, n) => acc + nodeUV[n]![1], 0) / 4;
          const p = nodeUV[s]!;
          const uv: XY = [p[0] + 0.55 * (cu - p[0]), p[1] + 0.55 * (cv - p[1])];
          proto.push({ a: s, b: addNode(uv, F(uv[0], uv[1])), highway: 'service', name: null, line: -1, order: 0 });
        }
      }
    }
  }
  for (const le of lat) {
    if (le.removed) continue;
    const ts = [...le.splits.keys()].sort((x, y) => x - y);
    let prev = le.a;
    let prevT = 0;
    for (const t of ts) {
      const id = le.splits.get(t)!;
      proto.push({ a: prev, b: id, highway: le.highway, name: le.name, line: le.line, order: le.order + prevT / 100 });
      prev = id;
      prevT = t;
    }
    proto.push({ a: prev, b: le.b, highway: le.highway, name: le.name, line: le.line, order: le.order + prevT / 100 });
  }
  // Put lattice edges first, in-block paths after (stable, deterministic order).
  proto.sort((x, y) => (x.line < 0 ? 1 : 0) - (y.line < 0 ? 1 : 0));

  // ---- clip to the city and the river ---------------------------------------------------------------
  const excluded = (p: XY) => p[0] < 0 || p[0] > W || p[1] < 0 || p[1] > H || river.contains(p[0], p[1], BANK_MARGIN);
  let riverYMin = Infinity;
  let riverYMax = -Infinity;
  for (const x of river.sampleXs()) {
    riverYMin = Math.min(riverYMin, river.bottom(x) - BANK_MARGIN - 5);
    riverYMax = Math.max(riverYMax, river.top(x) + BANK_MARGIN + 5);
  }
  const bank: Record<'N' | 'S', { id: number; x: number }[]> = { N: [], S: [] };
  /** A node on the bank line (or the city edge): reuses a bank node within 1 m, else `existing` or a new node. */
  const bankNode = (p: XY, side: Side, existing?: number): number => {
    if (side === 'B') return existing ?? addNode(null, p);
    for (const bn of bank[side]) if (Math.abs(bn.x - p[0]) < 1 && dist(nodeXY[bn.id]!, p) < 1) return bn.id;
    const id = existing ?? addNode(null, p);
    bank[side].push({ id, x: p[0] });
    return id;
  };
  const edges: OutEdge[] = [];
  const events: { line: number; order: number; kind: 0 | 1; node: number; side: Side; art: boolean }[] = [];
  const arterialLine = (line: number) => (line < nvl ? rows[line]!.arterial : line >= nvl && cols[line - nvl]!.arterial);

  for (const pe of proto) {
    const pa = nodeUV[pe.a]!;
    const pb = nodeUV[pe.b]!;
    const len = dist(pa, pb);
    const n = Math.max(1, Math.ceil(len / 40));
    const pts: XY[] = [nodeXY[pe.a]!];
    for (let k = 1; k < n; k++) pts.push(F(pa[0] + (k / n) * (pb[0] - pa[0]), pa[1] + (k / n) * (pb[1] - pa[1])));
    pts.push(nodeXY[pe.b]!);
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (const p of pts) {
      minX = Math.min(minX, p[0]);
      maxX = Math.max(maxX, p[0]);
      minY = Math.min(minY, p[1]);
      maxY = Math.max(maxY, p[1]);
    }
    if (maxX < 0 || minX > W || maxY < 0 || minY > H) continue;
    const clear = minX >= 0 && maxX <= W && minY >= 0 && maxY <= H && (maxY < riverYMin || minY > riverYMax);
    if (clear) {
      edges.push({ a: pe.a, b: pe.b, pts, highway: pe.highway, name: pe.name });
      continue;
    }
    // Dense samples every ≤ 2 m.
    const poly = new Poly(pts);
    const L = poly.length;
    const ns = Math.max(2, Math.ceil(L / 2));
    const flags: boolean[] = [];
    for (let k = 0; k <= ns; k++) flags.push(excluded(poly.at((k / ns) * L)));
    if (!flags.includes(true)) {
      edges.push({ a: pe.a, b: pe.b, pts, highway: pe.highway, name: pe.name });
      continue;
    }
    const refine = (sOut: number, sIn: number): number => {
      let lo = sOut;
      let hi = sIn;
      for (let it = 0; it < 40; it++) {
        const mid = (lo + hi) / 2;
        if (excluded(poly.at(mid))) hi = mid;
        else lo = mid;
      }
      return lo;
    };
    const sideAt = (p: XY): Side => (p[0] < 0 || p[0] > W || p[1] < 0 || p[1] > H ? 'B' : river.isNorth(p[0], p[1]) ? 'N' : 'S');
    const art = pe.line >= 0 && arterialLine(pe.line);
    // Lines record where they enter and leave the bank zone (bridge candidates).
    // A crossing closer than 0.5 m to an endpoint makes that endpoint the bank node (no tiny stub edge).
    if (!flags[0]) {
      const k = flags.indexOf(true);
      const s = refine(((k - 1) / ns) * L, (k / ns) * L);
      const side = sideAt(poly.at((k / ns) * L));
      let node: number;
      if (s >= 0.5) {
        const part = poly.sub(0, s);
        node = bankNode(part[part.length - 1]!, side);
        part[part.length - 1] = nodeXY[node]!;
        edges.push({ a: pe.a, b: node, pts: part, highway: pe.highway, name: pe.name });
      } else {
        node = bankNode(nodeXY[pe.a]!, side, pe.a);
        if (node !== pe.a) edges.push({ a: pe.a, b: node, pts: [nodeXY[pe.a]!, nodeXY[node]!], highway: pe.highway, name: pe.name });
      }
      if (pe.line >= 0) events.push({ line: pe.line, order: pe.order, kind: 0, node, side, art });
    }
    if (!flags[ns]) {
      const k = flags.lastIndexOf(true);
      const sOut = refine(((k + 1) / ns) * L, (k / ns) * L);
      const side = sideAt(poly.at((k / ns) * L));
      let node: number;
      if (L - sOut >= 0.5) {
        const part = poly.sub(sOut, L);
        node = bankNode(part[0]!, side);
        part[0] = nodeXY[node]!;
        edges.push({ a: node, b: pe.b, pts: part, highway: pe.highway, name: pe.name });
      } else {
        node = bankNode(nodeXY[pe.b]!, side, pe.b);
        if (node !== pe.b) edges.push({ a: node, b: pe.b, pts: [nodeXY[node]!, nodeXY[pe.b]!], highway: pe.highway, name: pe.name });
      }
      if (pe.line >= 0) events.push({ line: pe.line, order: pe.order + 0.001, kind: 1, node, side, art });
    }
  }

  // ---- bridges ------------------------------------------------------------------------------------------
  // A candidate is a line that enters the bank zone on one side and leaves it on the other.
  events.sort((x, y) => x.line - y.line || x.order - y.order || x.kind - y.kind);
  type Cand = { n1: number; n2: number; x: number; highway: string; line: number; arterial: boolean };
  const cands: Cand[] = [];
  for (let k = 0; k + 1 < events.length; k++) {
    const e1 = events[k]!;
    const e2 = events[k + 1]!;
    if (e1.line !== e2.line || e1.kind !== 0 || e2.kind !== 1) continue;
    if (e1.side === 'B' || e2.side === 'B' || e1.side === e2.side) continue;
    const p1 = nodeXY[e1.node]!;
    const p2 = nodeXY[e2.node]!;
    if (dist(p1, p2) > 300) continue;
    // The straight bridge must stay inside the bank zone (so it meets nothing but the two bank nodes).
    let inside = true;
    for (let t = 0.02; t < 0.99 && inside; t += 0.02) inside = river.contains(p1[0] + t * (p2[0] - p1[0]), p1[1] + t * (p2[1] - p1[1]), BANK_MARGIN);
    if (!inside) continue;
    const line = e1.line < nvl ? rows[e1.line]! : cols[e1.line - nvl]!;
    // Bridges on block streets (only used when arterials don't give enough) are built as secondary roads.
    cands.push({ n1: e1.node, n2: e2.node, x: (p1[0] + p2[0]) / 2, highway: e1.art ? line.highway : 'secondary', line: e1.line, arterial: e1.art });
  }
  const chosen: Cand[] = [];
  const nb = Math.max(1, cfg.bridges);
  const penalty = (c: Cand) => (c.arterial ? 0 : 2000) + (c.highway === 'primary' ? 0 : 150);
  const allowed = (c: Cand) => !chosen.includes(c) && chosen.every((o) => Math.abs(o.x - c.x) >= cfg.bridgeSpacing && o.line !== c.line);
  const pickBest = (score: (c: Cand) => number): Cand | null => {
    let best: Cand | null = null;
    let bestScore = Infinity;
    for (const c of cands) {
      if (!allowed(c)) continue;
      const sc = score(c);
      if (sc < bestScore) {
        bestScore = sc;
        best = c;
      }
    }
    return best;
  };
  // One bridge per equal stretch of the river, then fill up to at least two.
  for (let k = 0; k < nb; k++) {
    const target = ((k + 0.5) * W) / nb;
    const best = pickBest((c) => (Math.abs(c.x - target) < W / nb ? Math.abs(c.x - target) + penalty(c) : Infinity));
    if (best) chosen.push(best);
  }
  while (chosen.length < Math.min(2, nb)) {
    const best = pickBest((c) => penalty(c) - Math.min(...chosen.map((o) => Math.abs(o.x - c.x)), W));
    if (!best) break;
    chosen.push(best);
  }
  chosen.sort((a, b) => a.x - b.x);
  const bridgeNames = rng.shuffle(BRIDGE_NAMES);
  chosen.forEach((c, k) => {
    // North bank first.
    const [a, b] = nodeXY[c.n1]![1] > nodeXY[c.n2]![1] ? [c.n1, c.n2] : [c.n2, c.n1];
    edges.push({ a, b, pts: [nodeXY[a]!, nodeXY[b]!], highway: c.highway, name: bridgeNames[k % bridgeNames.length]! });
  });

  // ---- riverside roads ------------------------------------------------------------------------------------
  for (const side of ['N', 'S'] as const) {
    const list = bank[side].slice().sort((x, y) => x.x - y.x);
    const yAt = (x: number) => (side === 'N' ? river.top(x) + BANK_MARGIN : river.bottom(x) - BANK_MARGIN);
    for (let k = 0; k + 1 < list.length; k++) {
      const p = nodeXY[list[k]!.id]!;
      const q = nodeXY[list[k + 1]!.id]!;
      if (dist(p, q) < 0.3) continue;
      const pts: XY[] = [p];
      for (let x = Math.ceil((p[0] + 2) / 20) * 20; x < q[0] - 2; x += 20) pts.push([x, yAt(x)]);
      pts.push(q);
      edges.push({ a: list[k]!.id, b: list[k + 1]!.id, pts, highway: 'tertiary', name: side === 'N' ? RIVERSIDE_NORTH : RIVERSIDE_SOUTH });
    }
  }

  // ---- keep the largest connected component -------------------------------------------------------------
  const parent = new Int32Array(nodeXY.length).map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (const e of edges) parent[find(e.a)] = find(e.b);
  const compSize = new Map<number, number>();
  for (const e of edges) compSize.set(find(e.a), (compSize.get(find(e.a)) ?? 0) + 1);
  let mainRoot = -1;
  let mainSize = -1;
  for (const [r, s] of compSize) {
    if (s > mainSize) {
      mainSize = s;
      mainRoot = r;
    }
  }

  // ---- output ---------------------------------------------------------------------------------------------
  const outId = new Int32Array(nodeXY.length).fill(0);
  const kept = edges.filter((e) => find(e.a) === mainRoot);
  const used = new Uint8Array(nodeXY.length);
  for (const e of kept) used[e.a] = used[e.b] = 1;
  const nodes: NetworkNode[] = [];
  const nodeLL: XY[] = [];
  for (let i = 0; i < nodeXY.length; i++) {
    if (!used[i]) continue;
    const ll = frame.toLonLat(nodeXY[i]!);
    nodes.push({ id: nodes.length + 1, lon: ll[0], lat: ll[1] });
    nodeLL[i] = ll;
    outId[i] = nodes.length;
  }
  const outEdges: NetworkEdge[] = [];
  const edgeXY: XY[][] = [];
  const pairs = new Set<string>();
  for (const e of kept) {
    const s = outId[e.a]!;
    const t = outId[e.b]!;
    const key = s < t ? `${s}-${t}` : `${t}-${s}`;
    if (s === t || pairs.has(key)) continue;
    const coords: [number, number][] = [];
    e.pts.forEach((p, k) => {
      const ll: [number, number] = k === 0 ? nodeLL[e.a]! : k === e.pts.length - 1 ? nodeLL[e.b]! : frame.toLonLat(p);
      const last = coords[coords.length - 1];
      if (!last || last[0] !== ll[0] || last[1] !== ll[1]) coords.push([ll[0], ll[1]]);
    });
    if (coords.length < 2) continue;
    const lastC = coords[coords.length - 1]!;
    if (lastC[0] !== nodeLL[e.b]![0] || lastC[1] !== nodeLL[e.b]![1]) continue;
    pairs.add(key);
    const lengthM = Math.round(lineLengthM(coords) * 100) / 100; // on the ellipsoid, as PostGIS geography
    outEdges.push({ id: outEdges.length + 1, source: s, target: t, coords, lengthM, highway: e.highway, walkable: true, name: e.name });
    edgeXY.push(e.pts);
  }
  return { network: { nodes, edges: outEdges }, edgeXY, bridgeCount: chosen.length };
}
