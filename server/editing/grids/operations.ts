/**
 * Topology-safe grid edits, each in one transaction (the caller opens it): reshape, create, split,
 * merge, delete (into a neighbour) and restore.
 *
 * The rule that keeps a street's grids an exact partition: an edit proposes a polygon P for one
 * grid, and the server re-derives every neighbour from the same linework (./neighbours.ts) —
 *   - area P takes from a neighbour N is cut out of N (N − P);
 *   - area the grid gives up (old − P) goes, piece by piece, to the neighbour of the same
 *     community sharing the longest border with that piece; a piece nobody borders is a gap and
 *     the edit is refused.
 * So both sides of a moved border change together and nothing overlaps or falls between grids.
 * Geometry work is done by PostGIS (GEOS) inside the transaction (./queries.ts); the change is
 * written by ./commit.ts.
 *
 * Concurrency: edits in one street are serialised by a transaction-scoped advisory lock on the
 * street (taken before any read, so no deadlocks), and every write states the version it was
 * based on: a stale version is a 409 and nothing is written.
 */
import type { Transaction } from 'kysely';
import type { LineString, Polygon } from 'geojson';
import type { Database, GridOperation } from '../../db/schema.js';
import { canWrite, type Actor } from '../../auth/permissions.js';
import { windingProblems } from '../../validation/geometry.js';
import { snapToGrid } from '../../validation/polygons.js';
import type { Problem } from '../../validation/problem.js';
import { knownCommunity, lockGrid, placementProblems, requireGridWriter, validityProblems } from './checks.js';
import { commitPlan, type PlannedWrite, type RecordedProps } from './commit.js';
import * as msg from './messages.js';
import { adjustNeighbours, apportion, neighbourWrites } from './neighbours.js';
import {
  communityCodeOf,
  geoJsonCcw,
  gridCodeTaken,
  gridState,
  lockStreets,
  nextGridNumber,
  polygonHex,
  sameShape,
  splitPieces,
  unionOf,
  versionAsRecorded,
  withoutTinyHoles,
} from './queries.js';
import { DEFAULT_LIMITS, type EditResult, type GridAttributes, type GridState } from './types.js';

export interface ReshapeInput {
  id: number;
  version: number;
  polygon?: Polygon;
  attrs?: GridAttributes;
  /** Move the grid to another community (by code). */
  communityCode?: string;
  allowCommunityChange?: boolean;
  operation?: GridOperation;
}

