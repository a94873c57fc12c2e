/**
 * Coverage over the in-memory city: which part of each grid (and of its residents) lies within
 * some station's service area, with roll-ups to community, street, district and city.
 *
 * Caching: one CoverageEngine per question (types, mode, limits, time of day), keyed by those
 * parameters. When stations change, each cached engine gets the new pieces and recomputes only
 * the grids they touch; when grids change, engines rebase onto the changed grids; when the network
 * changes, engines are rebuilt. The per-grid clipping runs on the worker pool when one is given.
 */
import type { AnalysisGrid } from '../db/analysis.repository.js';
import type { CityStore } from '../city/store.js';
import { derived, type CitySnapshot } from '../city/snapshot.js';
import { limitM } from '../network/present.js';
import type { Snap } from '../network/snap.js';
import { isOpenAt } from '../hours/index.js';
import { slicer } from '../compute/slices.js';
import { CoverageEngine, PreparedGrids, type CoverageGridInput, type GridCoverage, type GridRunner } from './engine.js';
import type { PieceSet } from './piece-set.js';
import { serviceAreaSteps, type ServiceAreaRequest, type ServiceAreaRunner } from './service-areas.js';
import { planUnits, rollupByPlan, type UnitCoverage } from './rollup.js';
import { coverAll } from './combine.js';
import { bboxOfLines } from '../geo/bbox.js';

export interface CoverageSettings {
  /** Walking speed, km/h (4.8 → 80 m/min → 1,200 m in 15 min). */
  walkSpeedKmh: number;
  /** Buffer around reached streets, metres (residents reach the street from their door). */
  bufferM: number;
  timeZone: string;
}

export interface CoverageQuery {
  types: string[];
  /** Override every type's own standard; undefined = each station under its type's standard. */
  mode?: 'radius' | 'walk';
  radiusM?: number;
  minutes?: number;
  /** Only stations open at this instant (and not temporarily closed). */
  openAt?: Date;
  /**
   * With several types: 'any' (任一类型, default) = covered by at least one of them; 'all'
   * (全部齐全) = covered by every one of them (combine.ts). One type: both are the same.
   */
  combine?: 'any' | 'all';
}

export interface GridResult extends GridCoverage {
  grid: AnalysisGrid;
}

/** The standard a type's stations are measured by in one answer (the 覆盖口径). */
export interface StandardInUse {
  type: string;
  mode: 'radius' | 'walk';
  radiusM: number;
  minutes: number;
  walkSpeedKmh: number;
  /** Walking distance: minutes × speed. */
  limitM: number;
  bufferM: number;
}

/** One chosen type's own coverage (the same grids, that type's stations only). */
export interface TypeCoverage {
  type: string;
  /** Per grid id. */
  grids: ReadonlyMap<number, GridCoverage>;
  units: UnitCoverage[];
}

export interface CoverageResult {
  key: string;
  /** The chosen types, sorted, and how they were combined. */
  types: string[];
  combine: 'any' | 'all';
  /** Each chosen type's own coverage, in `types` order (for "which type is missing here"). */
  byType: TypeCoverage[];
  /** Per chosen type (in `types` order), the standard in use. */
  standards: StandardInUse[];
  grids: GridResult[];
  units: UnitCoverage[];
  stationsUsed: number;
  /** Stations too far from any street to place on the network (walk mode only). */
  stationsUnsnapped: string[];
  /** Grids recomputed for this answer (all on first computation, few after a station change, 0 from cache). */
  recomputedGrids: number;
  computeMs: number;
}

/** One engine's answer; `results` are the engine's own objects (the same object while a grid's result is unchanged). */
type SingleResult = Omit<CoverageResult, 'types' | 'combine' | 'byType' | 'standards'> & { results: GridCoverage[]; gridsFp: string };

/** Answer rows by engine result: a grid whose result and row did not change keeps its row object. */
const gridResults = new WeakMap<GridCoverage, GridResult>();

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

