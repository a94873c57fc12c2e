import { describe, expect, it } from 'vitest';
import type { Polygon, Position } from 'geojson';
import { signedArea2 } from './geometry.js';
import { isRfc7946, ringDefects, rewindRfc7946, snapCoordinate, snapToGrid, withoutRingDefects } from './polygons.js';

const square = (x0: number, y0: number, d: number, ccw = true): Position[] => {
  const r: Position[] = [
    [x0, y0],
    [x0 + d, y0],
    [x0 + d, y0 + d],
    [x0, y0 + d],
  ];
  const ring = ccw ? r : [r[0], r[3], r[2], r[1]];
  return [...ring, ring[0]];
};

describe('the storage grid', () => {
  it('puts coordinates on multiples of 1e-9 that 9 decimals print and parse back exactly', () => {
    for (const v of [121.123456789012, 38.9999999995, -0.0000000004, 179.9999999996, 121.6]) {
      const s = snapCoordinate(v);
      expect(Math.abs(s - v)).toBeLessThanOrEqual(5e-10 + 1e-13); // half a grid step (and the doubles' spacing near 180)
      expect(Number(s.toFixed(9))).toBe(s);
      expect(snapCoordinate(s)).toBe(s);
    }
  });

  it('snaps every ring of a polygon', () => {
    const p: Polygon = { type: 'Polygon', coordinates: [square(121.60000000012, 38.9000000004, 0.001)] };
    const s = snapToGrid(p);
    for (const q of s.coordinates[0]) for (const v of q) expect(Number(v.toFixed(9))).toBe(v);
  });
});

describe('RFC 7946 winding', () => {
  it('turns a clockwise exterior and a counter-clockwise hole around, keeping the first position', () => {
    const p: Polygon = { type: 'Polygon', coordinates: [square(0, 0, 10, false), square(2, 2, 1, true)] };
    expect(isRfc7946(p)).toBe(false);
    const r = rewindRfc7946(p);
    expect(signedArea2(r.coordinates[0])).toBeGreaterThan(0);
    expect(signedArea2(r.coordinates[1])).toBeLessThan(0);
    expect(r.coordinates[0][0]).toEqual(p.coordinates[0][0]);
    expect(isRfc7946(r)).toBe(true);
    expect(rewindRfc7946(r)).toEqual(r);
  });
});

describe('ring defects', () => {
  it('finds repeated points and spikes, and removes them', () => {
    const ring: Position[] = [
      [0, 0],
      [10, 0],
      [10, 0],
      [10, 10],
      [5, 10],
      [5, 20], // spike tip: out and straight back
      [5, 10],
      [0, 10],
      [0, 0],
    ];
    const d = ringDefects(ring);
    expect(d.duplicates).toEqual([[10, 0]]);
    expect(d.spikes).toEqual([[5, 20]]);
    expect(withoutRingDefects(ring)).toEqual([
      [0, 0],
      [10, 0],
      [10, 10],
      [5, 10],
      [0, 10],
      [0, 0],
    ]);
  });

  it('does not call a sharp but honest corner a spike', () => {
    // 5° at the tip (1e-3° long, ±tan 2.5° wide, at the equator): a narrow wedge, not a spike (threshold 0.5°).
    const w = Math.tan((2.5 * Math.PI) / 180) * 1e-3;
    const ring: Position[] = [
      [0, w],
      [0, -w],
      [1e-3, 0],
      [0, w],
    ];
    expect(ringDefects(ring).spikes).toEqual([]);
    expect(ringDefects(square(0, 0, 1)).spikes).toEqual([]);
    expect(ringDefects(square(0, 0, 1)).duplicates).toEqual([]);
  });
});
