import { describe, expect, it } from 'vitest';
import { buildWalkGraph } from './graph.js';
import { intervalsToLines, reachedIntervals } from './intervals.js';
import { walkFrom } from './search.js';
import type { Snap } from './snap.js';
import { straightLine } from './testing/fixtures.js';
import { edge, lineXY, snapXY } from './testing/helpers.js';

describe('reachedIntervals and intervalsToLines on a straight line', () => {
  const g = buildWalkGraph(straightLine());
  // 10 m off the street at x = 150, i.e. 50 m along edge 2. The offset is set exactly: snapping is
  // snap.test.ts's business, and lon/lat resolve positions only to ~2e-9 m here.
  const s: Snap = { ...snapXY(g, 150, 10)!, offsetM: 50 };

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
      [
        [30, 0],
        [100, 0],
      ],
      [
        [200, 0],
        [100, 0],
      ], // edge 2 runs 3 → 2
      [
        [200, 0],
        [210, 0],
        [270, 0],
      ],
    ]);
  });

  it('a limit inside the snap edge covers only the snap neighbourhood', () => {
    const r = walkFrom(g, s, 20);
    expect(r.reachedNodes).toEqual([]);
    const iv = reachedIntervals(g, r);
    expect([...iv.entries()]).toEqual([[edge(g, 2), [[30, 70]]]]);
    expect(lineXY(intervalsToLines(g, iv)[0]!)).toEqual([
      [170, 0],
      [130, 0],
    ]);
  });

  it('merges overlapping coverage from both ends of an edge', () => {
    const s1 = snapXY(g, 0, 0)!;
    const iv = reachedIntervals(g, walkFrom(g, [s1, snapXY(g, 300, 0)!], 160));
    // From x=0 edge 2 is covered to x = 160, from x=300 down to x = 140: overlap → whole edge.
    expect(iv.get(edge(g, 2))).toEqual([[0, 100]]);
  });
});
