import * as turf from '@turf/turf';
import { describe, expect, it } from 'vitest';
import type { StreetNetwork } from './types.js';
import {
  buildWalkGraph,
  intervalsToLines,
  isochrone,
  reachedIntervals,
  routeTo,
  serviceAreaPolygon,
  snapPoint,
  walkFrom,
  type LonLat,
  type Snap,
  type WalkGraph,
} from './graph.js';
import {
  detourLoop,
  jitteredLattice,
  river,
  RIVER,
  squareWithShortcut,
  straightLine,
  toLonLat,
  toXY,
  twoComponents,
} from './testing/fixtures.js';

const node = (g: WalkGraph, id: number) => g.nodeIndex.get(id)!;
const edge = (g: WalkGraph, id: number) => g.edgeIds.indexOf(id);
const snapXY = (g: WalkGraph, x: number, y: number, max?: number) => snapPoint(g, ...toLonLat(x, y), max);
/** A line's vertices in local metres, rounded to the millimetre. */
const lineXY = (coords: LonLat[]) => coords.map(([lon, lat]) => toXY(lon, lat).map((v) => Math.round(v * 1000) / 1000));
const lineLength = (coords: LonLat[]) => turf.length(turf.lineString(coords), { units: 'meters' });

/** Planar distance from p to polyline (all in metres). */
function distToLine(p: [number, number], line: [number, number][]): number {
  let best = Infinity;
  for (let i = 1; i < line.length; i++) {
    const [ax, ay] = line[i - 1]!;
    const [bx, by] = line[i]!;
    const dx = bx - ax;
    const dy = by - ay;
    const l2 = dx * dx + dy * dy;
    const t = l2 > 0 ? Math.max(0, Math.min(1, ((p[0] - ax) * dx + (p[1] - ay) * dy) / l2)) : 0;
    best = Math.min(best, Math.hypot(p[0] - ax - t * dx, p[1] - ay - t * dy));
  }
  return best;
}

describe('buildWalkGraph', () => {
  it('keeps walkable edges only, in CSR form with both directions', () => {
    const g = buildWalkGraph(squareWithShortcut());
    expect(g.nodeCount).toBe(4);
    expect(g.edgeCount).toBe(5); // the expressway is not walkable
    expect(Array.from(g.edgeIds)).toEqual([1, 2, 3, 4, 5]);
    expect(g.adjOffsets.length).toBe(5);
    expect(g.adjOffsets[4]).toBe(10);
    // Node A (id 1): B by edge 1, D by edge 4, C by the diagonal (edge 5).
    const a = node(g, 1);
    const neighbours = [];
    for (let k = g.adjOffsets[a]!; k < g.adjOffsets[a + 1]!; k++) neighbours.push([g.nodeIds[g.adjNode[k]!], g.edgeIds[g.adjEdge[k]!]]);
    expect(neighbours.sort()).toEqual([[2, 1], [3, 5], [4, 4]]);
  });

  it('stores edge geometry with cumulative distances ending at lengthM', () => {
    const net = straightLine();
    const g = buildWalkGraph(net);
    const e = edge(g, 3); // 200 → 210 → 300
    const from = g.coordOffsets[e]!;
    expect(g.coordOffsets[e + 1]! - from).toBe(3);
    expect(g.cumDist[from]).toBe(0);
    expect(g.cumDist[from + 1]).toBeCloseTo(10, 6);
    expect(g.cumDist[from + 2]).toBe(100);
    expect(g.nodeIds[g.edgeSource[edge(g, 2)]!]).toBe(3);
    expect(g.nodeIds[g.edgeTarget[edge(g, 2)]!]).toBe(2);
    expect(g.edgeLength[e]).toBe(100);
  });

  it('rejects an edge to a missing node', () => {
    const net = straightLine();
    net.edges[0]!.target = 99;
    expect(() => buildWalkGraph(net)).toThrow(/node 99/);
  });

  it('handles an empty network', () => {
    const g = buildWalkGraph({ nodes: [], edges: [] });
    expect(g.edgeCount).toBe(0);
    expect(snapPoint(g, 121.6, 38.91)).toBeNull();
  });
});

