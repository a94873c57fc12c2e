/**
 * Writes to stations: create, update/move, soft delete, and the history. Login required; planners
 * anywhere, street editors inside their street(s). Work in ../editing/station-edits.ts.
 */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Transaction } from 'kysely';
import { ApiError } from '../errors.js';
import { ErrorSchema } from '../schemas/common.js';
import type { Database } from '../db/schema.js';
import { createStation, deleteStation, stationHistory, updateStation } from '../editing/station-edits.js';
import { baseVersion, registerWriteRateLimit, translateDbError, writeErrors } from './write-helpers.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Fields = {
  type: Type.Optional(Type.String({ pattern: '^[a-z_]{1,40}$', description: 'station type code' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  address: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  amenities: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
  opening_hours: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 30, pattern: '^[0-9+() -]*$' }))),
  operator: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  status: Type.Optional(Type.String({ description: 'open | temporarily_closed' })),
};
const Saved = Type.Object({ id: Type.Integer(), code: Type.String(), version: Type.Integer(), deleted: Type.Boolean() });

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
        body: Type.Object({ ...Fields, type: Type.String({ pattern: '^[a-z_]{1,40}$' }), name: Type.String({ minLength: 1, maxLength: 100 }), lon: Type.Number({ minimum: -180, maximum: 180 }), lat: Type.Number({ minimum: -90, maximum: 90 }), code: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })) }, { additionalProperties: false }),
        response: { 200: Saved, ...writeErrors },
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
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({ ...Fields, version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
        response: { 200: Saved, ...writeErrors },
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
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
        response: { 200: Saved, ...writeErrors },
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
      schema: {
        tags: ['stations'],
        summary: '站点的修改历史（新→旧）/ A station’s history, newest first',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Object({ station_id: Type.Integer(), entries: Type.Array(Type.Unknown()) }), 404: ErrorSchema, 400: ErrorSchema },
      },
    },
    async (req) => {
      if (!(await app.db.kysely.selectFrom('stations').select('id').where('id', '=', req.params.id).executeTakeFirst())) {
        throw new ApiError(404, 'not_found', `站点 ${req.params.id} 不存在`, `Station ${req.params.id} not found`);
      }
      const entries = await stationHistory(app.db.kysely, req.params.id);
      return { station_id: req.params.id, entries: entries.map((e) => ({ ...e, changed_at: new Date(e.changed_at).toISOString() })) };
    },
  );
};
export default routes;
