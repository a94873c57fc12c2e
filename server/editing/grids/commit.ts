/**
 * Writing a planned change: every grid it touches gets a new version (or is inserted) and a
 * history row, all under one change id; geometries are stored wound as RFC 7946 wants (exterior
 * counter-clockwise), whatever orientation GEOS produced. Communities follow their grids.
 */
import type { Transaction } from 'kysely';
import type { Database, GridOperation } from '../../db/schema.js';
import type { Actor } from '../../auth/permissions.js';
import type { Problem } from '../../validation/problem.js';
import { changedMeanwhile } from './messages.js';
import { geoJson, gridState, insertGrid, insertHistory, nextChangeId, refreshCommunityBoundary, stationsIn, updateGrid } from './queries.js';
import type { ChangeRole, EditResult, GridAttributes, GridChange, GridState } from './types.js';

export interface PlannedWrite {
  before: GridState | null;
  role: ChangeRole;
  operation: GridOperation;
  geom: string | null; // null: unchanged geometry
  deleted?: boolean;
  restore?: boolean;
  attrs: GridAttributes & { community_id?: number; code?: string };
  note?: string;
}

/** The properties a history row records of a grid (before and after). */
export const propsOf = (s: {
  code: string;
  name: string;
  community_id: number;
  leader_name: string | null;
  leader_phone: string | null;
  party_branch: string | null;
  population: number;
  households: number;
}) => ({
  code: s.code,
  name: s.name,
  community_id: s.community_id,
  leader_name: s.leader_name,
  leader_phone: s.leader_phone,
  party_branch: s.party_branch,
  population: s.population,
  households: s.households,
});

export type RecordedProps = ReturnType<typeof propsOf>;

/** Writes the planned changes and their history under one change id. */
export async function commitPlan(
  tx: Transaction<Database>,
  actor: Actor,
  operation: GridOperation,
  plan: PlannedWrite[],
  warnings: Problem[],
): Promise<EditResult> {
  const changeId = await nextChangeId(tx);
  const changes: GridChange[] = [];
  const communities = new Set<number>();
  for (const w of plan) {
    const b = w.before;
    let id: number;
    if (b) {
      id = b.id;
      const version = await updateGrid(tx, b, { ...w.attrs, geom: w.geom, deleted: w.deleted, restore: w.restore }, actor.username);
      // The row is locked, so this only fails if the plan itself is stale (a bug): never overwrite.
      if (version === undefined) throw changedMeanwhile(b.code);
      communities.add(b.community_id);
      if (w.attrs.community_id) communities.add(w.attrs.community_id);
    } else {
      id = await insertGrid(tx, { ...w.attrs, code: w.attrs.code!, name: w.attrs.name!, community_id: w.attrs.community_id!, geom: w.geom! }, actor.username);
      communities.add(w.attrs.community_id!);
    }
    const after = (await gridState(tx, id, false))!;
    const afterGeom = w.deleted ? null : after.geom;
    await insertHistory(tx, {
      gridId: id,
      version: after.version,
      changeId,
      operation: w.operation,
      by: actor.username,
      beforeGeom: b && !b.deleted ? b.geom : null,
      afterGeom,
      beforeProps: b ? propsOf(b) : null,
      afterProps: propsOf(after),
      note: w.note ?? null,
    });
    changes.push({
      grid_id: id,
      code: after.code,
      name: after.name,
      role: w.role,
      operation: w.operation,
      version_before: b?.version ?? null,
      version_after: after.version,
      area_m2_before: b && !b.deleted ? b.area_m2 : 0,
      area_m2_after: afterGeom ? after.area_m2 : 0,
      population_before: b && !b.deleted ? b.population : 0,
      population_after: w.deleted ? 0 : after.population,
      households_before: b && !b.deleted ? b.households : 0,
      households_after: w.deleted ? 0 : after.households,
      stations_before: b && !b.deleted ? await stationsIn(tx, b.geom) : 0,
      stations_after: await stationsIn(tx, afterGeom),
      geometry: afterGeom ? await geoJson(tx, afterGeom) : null,
      geometry_before: b && !b.deleted ? await geoJson(tx, b.geom) : null,
    });
  }
  // Communities are the union of their grids: when grids moved between communities, follow them.
  if (
    plan.some((w) => w.attrs.community_id !== undefined && w.before && w.attrs.community_id !== w.before.community_id) ||
    plan.some((w) => w.note === 'community_change')
  ) {
    for (const c of communities) await refreshCommunityBoundary(tx, c);
  }
  return { change_id: changeId, operation, changes, warnings };
}