describe('snapPoint', () => {
  const g = buildWalkGraph(straightLine());

  it('projects onto the nearest edge, offset measured from that edge’s source', () => {
    const s = snapXY(g, 150, 10)!;
    expect(s.edge).toBe(edge(g, 2)); // drawn 3 → 2, so x = 150 is 50 m from its source
    expect(s.offsetM).toBeCloseTo(50, 6);
    expect(s.distanceM).toBeCloseTo(10, 6);
    expect(toXY(s.lon, s.lat)[0]).toBeCloseTo(150, 6);
    expect(toXY(s.lon, s.lat)[1]).toBeCloseTo(0, 6);
  });

  it('interpolates along multi-vertex edges', () => {
    const s = snapXY(g, 255, -3)!;
    expect(s.edge).toBe(edge(g, 3));
    expect(s.offsetM).toBeCloseTo(55, 6);
  });

  it('grows its search box up to maxDistanceM, then gives up', () => {
    expect(snapXY(g, 150, 300)!.distanceM).toBeCloseTo(300, 6);
    expect(snapXY(g, 150, 300, 250)).toBeNull();
    expect(snapXY(g, 150, 600)).toBeNull(); // default 500 m
  });

  it('matches a brute-force nearest search on a jittered lattice', () => {
    const net = jitteredLattice(30, 80, 7);
    const lg = buildWalkGraph(net);
    const segs = net.edges.flatMap((e) => e.coords.slice(1).map((c, i) => [toXY(...e.coords[i]!), toXY(...c)] as [number, number][]));
    for (let i = 0; i < 25; i++) {
      const p: [number, number] = [((i * 37) % 29) * 80 + 13.3, ((i * 53) % 31) * 75 + 7.1];
      const s = snapXY(lg, ...p)!;
      const brute = Math.min(...segs.map((seg) => distToLine(p, seg)));
      expect(s.distanceM).toBeCloseTo(brute, 2);
    }
  });
});

describe('walkFrom on a straight line', () => {
  const g = buildWalkGraph(straightLine());
  const s = snapXY(g, 150, 10)!;

  it('a snap midway walks both directions, exact distances', () => {
    const r = walkFrom(g, s, Infinity);
    expect(r.dist[node(g, 2)]).toBeCloseTo(50, 9);
    expect(r.dist[node(g, 3)]).toBeCloseTo(50, 9);
    expect(r.dist[node(g, 1)]).toBeCloseTo(150, 9);
    expect(r.dist[node(g, 4)]).toBeCloseTo(150, 9);
    expect(r.pred[node(g, 2)]).toBe(-1); // seeded
    expect(r.pred[node(g, 1)]).toBe(node(g, 2));
    expect(r.predEdge[node(g, 1)]).toBe(edge(g, 1));
    expect(r.reachedNodes.map((i) => r.dist[i])).toEqual([...r.reachedNodes.map((i) => r.dist[i]!)].sort((a, b) => a - b));
  });

  it('stops at the limit and never settles farther nodes', () => {
    const r = walkFrom(g, s, 120);
    expect(r.reachedNodes.map((i) => g.nodeIds[i]).sort()).toEqual([2, 3]);
    expect(r.dist[node(g, 1)]).toBe(Infinity);
    expect(r.dist[node(g, 4)]).toBe(Infinity);
    expect(r.pred[node(g, 1)]).toBe(-1);
    expect(r.predEdge[node(g, 4)]).toBe(-1);
    expect(r.origin[node(g, 4)]).toBe(-1);
  });

  it('covers partial edges from both ends and around the snap', () => {
    const iv = reachedIntervals(g, walkFrom(g, s, 120));
    expect([...iv.keys()].sort()).toEqual([0, 1, 2]);
    const [a0, a1] = iv.get(edge(g, 1))![0]!;
    expect(a0).toBeCloseTo(30, 9);
    expect(a1).toBe(100);
    expect(iv.get(edge(g, 2))).toEqual([[0, 100]]);
    const [b0, b1] = iv.get(edge(g, 3))![0]!;
    expect(b0).toBe(0);
    expect(b1).toBeCloseTo(70, 9);
  });

  it('slices edge geometry at the interval ends', () => {
    const lines = intervalsToLines(g, reachedIntervals(g, walkFrom(g, s, 120)));
    expect(lines.map(lineXY)).toEqual([
      [[30, 0], [100, 0]],
      [[200, 0], [100, 0]], // edge 2 runs 3 → 2
      [[200, 0], [210, 0], [270, 0]],
    ]);
  });

  it('a limit inside the snap edge covers only the snap neighbourhood', () => {
    const r = walkFrom(g, s, 20);
    expect(r.reachedNodes).toEqual([]);
    const iv = reachedIntervals(g, r);
    expect([...iv.entries()]).toEqual([[edge(g, 2), [[30, 70]]]]);
    expect(lineXY(intervalsToLines(g, iv)[0]!)).toEqual([[170, 0], [130, 0]]);
  });

  it('merges overlapping coverage from both ends of an edge', () => {
    const s1 = snapXY(g, 0, 0)!;
    const iv = reachedIntervals(g, walkFrom(g, [s1, snapXY(g, 300, 0)!], 160));
    // From x=0 edge 2 is covered to x = 160, from x=300 down to x = 140: overlap → whole edge.
    expect(iv.get(edge(g, 2))).toEqual([[0, 100]]);
  });

  it('rejects a negative limit and foreign snaps', () => {
    expect(() => walkFrom(g, s, -1)).toThrow(RangeError);
    expect(() => walkFrom(g, { ...s, edge: 99 }, 10)).toThrow(RangeError);
  });
});

