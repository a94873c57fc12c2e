/**
 * Writes to grids: create, reshape/edit, delete (into a neighbour), split, merge, restore, and
 * the history. Every write needs a login and the version it was based on (`If-Match` header or
 * `version` in the body); `?dry_run=true` does everything, answers with the impact preview, and
 * writes nothing. The work is in ../editing/grids/ (operations.ts); this file is HTTP only.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Polygon } from 'geojson';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { baseVersion, registerWriteRateLimit, translateDbError, writeErrors } from './write-helpers.js';
import { ErrorSchema } from '../schemas/common.js';
import {
  CreateGridBody,
  DeleteGridQuery,
  DryRun,
  EditResponse,
  GridHistory,
  GridId,
  MergeGridsBody,
  ReshapeGridBody,
  RestoreGridBody,
  SplitGridBody,
} from '../schemas/grid-edits.js';
import { editAnswer, gridHistoryEntries } from '../grids/present.js';
import { checkLine, checkPolygon } from '../validation/geometry.js';
import { problemsError } from '../validation/problem.js';
import { createGrid, deleteGrid, mergeGrids, reshapeGrid, restoreGrid, splitGrid } from '../editing/grids/operations.js';
import { gridHistory } from '../editing/grids/queries.js';
import type { EditResult } from '../editing/grids/types.js';
import { editImpact } from '../editing/impact.js';
import { gridExists, gridIdByCode } from '../db/grids.repository.js';
import { parseRef } from './params.js';
import type { Database } from '../db/schema.js';
import type { Transaction } from 'kysely';

class Rollback extends Error {
  constructor(readonly result: EditResult) {
    super('dry run');
  }
}

function polygonOf(input: unknown): Polygon {
  const r = checkPolygon(input);
  if (!r.ok) throw problemsError('invalid_geometry', '几何无效：', 'Invalid geometry: ', r.problems);
  return r.value;
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  await registerWriteRateLimit(app);
  const write = { config: { rateLimit: { max: app.config.writeRatePerMinute, timeWindow: 60_000 } }, preHandler: app.requireActor };

  /** The grid a path (or `into`) names, by id or by code as GET /api/grids/:id takes it; 404 for an unknown code. */
  async function gridIdOf(ref: string): Promise<number> {
    const r = parseRef(ref);
    if ('id' in r) return r.id;
    const id = await gridIdByCode(app.db.kysely, r.code);
    if (id === undefined) throw new ApiError(404, 'not_found', `网格 ${r.code} 不存在`, `Grid ${r.code} not found`);
    return id;
  }

  /** One edit = one transaction; a dry run rolls it back and always includes the impact. */
  async function run(req: FastifyRequest, query: { dry_run?: boolean; impact?: boolean }, op: (tx: Transaction<Database>) => Promise<EditResult>) {
    const dryRun = !!query.dry_run;
    let result: EditResult;
    try {
      result = await app.db.kysely.transaction().execute(async (tx) => {
        const r = await op(tx);
        if (dryRun) throw new Rollback(r);
        return r;
      });
    } catch (err) {
      if (err instanceof Rollback) result = err.result;
      else throw translateDbError(err);
    }
    if (!dryRun) {
      app.city.invalidate();
      req.log.info(
        { change: result.change_id, operation: result.operation, grids: result.changes.map((c) => c.grid_id), by: req.actor?.username },
        'grid edit',
      );
    }
    const impact = dryRun || query.impact ? await editImpact(app.coverage, result.changes) : undefined;
    return editAnswer(result, dryRun, impact);
  }

  app.post(
    '/grids',
    {
      ...write,
      schema: {
        tags: ['grids'],
        summary: '新建网格（占用的区域从同社区相邻网格中划出）/ Create a grid (its area is taken from the grids it covers)',
        querystring: DryRun,
        body: CreateGridBody,
        response: { 200: EditResponse, ...writeErrors },
      },
    },
    async (req) => {
      const { community_code, geometry, code, allow_community_change, name, ...attrs } = req.body;
      const polygon = polygonOf(geometry);
      return run(req, req.query, (tx) =>
        createGrid(tx, req.actor!, { communityCode: community_code, polygon, name, code, attrs, allowCommunityChange: allow_community_change }),
      );
    },
  );

  app.patch(
    '/grids/:id',
    {
      ...write,
      schema: {
        tags: ['grids'],
        summary: '修改网格边界和/或属性；相邻网格随共享边界一起调整 / Reshape and/or edit a grid; neighbours follow the shared border',
        params: GridId,
        querystring: DryRun,
        body: ReshapeGridBody,
        response: { 200: EditResponse, ...writeErrors },
      },
    },
    async (req) => {
      const { version, geometry, community_code, allow_community_change, ...attrs } = req.body;
      const v = baseVersion(req, version);
      const polygon = geometry === undefined ? undefined : polygonOf(geometry);
      const id = await gridIdOf(req.params.id);
      return run(req, req.query, (tx) =>
        reshapeGrid(tx, req.actor!, { id, version: v, polygon, attrs, communityCode: community_code, allowCommunityChange: allow_community_change }),
      );
    },
  );

  app.delete(
    '/grids/:id',
    {
      ...write,
      schema: {
        tags: ['grids'],
        summary: '删除网格（软删除，可恢复），其区域并入相邻网格 into / Delete a grid (soft, restorable); its area goes to neighbour `into`',
        params: GridId,
        querystring: DeleteGridQuery,
        response: { 200: EditResponse, ...writeErrors },
      },
    },
    async (req) => {
      const v = baseVersion(req, req.query.version);
      const id = await gridIdOf(req.params.id);
      const into = req.query.into === undefined ? undefined : await gridIdOf(req.query.into);
      return run(req, req.query, (tx) => deleteGrid(tx, req.actor!, { id, version: v, into }));
    },
  );

  app.post(
    '/grids/:id/split',
    {
      ...write,
      schema: {
        tags: ['grids'],
        summary: '用一条线分割网格 / Split a grid by a line',
        params: GridId,
        querystring: DryRun,
        body: SplitGridBody,
        response: { 200: EditResponse, ...writeErrors },
      },
    },
    async (req) => {
      const v = baseVersion(req, req.body.version);
      const line = checkLine(req.body.line);
      if (!line.ok) throw problemsError('invalid_geometry', '分割线无效：', 'Invalid split line: ', line.problems);
      const id = await gridIdOf(req.params.id);
      return run(req, req.query, (tx) => splitGrid(tx, req.actor!, { id, version: v, line: line.value, names: req.body.names }));
    },
  );

  app.post(
    '/grids/merge',
    {
      ...write,
      schema: {
        tags: ['grids'],
        summary: '合并同一社区的相邻网格（保留第一个）/ Merge adjacent grids of one community (the first is kept)',
        querystring: DryRun,
        body: MergeGridsBody,
        response: { 200: EditResponse, ...writeErrors },
      },
    },
    async (req) => run(req, req.query, (tx) => mergeGrids(tx, req.actor!, { grids: req.body.grids, name: req.body.name })),
  );

  app.post(
    '/grids/:id/restore',
    {
      ...write,
      schema: {
        tags: ['grids'],
        summary: '恢复到历史版本（作为一次新的修改；也可恢复已删除的网格）/ Restore an earlier version as a new change (also undeletes)',
        params: GridId,
        querystring: DryRun,
        body: RestoreGridBody,
        response: { 200: EditResponse, ...writeErrors },
      },
    },
    async (req) => {
      const v = baseVersion(req, req.body.version);
      const id = await gridIdOf(req.params.id);
      return run(req, req.query, (tx) => restoreGrid(tx, req.actor!, { id, version: v, toVersion: req.body.to_version }));
    },
  );

  app.get(
    '/grids/:id/history',
    {
      // Usernames of who changed what: logged-in users only.
      preHandler: app.requireActor,
      schema: {
        tags: ['grids'],
        summary: '网格的修改历史（新→旧；需登录）/ A grid’s history, newest first (login required)',
        params: GridId,
        response: { 200: GridHistory, 401: ErrorSchema, 404: ErrorSchema, 400: ErrorSchema },
      },
    },
    async (req) => {
      const id = await gridIdOf(req.params.id);
      const entries = await gridHistory(app.db.kysely, id);
      if (!entries.length && !(await gridExists(app.db.kysely, id))) {
        throw new ApiError(404, 'not_found', `网格 ${req.params.id} 不存在`, `Grid ${req.params.id} not found`);
      }
      return { grid_id: id, entries: gridHistoryEntries(entries) };
    },
  );
};

export default routes;
