/**
 * The life-circle assessment, pure: per category, ONE bounded multi-source search over the street
 * graph from every facility of the category (server/network/search.ts, the project's one Dijkstra)
 * gives the distance from every node to the nearest facility; each population point reads its own
 * off its street edge (min over the edge's two ends plus the way along the edge, or straight along
 * the edge to a facility on the same edge). Then, per grid, the people who reach each category
 * within its limit, within each level's minutes at the category's walking speed (bands: one
 * distance against growing thresholds, so 5 ⊂ 10 ⊂ 15 by construction), and who have a complete
 * circle at each level (every category of that level and the smaller ones within its limit).
 */
import type { WalkGraph } from '../network/graph.js';
import { releaseScratch, scratchFor, search } from '../network/search.js';
import type { Snap } from '../network/snap.js';
import type { PlacedPoints, PopulationPoints } from './population.js';

/** A category as the assessment needs it. */
export interface AssessCategory {
  id: string;
  /** The rule's limit, metres along the streets. */
  limitM: number;
  /** The level (minutes) the category belongs to. */
  level: number;
  /** Metres walked in each of the pack's levels' minutes at the category's speed, in level order. */
  bandsM: number[];
}

/**
 * Network distance from each point to the nearest of `facilities`, Infinity beyond `maxM` (or when
 * the point or every facility is off the streets).
 * @param g the walking graph
 * @param facilities the category's facilities placed on the streets
 * @param maxM search limit (the largest distance any question asks of this category)
 * @param placed the population points' places on the streets
 */
export function categoryDistances(g: WalkGraph, facilities: readonly Snap[], maxM: number, placed: PlacedPoints): Float64Array {
  const n = placed.edge.length;
  const out = new Float64Array(n).fill(Infinity);
  if (facilities.length === 0) return out;
  const scratch = scratchFor(g);
  const { dist } = search(g, facilities.slice(), maxM, { scratch });
  try {
    const onEdge = new Map<number, number[]>();
    for (const f of facilities) {
      const off = Math.min(Math.max(f.offsetM, 0), g.edgeLength[f.edge]!);
      const list = onEdge.get(f.edge);
      if (list) list.push(off);
      else onEdge.set(f.edge, [off]);
    }
    const { edgeSource, edgeTarget, edgeLength } = g;
    for (let i = 0; i < n; i++) {
      const e = placed.edge[i]!;
      if (e < 0) continue;
      const len = edgeLength[e]!;
      const off = Math.min(Math.max(placed.offsetM[i]!, 0), len);
      let d = Math.min(dist[edgeSource[e]!]! + off, dist[edgeTarget[e]!]! + (len - off));
      const same = onEdge.get(e);
      if (same) for (const fo of same) d = Math.min(d, Math.abs(off - fo));
      out[i] = d <= maxM ? d : Infinity;
    }
  } finally {
    releaseScratch(scratch);
  }
  return out;
}

/** Per-grid sums of people (the assessment before it is rolled up or presented). */
export interface GridTallies {
  levels: number[];
  categories: string[];
  /** People per grid. */
  population: Float64Array;
  /** [category][grid]: people reaching the category within its limit. */
  met: Float64Array[];
  /** [category][level index][grid]: people reaching the category within that level's minutes at its speed. */
  within: Float64Array[][];
  /** [level index][grid]: people with every category of that level (and of the smaller ones) within its limit. */
  complete: Float64Array[];
}

/** The smallest level index whose band reaches `d`, or -1 (bands grow with the level: nested). */
export function bandOf(d: number, c: AssessCategory): number {
  for (let b = 0; b < c.bandsM.length; b++) if (d <= c.bandsM[b]!) return b;
  return -1;
}

/**
 * Sums the points' results per grid.
 * @param gridCount number of grids (points name theirs by index)
 * @param points the population points
 * @param levels the pack's levels (minutes, increasing)
 * @param categories the categories, each with its distances in `dists` (same order)
 */
export function tallyGrids(
  gridCount: number,
  points: Pick<PopulationPoints, 'population' | 'grid'>,
  levels: readonly number[],
  categories: readonly AssessCategory[],
  dists: readonly Float64Array[],
): GridTallies {
  const L = levels.length;
  const population = new Float64Array(gridCount);
  const met = categories.map(() => new Float64Array(gridCount));
  const within = categories.map(() => levels.map(() => new Float64Array(gridCount)));
  const complete = levels.map(() => new Float64Array(gridCount));
  // The first level index each category is asked at (its own level).
  const firstLevel = categories.map((c) => levels.findIndex((l) => l >= c.level));
  for (let i = 0; i < points.population.length; i++) {
    const p = points.population[i]!;
    const gi = points.grid[i]!;
    population[gi]! += p;
    // A circle of level index l is incomplete when a category with firstLevel ≤ l is not met.
    let firstMissing = L;
    for (let c = 0; c < categories.length; c++) {
      const d = dists[c]![i]!;
      const cat = categories[c]!;
      if (d <= cat.limitM) met[c]![gi]! += p;
      else firstMissing = Math.min(firstMissing, firstLevel[c]!);
      const b = bandOf(d, cat);
      if (b >= 0) for (let k = b; k < L; k++) within[c]![k]![gi]! += p;
    }
    for (let l = 0; l < firstMissing; l++) complete[l]![gi]! += p;
  }
  return { levels: [...levels], categories: categories.map((c) => c.id), population, met, within, complete };
}