describe('walkFrom on a square with a shortcut', () => {
  const g = buildWalkGraph(squareWithShortcut());

  it('takes the diagonal, not the sides', () => {
    const r = walkFrom(g, snapXY(g, 0, 0)!, Infinity);
    expect(r.dist[node(g, 3)]).toBeCloseTo(300 * Math.SQRT2, 9);
    expect(r.pred[node(g, 3)]).toBe(node(g, 1));
    expect(r.predEdge[node(g, 3)]).toBe(edge(g, 5));
  });

  it('ignores the non-walkable expressway', () => {
    const r = walkFrom(g, snapXY(g, 300, 0)!, Infinity);
    expect(r.dist[node(g, 4)]).toBeCloseTo(600, 9);
  });
});

describe('two components', () => {
  const g = buildWalkGraph(twoComponents());
  const r = walkFrom(g, snapXY(g, 0, 0)!, Infinity);

  it('leaves the other component unreached', () => {
    expect(r.dist[node(g, 3)]).toBeCloseTo(200, 9);
    expect(r.dist[node(g, 4)]).toBe(Infinity);
    expect(r.dist[node(g, 5)]).toBe(Infinity);
    expect(r.reachedNodes.length).toBe(3);
    expect(reachedIntervals(g, r).has(edge(g, 3))).toBe(false);
  });

  it('has no route there', () => {
    expect(routeTo(g, r, snapXY(g, 50, 1000)!)).toBeNull();
  });
});

describe('multi-source', () => {
  it('gives the minimum over sources and remembers the nearest one', () => {
    const g = buildWalkGraph(jitteredLattice(40, 80, 3));
    const a = snapXY(g, 800, 800)!;
    const b = snapXY(g, 2000, 1500)!;
    const ra = walkFrom(g, a, 1000);
    const rb = walkFrom(g, b, 1000);
    const both = walkFrom(g, [a, b], 1000);
    for (let i = 0; i < g.nodeCount; i++) {
      const m = Math.min(ra.dist[i]!, rb.dist[i]!);
      if (m === Infinity) expect(both.dist[i]).toBe(Infinity);
      else {
        expect(both.dist[i]).toBeCloseTo(m, 9);
        expect(both.origin[i]).toBe(ra.dist[i]! <= rb.dist[i]! ? 0 : 1);
      }
    }
  });
});

