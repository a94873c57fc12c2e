import { describe, expect, it } from 'vitest';
import { generateSampleCity } from '../../geodata/generator/index.js';
import { buildWalkGraph, type LonLat, type WalkGraph } from '../network/graph.js';
import { routeTo } from '../network/route.js';
import { walkFrom } from '../network/search.js';
import { snapPoint, type Snap } from '../network/snap.js';
import { jitteredLattice, makeNetwork, toLonLat } from '../network/testing/fixtures.js';
import type { StreetNetwork } from '../network/types.js';
import { nearestAlongStreets, type WalkTarget } from './walk.js';

/** What the nearest route did before: walk the whole radius, route to every target, sort. */
function reference(g: WalkGraph, query: { lon: number; lat: number }, from: Snap, targets: WalkTarget[], limit: number, radius: number) {
  const reach = walkFrom(g, from, radius);
  const found: { id: number; networkM: number; totalM: number; route: LonLat[] }[] = [];
  for (const t of targets) {
    const r = routeTo(g, reach, t.snap);
    if (!r) continue;
    found.push({
      id: t.id,
      networkM: r.distanceM,
      totalM: from.distanceM + r.distanceM + t.snap.distanceM,
      route: [[query.lon, query.lat], ...r.coords, [t.lon, t.lat]],
    });
  }
  const reachable = found.length;
  found.sort((a, b) => a.totalM - b.totalM);
  return { hits: found.slice(0, limit), reachable };
}

/**
 * Network distance from `from` to every target by a plain Dijkstra (array scan, no heap) over the
 * network as given — its edge list, not the WalkGraph's adjacency — unbounded, then cut at `radius`.
 */
function bruteForce(net: StreetNetwork, g: WalkGraph, from: Snap, targets: WalkTarget[], radius: number): Map<number, number> {
  const index = new Map(net.nodes.map((n, i) => [n.id, i]));
  const edgeById = new Map(net.edges.map((e) => [e.id, e]));
  const adj: [number, number][][] = net.nodes.map(() => []);
  for (const e of net.edges) {
    if (!e.walkable) continue;
    adj[index.get(e.source)!]!.push([index.get(e.target)!, e.lengthM]);
    adj[index.get(e.target)!]!.push([index.get(e.source)!, e.lengthM]);
  }
  const edgeOf = (s: Snap) => edgeById.get(g.edgeIds[s.edge]!)!;
  const clamp = (s: Snap) => Math.min(Math.max(s.offsetM, 0), edgeOf(s).lengthM);
  const dist = new Array<number>(net.nodes.length).fill(Infinity);
  const done = new Array<boolean>(net.nodes.length).fill(false);
  const e0 = edgeOf(from);
  const s0 = index.get(e0.source)!;
  const t0 = index.get(e0.target)!;
  dist[s0] = Math.min(dist[s0]!, clamp(from));
  dist[t0] = Math.min(dist[t0]!, e0.lengthM - clamp(from));
  for (;;) {
    let u = -1;
    for (let i = 0; i < dist.length; i++) if (!done[i] && dist[i]! < Infinity && (u < 0 || dist[i]! < dist[u]!)) u = i;
    if (u < 0) break;
    done[u] = true;
    for (const [v, w] of adj[u]!) if (dist[u]! + w < dist[v]!) dist[v] = dist[u]! + w;
  }
  const out = new Map<number, number>();
  for (const t of targets) {
    const e = edgeOf(t.snap);
    const off = clamp(t.snap);
    let d = Math.min(dist[index.get(e.source)!]! + off, dist[index.get(e.target)!]! + e.lengthM - off);
    if (e === e0) d = Math.min(d, Math.abs(clamp(from) - off));
    if (d <= radius) out.set(t.id, d);
  }
  return out;
}

