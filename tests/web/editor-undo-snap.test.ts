/** The editor's undo stack and snapping (pure: the projection is a function we pass). */
import { describe, expect, it } from 'vitest';
import type { Position } from 'geojson';
import { UndoStack } from '../../web/src/editor/undo.js';
import { ringBbox, ringsNear, snapToRings } from '../../web/src/editor/snap.js';

describe('UndoStack', () => {
  it('undoes and redoes, and a new edit after undo drops the redo branch', () => {
    const s = new UndoStack<string>();
    expect(s.canUndo).toBe(false);
    s.reset('a');
    expect(s.current).toBe('a');
    expect(s.canUndo).toBe(false);
    s.push('b');
    s.push('c');
    expect(s.depth).toBe(2);
    expect(s.undo()).toBe('b');
    expect(s.undo()).toBe('a');
    expect(s.undo()).toBeUndefined();
    expect(s.canRedo).toBe(true);
    expect(s.redo()).toBe('b');
    s.push('d');
    expect(s.canRedo).toBe(false);
    expect(s.redo()).toBeUndefined();
    expect(s.undo()).toBe('b');
    expect(s.current).toBe('b');
  });

  it('keeps at most `max` states', () => {
    const s = new UndoStack<number>(3);
    s.reset(0);
    for (let i = 1; i <= 5; i++) s.push(i);
    expect(s.undo()).toBe(4);
    expect(s.undo()).toBe(3);
    expect(s.undo()).toBeUndefined();
  });

  it('clear forgets everything', () => {
    const s = new UndoStack<number>();
    s.reset(1);
    s.push(2);
    s.clear();
    expect(s.current).toBeUndefined();
    expect(s.canUndo || s.canRedo).toBe(false);
  });
});

describe('snapToRings', () => {
  // 1 unit of lon/lat = 100 px, y down.
  const project = (p: Position) => ({ x: p[0] * 100, y: -p[1] * 100 });
  const ring: Position[] = [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
    [0, 0],
  ];

  it('prefers a vertex within tolerance over a nearer edge', () => {
    const r = snapToRings({ x: 96, y: -4 }, [ring], project, 10);
    expect(r).toMatchObject({ kind: 'vertex', position: [1, 0] });
  });

  it('snaps to the nearest point of an edge', () => {
    const r = snapToRings({ x: 50, y: -3 }, [ring], project, 10)!;
    expect(r.kind).toBe('edge');
    expect(r.position[0]).toBeCloseTo(0.5, 9);
    expect(r.position[1]).toBeCloseTo(0, 9);
    expect(r.distancePx).toBeCloseTo(3, 9);
  });

  it('nothing within tolerance → undefined', () => {
    expect(snapToRings({ x: 50, y: -50 }, [ring], project, 10)).toBeUndefined();
  });

  it('picks the closest vertex among several rings', () => {
    const other = ring.map((p) => [p[0] + 1.05, p[1]]);
    expect(snapToRings({ x: 104, y: 0 }, [ring, other], project, 10)!.position).toEqual([1.05, 0]);
  });

  it('ringsNear filters by bbox', () => {
    const rs = [
      { ring, bbox: ringBbox(ring) },
      { ring: ring.map((p) => [p[0] + 10, p[1]]), bbox: ringBbox(ring.map((p) => [p[0] + 10, p[1]])) },
    ];
    expect(ringsNear(rs, [0.5, 0.5], 0.1)).toHaveLength(1);
    expect(ringsNear(rs, [5, 0.5], 0.1)).toHaveLength(0);
  });
});