describe('routeTo', () => {
  it('follows the line through nodes, partial start and end edges included', () => {
    const g = buildWalkGraph(straightLine());
    const r = walkFrom(g, snapXY(g, 150, 10)!, 200);
    const route = routeTo(g, r, snapXY(g, 280, 5)!)!;
    expect(route.distanceM).toBeCloseTo(130, 9);
    expect(lineXY(route.coords)).toEqual([[150, 0], [200, 0], [210, 0], [280, 0]]);
  });

  it('walks directly along a shared edge', () => {
    const g = buildWalkGraph(straightLine());
    const r = walkFrom(g, snapXY(g, 150, 10)!, 200);
    const route = routeTo(g, r, snapXY(g, 120, -5)!)!;
    expect(route.distanceM).toBeCloseTo(30, 6);
    expect(lineXY(route.coords)).toEqual([[150, 0], [120, 0]]);
  });

  it('on the same edge, goes round when that is shorter', () => {
    const net = detourLoop();
    const g = buildWalkGraph(net);
    const arc = net.edges[0]!.coords;
    const from = snapPoint(g, ...arc[1]!)!;
    const to = snapPoint(g, ...arc[arc.length - 2]!)!;
    expect(from.edge).toBe(to.edge);
    const r = walkFrom(g, from, 2000);
    const route = routeTo(g, r, to)!;
    const expected = from.offsetM + 100 + (g.edgeLength[to.edge]! - to.offsetM);
    expect(route.distanceM).toBeCloseTo(expected, 9);
    expect(route.distanceM).toBeLessThan(to.offsetM - from.offsetM);
    expect(lineLength(route.coords)).toBeCloseTo(route.distanceM, 0);
    // ...and directly when that is shorter.
    const near = snapPoint(g, ...arc[2]!)!;
    expect(routeTo(g, r, near)!.distanceM).toBeCloseTo(near.offsetM - from.offsetM, 9);
  });

  it('crosses the river by the bridge; length and ends match', () => {
    const g = buildWalkGraph(river());
    const from = snapXY(g, 100, RIVER.northY + 10)!;
    const to = snapXY(g, 900, RIVER.southY - 10)!;
    const route = routeTo(g, walkFrom(g, from, 1200), to)!;
    expect(route.distanceM).toBeGreaterThan(1100);
    expect(route.distanceM).toBeLessThan(1200);
    expect(Math.abs(lineLength(route.coords) - route.distanceM) / route.distanceM).toBeLessThan(0.01);
    expect(route.coords[0]).toEqual([from.lon, from.lat]);
    expect(route.coords[route.coords.length - 1]).toEqual([to.lon, to.lat]);
    const xs = lineXY(route.coords);
    expect(Math.max(...xs.map((p) => p[0]!))).toBeCloseTo(1000, 3); // via the bridge
  });

  it('returns null beyond the limit (the bounded search cannot vouch for it)', () => {
    const g = buildWalkGraph(river());
    const r = walkFrom(g, snapXY(g, 100, RIVER.northY)!, 1200);
    expect(routeTo(g, r, snapXY(g, 100, RIVER.southY)!)).toBeNull();
  });

  it('starts from the nearest of several sources', () => {
    const g = buildWalkGraph(river());
    const north = snapXY(g, 100, RIVER.northY)!;
    const south = snapXY(g, 0, RIVER.southY)!;
    const route = routeTo(g, walkFrom(g, [north, south], 1200), snapXY(g, 300, RIVER.southY)!)!;
    expect(route.coords[0]).toEqual([south.lon, south.lat]);
    expect(route.distanceM).toBeCloseTo(lineLength(route.coords), 0);
    expect(route.distanceM).toBeLessThan(310);
  });
});