/** Reshape and/or edit attributes of one grid; neighbours follow the new border. */
export async function reshapeGrid(
  tx: Transaction<Database>,
  actor: Actor,
  input: ReshapeInput,
  limits = DEFAULT_LIMITS,
  restoreFrom?: { deleted: boolean },
): Promise<EditResult> {
  requireGridWriter(actor);
  const s = await lockGrid(tx, actor, input.id, input.version, { allowDeleted: !!restoreFrom });
  let target = { id: s.community_id, street_id: s.street_id };
  if (input.communityCode && input.communityCode !== s.community_code) {
    const c = await knownCommunity(tx, input.communityCode);
    if (!canWrite(actor, 'grid', [c.street_id])) throw msg.notYourCommunityToMoveTo(c.code);
    await lockStreets(tx, [s.street_id, c.street_id]);
    target = { id: c.id, street_id: c.street_id };
  }
  const moving = target.id !== s.community_id;
  // The polygon as it would be stored: on the storage grid (what is checked is what is written).
  const polygon = input.polygon ? snapToGrid(input.polygon) : undefined;
  const p = polygon ? await polygonHex(tx, polygon) : s.deleted ? s.geom : null;
  // Sending back what is stored (a GET's answer, unchanged) changes nothing: no new version.
  if (
    !restoreFrom &&
    !input.operation &&
    !moving &&
    !input.allowCommunityChange &&
    attributesUnchanged(s, input.attrs) &&
    (!p || (await sameShape(tx, p, s.geom)))
  ) {
    return { change_id: null, operation: 'update', changes: [], warnings: [msg.nothingChanged()] };
  }
  const problems: Problem[] = [];
  if (p) {
    problems.push(...(await validityProblems(tx, p)));
    if (!problems.length && polygon) problems.push(...windingProblems(polygon));
    if (problems.length) throw msg.rejected(problems);
    problems.push(...(await placementProblems(tx, actor, p, target.street_id, target.id, !!input.allowCommunityChange || moving, limits)));
  } else if (moving) {
    problems.push(...(await placementProblems(tx, actor, s.geom, target.street_id, target.id, true, limits)));
  }
  if (problems.length) throw msg.rejected(problems);
  const old = s.deleted ? null : s.geom;
  const adj = p
    ? await adjustNeighbours(tx, {
        gridId: s.id,
        p,
        old,
        streetId: target.street_id,
        communityId: target.id,
        allowCommunityChange: !!input.allowCommunityChange || moving,
        exclude: [],
        limits,
      })
    : { neighbours: [], problems: [], warnings: [] };
  if (adj.problems.length) throw msg.rejected(adj.problems);
  const pop = apportion(s.deleted ? null : s, adj.neighbours, 'population', input.attrs?.population, !!restoreFrom || input.operation === 'revert');
  const hh = apportion(s.deleted ? null : s, adj.neighbours, 'households', input.attrs?.households, !!restoreFrom || input.operation === 'revert');
  const operation = input.operation ?? (restoreFrom ? 'restore' : p ? 'reshape' : 'update');
  const note = input.allowCommunityChange || moving ? 'community_change' : undefined;
  const plan: PlannedWrite[] = [
    {
      before: s,
      role: restoreFrom?.deleted ? 'restored' : 'edited',
      operation,
      geom: p,
      restore: !!restoreFrom?.deleted,
      attrs: { ...input.attrs, population: pop.grid, households: hh.grid, ...(moving ? { community_id: target.id } : {}) },
      note,
    },
    ...neighbourWrites(adj.neighbours, pop.nbs, hh.nbs, note ?? `adjusted_by:${s.code}`),
  ];
  return commitPlan(tx, actor, operation, plan, adj.warnings);
}

/** Whether every attribute given equals the stored one. */
function attributesUnchanged(s: GridState, attrs: GridAttributes | undefined): boolean {
  return Object.entries(attrs ?? {}).every(([k, v]) => v === undefined || v === s[k as keyof GridAttributes]);
}

/** Next free grid code in a community: community code + 3-digit sequence (deleted codes stay taken). */
async function nextGridCode(tx: Transaction<Database>, communityCode: string): Promise<string> {
  const n = await nextGridNumber(tx, communityCode);
  if (n > 999) throw msg.rejected([msg.codesExhausted(communityCode)]);
  return communityCode + String(n).padStart(3, '0');
}

/** nextGridCode, also skipping codes already planned in this change. */
async function nextGridCodeAfter(tx: Transaction<Database>, communityCode: string, plan: PlannedWrite[]): Promise<string> {
  const base = await nextGridCode(tx, communityCode);
  const planned = plan.filter((w) => w.attrs.code).length;
  const n = Number(base.slice(12)) + planned;
  return communityCode + String(n).padStart(3, '0');
}

export interface CreateInput {
  communityCode: string;
  polygon: Polygon;
  name: string;
  code?: string;
  attrs?: GridAttributes;
  allowCommunityChange?: boolean;
}

