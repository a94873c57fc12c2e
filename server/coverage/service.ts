/**
 * The coverage service: keeps grids, stations and the walking graph in memory (loaded from the
 * database, reloaded when their fingerprints change) and answers coverage, gap, isochrone and
 * walking-nearest questions with the pure analysis code.
 *
 * Caching: one CoverageEngine per question (types, mode, limits, time of day), keyed by those
 * parameters. When stations change, only the changed rows are read again, only moved stations are
 * snapped to the streets again, and each cached engine gets the new pieces and recomputes only
 * the grids they touch; when grids change, engines rebase onto the changed grids; when the network
 * changes, engines are rebuilt.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { fingerprints, loadAnalysisGrids, loadAnalysisStations, loadNetwork, reloadAnalysisStations, type AnalysisGrid } from '../db/analysis.repository.js';
import type { StationRow } from '../db/stations.repository.js';
import { NearestIndex } from '../nearest/index.js';
import { nearestAlongStreets, type WalkHit, type WalkTarget } from '../nearest/walk.js';
import { listStationTypes } from '../db/stations.repository.js';
import { buildWalkGraph, intervalsToLines, isochrone, reachedIntervals, routeTo, snapPoint, walkFrom, type Snap, type WalkGraph } from '../network/graph.js';
import { CoverageEngine, PreparedGrids, addToUnit, bufferedLinePiece, circlePiece, emptyUnit, finishUnit, type CoverageGridInput, type GridCoverage, type Piece, type UnitCoverage } from './engine.js';
import { isOpenAt } from '../hours/index.js';

export interface WalkSettings {
  /** Walking speed, km/h (4.8 → 80 m/min → 1,200 m in 15 min). */
  walkSpeedKmh: number;
  /** E-bike speed for couriers, km/h. */
  ebikeSpeedKmh: number;
  /** Buffer around reached streets, metres (residents reach the street from their door). */
  bufferM: number;
  /** Farther than this from any street, a point cannot be placed on the network. */
  maxSnapM: number;
  timeZone: string;
  /**
   * How long the in-memory data may be reused without asking the database whether it changed
   * (ms). Writes through this process call invalidate(); this bounds the staleness after writes
   * by another process (a CLI import). 0 = check on every request.
   */
  maxStalenessMs?: number;
}

export interface CoverageQuery {
  types: string[];
  /** Override every type's own standard; undefined = each station under its type's standard. */
  mode?: 'radius' | 'walk';
  radiusM?: number;
  minutes?: number;
  /** Only stations open at this instant (and not temporarily closed). */
  openAt?: Date;
}

export interface GridResult extends GridCoverage {
  grid: AnalysisGrid;
}

export interface CoverageResult {
  key: string;
  grids: GridResult[];
  units: UnitCoverage[];
  stationsUsed: number;
  /** Stations too far from any street to place on the network (walk mode only). */
  stationsUnsnapped: string[];
  /** Grids recomputed for this answer (all on first computation, few after a station change, 0 from cache). */
  recomputedGrids: number;
  computeMs: number;
}

interface TypeStandard {
  code: string;
  coverage_mode: 'radius' | 'walk';
  coverage_radius_m: number;
  coverage_minutes: number;
}

interface Snapshot {
  fp: Awaited<ReturnType<typeof fingerprints>>;
  grids: AnalysisGrid[];
  stations: StationRow[];
  types: Map<string, TypeStandard>;
  graph: WalkGraph | null;
  /** Each station's place on the street graph (null: too far from any street); kept for stations that did not move. */
  stationSnaps: Map<number, Snap | null>;
  /** Areas, bboxes and index of the grids, shared by every engine. */
  prepared: PreparedGrids;
  /** The grids that changed since the previous snapshot (edits), so engines recompute only those. */
  gridDelta: { fromFp: string; changed: Set<number> } | null;
}

/** Stations by id, per loaded stations array (walking nearest). */
const stationsById = new WeakMap<readonly StationRow[], Map<number, StationRow>>();
type IndexedStation = StationRow & { lon: number; lat: number };
/** Stations for nearest-by-distance search, per loaded stations array (built on first use: a coverage question after a station move does not wait for it). */
const stationIndexes = new WeakMap<readonly StationRow[], NearestIndex<IndexedStation>>();

/**
 * What turning engine results into an answer needs, per loaded grids array: grids by id and the
 * units (community, street, district, city) with their grids in grid order — the same units, order
 * and sums as `rollup`, without building a key string per grid and level on every answer.
 */