describe('river: no crossing except at the bridge', () => {
  const g = buildWalkGraph(river());
  const start = snapXY(g, 100, RIVER.northY + 10)!;
  const reach = walkFrom(g, start, 1200);

  it('reaches the far bank only near the bridge', () => {
    for (let i = 0; i <= 8; i++) expect(reach.dist[node(g, 200 + i)]).toBe(Infinity);
    expect(reach.dist[node(g, 210)]).toBeLessThan(1100);
    const lines = intervalsToLines(g, reachedIntervals(g, reach)).map(lineXY);
    const south = lines.filter((l) => l.every((p) => p[1]! < 0));
    expect(south.length).toBeGreaterThan(0);
    for (const l of south) for (const p of l) expect(p[0]).toBeGreaterThan(800);
  });

  it('buffers the reached streets: inside within widthM, outside beyond 2×widthM', () => {
    const widthM = 50;
    const iso = isochrone(g, ...toLonLat(100, RIVER.northY + 10), 1200, widthM)!;
    expect(iso.polygon.type).toBe('MultiPolygon');
    expect(iso.lines.type).toBe('MultiLineString');
    expect(iso.reachedNodes).toBe(reach.reachedNodes.length);
    const lines = (iso.lines.coordinates as LonLat[][]).map((l) => l.map(([lon, lat]) => toXY(lon, lat)));
    const poly = turf.multiPolygon(iso.polygon.coordinates);
    let inside = 0;
    let outside = 0;
    for (let x = -150; x <= 1150; x += 17) {
      for (let y = -200; y <= 200; y += 7) {
        const d = Math.min(...lines.map((l) => distToLine([x, y], l)));
        const isIn = turf.booleanPointInPolygon(turf.point(toLonLat(x, y)), poly);
        if (d <= widthM) {
          expect(isIn, `(${x}, ${y}) is ${d.toFixed(1)} m from a reached street`).toBe(true);
          inside++;
        } else if (d >= 2 * widthM) {
          expect(isIn, `(${x}, ${y}) is ${d.toFixed(1)} m from every reached street`).toBe(false);
          outside++;
        }
      }
    }
    expect(inside).toBeGreaterThan(500);
    expect(outside).toBeGreaterThan(500);
    // The south bank opposite the start is only 120 m away across the water, but not covered.
    expect(turf.booleanPointInPolygon(turf.point(toLonLat(100, RIVER.southY)), poly)).toBe(false);
  });
});

describe('serviceAreaPolygon', () => {
  const g = buildWalkGraph(river());
  const lines = intervalsToLines(g, reachedIntervals(g, walkFrom(g, snapXY(g, 500, RIVER.northY)!, 700)));

  it.each([
    ['defaults', {}],
    ['no simplification, no joining', { simplifyM: 0, joinLines: false }],
    ['octagons, coarse simplification', { segments: 8, simplifyM: 15 }],
  ])('contains everything within widthM, nothing beyond 2×widthM (%s)', (_name, options) => {
    const widthM = 30;
    const poly = turf.multiPolygon(serviceAreaPolygon(lines, widthM, options));
    const xy = lines.map((l) => l.map(([lon, lat]) => toXY(lon, lat)));
    for (let x = -100; x <= 1100; x += 13) {
      for (let y = -150; y <= 150; y += 3) {
        const d = Math.min(...xy.map((l) => distToLine([x, y], l)));
        if (d > widthM && d < 2 * widthM) continue;
        expect(turf.booleanPointInPolygon(turf.point(toLonLat(x, y)), poly), `(${x}, ${y}) at ${d.toFixed(1)} m`).toBe(d <= widthM);
      }
    }
  });

  it('buffers a single point as a disc and nothing as nothing', () => {
    const p = toLonLat(0, 0);
    const disc = serviceAreaPolygon([[p, p]], 50, { simplifyM: 0 });
    expect(disc.length).toBe(1);
    const area = turf.area(turf.multiPolygon(disc));
    expect(area).toBeGreaterThan(Math.PI * 50 * 50);
    expect(area).toBeLessThan(Math.PI * 50 * 50 * 1.1);
    expect(serviceAreaPolygon([], 50)).toEqual([]);
    expect(serviceAreaPolygon(lines, 0)).toEqual([]);
  });

  it('a straight segment becomes one capsule of the expected area', () => {
    const poly = serviceAreaPolygon([[toLonLat(0, 0), toLonLat(500, 0)]], 50, { simplifyM: 0 });
    const area = turf.area(turf.multiPolygon(poly));
    const exact = 500 * 100 + Math.PI * 50 * 50;
    expect(area / exact).toBeGreaterThan(1);
    expect(area / exact).toBeLessThan(1.05);
  });
});

describe('isochrone', () => {
  it('returns null when the point cannot be snapped', () => {
    const g = buildWalkGraph(straightLine());
    expect(isochrone(g, ...toLonLat(0, 5000), 1200)).toBeNull();
  });

  it('chains snap, walk, intervals, lines and polygon', () => {
    const g = buildWalkGraph(straightLine());
    const iso = isochrone(g, ...toLonLat(150, 10), 120, 20)!;
    expect(iso.snap.edge).toBe(edge(g, 2));
    expect(iso.reachedNodes).toBe(2);
    expect(iso.lines.coordinates.length).toBe(3);
    expect(iso.polygon.coordinates.length).toBe(1); // one connected stretch from x=30 to x=270
    const poly = turf.multiPolygon(iso.polygon.coordinates);
    expect(turf.booleanPointInPolygon(turf.point(toLonLat(35, 15)), poly)).toBe(true);
    expect(turf.booleanPointInPolygon(turf.point(toLonLat(0, 0)), poly)).toBe(false);
  });
});