/** A new grid drawn inside a community; the area it covers is taken from the grids there. */
export async function createGrid(tx: Transaction<Database>, actor: Actor, input: CreateInput, limits = DEFAULT_LIMITS): Promise<EditResult> {
  requireGridWriter(actor);
  const c = await knownCommunity(tx, input.communityCode);
  if (!canWrite(actor, 'grid', [c.street_id])) throw msg.notYourCommunityToCreate(c.code);
  await lockStreets(tx, [c.street_id]);
  const code = input.code ?? (await nextGridCode(tx, c.code));
  if (await gridCodeTaken(tx, code)) throw msg.rejected([msg.duplicateCode(code)]);
  const polygon = snapToGrid(input.polygon); // as it will be stored
  const p = await polygonHex(tx, polygon);
  const invalid = await validityProblems(tx, p);
  if (!invalid.length) invalid.push(...windingProblems(polygon));
  if (invalid.length) throw msg.rejected(invalid);
  const placement = await placementProblems(tx, actor, p, c.street_id, c.id, !!input.allowCommunityChange, limits);
  if (placement.length) throw msg.rejected(placement);
  const adj = await adjustNeighbours(tx, {
    gridId: null,
    p,
    old: null,
    streetId: c.street_id,
    communityId: c.id,
    allowCommunityChange: !!input.allowCommunityChange,
    exclude: [],
    limits,
  });
  if (adj.problems.length) throw msg.rejected(adj.problems);
  const pop = apportion(null, adj.neighbours, 'population', input.attrs?.population);
  const hh = apportion(null, adj.neighbours, 'households', input.attrs?.households);
  const note = input.allowCommunityChange ? 'community_change' : undefined;
  return commitPlan(
    tx,
    actor,
    'create',
    [
      {
        before: null,
        role: 'created',
        operation: 'create',
        geom: p,
        attrs: { ...input.attrs, name: input.name, code, community_id: c.id, population: pop.grid, households: hh.grid },
        note,
      },
      ...neighbourWrites(adj.neighbours, pop.nbs, hh.nbs, note ?? `adjusted_by:${code}`),
    ],
    adj.warnings,
  );
}

export interface SplitInput {
  id: number;
  version: number;
  line: LineString;
  /** Names for the new pieces (default: the grid's name with a suffix). */
  names?: string[];
}

/** Split one grid by a line: the largest piece keeps the grid, the others become new grids. */
export async function splitGrid(tx: Transaction<Database>, actor: Actor, input: SplitInput, limits = DEFAULT_LIMITS): Promise<EditResult> {
  requireGridWriter(actor);
  const s = await lockGrid(tx, actor, input.id, input.version);
  const pieces = await splitPieces(tx, s.geom, input.line);
  if (pieces.length < 2) throw msg.rejected([msg.lineDoesNotSplit()]);
  const small = pieces.filter((x) => x.area < limits.minAreaM2);
  if (small.length) throw msg.rejected(small.map((x) => msg.pieceTooSmall(x.area, limits.minAreaM2)));
  const total = pieces.reduce((t, x) => t + x.area, 0);
  const share = (v: number) => {
    const parts = pieces.map((x) => Math.floor((v * x.area) / total));
    parts[0] += v - parts.reduce((a, b) => a + b, 0);
    return parts;
  };
  const pop = share(s.population);
  const hh = share(s.households);
  const plan: PlannedWrite[] = [{ before: s, role: 'edited', operation: 'split', geom: pieces[0].hex, attrs: { population: pop[0], households: hh[0] } }];
  for (let i = 1; i < pieces.length; i++) {
    const code = await nextGridCodeAfter(tx, s.community_code, plan);
    plan.push({
      before: null,
      role: 'created',
      operation: 'split',
      geom: pieces[i].hex,
      attrs: {
        code,
        name: input.names?.[i - 1] ?? `${s.name}（分${i}）`,
        community_id: s.community_id,
        population: pop[i],
        households: hh[i],
        leader_name: null,
        leader_phone: null,
        party_branch: s.party_branch,
      },
      note: `split_from:${s.code}`,
    });
  }
  return commitPlan(tx, actor, 'split', plan, []);
}

export interface MergeInput {
  /** The first grid keeps its identity; the others are deleted into it. */
  grids: { id: number; version: number }[];
  name?: string;
  operation?: 'merge' | 'delete';
}