interface AnswerPlan {
  byId: Map<number, AnalysisGrid>;
  units: { level: string; code: string; ids: number[] }[];
}
const answerPlans = new WeakMap<readonly AnalysisGrid[], AnswerPlan>();
function answerPlan(grids: readonly AnalysisGrid[]): AnswerPlan {
  let plan = answerPlans.get(grids);
  if (plan) return plan;
  const units = new Map<string, { level: string; code: string; ids: number[] }>();
  for (const g of grids) {
    for (const [level, code] of [['community', g.community_code], ['street', g.street_code], ['district', g.district_code], ['city', 'city']] as const) {
      const k = `${level}:${code}`;
      let u = units.get(k);
      if (!u) units.set(k, (u = { level, code, ids: [] }));
      u.ids.push(g.id);
    }
  }
  plan = { byId: new Map(grids.map((g) => [g.id, g])), units: [...units.values()] };
  answerPlans.set(grids, plan);
  return plan;
}

/** Unit sums of the grids that have a result (as {@link rollup}). */
function rollupByPlan(plan: AnswerPlan, results: ReadonlyMap<number, GridCoverage>): UnitCoverage[] {
  const out: UnitCoverage[] = [];
  for (const { level, code, ids } of plan.units) {
    const u = emptyUnit(level, code);
    for (const id of ids) {
      const c = results.get(id);
      if (c) addToUnit(u, c);
    }
    if (u.grids > 0) out.push(finishUnit(u));
  }
  return out;
}

/** Answer rows by engine result: a grid whose result and row did not change keeps its row object. */
const gridResults = new WeakMap<GridCoverage, GridResult>();

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

export class CoverageService {
  private snap: Snapshot | null = null;
  private loading: Promise<Snapshot> | null = null;
  private checkedAt = 0;
  private readonly engines = new Map<string, { engine: CoverageEngine; gridsFp: string; networkFp: string }>();
  /** One computation at a time per question: a second identical request waits for the first. */
  private readonly running = new Map<string, Promise<unknown>>();
  private static readonly MAX_ENGINES = 24;

  constructor(
    private readonly db: Kysely<Database>,
    readonly settings: WalkSettings,
  ) {}

  /** Forget that the data was recently checked: the next request compares fingerprints. */
  invalidate(): void {
    this.checkedAt = 0;
  }

