import { describe, expect, it } from 'vitest';
import type { Polygon } from 'geojson';
import { buildWalkGraph } from '../network/graph.js';
import type { Snap } from '../network/snap.js';
import { jitteredLattice, toLonLat } from '../network/testing/fixtures.js';
import type { StreetNetwork } from '../network/types.js';
import { bandOf, categoryDistances, tallyGrids, type AssessCategory } from './assess.js';
import { evenPopulationPoints, insidePolygon, placePoints } from './population.js';

/** Deterministic numbers in [0, 1). */
function rng(seed: number) {
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
 * The reference: every facility and every point becomes a node of its own (each street cut at all
 * positions on it), a super-source joins the facilities at 0, and a plain O(V²) Dijkstra over
 * adjacency lists built from the StreetNetwork (not the WalkGraph) gives each point's distance.
 */
function bruteForce(net: StreetNetwork, edgeIdOf: (e: number) => number, facilities: Snap[], points: { edge: number; offsetM: number }[]): number[] {
  const nodeIdx = new Map<number, number>();
  net.nodes.forEach((n, i) => nodeIdx.set(n.id, i));
  let V = net.nodes.length;
  const adj: [number, number][][] = net.nodes.map(() => []);
  const add = (a: number, b: number, w: number) => {
    adj[a]!.push([b, w]);
    adj[b]!.push([a, w]);
  };
  const cuts = new Map<number, { at: number; node: number }[]>();
  const newNode = () => {
    adj.push([]);
    return V++;
  };
  const facilityNodes = facilities.map((f) => {
    const node = newNode();
    const id = edgeIdOf(f.edge);
    cuts.set(id, [...(cuts.get(id) ?? []), { at: f.offsetM, node }]);
    return node;
  });
  const pointNodes = points.map((p) => {
    if (p.edge < 0) return -1;
    const node = newNode();
    const id = edgeIdOf(p.edge);
    cuts.set(id, [...(cuts.get(id) ?? []), { at: p.offsetM, node }]);
    return node;
  });
  for (const e of net.edges) {
    if (!e.walkable) continue;
    const list = (cuts.get(e.id) ?? []).slice().sort((a, b) => a.at - b.at);
    let prev = nodeIdx.get(e.source)!;
    let prevAt = 0;
    for (const c of list) {
      add(prev, c.node, c.at - prevAt);
      prev = c.node;
      prevAt = c.at;
    }
    add(prev, nodeIdx.get(e.target)!, e.lengthM - prevAt);
  }
  const dist = new Array<number>(V).fill(Infinity);
  const done = new Array<boolean>(V).fill(false);
  for (const f of facilityNodes) dist[f] = 0;
  for (;;) {
    let u = -1;
    for (let v = 0; v < V; v++) if (!done[v] && dist[v]! < Infinity && (u < 0 || dist[v]! < dist[u]!)) u = v;
    if (u < 0) break;
    done[u] = true;
    for (const [w, len] of adj[u]!) if (dist[u]! + len < dist[w]!) dist[w] = dist[u]! + len;
  }
  return pointNodes.map((n) => (n < 0 ? Infinity : dist[n]!));
}

describe('categoryDistances on a small lattice', () => {
  const net = jitteredLattice(10, 80, 7);
  const g = buildWalkGraph(net);
  const rnd = rng(3);
  const snapAt = (e: number, f: number): Snap => ({ edge: e, offsetM: f * g.edgeLength[e]!, distanceM: 0, lon: 0, lat: 0 });
  const facilities = [snapAt(3, 0.4), snapAt(77, 0.9), snapAt(140, 0), snapAt(77, 0.1)];
  const points = Array.from({ length: 300 }, () => {
    const e = Math.floor(rnd() * g.edgeCount);
    return { edge: e, offsetM: rnd() * g.edgeLength[e]! };
  });
  // Points on the facilities' own edges (the along-the-edge case).
  points.push({ edge: 77, offsetM: 0.5 * g.edgeLength[77]! }, { edge: 3, offsetM: 0.41 * g.edgeLength[3]! }, { edge: 140, offsetM: 0 });
  points.push({ edge: -1, offsetM: 0 });
  const placed = { edge: Int32Array.from(points.map((p) => p.edge)), offsetM: Float64Array.from(points.map((p) => p.offsetM)) };
  const reference = bruteForce(net, (e) => g.edgeIds[e]!, facilities, points);

  it('equal a brute-force Dijkstra on the graph cut at every facility and point', () => {
    const ours = categoryDistances(g, facilities, Infinity, placed);
    expect(reference.filter((d) => d < Infinity).length).toBeGreaterThan(250);
    for (let i = 0; i < points.length; i++) {
      if (reference[i] === Infinity) expect(ours[i]).toBe(Infinity);
      else expect(ours[i]).toBeCloseTo(reference[i]!, 6);
    }
  });

  it('a limit cuts off exactly the farther points', () => {
    const ours = categoryDistances(g, facilities, 300, placed);
    for (let i = 0; i < points.length; i++) {
      if (reference[i]! <= 300 - 1e-6) expect(ours[i]).toBeCloseTo(reference[i]!, 6);
      else if (reference[i]! > 300 + 1e-6) expect(ours[i]).toBe(Infinity);
    }
  });

  it('no facility: nobody reaches it; scratch arrays are left clean for the next search', () => {
    expect([...categoryDistances(g, [], 1000, placed)].every((d) => d === Infinity)).toBe(true);
    const a = categoryDistances(g, facilities.slice(0, 1), 500, placed);
    const b = categoryDistances(g, facilities.slice(0, 1), 500, placed);
    expect([...a]).toEqual([...b]);
  });
});

describe('population points and tallies', () => {
  const net = jitteredLattice(12, 80, 11);
  const g = buildWalkGraph(net);
  // Four square grids over the lattice, one tiny (no lattice point inside: one point).
  const sq = (x0: number, y0: number, s: number): Polygon => ({
    type: 'Polygon',
    coordinates: [[toLonLat(x0, y0), toLonLat(x0 + s, y0), toLonLat(x0 + s, y0 + s), toLonLat(x0, y0 + s), toLonLat(x0, y0)]],
  });
  const grids = [
    { polygon: sq(0, 0, 400), population: 1000 },
    { polygon: sq(400, 0, 400), population: 250 },
    { polygon: sq(0, 400, 400), population: 0 },
    { polygon: sq(500, 500, 20), population: 37 },
  ];
  const pts = evenPopulationPoints(grids, 50);
  const placed = placePoints(g, pts, 500);

  it('spread each grid’s population over its own points, inside it, totals exact', () => {
    const sums = new Float64Array(grids.length);
    pts.grid.forEach((gi, i) => {
      sums[gi] += pts.population[i]!;
      expect(insidePolygon(grids[gi]!.polygon, pts.lon[i]!, pts.lat[i]!)).toBe(true);
    });
    grids.forEach((gr, i) => expect(sums[i]).toBeCloseTo(gr.population, 9));
    expect(pts.grid.filter((x) => x === 0).length).toBeGreaterThan(50);
    expect(pts.grid.filter((x) => x === 3).length).toBe(1);
    expect([...placed.edge].every((e) => e >= 0)).toBe(true);
  });

  it('bands nest (5 ⊂ 10 ⊂ 15) per point and per grid, complete circles follow the rule, totals equal the grids’', () => {
    const levels = [5, 10, 15];
    const bands = (kmh: number) => levels.map((m) => (m * kmh * 1000) / 60);
    const cats: AssessCategory[] = [
      { id: 'a', level: 5, limitM: 300, bandsM: bands(4.8) },
      { id: 'b', level: 10, limitM: 600, bandsM: bands(3.6) },
      { id: 'c', level: 15, limitM: 1000, bandsM: bands(4.8) },
    ];
    const snapAt = (e: number): Snap => ({ edge: e, offsetM: g.edgeLength[e]! / 2, distanceM: 0, lon: 0, lat: 0 });
    const dists = [
      categoryDistances(g, [snapAt(5)], 1200, placed),
      categoryDistances(g, [snapAt(200)], 1200, placed),
      categoryDistances(g, [snapAt(100), snapAt(230)], 1200, placed),
    ];
    const t = tallyGrids(grids.length, pts, levels, cats, dists);
    // Per point: reached within a band means reached within every larger band.
    for (let c = 0; c < cats.length; c++) {
      for (let i = 0; i < pts.lon.length; i++) {
        const b = bandOf(dists[c]![i]!, cats[c]!);
        for (let k = 0; k < levels.length; k++) expect(dists[c]![i]! <= cats[c]!.bandsM[k]!).toBe(b >= 0 && k >= b);
      }
    }
    let someBetween = false;
    for (let gi = 0; gi < grids.length; gi++) {
      expect(t.population[gi]).toBeCloseTo(grids[gi]!.population, 9);
      for (let c = 0; c < cats.length; c++) {
        expect(t.within[c]![0]![gi]!).toBeLessThanOrEqual(t.within[c]![1]![gi]! + 1e-9);
        expect(t.within[c]![1]![gi]!).toBeLessThanOrEqual(t.within[c]![2]![gi]! + 1e-9);
        if (t.within[c]![0]![gi]! < t.within[c]![2]![gi]! - 1) someBetween = true;
      }
      // Direct recount of complete circles from the definition.
      for (let l = 0; l < levels.length; l++) {
        let want = 0;
        for (let i = 0; i < pts.lon.length; i++) {
          if (pts.grid[i] !== gi) continue;
          if (cats.every((c, k) => c.level > levels[l]! || dists[k]![i]! <= c.limitM)) want += pts.population[i]!;
        }
        expect(t.complete[l]![gi]).toBeCloseTo(want, 6);
      }
    }
    expect(someBetween).toBe(true);
  });
});