/** Merge adjacent grids of one community into the first of them. */
export async function mergeGrids(tx: Transaction<Database>, actor: Actor, input: MergeInput, limits = DEFAULT_LIMITS): Promise<EditResult> {
  requireGridWriter(actor);
  const ids = input.grids.map((g) => g.id);
  if (new Set(ids).size !== ids.length || ids.length < 2) throw msg.rejected([msg.needTwoGrids()]);
  // Street locks for all grids first (sorted), then each grid with its version check.
  const peeks = await Promise.all(ids.map((id) => gridState(tx, id, false)));
  const missing = ids.filter((_, i) => !peeks[i]);
  if (missing.length) throw msg.gridsNotFound(missing);
  await lockStreets(
    tx,
    peeks.map((p) => p!.street_id),
  );
  const states: GridState[] = [];
  for (const g of [...input.grids].sort((a, b) => a.id - b.id)) states.push(await lockGrid(tx, actor, g.id, g.version));
  const ordered = ids.map((id) => states.find((s) => s.id === id)!);
  const keep = ordered[0];
  if (ordered.some((s) => s.community_id !== keep.community_id)) throw msg.rejected([msg.differentCommunities()]);
  const union = await unionOf(
    tx,
    ordered.map((s) => s.geom),
  );
  if (union.parts !== 1) throw msg.rejected([msg.notAdjacent()]);
  if (union.area > limits.maxAreaM2) throw msg.rejected([msg.mergedTooLarge(union.area)]);
  const merged = await withoutTinyHoles(tx, union.hex, limits.toleranceM2 / 10);
  const sum = (f: 'population' | 'households') => ordered.reduce((t, s) => t + s[f], 0);
  const operation = input.operation ?? 'merge';
  const plan: PlannedWrite[] = [
    {
      before: keep,
      role: 'edited',
      operation: operation === 'delete' ? 'reshape' : 'merge',
      geom: merged,
      attrs: { name: input.name, population: sum('population'), households: sum('households') },
      note:
        operation === 'delete'
          ? `absorbed:${ordered
              .slice(1)
              .map((s) => s.code)
              .join(',')}`
          : undefined,
    },
    ...ordered
      .slice(1)
      .map((s) => ({ before: s, role: 'deleted' as const, operation, geom: null, deleted: true, attrs: {}, note: `merged_into:${keep.code}` })),
  ];
  return commitPlan(tx, actor, operation, plan, []);
}

/** Soft-delete a grid, giving its area to a neighbour of the same community. */
export async function deleteGrid(
  tx: Transaction<Database>,
  actor: Actor,
  input: { id: number; version: number; into?: number },
  limits = DEFAULT_LIMITS,
): Promise<EditResult> {
  requireGridWriter(actor);
  if (input.into === undefined) throw msg.rejected([msg.intoRequired()]);
  const into = await gridState(tx, input.into, false);
  if (!into || into.deleted) throw msg.rejected([msg.unknownInto(input.into)]);
  return mergeGrids(
    tx,
    actor,
    {
      grids: [
        { id: into.id, version: into.version },
        { id: input.id, version: input.version },
      ],
      operation: 'delete',
    },
    limits,
  );
}

/** Bring back an earlier version (geometry and attributes) as a new change; undeletes a deleted grid. */
export async function restoreGrid(
  tx: Transaction<Database>,
  actor: Actor,
  input: { id: number; version: number; toVersion: number },
  limits = DEFAULT_LIMITS,
): Promise<EditResult> {
  requireGridWriter(actor);
  // Permission before anything else, so an outsider learns nothing about the grid's versions.
  const peek = await gridState(tx, input.id, false);
  if (!peek) throw msg.gridNotFound(input.id);
  if (!canWrite(actor, 'grid', [peek.street_id])) throw msg.notYourGrid(peek.code);
  const recorded = await versionAsRecorded(tx, input.id, input.toVersion);
  const hex = recorded?.hex ?? null;
  const props = recorded?.props as RecordedProps | undefined;
  if (!hex || !props) throw msg.rejected([msg.noSuchVersion(input.id, input.toVersion)]);
  const current = await gridState(tx, input.id, false);
  const polygon = await geoJsonCcw(tx, hex);
  const communityCode = current && props.community_id !== current.community_id ? await communityCodeOf(tx, props.community_id) : undefined;
  return reshapeGrid(
    tx,
    actor,
    {
      id: input.id,
      version: input.version,
      polygon,
      communityCode,
      operation: current?.deleted ? 'restore' : 'revert',
      // The recorded people come back too; neighbours give them up (the city total is kept).
      attrs: {
        name: props.name,
        leader_name: props.leader_name,
        leader_phone: props.leader_phone,
        party_branch: props.party_branch,
        population: props.population,
        households: props.households,
      },
    },
    limits,
    { deleted: !!current?.deleted },
  );
}