  /** Current data, reloading only the parts whose fingerprint changed. */
  async data(): Promise<Snapshot> {
    if (this.snap && performance.now() - this.checkedAt < (this.settings.maxStalenessMs ?? 0)) return this.snap;
    if (this.loading) return this.loading;
    this.loading = this.refresh().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async refresh(): Promise<Snapshot> {
    const fp = await fingerprints(this.db);
    this.checkedAt = performance.now();
    const old = this.snap;
    if (old && old.fp.grids === fp.grids && old.fp.stations === fp.stations && old.fp.network === fp.network && old.fp.types === fp.types) return old;
    const sameTypes = old && old.fp.types === fp.types;
    const [grids, stations, types, network] = await Promise.all([
      old && old.fp.grids === fp.grids ? old.grids : loadAnalysisGrids(this.db),
      // Rows carry their type's names: a change of types reads every station again.
      old && old.fp.stations === fp.stations && sameTypes ? old.stations : old && sameTypes ? reloadAnalysisStations(this.db, old.stations).then((r) => r.stations) : loadAnalysisStations(this.db),
      old && sameTypes ? old.types : listStationTypes(this.db).then((t) => new Map(t.map((x) => [x.code, x as TypeStandard]))),
      old && old.fp.network === fp.network ? null : loadNetwork(this.db),
    ]);
    const graph = network ? (network.edges.length ? buildWalkGraph(network) : null) : old!.graph;
    const stationSnaps = this.snapStations(stations, graph, old && !network ? old : null);
    const sameGrids = old && old.fp.grids === fp.grids;
    const prepared = sameGrids ? old.prepared : new PreparedGrids(grids.map((g) => ({ id: g.id, polygon: g.polygon, population: g.population, version: g.version })), old?.prepared);
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
    this.snap = { fp, grids, stations, types, graph, stationSnaps, prepared, gridDelta };
    return this.snap;
  }

  /**
   * Every station's place on the graph. With `old` (same graph), a station at the same
   * coordinates keeps its snap; only new and moved stations are snapped again.
   */
  private snapStations(stations: readonly StationRow[], graph: WalkGraph | null, old: Snapshot | null): Map<number, Snap | null> {
    if (old && old.stations === stations) return old.stationSnaps;
    const before = old ? (stationsById.get(old.stations) ?? new Map(old.stations.map((s) => [s.id, s]))) : null;
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

  get walkMetresPerMinute(): number {
    return (this.settings.walkSpeedKmh * 1000) / 60;
  }

  /** The pieces (service areas) of the stations selected by `q`. */
  private pieces(d: Snapshot, q: CoverageQuery): { pieces: Piece[]; used: number; unsnapped: string[] } {
    const chosen = d.stations.filter(
      (s) => q.types.includes(s.type_code) && s.status === 'open' && (!q.openAt || isOpenAt(s.opening_hours, q.openAt, this.settings.timeZone) === true),
    );
    const pieces: Piece[] = [];
    const unsnapped: string[] = [];
    const walkGroups = new Map<number, Snap[]>();
    for (const s of chosen) {
      const std = d.types.get(s.type_code)!;
      const mode = q.mode ?? std.coverage_mode;
      const [lon, lat] = s.geometry.coordinates;
      if (mode === 'radius') {
        pieces.push(circlePiece(String(s.id), lon, lat, q.radiusM ?? std.coverage_radius_m));
        continue;
      }
      const snap = d.stationSnaps.get(s.id);
      if (!snap || !d.graph) {
        unsnapped.push(s.code);
        continue;
      }
      const limit = round((q.minutes ?? std.coverage_minutes) * this.walkMetresPerMinute, 3);
      const group = walkGroups.get(limit) ?? [];
      group.push(snap);
      walkGroups.set(limit, group);
    }
    // Stations sharing a walking limit are searched together (multi-source): their union of
    // reached street intervals is what covers residents.
    for (const [limit, snaps] of walkGroups) {
      const g = d.graph!;
      const intervals = reachedIntervals(g, walkFrom(g, snaps, limit));
      for (const [e, list] of intervals) {
        for (const [a, b] of list) {
          const [line] = intervalsToLines(g, new Map([[e, [[a, b]]]]));
          if (line.length < 2) continue;
          pieces.push(bufferedLinePiece(`w:${g.edgeIds[e]}:${a.toFixed(2)}-${b.toFixed(2)}:${this.settings.bufferM}`, line, this.settings.bufferM));
        }
      }
    }
    return { pieces, used: chosen.length - unsnapped.length, unsnapped };
  }

  async coverage(q: CoverageQuery): Promise<CoverageResult> {
    const key = JSON.stringify([[...q.types].sort(), q.mode ?? null, q.radiusM ?? null, q.minutes ?? null, q.openAt?.toISOString() ?? null, this.settings.bufferM, this.settings.walkSpeedKmh]);
    const before = this.running.get(key) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(() => this.computeCoverage(key, q));
    this.running.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.running.get(key) === mine) this.running.delete(key);
    }
  }

  private async computeCoverage(key: string, q: CoverageQuery): Promise<CoverageResult> {
    const t0 = performance.now();
    const d = await this.data();
    const { pieces, used, unsnapped } = this.pieces(d, q);
    let cached = this.engines.get(key);
    let recomputed: number;
    // Long computations (walk coverage of a whole city) yield to the event loop between slices,
    // so couriers' requests are still answered while a planner's question is computed.
    // After a grid edit, an engine one step behind moves onto the new grids recomputing only the
    // grids the edit touched; then the usual station diff.
    let rebased = 0;
    if (cached && cached.networkFp === d.fp.network && cached.gridsFp !== d.fp.grids && d.gridDelta?.fromFp === cached.gridsFp) {
      rebased = (await cached.engine.rebaseAsync(d.prepared, d.gridDelta.changed)).length;
      cached.gridsFp = d.fp.grids;
    }
    if (cached && cached.gridsFp === d.fp.grids && cached.networkFp === d.fp.network) {
      recomputed = rebased + (await cached.engine.updateAsync(pieces)).length;
      this.engines.delete(key); // re-insert: most recently used last
    } else {
      const engine = new CoverageEngine(d.prepared);
      await engine.setAllAsync(pieces);
      cached = { engine, gridsFp: d.fp.grids, networkFp: d.fp.network };
      recomputed = d.grids.length;
    }
    this.engines.set(key, cached);
    while (this.engines.size > CoverageService.MAX_ENGINES) this.engines.delete(this.engines.keys().next().value!);

    const plan = answerPlan(d.grids);
    const results = cached.engine.all();
    const grids = results.map((c) => {
      const grid = plan.byId.get(c.id)!;
      let row = gridResults.get(c);
      if (!row || row.grid !== grid) gridResults.set(c, (row = { ...c, grid }));
      return row;
    });
    const units = rollupByPlan(plan, new Map(results.map((c) => [c.id, c])));
    return { key, grids, units, stationsUsed: used, stationsUnsnapped: unsnapped, recomputedGrids: recomputed, computeMs: performance.now() - t0 };
  }

