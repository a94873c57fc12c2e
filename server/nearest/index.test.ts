import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { geodesicDistanceM } from '../geo/measure.js';
import { NearestIndex } from './index.js';

describe('NearestIndex', () => {
  const pts = Array.from({ length: 300 }, (_, i) => ({
    id: i,
    lon: 121.5 + ((i * 7919) % 1000) / 5000,
    lat: 38.85 + ((i * 104729) % 1000) / 8000,
    kind: i % 3,
  }));
  const index = new NearestIndex(pts);

  it('returns the exact nearest by ellipsoidal distance, filtered, nearest first (property: equals brute force)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 121.45, max: 121.75, noNaN: true }),
        fc.double({ min: 38.8, max: 39.0, noNaN: true }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 2 }),
        (lon, lat, limit, kind) => {
          const got = index.nearest(lon, lat, (p) => p.kind === kind, limit);
          const brute = pts
            .filter((p) => p.kind === kind)
            .map((p) => ({ id: p.id, d: geodesicDistanceM(lon, lat, p.lon, p.lat) }))
            .sort((a, b) => a.d - b.d)
            .slice(0, limit);
          expect(got.map((g) => g.distanceM)).toEqual(brute.map((b) => b.d));
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it('is exact where many items share a place (crowded candidates take the second pass)', () => {
    // 40 places, each holding 5 items: the first pass (limit + 2) often ends inside a crowd.
    const crowded = Array.from({ length: 200 }, (_, i) => ({
      id: i,
      lon: 121.5 + (((i % 40) * 7919) % 1000) / 5000,
      lat: 38.85 + (((i % 40) * 104729) % 1000) / 8000,
    }));
    const crowdIndex = new NearestIndex(crowded);
    fc.assert(
      fc.property(
        fc.double({ min: 121.45, max: 121.75, noNaN: true }),
        fc.double({ min: 38.8, max: 39.0, noNaN: true }),
        fc.integer({ min: 1, max: 12 }),
        (lon, lat, limit) => {
          const got = crowdIndex.nearest(lon, lat, () => true, limit);
          const brute = crowded
            .map((p, i) => ({ i, d: geodesicDistanceM(lon, lat, p.lon, p.lat) }))
            .sort((a, b) => a.d - b.d || a.i - b.i)
            .slice(0, limit);
          expect(got.map((g) => [g.item.id, g.distanceM])).toEqual(brute.map((b) => [b.i, b.d]));
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });

  it('handles no match and an empty index', () => {
    expect(index.nearest(121.6, 38.9, () => false, 5)).toEqual([]);
    expect(new NearestIndex([]).nearest(121.6, 38.9, () => true, 5)).toEqual([]);
  });
});

describe('NearestIndex ties', () => {
  it('returns stations at the same place in the order of the items', () => {
    const pts = [
      ...Array.from({ length: 200 }, (_, i) => ({ id: 100 + i, lon: 121.5 + ((i * 7919) % 1000) / 5000, lat: 38.85 + ((i * 104729) % 1000) / 8000 })),
      ...[5, 3, 9, 1].map((id) => ({ id, lon: 121.6, lat: 38.9 })),
    ];
    const got = new NearestIndex(pts).nearest(121.6001, 38.9001, () => true, 4);
    expect(got.map((g) => g.item.id)).toEqual([5, 3, 9, 1]);
  });
});
