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
import { bboxOfLines } from '../geo/bbox.js';
import { areaM2, localDistanceM } from '../geo/measure.js';
import type { Piece, PolygonCoords } from './pieces.js';
import { diffPieceSets, EMPTY_PIECES, pieceBox, PieceReader, pieceSetOf, type PieceSet } from './piece-set.js';

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
 * Computes grids somewhere else (the worker pool): grids `indices` of `grids`, each against the
 * pieces of `pieces` near it; the answer is {@link coverGrid}'s, in `indices` order.
 */
export type GridRunner = (grids: PreparedGrids, indices: readonly number[], pieces: PieceSet, opts: CoverageOptions) => Promise<GridCoverage[]>;

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
 * Pieces come as a {@link PieceSet} (or, for small sets and tests, as piece objects).
 */
export class CoverageEngine {
  private prepared: PreparedGrids;
  private pieces: PieceSet = EMPTY_PIECES;
  private reader: PieceReader | null = null;
  private readonly results = new Map<number, GridCoverage>();

  /**
   * @param grids the grids, or a {@link PreparedGrids} to share the preparation (areas, bboxes,
   *   index) between engines over the same grids.
   * @param runner computes batches of grids off this thread; without it they are computed here.
   */
  constructor(
    grids: readonly CoverageGridInput[] | PreparedGrids,
    private readonly opts: CoverageOptions = {},
    private readonly runner?: GridRunner,
  ) {
    this.prepared = grids instanceof PreparedGrids ? grids : new PreparedGrids(grids);
  }

  private recompute(gridIdx: number) {
    const grid = this.prepared.grids[gridIdx]!;
    this.reader ??= new PieceReader(this.pieces);
    this.results.set(grid.id, coverGrid(grid, this.reader.near(grid.bbox), this.opts));
  }

  /**
   * Installs `next` as the pieces and returns the grid indices to recompute: all of them, or
   * (incremental) only those touched by pieces that were added or removed.
   */
  private replace(next: PieceSet | Iterable<Piece>, all: boolean): number[] {
    const set = 'offsets' in next ? next : pieceSetOf(next);
    const prev = this.pieces;
    this.pieces = set;
    this.reader = null;
    if (all) return this.prepared.grids.map((_, i) => i);
    const { removed, added } = diffPieceSets(prev, set);
    const affected = new Set<number>();
    const { index } = this.prepared;
    for (const i of removed) for (const g of index.search(...pieceBox(prev, i))) affected.add(g);
    for (const i of added) for (const g of index.search(...pieceBox(set, i))) affected.add(g);
    return [...affected].sort((a, b) => a - b);
  }

  /**
   * Recomputes grids: on the runner when there is one, else here, handing the event loop back
   * every `sliceMs` so other requests are served. If the runner fails (the pool is saturated),
   * the results of these grids are dropped and the error is thrown: the engine is then
   * incomplete (`complete` is false) and callers must not reuse it.
   */
  private async recomputeAsync(indices: number[], sliceMs: number): Promise<void> {
    if (this.runner && indices.length > 0) {
      try {
        const out = await this.runner(this.prepared, indices, this.pieces, this.opts);
        for (const c of out) this.results.set(c.id, c);
      } catch (err) {
        for (const i of indices) this.results.delete(this.prepared.grids[i]!.id);
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
  setAll(pieces: PieceSet | Iterable<Piece>): void {
    for (const i of this.replace(pieces, true)) this.recompute(i);
  }

  /**
   * Replaces the pieces with `next`, recomputing only grids touched by pieces that were added or
   * removed. @returns the ids of the recomputed grids.
   */
  update(next: PieceSet | Iterable<Piece>): number[] {
    const indices = this.replace(next, false);
    for (const i of indices) this.recompute(i);
    return indices.map((i) => this.prepared.grids[i]!.id);
  }

  /** As {@link setAll}, yielding to the event loop every `sliceMs` (a server must not freeze for seconds). */
  async setAllAsync(pieces: PieceSet | Iterable<Piece>, sliceMs = 20): Promise<void> {
    await this.recomputeAsync(this.replace(pieces, true), sliceMs);
  }

  /** As {@link update}, yielding to the event loop every `sliceMs`. Callers serialise calls on one engine. */
  async updateAsync(next: PieceSet | Iterable<Piece>, sliceMs = 20): Promise<number[]> {
    const indices = this.replace(next, false);
    await this.recomputeAsync(indices, sliceMs);
    return indices.map((i) => this.prepared.grids[i]!.id);
  }

  /**
   * Moves the engine onto new grids (same pieces): results of grids that are not in `changedIds`
   * are kept, those of changed or new grids are computed, those of removed grids dropped.
   * @returns the ids of the recomputed grids.
   */
  async rebaseAsync(prepared: PreparedGrids, changedIds: ReadonlySet<number>, sliceMs = 20): Promise<number[]> {
    this.prepared = prepared;
    const live = new Set(prepared.grids.map((g) => g.id));
    for (const id of [...this.results.keys()]) if (!live.has(id) || changedIds.has(id)) this.results.delete(id);
    const indices: number[] = [];
    prepared.grids.forEach((g, i) => {
      if (!this.results.has(g.id)) indices.push(i);
    });
    await this.recomputeAsync(indices, sliceMs);
    return indices.map((i) => prepared.grids[i]!.id);
  }

  get pieceCount(): number {
    return this.pieces.count;
  }

  /** Results in grid input order. */
  all(): GridCoverage[] {
    return this.prepared.grids.map((g) => this.results.get(g.id)!).filter(Boolean);
  }

  /** Every grid has a result (false after a failed recomputation). */
  get complete(): boolean {
    return this.results.size === this.prepared.grids.length;
  }

  get(id: number): GridCoverage | undefined {
    return this.results.get(id);
  }
}
