/**
 * Nearest points by true (WGS84 ellipsoidal) geodesic distance, in memory: a KDBush index searched
 * with geokdbush's great-circle order, then re-ranked with GeographicLib's exact distances — the
 * same metric as PostGIS `ST_Distance(geography)`. Pure; built once per set of points.
 */
import KDBush from 'kdbush';
import { around, distance as greatCircleKm } from 'geokdbush';
import { geodesicDistanceM } from '../geo/measure.js';

/** Candidates beyond `limit` in the first pass of `nearest`. */
const EXTRA = 2;

export interface Located {
  lon: number;
  lat: number;
}

export class NearestIndex<T extends Located> {
  private readonly index: KDBush;

  constructor(readonly items: readonly T[]) {
    this.index = new KDBush(Math.max(1, items.length), 16); // small leaves: geokdbush queues every point of a visited leaf
    for (const it of items) this.index.add(it.lon, it.lat);
    if (items.length === 0) this.index.add(0, 0);
    this.index.finish();
  }

  /**
   * The `limit` nearest items accepted by `filter`, nearest first, with exact distances.
   * Great-circle and ellipsoidal distances differ by under 0.6 %, so every item whose great-circle
   * distance is within 1 % of the limit-th exact distance is re-ranked: the answer is exact.
   * @example index.nearest(121.6, 38.91, (s) => s.type === 'courier_station', 5)
   */
  nearest(lon: number, lat: number, filter: (item: T) => boolean, limit: number): { item: T; distanceM: number }[] {
    if (this.items.length === 0 || limit <= 0) return [];
    // The filter is asked once per item: both searches below visit the same leaves.
    const verdict = new Int8Array(this.items.length);
    const ok = (i: number) => {
      if (verdict[i] === 0) verdict[i] = filter(this.items[i]) ? 1 : -1;
      return verdict[i] === 1;
    };
    // One pass usually settles it: `limit + EXTRA` candidates by great-circle distance, exact
    // distances for the first `limit`. If the last candidate is farther, by great circle, than
    // 1.01 × the limit-th exact distance, no item left out can be nearer (the two metrics differ
    // by under 0.6 %); otherwise (crowded places, ties) a second pass takes everything in range.
    const first = around(this.index, lon, lat, limit + EXTRA, undefined, ok);
    if (first.length === 0) return [];
    // Exact distances are the costly part (GeographicLib): compute each item's once.
    const known = new Map<number, number>();
    const exact = (i: number) => {
      let d = known.get(i);
      if (d === undefined) known.set(i, (d = geodesicDistanceM(lon, lat, this.items[i].lon, this.items[i].lat)));
      return d;
    };
    let bound = 0;
    for (const i of first.slice(0, limit)) bound = Math.max(bound, exact(i));
    const reach = bound * 1.01;
    const greatCircleM = (i: number) => greatCircleKm(lon, lat, this.items[i].lon, this.items[i].lat) * 1000;
    const settled = first.length < limit + EXTRA || greatCircleM(first[first.length - 1]) > reach;
    const inRange = settled ? first.filter((i, k) => k < limit || greatCircleM(i) <= reach) : around(this.index, lon, lat, Infinity, reach / 1000 + 1e-6, ok);
    const all = inRange.map((i) => ({ i, distanceM: exact(i) }));
    // Equal distances (stations at one place) in the items' order, whatever the index layout.
    all.sort((a, b) => a.distanceM - b.distanceM || a.i - b.i);
    return all.slice(0, limit).map(({ i, distanceM }) => ({ item: this.items[i], distanceM }));
  }
}
