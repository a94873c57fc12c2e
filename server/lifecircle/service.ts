/**
 * The life-circle assessment over the in-memory city: population points (even spread, placed on
 * the streets once per grid set and network), one search per category (cached per set of
 * facilities, so a moved station recomputes only the categories it belongs to), tallied per grid.
 * The searches and the points run on the worker pool when there is one (server/compute/runners.ts).
 */
import type { CityStore } from '../city/store.js';
import { derived } from '../city/snapshot.js';
import type { PreparedGrids } from '../coverage/engine.js';
import type { AnalysisGrid } from '../db/analysis.repository.js';
import type { WalkGraph } from '../network/graph.js';
import type { Snap } from '../network/snap.js';
import { badRequest } from '../errors.js';
import { categoryDistances, tallyGrids, type AssessCategory, type GridTallies } from './assess.js';
import { categoryLimitM, type PackCategory, type RulePack } from './pack.js';
import { locatePoints, type LocatedPoints, type PlacedPoints, type PopulationSource } from './population.js';
import { metresIn, WALK_PROFILES, type ProfileId } from './profiles.js';
import { DEFAULT_PACK, rulePacks } from './registry.js';

/** Makes the population points of a grid set (on the pool: the grids are packed on shared memory). */
export type PointsRunner = (g: WalkGraph | null, prepared: PreparedGrids, stepM: number, maxSnapM: number) => Promise<LocatedPoints>;
/** One category's search and read-off (on the pool). */
export type DistanceRunner = (g: WalkGraph, facilities: Snap[], maxM: number, placed: PlacedPoints) => Promise<Float64Array>;

export interface LifecircleRunners {
  points?: PointsRunner;
  distances?: DistanceRunner;
}

export interface LifecircleSettings {
  maxSnapM: number;
  /** Lattice spacing of the even spread, metres. */
  stepM: number;
}

export interface LifecircleQuery {
  packId?: string;
  level?: number;
  /** Walk every category at this profile instead of its own. */
  profile?: ProfileId;
}

/** A category as the answer describes it. */
export interface AssessedCategory extends PackCategory {
  limitM: number;
  speedKmh: number;
  /** Open stations of its types placed on the streets. */
  stations: number;
}

export interface LifecircleResult {
  pack: RulePack;
  level: number;
  profileOverride: ProfileId | null;
  populationSource: PopulationSource;
  grids: readonly AnalysisGrid[];
  /** Every category of the pack, in pack order (tallies use the same order). */
  categories: AssessedCategory[];
  tallies: GridTallies;
  points: number;
  /** Points farther than the snap limit from any street (they reach nothing). */
  unplaced: number;
}

const Shared = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer;
/** The places on shared memory, so every search task reads them without a copy. */
function sharedPlaces(p: PlacedPoints): PlacedPoints {
  const edge = new Int32Array(new Shared(p.edge.length * 4));
  edge.set(p.edge);
  const offsetM = new Float64Array(new Shared(p.offsetM.length * 8));
  offsetM.set(p.offsetM);
  return { edge, offsetM };
}

export class LifecircleService {
  constructor(
    private readonly city: CityStore,
    private readonly settings: LifecircleSettings,
    private readonly runners: LifecircleRunners = {},
  ) {}

  /** The pack a query names (default GB 50180-2018) and its level (default its largest), or a 400. */
  resolve(q: LifecircleQuery): { pack: RulePack; level: number } {
    const packs = rulePacks();
    const pack = packs.get(q.packId ?? DEFAULT_PACK);
    if (!pack)
      throw badRequest(
        'unknown_pack',
        `未知的规则包 ${q.packId}（可用：${[...packs.keys()].join('、')}）`,
        `unknown rule pack ${q.packId} (available: ${[...packs.keys()].join(', ')})`,
      );
    const levels = pack.levels.map((l) => l.minutes);
    const level = q.level ?? Math.max(...levels);
    if (!levels.includes(level))
      throw badRequest(
        'unknown_level',
        `规则包 ${pack.id} 没有 ${level} 分钟层级（可用：${levels.join('/')}）`,
        `pack ${pack.id} has no ${level}-minute level (available: ${levels.join('/')})`,
      );
    return { pack, level };
  }

