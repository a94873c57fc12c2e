import { describe, expect, it } from 'vitest';
import { buildWalkGraph } from './graph.js';
import { snapPoint } from './snap.js';
import { squareWithShortcut, straightLine } from './testing/fixtures.js';
import { edge, node } from './testing/helpers.js';

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
    expect(neighbours.sort()).toEqual([
      [2, 1],
      [3, 5],
      [4, 4],
    ]);
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
