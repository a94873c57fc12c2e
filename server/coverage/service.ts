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

  async coverage(q: CoverageQuery): Promise<CoverageResult> {
    const key = JSON.stringify([
      [...q.types].sort(),
      q.mode ?? null,
      q.radiusM ?? null,
      q.minutes ?? null,
      q.openAt?.toISOString() ?? null,
      this.settings.bufferM,
      this.settings.walkSpeedKmh,
    ]);
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
    return { key, grids: rows, units, stationsUsed: used, stationsUnsnapped: unsnapped, recomputedGrids: recomputed, computeMs: performance.now() - t0 };
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