  /**
   * Coverage of polygons that are not (yet) grids — an edit's before and after — by the current
   * stations, under each type's own standard. Used by the edit impact preview.
   */
  async coverPolygons(grids: readonly CoverageGridInput[], types: string[]): Promise<Map<string, GridCoverage[]>> {
    const d = await this.data();
    const prepared = new PreparedGrids(grids);
    const out = new Map<string, GridCoverage[]>();
    for (const t of types) {
      const engine = new CoverageEngine(prepared);
      engine.setAll(this.cachedPieces(d, t));
      out.set(t, engine.all());
    }
    return out;
  }

  /** Service areas of one type under its own standard, kept while stations, network and types are unchanged (edit previews ask again and again). */
  private readonly piecesByType = new Map<string, { fp: string; pieces: Piece[] }>();
  private cachedPieces(d: Snapshot, type: string): Piece[] {
    const fp = `${d.fp.stations}|${d.fp.network}|${d.fp.types}`;
    const hit = this.piecesByType.get(type);
    if (hit && hit.fp === fp) return hit.pieces;
    const pieces = this.pieces(d, { types: [type] }).pieces;
    this.piecesByType.set(type, { fp, pieces });
    return pieces;
  }

  /** The walking area from any point. */
  async isochrone(lon: number, lat: number, minutes: number) {
    const d = await this.data();
    if (!d.graph) return null;
    const limit = minutes * this.walkMetresPerMinute;
    const iso = isochrone(d.graph, lon, lat, limit, this.settings.bufferM, this.settings.maxSnapM);
    return iso ? { ...iso, limitM: limit } : null;
  }

  async hasNetwork(): Promise<boolean> {
    return (await this.data()).graph !== null;
  }

  /**
   * The `limit` stations nearest to (lon, lat) by ellipsoidal geodesic distance that pass
   * `filter`, from memory (no database round trip).
   */
  async nearestStations(lon: number, lat: number, filter: (s: StationRow) => boolean, limit: number) {
    const { stations } = await this.data();
    let index = stationIndexes.get(stations);
    if (!index) stationIndexes.set(stations, (index = new NearestIndex(stations.map((s) => ({ ...s, lon: s.geometry.coordinates[0], lat: s.geometry.coordinates[1] })))));
    return index.nearest(lon, lat, filter, limit);
  }

  /** Station type codes (from the same cached data). */
  async stationTypeCodes(): Promise<string[]> {
    return [...(await this.data()).types.keys()].sort();
  }

  /**
   * Walking distance from (lon, lat) to each candidate station along the streets, nearest first
   * (the `limit` nearest, with their routes). The search widens (2 km, 8 km, 30 km) until `limit`
   * candidates are reached, and within a radius stops as soon as those are known.
   * @returns null when the point is too far from any street.
   */
  async walkingDistances(lon: number, lat: number, candidateIds: number[], limit: number) {
    const d = await this.data();
    const g = d.graph;
    if (!g) return null;
    const from = snapPoint(g, lon, lat, this.settings.maxSnapM);
    if (!from) return null;
    let byId = stationsById.get(d.stations);
    if (!byId) stationsById.set(d.stations, (byId = new Map(d.stations.map((s) => [s.id, s]))));
    const targets: WalkTarget[] = [];
    for (const id of candidateIds) {
      const s = byId.get(id);
      const snap = s ? d.stationSnaps.get(id) : null;
      if (s && snap) targets.push({ id, snap, lon: s.geometry.coordinates[0], lat: s.geometry.coordinates[1] });
    }
    let found: WalkHit[] = [];
    for (const radius of [2000, 8000, 30000]) {
      const r = nearestAlongStreets(g, { lon, lat }, from, targets, limit, radius);
      found = r.hits;
      if (r.reachable >= Math.min(limit, targets.length)) break;
    }
    return { from, results: found };
  }
}
