/**
 * Hand-made street networks for the graph tests, drawn in metres on a local plane around the sample
 * city's centre and converted to WGS84. Lengths are given exactly where a test checks exact
 * distances, otherwise measured geodesically with Turf (as the importer does).
 */
import * as turf from '@turf/turf';
import { metresPerDegree } from '../../geo/measure.js';
import type { NetworkEdge, NetworkNode, StreetNetwork } from '../types.js';

export const ORIGIN: [number, number] = [121.6, 38.91];
/** Metres per degree of longitude / latitude at the origin on the WGS84 ellipsoid (the frame the graph measures in). */
const { x: KX, y: KY } = metresPerDegree(ORIGIN[1]);

/** Local metres (east, north) → [lon, lat]. */
export function toLonLat(x: number, y: number): [number, number] {
  return [ORIGIN[0] + x / KX, ORIGIN[1] + y / KY];
}

/** [lon, lat] → local metres (east, north). */
export function toXY(lon: number, lat: number): [number, number] {
  return [(lon - ORIGIN[0]) * KX, (lat - ORIGIN[1]) * KY];
}

interface EdgeSpec {
  id: number;
  source: number;
  target: number;
  /** Intermediate vertices in metres, source → target. */
  via?: [number, number][];
  /** Exact length; default: geodesic length of the geometry. */
  lengthM?: number;
  walkable?: boolean;
  highway?: string;
}

/** Builds a StreetNetwork from node positions in metres and edge specs. */
export function makeNetwork(nodes: Record<number, [number, number]>, edges: EdgeSpec[]): StreetNetwork {
  const outNodes: NetworkNode[] = Object.entries(nodes).map(([id, [x, y]]) => {
    const [lon, lat] = toLonLat(x, y);
    return { id: Number(id), lon, lat };
  });
  const outEdges: NetworkEdge[] = edges.map((e) => {
    const pts = [nodes[e.source]!, ...(e.via ?? []), nodes[e.target]!];
    const coords = pts.map(([x, y]) => toLonLat(x, y));
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      coords,
      lengthM: e.lengthM ?? turf.length(turf.lineString(coords), { units: 'meters' }),
      highway: e.highway ?? 'residential',
      walkable: e.walkable ?? true,
    };
  });
  return { nodes: outNodes, edges: outEdges };
}

/**
 * A straight street along y = 0: nodes 1..4 at x = 0, 100, 200, 300; three 100 m edges. Edge 2 is
 * drawn backwards (node 3 → node 2) and edge 3 has an extra vertex at x = 210, to exercise edge
 * direction and interpolation.
 */
export function straightLine(): StreetNetwork {
  return makeNetwork({ 1: [0, 0], 2: [100, 0], 3: [200, 0], 4: [300, 0] }, [
    { id: 1, source: 1, target: 2, lengthM: 100 },
    { id: 2, source: 3, target: 2, lengthM: 100 },
    { id: 3, source: 3, target: 4, via: [[210, 0]], lengthM: 100 },
  ]);
}

/**
 * A 300 m square A(1) B(2) C(3) D(4) with a walkable diagonal A–C (√2·300 ≈ 424.26 m) and a
 * non-walkable expressway B–D of the same length that must be ignored.
 */
export function squareWithShortcut(): StreetNetwork {
  const d = 300 * Math.SQRT2;
  return makeNetwork({ 1: [0, 0], 2: [300, 0], 3: [300, 300], 4: [0, 300] }, [
    { id: 1, source: 1, target: 2, lengthM: 300 },
    { id: 2, source: 2, target: 3, lengthM: 300 },
    { id: 3, source: 3, target: 4, lengthM: 300 },
    { id: 4, source: 4, target: 1, lengthM: 300 },
    { id: 5, source: 1, target: 3, lengthM: d },
    { id: 6, source: 2, target: 4, lengthM: d, walkable: false, highway: 'motorway' },
  ]);
}