export class CoverageService {
  private readonly engines = new Map<string, { engine: CoverageEngine; gridsFp: string; networkFp: string }>();
  /** One computation at a time per question: a second identical request waits for the first. */
  private readonly running = new Map<string, Promise<unknown>>();
  private static readonly MAX_ENGINES = 24;

  /**
   * @param runners compute service areas and grids off the event loop (the worker pool); without
   *   them, the work is done here in slices that yield to the event loop.
   */
  constructor(
    readonly city: CityStore,
    readonly settings: CoverageSettings,
    private readonly runners: { grids?: GridRunner; serviceAreas?: ServiceAreaRunner } = {},
  ) {}

  /**
   * The pieces (service areas) of the stations selected by `q`. A city's walk coverage makes
   * ~10⁵ street stretches: on the pool's thread when there is one, else here in slices.
   */
  private async pieces(d: CitySnapshot, q: CoverageQuery): Promise<{ pieces: PieceSet; used: number; unsnapped: string[] }> {
    const chosen = d.stations.filter(
      (s) => q.types.includes(s.type_code) && s.status === 'open' && (!q.openAt || isOpenAt(s.opening_hours, q.openAt, this.settings.timeZone) === true),
    );
    const request: ServiceAreaRequest = { circles: [], walks: [], bufferM: this.settings.bufferM };
    const unsnapped: string[] = [];
    const walkGroups = new Map<number, Snap[]>();
    for (const s of chosen) {
      const std = d.types.get(s.type_code)!;
      const mode = q.mode ?? std.coverage_mode;
      const [lon, lat] = s.geometry.coordinates;
      if (mode === 'radius') {
        request.circles.push({ lon: lon!, lat: lat!, radiusM: q.radiusM ?? std.coverage_radius_m });
        continue;
      }
      const snap = d.stationSnaps.get(s.id);
      if (!snap || !d.graph) {
        unsnapped.push(s.code);
        continue;
      }
      const limit = round(limitM({ minutes: q.minutes ?? std.coverage_minutes, walkSpeedKmh: this.settings.walkSpeedKmh }), 3);
      const group = walkGroups.get(limit) ?? [];
      group.push(snap);
      walkGroups.set(limit, group);
    }
    for (const [limit, snaps] of walkGroups) request.walks.push({ limitM: limit, snaps });
    const graph = request.walks.length ? d.graph : null;
    let pieces: PieceSet;
    if (this.runners.serviceAreas && request.walks.length) pieces = await this.runners.serviceAreas(graph, request);
    else {
      const pause = slicer(10);
      const steps = serviceAreaSteps(graph, request);
      for (let r = steps.next(); ; r = steps.next()) {
        if (r.done) {
          pieces = r.value;
          break;
        }
        await pause();
      }
    }
    return { pieces, used: chosen.length - unsnapped.length, unsnapped };
  }

