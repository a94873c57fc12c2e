/**
 * The in-memory city: grids, stations, station types and the walking graph, loaded from the
 * database and handed out as immutable snapshots. Every analysis (coverage, nearest, locate,
 * isochrones) takes a snapshot as its input.
 *
 * Freshness: a snapshot is reused for `maxStalenessMs`; after that the next request compares cheap
 * fingerprints of the tables and reloads only the parts that changed. Writes through this process
 * call invalidate(). When stations change, only the changed rows are read again and only moved
 * stations are snapped to the streets again; when grids change, the snapshot records which grids
 * changed (so coverage engines recompute only those); a network change rebuilds the graph.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { fingerprints, loadAnalysisGrids, loadAnalysisStations, loadNetwork, reloadAnalysisStations } from '../db/analysis.repository.js';
import { listStationTypes, type StationRow } from '../db/stations.repository.js';
import { buildWalkGraph, type WalkGraph } from '../network/graph.js';
import { snapPoint, type Snap } from '../network/snap.js';
import { PreparedGrids } from '../coverage/engine.js';
import type { CitySettings, CitySnapshot, TypeStandard } from './snapshot.js';

export type { CitySettings, CitySnapshot, TypeStandard } from './snapshot.js';

export class CityStore {
  private snap: CitySnapshot | null = null;
  private loading: Promise<CitySnapshot> | null = null;
  private checkedAt = 0;
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    readonly settings: CitySettings,
  ) {}

  /** Forget that the data was recently checked: the next request compares fingerprints. */
  invalidate(): void {
    this.checkedAt = 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Has a snapshot been loaded (readiness, /api/ready)? */
  get isLoaded(): boolean {
    return this.snap !== null;
  }

  /** After close(), no new load starts (a background warm-up must not query a closed database). */
  close(): void {
    this.closed = true;
  }

  /** The current snapshot, reloading only the parts whose fingerprint changed. */
  async snapshot(): Promise<CitySnapshot> {
    if (this.snap && performance.now() - this.checkedAt < (this.settings.maxStalenessMs ?? 0)) return this.snap;
    if (this.loading) return this.loading;
    if (this.closed) {
      if (this.snap) return this.snap;
      throw new Error('the city store is closed');
    }
    this.loading = this.refresh().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** Station type codes, sorted (from the same snapshot). */
  async stationTypeCodes(): Promise<string[]> {
    return [...(await this.snapshot()).types.keys()].sort();
  }

  async hasNetwork(): Promise<boolean> {
    return (await this.snapshot()).graph !== null;
  }

  private async refresh(): Promise<CitySnapshot> {
    const fp = await fingerprints(this.db);
    this.checkedAt = performance.now();
    const old = this.snap;
    if (old && old.fp.grids === fp.grids && old.fp.stations === fp.stations && old.fp.network === fp.network && old.fp.types === fp.types) return old;
    const sameTypes = old && old.fp.types === fp.types;
    const [grids, stations, types, network] = await Promise.all([
      old && old.fp.grids === fp.grids ? old.grids : loadAnalysisGrids(this.db),
      // Rows carry their type's names: a change of types reads every station again.
      old && old.fp.stations === fp.stations && sameTypes
        ? old.stations
        : old && sameTypes
          ? reloadAnalysisStations(this.db, old.stations).then((r) => r.stations)
          : loadAnalysisStations(this.db),
      old && sameTypes ? old.types : listStationTypes(this.db).then((t) => new Map(t.map((x) => [x.code, x as TypeStandard]))),
      old && old.fp.network === fp.network ? null : loadNetwork(this.db),
    ]);
    const graph = network ? (network.edges.length ? buildWalkGraph(network) : null) : old!.graph;
    const stationSnaps = this.snapStations(stations, graph, old && !network ? old : null);
    const sameGrids = old && old.fp.grids === fp.grids;
    const prepared = sameGrids
      ? old.prepared
      : new PreparedGrids(
          grids.map((g) => ({ id: g.id, polygon: g.polygon, population: g.population, version: g.version })),
          old?.prepared,
        );
    let gridDelta = sameGrids ? old.gridDelta : null;
    if (old && !sameGrids) {
      // Which grids an edit touched: new, removed, or with another version or population.
      const before = new Map(old.grids.map((g) => [g.id, g]));
      const changed = new Set<number>();
      for (const g of grids) {
        const b = before.get(g.id);
        if (!b || b.version !== g.version || b.population !== g.population) changed.add(g.id);
        before.delete(g.id);
      }
      for (const id of before.keys()) changed.add(id);
      gridDelta = { fromFp: old.fp.grids, changed };
    }
    this.snap = Object.freeze({ fp, grids, stations, types, graph, stationSnaps, prepared, gridDelta });
    return this.snap;
  }

  /**
   * Every station's place on the graph. With `old` (same graph), a station at the same
   * coordinates keeps its snap; only new and moved stations are snapped again.
   */
  private snapStations(stations: readonly StationRow[], graph: WalkGraph | null, old: CitySnapshot | null): ReadonlyMap<number, Snap | null> {
    if (old && old.stations === stations) return old.stationSnaps;
    const before = old ? new Map(old.stations.map((s) => [s.id, s])) : null;
    const snaps = new Map<number, Snap | null>();
    for (const s of stations) {
      const [lon, lat] = s.geometry.coordinates;
      const prev = before?.get(s.id);
      if (prev && (prev === s || (prev.geometry.coordinates[0] === lon && prev.geometry.coordinates[1] === lat)) && old!.stationSnaps.has(s.id)) {
        snaps.set(s.id, old!.stationSnaps.get(s.id)!);
        continue;
      }
      snaps.set(s.id, graph ? snapPoint(graph, lon, lat, this.settings.maxSnapM) : null);
    }
    return snaps;
  }
}