/** Two separate streets: 1–2–3 along y = 0 and 4–5 along y = 1,000. */
export function twoComponents(): StreetNetwork {
  return makeNetwork({ 1: [0, 0], 2: [100, 0], 3: [200, 0], 4: [0, 1000], 5: [100, 1000] }, [
    { id: 1, source: 1, target: 2, lengthM: 100 },
    { id: 2, source: 2, target: 3, lengthM: 100 },
    { id: 3, source: 4, target: 5, lengthM: 100 },
  ]);
}

/**
 * Two nodes joined by a long detour (edge 1: an ~820 m arc bowing 400 m north) and a direct
 * 100 m street (edge 2): parallel edges, and two points on the long edge near its two ends are
 * closer through the short street than along their own edge.
 */
export function detourLoop(): StreetNetwork {
  const via: [number, number][] = [];
  for (let i = 1; i < 20; i++) {
    const t = i / 20;
    via.push([100 * t, 400 * Math.sin(Math.PI * t)]);
  }
  return makeNetwork({ 1: [0, 0], 2: [100, 0] }, [
    { id: 1, source: 1, target: 2, via },
    { id: 2, source: 2, target: 1, lengthM: 100 },
  ]);
}

/** River fixture layout, in metres. */
export const RIVER = { northY: 60, southY: -60, length: 1000, step: 100 };

/**
 * A river along y = 0 with a street on each bank (y = ±60 m, x = 0 … 1,000 m, nodes every 100 m, a
 * bent mid vertex on every edge) joined only by one bridge at x = 1,000 (120 m). Node ids: north
 * 100 + i, south 200 + i for x = 100·i.
 */
export function river(): StreetNetwork {
  const { northY, southY, length, step } = RIVER;
  const nodes: Record<number, [number, number]> = {};
  const edges: EdgeSpec[] = [];
  const count = length / step;
  for (let i = 0; i <= count; i++) {
    nodes[100 + i] = [i * step, northY];
    nodes[200 + i] = [i * step, southY];
  }
  let id = 1;
  for (let i = 0; i < count; i++) {
    // A slight kink so edges have three vertices and measured (not round) lengths.
    edges.push({ id: id++, source: 100 + i, target: 101 + i, via: [[i * step + 50, northY + 2]] });
    edges.push({ id: id++, source: 201 + i, target: 200 + i, via: [[i * step + 50, southY - 2]] });
  }
  edges.push({ id: id++, source: 100 + count, target: 200 + count, highway: 'footway' }); // the bridge
  return makeNetwork(nodes, edges);
}

/** Small deterministic PRNG (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An n×n jittered lattice (spacing `spacingM`, jitter ±25 %), horizontal and vertical streets, about
 * 5 % of the streets removed; lengths planar (fast for 80k edges).
 */
export function jitteredLattice(n = 200, spacingM = 80, seed = 42): StreetNetwork {
  const rnd = mulberry32(seed);
  const nodes: NetworkNode[] = [];
  const xy: [number, number][] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const x = (i + (rnd() - 0.5) * 0.5) * spacingM;
      const y = (j + (rnd() - 0.5) * 0.5) * spacingM;
      xy.push([x, y]);
      const [lon, lat] = toLonLat(x, y);
      nodes.push({ id: j * n + i + 1, lon, lat });
    }
  }
  const edges: NetworkEdge[] = [];
  const add = (a: number, b: number) => {
    if (rnd() < 0.05) return;
    const [ax, ay] = xy[a]!;
    const [bx, by] = xy[b]!;
    edges.push({
      id: edges.length + 1,
      source: a + 1,
      target: b + 1,
      coords: [toLonLat(ax, ay), toLonLat((ax + bx) / 2, (ay + by) / 2), toLonLat(bx, by)],
      lengthM: Math.hypot(bx - ax, by - ay),
      highway: 'residential',
      walkable: true,
    });
  };
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const k = j * n + i;
      if (i + 1 < n) add(k, k + 1);
      if (j + 1 < n) add(k, k + n);
    }
  }
  return { nodes, edges };
}