  /**
   * Coverage of the chosen types combined as `q.combine` says, with each type's own coverage.
   * Every part is a cached engine (one per type, and the types together for 'any'); 'all' is
   * combined per grid from the types' results and kept while those results are the same objects.
   */
  async coverage(q: CoverageQuery): Promise<CoverageResult> {
    const types = [...new Set(q.types)].sort();
    const combine = q.combine ?? 'any';
    const one = (t: string[]) => this.single({ ...q, types: t, combine: undefined });
    let perType: SingleResult[] = [];
    // Every type's answer over the same grids (an edit landing between two of them: ask again).
    for (let attempt = 0; attempt < 3; attempt++) {
      perType = [];
      for (const t of types) perType.push(await one([t]));
      if (perType.every((r) => r.gridsFp === perType[0]!.gridsFp)) break;
    }
    if (!perType.every((r) => r.gridsFp === perType[0]!.gridsFp)) throw new Error('grids changed during a coverage computation');
    const d = await this.city.snapshot();
    const plan = derived(d.grids, 'unitPlan', () => planUnits(d.grids));
    const byType: TypeCoverage[] = perType.map((r, i) => ({
      type: types[i]!,
      grids: derived(r.results, 'byId', () => new Map(r.results.map((c) => [c.id, c]))),
      units: r.units,
    }));
    const sum = (f: (r: SingleResult) => number) => perType.reduce((s, r) => s + f(r), 0);
    const { walkSpeedKmh, bufferM } = this.settings;
    const standards = types.map((type): StandardInUse => {
      const std = d.types.get(type);
      const mode = q.mode ?? std?.coverage_mode ?? 'radius';
      const minutes = q.minutes ?? std?.coverage_minutes ?? 15;
      return {
        type,
        mode,
        radiusM: q.radiusM ?? std?.coverage_radius_m ?? 1000,
        minutes,
        walkSpeedKmh,
        limitM: round(limitM({ minutes, walkSpeedKmh }), 1),
        bufferM,
      };
    });
    const common = {
      types,
      combine,
      byType,
      standards,
      stationsUsed: sum((r) => r.stationsUsed),
      stationsUnsnapped: perType.flatMap((r) => r.stationsUnsnapped),
    };
    const key = JSON.stringify([this.keyOf({ ...q, types }), combine]);
    if (types.length === 1) return { ...perType[0]!, ...common, key };
    if (combine === 'any') {
      const r = await one(types);
      // Grids recomputed: each engine recomputes the same grids after an edit; count them once.
      const recomputedGrids = Math.max(r.recomputedGrids, ...perType.map((x) => x.recomputedGrids));
      return { ...r, ...common, key, recomputedGrids, computeMs: r.computeMs + sum((x) => x.computeMs) };
    }
    const t0 = performance.now();
    const grids = await this.allOf(key, perType, byType);
    const units = rollupByPlan(plan, new Map(grids.map((g) => [g.id, g])));
    return {
      ...common,
      key,
      grids,
      units,
      recomputedGrids: Math.max(...perType.map((x) => x.recomputedGrids)),
      computeMs: performance.now() - t0 + sum((x) => x.computeMs),
    };
  }

  /** 'all' rows per query: a grid keeps its row while every type's result for it is the same object. */
  private readonly allRows = new Map<string, Map<number, { inputs: GridCoverage[]; row: GridResult }>>();
  private async allOf(key: string, perType: SingleResult[], byType: TypeCoverage[]): Promise<GridResult[]> {
    let cache = this.allRows.get(key);
    this.allRows.delete(key);
    if (!cache) cache = new Map();
    this.allRows.set(key, cache);
    while (this.allRows.size > CoverageService.MAX_ENGINES) this.allRows.delete(this.allRows.keys().next().value!);
    const pause = slicer(10);
    const rows: GridResult[] = [];
    for (const base of perType[0]!.grids) {
      const inputs = byType.map((t) => t.grids.get(base.id)!);
      const hit = cache.get(base.id);
      if (hit && hit.row.grid === base.grid && hit.inputs.every((c, i) => c === inputs[i])) {
        rows.push(hit.row);
        continue;
      }
      const row = {
        ...coverAll(
          inputs,
          derived(base.grid, 'bbox', () => bboxOfLines(base.grid.polygon.coordinates)),
        ),
        grid: base.grid,
      };
      cache.set(base.id, { inputs, row });
      rows.push(row);
      await pause();
    }
    if (cache.size > rows.length) {
      const live = new Set(rows.map((r) => r.id));
      for (const id of [...cache.keys()]) if (!live.has(id)) cache.delete(id);
    }
    return rows;
  }

  /** The cache key of one engine's question. */
  private keyOf(q: CoverageQuery): string {
    return JSON.stringify([
      [...q.types].sort(),
      q.mode ?? null,
      q.radiusM ?? null,
      q.minutes ?? null,
      q.openAt?.toISOString() ?? null,
      this.settings.bufferM,
      this.settings.walkSpeedKmh,
    ]);
  }

