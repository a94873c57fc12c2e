import { describe, expect, it } from 'vitest';
import { checkDeclaredCrs, looksSwapped, median, PolylineIndex, type LonLat } from './sanity.js';
import { convertPosition } from './crs.js';

// Each point stands 5–15 m north of its own short east–west street; the streets are spread
// irregularly (a periodic lattice would fit any shift).
const offsetM = (k: number) => 5 + (k % 3) * 5;
const points: LonLat[] = Array.from({ length: 30 }, (_, k) => [121.59 + ((k * 37) % 101) * 0.0003, 38.9 + ((k * 53) % 97) * 0.0003]);
const lines: LonLat[][] = points.map((p, k) => {
  const y = p[1] - offsetM(k) / 110_574;
  return [
    [p[0] - 0.0004, y],
    [p[0] + 0.0004, y],
  ];
});
const net = new PolylineIndex(lines);

describe('sanity detectors', () => {
  it('distance to a polyline in metres', () => {
    const line = new PolylineIndex([
      [
        [121.6, 38.91],
        [121.61, 38.91],
      ],
    ]);
    expect(line.distanceM([121.605, 38.91 + 50 / 110_574], 1000)).toBeCloseTo(50, 0);
    expect(line.distanceM([121.61 + 30 / 86_647, 38.91], 1000)).toBeCloseTo(30, 0);
    expect(line.distanceM([121.605, 38.92], 300)).toBe(300);
    expect(new PolylineIndex([]).distanceM([0, 0], 300)).toBe(300);
  });

  it('swapped latitude/longitude', () => {
    const city = [121.5, 38.8, 121.7, 39.0] as const;
    expect(looksSwapped([38.91, 121.6], city)).toBe(true);
    expect(looksSwapped([121.6, 38.91], city)).toBe(false);
    expect(looksSwapped([116.4, 39.9], city)).toBe(false);
  });

  it('flags GCJ-02 points declared as WGS84, not the same points declared right', () => {
    const gcj = points.map((p) => convertPosition([p[0], p[1]], 'wgs84', 'gcj02') as unknown as LonLat);
    const wrong = checkDeclaredCrs(gcj, 'wgs84', net);
    expect(wrong.suspected).toBe('gcj02');
    expect(wrong.meanM.gcj02).toBeLessThan(11); // the points stand 5–15 m off (mean 10 m)
    const right = checkDeclaredCrs(gcj, 'gcj02', net);
    expect(right.suspected).toBeNull();
    expect(checkDeclaredCrs(points, 'wgs84', net).suspected).toBeNull();
    expect(wrong.verdict).toBe('suspected');
    expect(right.verdict).toBe('fits');
    // Four points are enough when each sits by a street only in the other reading …
    const four = checkDeclaredCrs(gcj.slice(0, 4), 'wgs84', net);
    expect(four.suspected).toBe('gcj02');
    expect(four.log10Ratio).toBeGreaterThanOrEqual(3);
    // … two are not: no verdict either way, and it says so.
    const two = checkDeclaredCrs(gcj.slice(0, 2), 'wgs84', net);
    expect([two.suspected, two.verdict]).toEqual([null, 'not_enough_evidence']);
  });

  it('says "not enough evidence" where every reading lands near a street', () => {
    // A lattice of streets every 20 m: any point is within 10 m of one, whatever the system.
    const dense: LonLat[][] = [];
    for (let k = 0; k <= 200; k++) {
      dense.push([
        [121.58, 38.89 + (k * 20) / 110_574],
        [121.63, 38.89 + (k * 20) / 110_574],
      ]);
      dense.push([
        [121.58 + (k * 20) / 86_700, 38.89],
        [121.58 + (k * 20) / 86_700, 38.93],
      ]);
    }
    const gcj = points.slice(0, 10).map((p) => convertPosition([p[0], p[1]], 'wgs84', 'gcj02') as unknown as LonLat);
    const c = checkDeclaredCrs(gcj, 'wgs84', new PolylineIndex(dense));
    expect([c.suspected, c.verdict]).toEqual([null, 'not_enough_evidence']);
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