describe('purity', () => {
  it('does not mutate its inputs', () => {
    const net = river();
    const before: StreetNetwork = structuredClone(net);
    const g = buildWalkGraph(net);
    const snaps: Snap[] = [snapXY(g, 100, 70)!, snapXY(g, 900, -70)!];
    const snapsBefore = structuredClone(snaps);
    const reach = walkFrom(g, snaps, 800);
    const iv = reachedIntervals(g, reach);
    const ivBefore = structuredClone(iv);
    const lines = intervalsToLines(g, iv);
    const linesBefore = structuredClone(lines);
    serviceAreaPolygon(lines, 40);
    routeTo(g, reach, snapXY(g, 500, 60)!);
    isochrone(g, ...toLonLat(300, 60), 500);
    expect(net).toEqual(before);
    expect(snaps).toEqual(snapsBefore);
    expect(iv).toEqual(ivBefore);
    expect(lines).toEqual(linesBefore);
  });
});

describe('200×200 jittered lattice (40k nodes)', () => {
  const g = buildWalkGraph(jitteredLattice(200, 80, 42));
  const start = snapXY(g, 8000, 8000)!;
  const limit = 1250;
  const r = walkFrom(g, start, limit);

  it('settles only nodes within the limit, in order', () => {
    expect(r.reachedNodes.length).toBeGreaterThan(200);
    expect(r.reachedNodes.length).toBeLessThan(g.nodeCount / 10);
    let prev = 0;
    for (const v of r.reachedNodes) {
      expect(r.dist[v]).toBeLessThanOrEqual(limit);
      expect(r.dist[v]).toBeGreaterThanOrEqual(prev);
      prev = r.dist[v]!;
    }
    const finite = r.dist.filter((d) => d < Infinity).length;
    expect(finite).toBe(r.reachedNodes.length);
  });

  it('pred chains are consistent and distances grow along them', () => {
    for (const v of r.reachedNodes) {
      const u = r.pred[v]!;
      const e = r.predEdge[v]!;
      expect(r.origin[v]).toBe(0);
      if (u < 0) {
        expect(e).toBe(start.edge);
        continue;
      }
      expect([g.edgeSource[e], g.edgeTarget[e]].sort()).toEqual([u, v].sort());
      expect(r.dist[v]! - r.dist[u]!).toBeCloseTo(g.edgeLength[e]!, 6);
      expect(r.dist[v]).toBeGreaterThanOrEqual(r.dist[u]!);
    }
  });

  it('no edge offers a shortcut (Bellman optimality within the limit)', () => {
    for (let e = 0; e < g.edgeCount; e++) {
      const ds = r.dist[g.edgeSource[e]!]!;
      const dt = r.dist[g.edgeTarget[e]!]!;
      const len = g.edgeLength[e]!;
      if (ds < Infinity && dt < Infinity) expect(Math.abs(ds - dt)).toBeLessThanOrEqual(len + 1e-6);
      else if (ds < Infinity) expect(ds + len).toBeGreaterThan(limit);
      else if (dt < Infinity) expect(dt + len).toBeGreaterThan(limit);
    }
  });

  it('routes end where they should and are as long as they say', () => {
    for (const [x, y] of [
      [8500, 8300],
      [7300, 8100],
      [8050, 7200],
    ] as const) {
      const to = snapXY(g, x, y)!;
      const route = routeTo(g, r, to)!;
      expect(route).not.toBeNull();
      expect(route.coords[0]).toEqual([start.lon, start.lat]);
      expect(route.coords[route.coords.length - 1]).toEqual([to.lon, to.lat]);
      expect(Math.abs(lineLength(route.coords) - route.distanceM) / route.distanceM).toBeLessThan(0.01);
    }
  });
});
