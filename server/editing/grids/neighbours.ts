/**
 * Deriving the neighbours of an edited grid from the same linework (see ./operations.ts for the
 * rule): what the new polygon takes from each neighbour is cut out of it, what the grid gives up
 * goes piece by piece to the neighbour sharing the longest border, and people move with the area.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Problem } from '../../validation/problem.js';
import type { PlannedWrite } from './commit.js';
import * as msg from './messages.js';
import { geom, gridsNear, lostPieces, sharedBorderM, singlePolygon, takenFrom, unionHex } from './queries.js';
import type { EditLimits, GridState } from './types.js';

export interface Neighbour extends GridState {
  newGeom: string;
  takenM2: number;
  givenM2: number;
}

/**
 * Re-derives the neighbours of a grid whose polygon becomes `p` (was `old`, or nothing for a new
 * grid). Returns the changed neighbours, or problems.
 */
export async function adjustNeighbours(
  tx: Transaction<Database>,
  args: {
    gridId: number | null;
    p: string | null;
    old: string | null;
    streetId: number;
    communityId: number;
    allowCommunityChange: boolean;
    exclude: number[];
    limits: EditLimits;
  },
): Promise<{ neighbours: Neighbour[]; problems: Problem[]; warnings: Problem[] }> {
  const { p, old, limits } = args;
  const area = p && old ? sql`ST_Collect(${geom(p)}, ${geom(old)})` : p ? geom(p) : geom(old!);
  const excluded = [args.gridId ?? -1, ...args.exclude];
  const rows = await gridsNear(tx, area, args.streetId, excluded);
  const nbs: Neighbour[] = rows.map((r) => ({ ...r, newGeom: r.geom, takenM2: 0, givenM2: 0 }));
  const problems: Problem[] = [];
  const warnings: Problem[] = [];

  // 1. What P takes from each neighbour.
  if (p) {
    for (const n of nbs) {
      const r = await takenFrom(tx, n.geom, p);
      // Overlaps of a few cm² are floating-point noise along a shared border, not a change.
      if (r.taken > limits.toleranceM2 / 100) {
        n.takenM2 = r.taken;
        n.newGeom = r.hex;
      }
    }
  }

  // 2. What the grid gives up goes to the neighbour sharing the longest border with each piece.
  if (old) {
    const lost = (await lostPieces(tx, old, p)).filter((c) => c.area > limits.toleranceM2 / 100);
    for (const c of lost) {
      let best: Neighbour | null = null;
      let bestLen = 0;
      for (const n of nbs) {
        if (!args.allowCommunityChange && n.community_id !== args.communityId) continue;
        const len = await sharedBorderM(tx, c.hex, n.newGeom);
        if (len > bestLen) {
          bestLen = len;
          best = n;
        }
      }
      if (best && bestLen > 0.05) {
        best.newGeom = await unionHex(tx, best.newGeom, c.hex);
        best.givenM2 += c.area;
      } else if (c.area <= limits.toleranceM2) {
        warnings.push(msg.tinyGap(c.area, [c.x, c.y]));
      } else {
        problems.push(msg.gap(c.area, [c.x, c.y]));
      }
    }
  }

  // 3. Every changed neighbour must still be one polygon of a reasonable size.
  const changed: Neighbour[] = [];
  for (const n of nbs) {
    if (n.newGeom === n.geom) continue;
    const single = await singlePolygon(tx, n.newGeom, limits.toleranceM2 / 10);
    if (single.parts === 0) {
      problems.push(msg.swallowsNeighbour(n));
    } else if (single.parts > 1) {
      problems.push(msg.splitsNeighbour(n, single.parts));
    } else if (single.area < limits.minAreaM2) {
      problems.push(msg.neighbourTooSmall(n, single.area, limits.minAreaM2));
    } else {
      n.newGeom = single.hex!;
      changed.push(n);
    }
  }
  return { neighbours: changed, problems, warnings };
}

/**
 * Population (or households) after an edit. By default people move with the area, at the density
 * of the grid they lived in, and the total is kept. An explicit value for the grid (new census
 * figures) is taken as given; with `conserve` (a restore) the neighbours give up the difference in
 * proportion to the area they exchanged, so the total is still kept.
 */
export function apportion(
  grid: { population: number; households: number; area_m2: number } | null,
  nbs: Neighbour[],
  field: 'population' | 'households',
  explicit: number | undefined,
  conserve = false,
): { grid: number; nbs: number[] } {
  const gd = grid && grid.area_m2 > 0 ? grid[field] / grid.area_m2 : 0;
  if (explicit !== undefined && conserve && nbs.length) {
    const delta = explicit - (grid?.[field] ?? 0);
    const w = nbs.map((n) => n.takenM2 + n.givenM2);
    const wSum = w.reduce((a, b) => a + b, 0) || 1;
    const out = nbs.map((n, i) => Math.max(0, Math.round(n[field] - (delta * w[i]) / wSum)));
    const available = nbs.reduce((t, n) => t + n[field], 0) + (grid?.[field] ?? 0);
    return { grid: Math.max(0, Math.min(explicit, available - out.reduce((a, b) => a + b, 0))), nbs: out };
  }
  const nbNew = nbs.map((n) => Math.max(0, Math.round(n[field] - (n.area_m2 > 0 ? (n[field] / n.area_m2) * n.takenM2 : 0) + gd * n.givenM2)));
  if (explicit !== undefined) return { grid: explicit, nbs: nbNew };
  const total = (grid?.[field] ?? 0) + nbs.reduce((s, n) => s + n[field], 0);
  return { grid: Math.max(0, total - nbNew.reduce((s, v) => s + v, 0)), nbs: nbNew };
}

/** The writes that reshape the changed neighbours, with the people apportioned to them. */
export function neighbourWrites(nbs: Neighbour[], pop: number[], hh: number[], note: string): PlannedWrite[] {
  return nbs.map((n, i) => ({
    before: n,
    role: 'adjusted' as const,
    operation: 'reshape' as const,
    geom: n.newGeom,
    attrs: { population: pop[i], households: hh[i] },
    note,
  }));
}
