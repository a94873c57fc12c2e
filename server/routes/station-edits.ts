/**
 * Writes to stations: create, update/move, soft delete, and the history. Login required; planners
 * anywhere, street editors inside their street(s). Work in ../editing/station-edits.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Transaction } from 'kysely';
import { ApiError } from '../errors.js';
import { ErrorSchema } from '../schemas/common.js';
import { CreateStationBody, SavedStation, StationHistory, StationId, UpdateStationBody, VersionQuery } from '../schemas/station-edits.js';
import { stationExists } from '../db/stations.repository.js';
import type { Database } from '../db/schema.js';
import { createStation, deleteStation, stationHistory, updateStation } from '../editing/station-edits.js';
import { stationHistoryEntries } from '../stations/present.js';
import { baseVersion, registerWriteRateLimit, translateDbError, writeErrors } from './write-helpers.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  await registerWriteRateLimit(app);
  const write = { config: { rateLimit: { max: app.config.writeRatePerMinute, timeWindow: 60_000 } }, preHandler: app.requireActor };

  async function run<T>(op: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    try {
      const r = await app.db.kysely.transaction().execute(op);
      app.city.invalidate();
      return r;
    } catch (err) {
      throw translateDbError(err);
    }
  }
  const saved = (s: { id: number; code: string; version: number; deleted: boolean }) => ({ id: s.id, code: s.code, version: s.version, deleted: s.deleted });

  app.post(
    '/stations',
    {
      ...write,
      schema: {
        tags: ['stations'],
        summary: '新建站点 / Create a station',
        body: CreateStationBody,
        response: { 200: SavedStation, ...writeErrors },
      },
    },
    async (req) => saved(await run((tx) => createStation(tx, req.actor!, req.body))),
  );

  app.patch(
    '/stations/:id',
    {
      ...write,
      schema: {
        tags: ['stations'],
        summary: '修改或移动站点（If-Match 版本号）/ Edit or move a station (If-Match version)',
        params: StationId,
        body: UpdateStationBody,
        response: { 200: SavedStation, ...writeErrors },
      },
    },
    async (req) => {
      const { version, ...f } = req.body;
      const v = baseVersion(req, version);
      return saved(await run((tx) => updateStation(tx, req.actor!, req.params.id, v, f)));
    },
  );

  app.delete(
    '/stations/:id',
    {
      ...write,
      schema: {
        tags: ['stations'],
        summary: '删除站点（软删除，历史中保留）/ Delete a station (soft; kept in the history)',
        params: StationId,
        querystring: VersionQuery,
        response: { 200: SavedStation, ...writeErrors },
      },
    },
    async (req) => {
      const v = baseVersion(req, req.query.version);
      return saved(await run((tx) => deleteStation(tx, req.actor!, req.params.id, v)));
    },
  );

  app.get(
    '/stations/:id/history',
    {
      // Usernames of who changed what: logged-in users only.
      preHandler: app.requireActor,
      schema: {
        tags: ['stations'],
        summary: '站点的修改历史（新→旧；需登录）/ A station’s history, newest first (login required)',
        params: StationId,
        response: { 200: StationHistory, 401: ErrorSchema, 404: ErrorSchema, 400: ErrorSchema },
      },
    },
    async (req) => {
      if (!(await stationExists(app.db.kysely, req.params.id))) {
        throw new ApiError(404, 'not_found', `站点 ${req.params.id} 不存在`, `Station ${req.params.id} not found`);
      }
      const entries = await stationHistory(app.db.kysely, req.params.id);
      return { station_id: req.params.id, entries: stationHistoryEntries(entries) };
    },
  );
};
export default routes;
