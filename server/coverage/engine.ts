/**
 * Per-grid coverage: the part of each grid inside some service area, the gaps, and the shares by
 * area and by population. Pure (no I/O).
 *
 * Each grid is clipped against only the pieces whose bbox touches it (Flatbush), never against a
 * union of the whole city; an update diffs piece keys and recomputes only the grids touched by
 * pieces that appeared or disappeared.
 */
import Flatbush from 'flatbush';
import type { Polygon } from 'geojson';
import { uncoveredParts } from './clip.js';
import { slicer } from '../compute/slices.js';
import { bboxOfLines } from '../geo/bbox.js';
import { areaM2, localDistanceM } from '../geo/measure.js';
import type { Piece, PolygonCoords } from './pieces.js';

export { circlePiece, bufferedLinePiece, type Piece } from './pieces.js';

export interface CoverageGridInput {
  id: number;
  polygon: Polygon;
  population: number;
  /** When given, a grid with the same id and version is taken as unchanged (see PreparedGrids). */
  version?: number;
}

export interface GridCoverage {
  id: number;
  areaM2: number;
  coveredM2: number;
  /** covered / area, 0..1 */
  coveredShare: number;
  population: number;
  /** Population spread evenly over the grid's area. */
  coveredPopulation: number;
  uncoveredPopulation: number;
  /** Uncovered parts (MultiPolygon coordinates), slivers under `minGapM2` dropped. */
  gaps: PolygonCoords[];
}

export interface PreparedGrid extends CoverageGridInput {
  areaM2: number;
  bbox: [number, number, number, number];
}

/**
 * Computes grids somewhere else (the worker pool): each job is one grid with the pieces near it;
 * the answer is {@link coverGrid}'s, in job order.
 */
export type GridRunner = (jobs: readonly GridJob[], opts: CoverageOptions) => Promise<GridCoverage[]>;
export interface GridJob {
  grid: PreparedGrid;
  pieces: Piece[];
}

export interface CoverageOptions {
  /** Gap polygons smaller than this (m²) are left out of `gaps` (still counted in areas). Default 1. */
  minGapM2?: number;
}


const intersects = (a: readonly number[], b: readonly number[]) => a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];

function multiArea(polys: PolygonCoords[]): number {
  return polys.length ? areaM2({ type: 'MultiPolygon', coordinates: polys }) : 0;
}

/**
 * Coverage of one grid by the pieces that touch it.
 * @example coverGrid(grid, [circlePiece('a', 121.6, 38.91, 1000)])
 */
export function coverGrid(grid: PreparedGrid, pieces: readonly Piece[], opts: CoverageOptions = {}): GridCoverage {
  const minGap = opts.minGapM2 ?? 1;
  const ring = grid.polygon.coordinates;
  const touching = pieces.filter((p) => intersects(p.bbox, grid.bbox));
  let gaps: PolygonCoords[];
  // Exact shortcut: a grid whose vertices are all within a circle piece's inner radius lies inside
  // its polygon (which is convex); insideM is that radius (see circlePiece).
  const inside = touching.some((p) => p.circle && ring[0].every(([x, y]) => localDistanceM(x, y, p.circle!.lon, p.circle!.lat) <= p.circle!.insideM));
  if (inside) gaps = [];
  else if (touching.length === 0) gaps = [ring as PolygonCoords];
  else gaps = uncoveredParts(ring as PolygonCoords, grid.bbox, touching);
  const gapM2 = Math.min(grid.areaM2, multiArea(gaps));
  const coveredM2 = grid.areaM2 - gapM2;
  const share = grid.areaM2 > 0 ? coveredM2 / grid.areaM2 : 0;
  const coveredPopulation = grid.population * share;
  return {
    id: grid.id,
    areaM2: grid.areaM2,
    coveredM2,
    coveredShare: share,
    population: grid.population,
    coveredPopulation,
    uncoveredPopulation: grid.population - coveredPopulation,
    gaps: gaps.filter((g) => areaM2({ type: 'Polygon', coordinates: g }) >= minGap),
  };
}

/** Grids with their geodesic areas, bboxes and a spatial index: computed once per set of grids. */
export class PreparedGrids {
  readonly grids: PreparedGrid[];
  readonly index: Flatbush;

  /**
   * @param previous the preparation of an earlier version of the same grids: entries whose id and
   *   version are unchanged are reused instead of being measured again.
   */
  constructor(grids: readonly CoverageGridInput[], previous?: PreparedGrids) {
    const before = new Map(previous?.grids.filter((g) => g.version !== undefined).map((g) => [g.id, g]));
    this.grids = grids.map((g) => {
      const same = before.get(g.id);
      if (same && g.version !== undefined && same.version === g.version && same.population === g.population) return same;
      return { ...g, areaM2: areaM2(g.polygon), bbox: bboxOfLines([g.polygon.coordinates[0]!]) };
    });
    this.index = new Flatbush(Math.max(1, this.grids.length));
    for (const g of this.grids) this.index.add(...g.bbox);
    if (this.grids.length === 0) this.index.add(0, 0, 0, 0);
    this.index.finish();
  }
}

/**
 * Holds the grids, the current pieces and the per-grid results; recomputes incrementally.
 */
export class CoverageEngine {
  private grids: PreparedGrid[];
  private gridIndex: Flatbush;
  private pieces = new Map<string, Piece>();
  private pieceList: Piece[] = [];
  private pieceIndex: Flatbush | null = null;
  private readonly results = new Map<number, GridCoverage>();