  async assess(q: LifecircleQuery): Promise<LifecircleResult> {
    const { pack, level } = this.resolve(q);
    const snap = await this.city.snapshot();
    const g = snap.graph;
    const located = await this.points(g, snap.prepared, snap.grids);
    const levels = pack.levels.map((l) => l.minutes).sort((a, b) => a - b);

    const open = snap.stations.filter((s) => s.status === 'open');
    const categories: AssessedCategory[] = [];
    const inputs: AssessCategory[] = [];
    const searches: Promise<Float64Array>[] = [];
    for (const c of pack.categories) {
      const profile = q.profile ?? c.profile;
      const limitM = categoryLimitM({ limit: c.limit, profile });
      const bandsM = levels.map((m) => metresIn(m, profile));
      const types = new Set(c.station_types);
      const facilities: Snap[] = [];
      for (const s of open) {
        if (!types.has(s.type_code)) continue;
        const at = snap.stationSnaps.get(s.id);
        if (at) facilities.push(at);
      }
      categories.push({ ...c, profile, limitM, speedKmh: WALK_PROFILES[profile].speedKmh, stations: facilities.length });
      inputs.push({ id: c.id, level: c.level, limitM, bandsM });
      searches.push(this.distances(g, facilities, Math.max(limitM, ...bandsM), located.placed));
    }
    const dists = await Promise.all(searches);
    const tallies = tallyGrids(snap.grids.length, located.points, levels, inputs, dists);
    let unplaced = 0;
    for (const e of located.placed.edge) if (e < 0) unplaced++;
    return {
      pack,
      level,
      profileOverride: q.profile ?? null,
      populationSource: located.points.source,
      grids: snap.grids,
      categories,
      tallies,
      points: located.points.lon.length,
      unplaced,
    };
  }

  /** The grid set's points, once per grid set and network. */
  private points(g: WalkGraph | null, prepared: PreparedGrids, grids: readonly AnalysisGrid[]): Promise<LocatedPoints> {
    const byGraph = derived(grids, 'lifecircle-points', () => new Map<WalkGraph | null, Promise<LocatedPoints>>());
    let p = byGraph.get(g);
    if (!p) {
      byGraph.clear(); // one network at a time
      const { stepM, maxSnapM } = this.settings;
      const run = this.runners.points ? this.runners.points(g, prepared, stepM, maxSnapM) : Promise.resolve(locatePoints(g, grids, stepM, maxSnapM));
      p = run.then((r) => ({ points: r.points, placed: sharedPlaces(r.placed) }));
      p.catch(() => byGraph.delete(g));
      byGraph.set(g, p);
    }
    return p;
  }

  /** One category's distances, cached per set of facility places and limit on these points. */
  private distances(g: WalkGraph | null, facilities: Snap[], maxM: number, placed: PlacedPoints): Promise<Float64Array> {
    if (!g || facilities.length === 0) return Promise.resolve(new Float64Array(placed.edge.length).fill(Infinity));
    const cache = derived(placed, 'lifecircle-distances', () => new Map<string, Promise<Float64Array>>());
    const key = `${maxM}|${facilities
      .map((f) => `${f.edge}:${f.offsetM}`)
      .sort()
      .join(',')}`;
    let d = cache.get(key);
    if (!d) {
      if (cache.size >= 256) cache.clear();
      d = this.runners.distances ? this.runners.distances(g, facilities, maxM, placed) : Promise.resolve(categoryDistances(g, facilities, maxM, placed));
      d.catch(() => cache.delete(key));
      cache.set(key, d);
    }
    return d;
  }
}