  /** One engine's answer: the chosen types' stations together (covered by any of them). */
  private async single(q: CoverageQuery): Promise<SingleResult> {
    const key = this.keyOf(q);
    const before = this.running.get(key) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(() => this.computeCoverage(key, q));
    this.running.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.running.get(key) === mine) this.running.delete(key);
    }
  }

  private async computeCoverage(key: string, q: CoverageQuery): Promise<SingleResult> {
    const t0 = performance.now();
    const d = await this.city.snapshot();
    const { pieces, used, unsnapped } = await this.pieces(d, q);
    let cached = this.engines.get(key);
    let recomputed: number;
    // After a grid edit, an engine one step behind moves onto the new grids recomputing only the
    // grids the edit touched; then the usual station diff.
    let rebased = 0;
    if (cached && !cached.engine.complete) {
      // An earlier computation failed half-way (the pool was saturated): start again.
      this.engines.delete(key);
      cached = undefined;
    }
    if (cached && cached.networkFp === d.fp.network && cached.gridsFp !== d.fp.grids && d.gridDelta?.fromFp === cached.gridsFp) {
      rebased = (await cached.engine.rebaseAsync(d.prepared, d.gridDelta.changed)).length;
      cached.gridsFp = d.fp.grids;
    }
    if (cached && cached.gridsFp === d.fp.grids && cached.networkFp === d.fp.network) {
      recomputed = rebased + (await cached.engine.updateAsync(pieces)).length;
      this.engines.delete(key); // re-insert: most recently used last
    } else {
      const engine = new CoverageEngine(d.prepared, {}, this.runners.grids);
      await engine.setAllAsync(pieces);
      cached = { engine, gridsFp: d.fp.grids, networkFp: d.fp.network };
      recomputed = d.grids.length;
    }
    this.engines.set(key, cached);
    while (this.engines.size > CoverageService.MAX_ENGINES) this.engines.delete(this.engines.keys().next().value!);

    const grids = d.grids;
    const byId = derived(grids, 'byId', () => new Map(grids.map((g) => [g.id, g])));
    const plan = derived(grids, 'unitPlan', () => planUnits(grids));
    const results = cached.engine.all();
    const rows = results.map((c) => {
      const grid = byId.get(c.id)!;
      let row = gridResults.get(c);
      if (!row || row.grid !== grid) gridResults.set(c, (row = { ...c, grid }));
      return row;
    });
    const units = rollupByPlan(plan, new Map(results.map((c) => [c.id, c])));
    return {
      key,
      results,
      gridsFp: d.fp.grids,
      grids: rows,
      units,
      stationsUsed: used,
      stationsUnsnapped: unsnapped,
      recomputedGrids: recomputed,
      computeMs: performance.now() - t0,
    };
  }

  /**
   * Coverage of polygons that are not (yet) grids — an edit's before and after — by the current
   * stations, under each type's own standard. Used by the edit impact preview.
   */
  async coverPolygons(grids: readonly CoverageGridInput[], types: string[]): Promise<Map<string, GridCoverage[]>> {
    const d = await this.city.snapshot();
    const prepared = new PreparedGrids(grids);
    const out = new Map<string, GridCoverage[]>();
    for (const t of types) {
      const engine = new CoverageEngine(prepared, {}, this.runners.grids);
      await engine.setAllAsync(await this.cachedPieces(d, t));
      out.set(t, engine.all());
    }
    return out;
  }

  /** Service areas of one type under its own standard, kept while stations, network and types are unchanged (edit previews ask again and again). */
  private readonly piecesByType = new Map<string, { fp: string; pieces: PieceSet }>();
  private async cachedPieces(d: CitySnapshot, type: string): Promise<PieceSet> {
    const fp = `${d.fp.stations}|${d.fp.network}|${d.fp.types}`;
    const hit = this.piecesByType.get(type);
    if (hit && hit.fp === fp) return hit.pieces;
    const pieces = (await this.pieces(d, { types: [type] })).pieces;
    this.piecesByType.set(type, { fp, pieces });
    return pieces;
  }
}