function check(g: WalkGraph, bbox: [number, number, number, number], seed: number, runs: number, radii: number[], net?: StreetNetwork) {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const at = () => ({ lon: bbox[0] + rnd() * (bbox[2] - bbox[0]), lat: bbox[1] + rnd() * (bbox[3] - bbox[1]) });
  let stopped = 0;
  let compared = 0;
  for (let i = 0; i < runs; i++) {
    const query = at();
    const from = snapPoint(g, query.lon, query.lat, 500);
    if (!from) continue;
    const targets: WalkTarget[] = [];
    const n = 1 + Math.floor(rnd() * 40);
    for (let j = 0; j < n; j++) {
      // Some targets on the query's own edge, some at the same place as another target, many
      // exactly at junctions (reached at the very moment a node is settled: the stop must wait).
      const r = rnd();
      const node = Math.floor(rnd() * g.nodeCount);
      const p =
        r < 0.1
          ? { lon: query.lon + (rnd() - 0.5) * 1e-4, lat: query.lat }
          : r < 0.15 && targets.length
            ? { lon: targets[0]!.lon, lat: targets[0]!.lat }
            : r < 0.5
              ? { lon: g.nodeLon[node]!, lat: g.nodeLat[node]! }
              : at();
      const snap = snapPoint(g, p.lon, p.lat, 500);
      if (snap) targets.push({ id: 1000 + j, snap, ...p });
    }
    const limit = 1 + Math.floor(rnd() * 8);
    const radius = radii[Math.floor(rnd() * radii.length)]!;
    const got = nearestAlongStreets(g, query, from, targets, limit, radius);
    const want = reference(g, query, from, targets, limit, radius);
    expect(got.hits).toEqual(want.hits);
    if (net) {
      // Against a plain Dijkstra: each hit's distance, and the `limit` smallest totals (ties may
      // order equal targets either way, so totals are compared, not ids).
      const bf = bruteForce(net, g, from, targets, radius);
      for (const h of got.hits) {
        expect(bf.has(h.id), `hit ${h.id} beyond the radius by brute force`).toBe(true);
        expect(h.networkM).toBeCloseTo(bf.get(h.id)!, 6);
      }
      const byId = new Map(targets.map((t) => [t.id, t]));
      const totals = [...bf]
        .map(([id, d]) => from.distanceM + d + byId.get(id)!.snap.distanceM)
        .sort((a, b) => a - b)
        .slice(0, limit);
      expect(got.hits.length).toBe(totals.length);
      got.hits.forEach((h, k) => expect(h.totalM).toBeCloseTo(totals[k]!, 6));
      if (got.hits.length) compared++;
    }
    // Exact when the search ran to the end, else at least `limit` (all the caller needs).
    if (got.reachable === want.reachable) continue;
    stopped++;
    expect(got.reachable).toBeGreaterThanOrEqual(limit);
    expect(want.reachable).toBeGreaterThanOrEqual(got.reachable);
  }
  return { stopped, compared };
}

describe('nearestAlongStreets', () => {
  it('gives the same stations, distances and routes as walking the whole radius (sample city: river, bridges)', () => {
    const city = generateSampleCity({ size: 'small', seed: 3 });
    const g = buildWalkGraph(city.network);
    const { stopped } = check(g, city.meta.bbox as [number, number, number, number], 11, 500, [300, 2000, 8000]);
    expect(stopped).toBeGreaterThan(50); // the early stop is exercised
  });

  it('the same on a jittered lattice (many near-equal paths)', () => {
    const net = jitteredLattice(30, 80, 5);
    const g = buildWalkGraph(net);
    const [x0, y0] = toLonLat(0, 0);
    const [x1, y1] = toLonLat(29 * 80, 29 * 80);
    const { compared } = check(g, [x0, y0, x1, y1], 5, 200, [500, 2000, Infinity], net);
    expect(compared).toBeGreaterThan(100); // most runs found stations, each checked against brute force
  });

  it('leaves no state behind between calls, and handles no targets and unreachable ones', () => {
    // Two separate streets: a target on the other one is never reached.
    const net = makeNetwork({ 1: [0, 0], 2: [100, 0], 3: [0, 500], 4: [100, 500] }, [
      { id: 1, source: 1, target: 2 },
      { id: 2, source: 3, target: 4 },
    ]);
    const g = buildWalkGraph(net);
    const q = { lon: toLonLat(10, 0)[0], lat: toLonLat(10, 0)[1] };
    const from = snapPoint(g, q.lon, q.lat)!;
    const mk = (id: number, x: number, y: number): WalkTarget => {
      const [lon, lat] = toLonLat(x, y);
      return { id, snap: snapPoint(g, lon, lat)!, lon, lat };
    };
    expect(nearestAlongStreets(g, q, from, [], 3, 1000)).toEqual({ hits: [], reachable: 0 });
    const targets = [mk(1, 90, 0), mk(2, 50, 500), mk(3, 40, 0)];
    const a = nearestAlongStreets(g, q, from, targets, 5, 1000);
    expect(a.hits.map((h) => h.id)).toEqual([3, 1]);
    expect(a.reachable).toBe(2);
    expect(a.hits).toEqual(reference(g, q, from, targets, 5, 1000).hits);
    expect(nearestAlongStreets(g, q, from, targets, 5, 1000)).toEqual(a);
    expect(() => nearestAlongStreets(g, q, from, targets, 1, -1)).toThrow(RangeError);
  });
});
