import { describe, expect, it } from 'vitest';
import { buildWalkGraph, type WalkGraph } from './graph.js';
import { reachedIntervals } from './intervals.js';
import { routeTo } from './route.js';
import { releaseScratch, scratchFor, search, walkFrom } from './search.js';
import type { Snap } from './snap.js';
import { detourLoop, jitteredLattice, makeNetwork, river, squareWithShortcut, straightLine, twoComponents } from './testing/fixtures.js';
import { edge, lineLength, node, snapXY } from './testing/helpers.js';

describe('walkFrom on a straight line', () => {
  const g = buildWalkGraph(straightLine());
  // 10 m off the street at x = 150, i.e. 50 m along edge 2. The offset is set exactly: snapping is
  // snap.test.ts's business, and lon/lat resolve positions only to ~2e-9 m here.
  const s: Snap = { ...snapXY(g, 150, 10)!, offsetM: 50 };

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

describe('search: one Dijkstra, with and without early stop, equals brute force', () => {
  /** Bellman–Ford over every edge until nothing changes: node distances from the snaps' seeds. */
  function bruteForce(g: WalkGraph, snaps: Snap[]): number[] {
    const d = new Array<number>(g.nodeCount).fill(Infinity);
    for (const s of snaps) {
      const len = g.edgeLength[s.edge]!;
      const off = Math.min(Math.max(s.offsetM, 0), len);
      d[g.edgeSource[s.edge]!] = Math.min(d[g.edgeSource[s.edge]!]!, off);
      d[g.edgeTarget[s.edge]!] = Math.min(d[g.edgeTarget[s.edge]!]!, len - off);
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (let e = 0; e < g.edgeCount; e++) {
        const a = g.edgeSource[e]!;
        const b = g.edgeTarget[e]!;
        const len = g.edgeLength[e]!;
        if (d[a]! + len < d[b]!) {
          d[b] = d[a]! + len;
          changed = true;
        }
        if (d[b]! + len < d[a]!) {
          d[a] = d[b]! + len;
          changed = true;
        }
      }
    }
    return d;
  }

  // Small graphs: a jittered lattice with gaps, the river (one bridge), parallel edges, a self-loop.
  const loopy = makeNetwork({ 1: [0, 0], 2: [100, 0], 3: [100, 100], 4: [300, 0] }, [
    { id: 1, source: 1, target: 2 },
    { id: 2, source: 2, target: 1, via: [[50, 40]] },
    { id: 3, source: 2, target: 3 },
    {
      id: 4,
      source: 3,
      target: 3,
      via: [
        [150, 150],
        [50, 150],
      ],
    },
    { id: 5, source: 2, target: 4 },
    { id: 6, source: 3, target: 4 },
  ]);
  const graphs: [string, WalkGraph][] = [
    ['lattice', buildWalkGraph(jitteredLattice(8, 80, 9))],
    ['river', buildWalkGraph(river())],
    ['parallel edges and a self-loop', buildWalkGraph(loopy)],
    ['detour loop', buildWalkGraph(detourLoop())],
  ];
  const at = (g: WalkGraph, k: number): Snap => {
    const e = (k * 7919) % g.edgeCount;
    return { edge: e, offsetM: (((k * 37) % 101) / 100) * g.edgeLength[e]!, distanceM: 0, lon: 0, lat: 0 };
  };

  it.each(graphs)('%s: full search, every limit, one or several sources', (_name, g) => {
    for (let k = 1; k <= 12; k++) {
      const snaps = k % 3 === 0 ? [at(g, k), at(g, k + 5)] : [at(g, k)];
      const want = bruteForce(g, snaps);
      for (const limitM of [0, 60, 250, Infinity]) {
        const r = search(g, snaps, limitM);
        expect(r.stopped).toBe(false);
        for (let v = 0; v < g.nodeCount; v++) {
          if (want[v]! <= limitM) expect(r.dist[v]).toBeCloseTo(want[v]!, 9);
          else expect(r.dist[v]).toBe(Infinity);
        }
        expect(r.reachedNodes.length).toBe(want.filter((d) => d <= limitM).length);
        // The tree is consistent: each node's distance is its predecessor's plus the edge.
        for (const v of r.reachedNodes) {
          const u = r.pred[v]!;
          if (u >= 0) expect(r.dist[v]).toBeCloseTo(r.dist[u]! + g.edgeLength[r.predEdge[v]!]!, 9);
        }
      }
    }
  });

  it.each(graphs)('%s: stopped early, settles exactly the nearest nodes, with the same distances and tree', (_name, g) => {
    for (let k = 1; k <= 12; k++) {
      const snaps = [at(g, k)];
      const full = search(g, snaps, Infinity);
      const want = bruteForce(g, snaps);
      for (const stopAfter of [1, 3, Math.floor(g.nodeCount / 2)]) {
        const seen: [number, number][] = [];
        const r = search(g, snaps, Infinity, {
          onSettle: (u, d) => {
            if (seen.length === stopAfter) return false;
            seen.push([u, d]);
            return true;
          },
        });
        const n = Math.min(stopAfter, full.reachedNodes.length);
        expect(r.stopped).toBe(stopAfter < full.reachedNodes.length);
        expect(r.reachedNodes).toEqual(full.reachedNodes.slice(0, n));
        expect(seen.map(([u]) => u)).toEqual(r.reachedNodes);
        const unsettledMin = Math.min(...want.filter((_, v) => !r.reachedNodes.includes(v)));
        for (const [u, d] of seen) {
          expect(d).toBeCloseTo(want[u]!, 9);
          expect(r.dist[u]).toBe(d);
          expect(r.pred[u]).toBe(full.pred[u]);
          expect(r.predEdge[u]).toBe(full.predEdge[u]);
          expect(d).toBeLessThanOrEqual(unsettledMin + 1e-9); // nearest first
        }
      }
    }
  });

  it('on reused scratch arrays gives the fresh result and leaves them as it found them', () => {
    const g = buildWalkGraph(jitteredLattice(12, 80, 4));
    const scratch = scratchFor(g);
    expect(scratchFor(g)).toBe(scratch);
    for (let k = 1; k <= 20; k++) {
      const snaps = [at(g, k)];
      const limitM = [100, 400, Infinity][k % 3]!;
      const fresh = search(g, snaps, limitM);
      const stopAt = k % 2 ? Infinity : 8;
      let settled = 0;
      const r = search(g, snaps, limitM, { scratch, onSettle: () => settled++ < stopAt });
      const n = r.reachedNodes.length;
      expect(r.reachedNodes).toEqual(fresh.reachedNodes.slice(0, n));
      for (const v of r.reachedNodes) {
        expect(r.dist[v]).toBe(fresh.dist[v]);
        expect(r.pred[v]).toBe(fresh.pred[v]);
        expect(r.origin[v]).toBe(fresh.origin[v]);
      }
      releaseScratch(scratch);
      expect(scratch.touched).toEqual([]);
      expect(scratch.dist.every((d) => d === Infinity)).toBe(true);
      expect(scratch.pred.every((p) => p === -1) && scratch.predEdge.every((p) => p === -1) && scratch.origin.every((p) => p === -1)).toBe(true);
      expect(scratch.settled.every((s) => s === 0)).toBe(true);
    }
  });
});