  /**
   * @param grids the grids, or the result of {@link prepareGrids} to share the preparation
   *   (areas, bboxes, index) between engines over the same grids.
   */
  /**
   * @param runner computes batches of grids off this thread; without it they are computed here.
   */
  constructor(
    grids: readonly CoverageGridInput[] | PreparedGrids,
    private readonly opts: CoverageOptions = {},
    private readonly runner?: GridRunner,
  ) {
    const prepared = grids instanceof PreparedGrids ? grids : new PreparedGrids(grids);
    this.grids = prepared.grids;
    this.gridIndex = prepared.index;
  }

  private indexPieces() {
    this.pieceList = [...this.pieces.values()];
    if (this.pieceList.length === 0) {
      this.pieceIndex = null;
      return;
    }
    const idx = new Flatbush(this.pieceList.length);
    for (const p of this.pieceList) idx.add(...p.bbox);
    idx.finish();
    this.pieceIndex = idx;
  }

  private job(gridIdx: number): GridJob {
    const grid = this.grids[gridIdx];
    return { grid, pieces: this.pieceIndex ? this.pieceIndex.search(...grid.bbox).map((i) => this.pieceList[i]) : [] };
  }

  private recompute(gridIdx: number) {
    const { grid, pieces } = this.job(gridIdx);
    this.results.set(grid.id, coverGrid(grid, pieces, this.opts));
  }

  /**
   * Installs `next` as the pieces and returns the grid indices to recompute: all of them, or
   * (incremental) only those touched by pieces that were added or removed.
   */
  private replace(next: Iterable<Piece>, all: boolean): number[] {
    const nextMap = new Map<string, Piece>();
    for (const p of next) nextMap.set(p.key, p);
    const changed: Piece[] = [];
    if (!all) {
      for (const [k, p] of this.pieces) if (!nextMap.has(k)) changed.push(p);
      for (const [k, p] of nextMap) if (!this.pieces.has(k)) changed.push(p);
    }
    this.pieces = nextMap;
    if (!all && changed.length === 0) return [];
    this.indexPieces();
    if (all) return this.grids.map((_, i) => i);
    const affected = new Set<number>();
    for (const p of changed) for (const i of this.gridIndex.search(...p.bbox)) affected.add(i);
    return [...affected];
  }

  /**
   * Recomputes grids: on the runner when there is one, else here, handing the event loop back
   * every `sliceMs` so other requests are served. If the runner fails (the pool is saturated),
   * the results of these grids are dropped and the error is thrown: the engine is then
   * incomplete (`complete` is false) and callers must not reuse it.
   */
  private async recomputeAsync(indices: number[], sliceMs: number): Promise<void> {
    if (this.runner && indices.length > 0) {
      const jobs: GridJob[] = [];
      const pause = slicer(sliceMs / 2);
      for (const i of indices) {
        jobs.push(this.job(i));
        await pause();
      }
      try {
        const out = await this.runner(jobs, this.opts);
        for (const c of out) this.results.set(c.id, c);
      } catch (err) {
        for (const j of jobs) this.results.delete(j.grid.id);
        throw err;
      }
      return;
    }
    let start = performance.now();
    for (const i of indices) {
      this.recompute(i);
      if (performance.now() - start >= sliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        start = performance.now();
      }
    }
  }

  /** Replaces all pieces and recomputes every grid. */
  setAll(pieces: Iterable<Piece>): void {
    for (const i of this.replace(pieces, true)) this.recompute(i);
  }

  /**
   * Replaces the pieces with `next`, recomputing only grids touched by pieces that were added or
   * removed. @returns the ids of the recomputed grids.
   */
  update(next: Iterable<Piece>): number[] {
    const indices = this.replace(next, false);
    for (const i of indices) this.recompute(i);
    return indices.map((i) => this.grids[i].id);
  }

  /** As {@link setAll}, yielding to the event loop every `sliceMs` (a server must not freeze for seconds). */
  async setAllAsync(pieces: Iterable<Piece>, sliceMs = 20): Promise<void> {
    await this.recomputeAsync(this.replace(pieces, true), sliceMs);
  }

  /** As {@link update}, yielding to the event loop every `sliceMs`. Callers serialise calls on one engine. */
  async updateAsync(next: Iterable<Piece>, sliceMs = 20): Promise<number[]> {
    const indices = this.replace(next, false);
    await this.recomputeAsync(indices, sliceMs);
    return indices.map((i) => this.grids[i].id);
  }

  /**
   * Moves the engine onto new grids (same pieces): results of grids that are not in `changedIds`
   * are kept, those of changed or new grids are computed, those of removed grids dropped.
   * @returns the ids of the recomputed grids.
   */
  async rebaseAsync(prepared: PreparedGrids, changedIds: ReadonlySet<number>, sliceMs = 20): Promise<number[]> {
    this.grids = prepared.grids;
    this.gridIndex = prepared.index;
    const live = new Set(this.grids.map((g) => g.id));
    for (const id of [...this.results.keys()]) if (!live.has(id) || changedIds.has(id)) this.results.delete(id);
    const indices: number[] = [];
    this.grids.forEach((g, i) => {
      if (!this.results.has(g.id)) indices.push(i);
    });
    await this.recomputeAsync(indices, sliceMs);
    return indices.map((i) => this.grids[i].id);
  }

  get pieceCount(): number {
    return this.pieces.size;
  }

  /** Results in grid input order. */
  all(): GridCoverage[] {
    return this.grids.map((g) => this.results.get(g.id)!).filter(Boolean);
  }

  /** Every grid has a result (false after a failed recomputation). */
  get complete(): boolean {
    return this.results.size === this.grids.length;
  }

  get(id: number): GridCoverage | undefined {
    return this.results.get(id);
  }
}
