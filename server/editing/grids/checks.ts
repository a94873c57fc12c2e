/**
 * What an edit must pass before anything is planned: the actor may edit grids (and this grid, and
 * the place it goes), the grid exists at the version the edit was based on, and the proposed
 * polygon is valid, inside its street (by default inside its community) and between the size limits.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { canWrite, canWriteSome, type Actor } from '../../auth/permissions.js';
import type { Problem } from '../../validation/problem.js';
import * as msg from './messages.js';
import { communityByCode, geoJson, gridState, lockStreets, otherStreetsUnder, placementAreas, validityDetail } from './queries.js';
import type { EditLimits, GridState } from './types.js';

export function requireGridWriter(actor: Actor) {
  if (!canWriteSome(actor, 'grid')) throw msg.notGridEditor();
}

export async function knownCommunity(tx: Transaction<Database>, code: string) {
  const c = await communityByCode(tx, code);
  if (!c) throw msg.rejected([msg.unknownCommunity(code)]);
  return c;
}

async function currentFeature(tx: Transaction<Database>, s: GridState) {
  return { type: 'Feature', id: s.id, properties: { id: s.id, code: s.code, name: s.name, version: s.version }, geometry: await geoJson(tx, s.geom) };
}

/** 404 / 409 / 403 checks on the grid an edit is about; takes the street lock first. */
export async function lockGrid(
  tx: Transaction<Database>,
  actor: Actor,
  id: number,
  version: number,
  opts: { allowDeleted?: boolean } = {},
): Promise<GridState> {
  const peek = await gridState(tx, id, false);
  if (!peek) throw msg.gridNotFound(id);
  await lockStreets(tx, [peek.street_id]);
  const s = (await gridState(tx, id, true))!;
  if (!canWrite(actor, 'grid', [s.street_id])) throw msg.notYourGrid(s.code);
  if (s.deleted && !opts.allowDeleted) throw msg.gridDeleted(s.code);
  if (s.version !== version) {
    throw msg.versionConflict(s.code, version, s.version, {
      grid_id: s.id,
      your_version: version,
      current_version: s.version,
      current: await currentFeature(tx, s),
    });
  }
  return s;
}

/** PostGIS validity with the place of the problem (self-intersection, hole outside shell …). */
export async function validityProblems(tx: Transaction<Database>, hex: string): Promise<Problem[]> {
  const r = await validityDetail(tx, hex);
  if (r.valid) return [];
  const at = r.x !== null && r.y !== null ? ([r.x, r.y] as [number, number]) : undefined;
  return [msg.invalidGeometry(r.reason ?? 'invalid', at)];
}

/**
 * Where P may go: inside its street (a street editor reaching into another street gets 403),
 * by default inside its community, and between the size limits.
 */
export async function placementProblems(
  tx: Transaction<Database>,
  actor: Actor,
  p: string,
  streetId: number,
  communityId: number,
  allowCommunityChange: boolean,
  limits: EditLimits,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const r = await placementAreas(tx, p, streetId, communityId);
  if (r.outside_street > limits.toleranceM2) {
    const others = (await otherStreetsUnder(tx, p, streetId)).filter((s) => s.area > limits.toleranceM2);
    const foreign = others.filter((s) => !canWrite(actor, 'grid', [s.id]));
    if (foreign.length) throw msg.foreignStreets(foreign);
    problems.push(msg.outsideStreet(r.outside_street, [r.sx, r.sy]));
  } else if (!allowCommunityChange && r.outside_community > limits.toleranceM2) {
    problems.push(msg.outsideCommunity(r.outside_community, [r.cx, r.cy]));
  }
  if (r.area < limits.minAreaM2) problems.push(msg.gridTooSmall(r.area, limits.minAreaM2));
  if (r.area > limits.maxAreaM2) problems.push(msg.gridTooLarge(r.area, limits.maxAreaM2));
  return problems;
}
