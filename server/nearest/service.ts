/**
 * Nearest stations over the in-memory city: by straight-line geodesic distance (KDBush index of the
 * snapshot's stations) and by walking distance along the streets (bounded Dijkstra that stops as
 * soon as the answer is known).
 */
import type { StationRow } from '../db/stations.repository.js';
import type { CityStore } from '../city/store.js';
import { derived } from '../city/snapshot.js';
import { snapPoint } from '../network/snap.js';
import { NearestIndex } from './index.js';
import { nearestAlongStreets, type WalkHit, type WalkTarget } from './walk.js';

type IndexedStation = StationRow & { lon: number; lat: number };

/** Runs {@link nearestAlongStreets} somewhere else (the worker pool). */
export type WalkNearestRunner = (...args: Parameters<typeof nearestAlongStreets>) => Promise<ReturnType<typeof nearestAlongStreets>>;

/** The first search radius, run here: bounded and a few milliseconds on a city graph. Wider ones go to the runner. */
const RADII = [2000, 8000, 30000];

export class NearestService {
  constructor(
    readonly city: CityStore,
    private readonly settings: { maxSnapM: number },
    private readonly walkRunner?: WalkNearestRunner,
  ) {}

  /**
   * The `limit` stations nearest to (lon, lat) by ellipsoidal geodesic distance that pass
   * `filter`, from memory (no database round trip).
   */
  async nearestStations(lon: number, lat: number, filter: (s: StationRow) => boolean, limit: number) {
    const { stations } = await this.city.snapshot();
    // Built on first use: a coverage question after a station move does not wait for it.
    const index = derived(
      stations,
      'nearestIndex',
      () => new NearestIndex<IndexedStation>(stations.map((s) => ({ ...s, lon: s.geometry.coordinates[0], lat: s.geometry.coordinates[1] }))),
    );
    return index.nearest(lon, lat, filter, limit);
  }

  /**
   * Walking distance from (lon, lat) to each candidate station along the streets, nearest first
   * (the `limit` nearest, with their routes). The search widens (2 km, 8 km, 30 km) until `limit`
   * candidates are reached, and within a radius stops as soon as those are known. The first radius
   * is searched here; the wider ones (up to the whole city) on the worker pool when there is one.
   * @returns null when the point is too far from any street.
   */
  async walkingDistances(lon: number, lat: number, candidateIds: number[], limit: number) {
    const d = await this.city.snapshot();
    const g = d.graph;
    if (!g) return null;
    const from = snapPoint(g, lon, lat, this.settings.maxSnapM);
    if (!from) return null;
    const stations = d.stations;
    const byId = derived(stations, 'byId', () => new Map(stations.map((s) => [s.id, s])));
    const targets: WalkTarget[] = [];
    for (const id of candidateIds) {
      const s = byId.get(id);
      const snap = s ? d.stationSnaps.get(id) : null;
      if (s && snap) targets.push({ id, snap, lon: s.geometry.coordinates[0], lat: s.geometry.coordinates[1] });
    }
    let found: WalkHit[] = [];
    for (const radius of RADII) {
      const args = [g, { lon, lat }, from, targets, limit, radius] as const;
      const r = radius > RADII[0]! && this.walkRunner ? await this.walkRunner(...args) : nearestAlongStreets(...args);
      found = r.hits;
      if (r.reachable >= Math.min(limit, targets.length)) break;
    }
    return { from, results: found };
  }
}
