import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { datasetCounts } from '../db/admin.repository.js';
import { getMeta } from '../db/dataset.repository.js';

const Health = Type.Object({
  status: Type.Literal('ok'),
  engine: Type.Union([Type.Literal('embedded'), Type.Literal('server')]),
  postgres: Type.String(),
  postgis: Type.String(),
  dataset: Type.Union([Type.Null(), Type.Object({}, { additionalProperties: true })]),
  counts: Type.Record(Type.String(), Type.Integer()),
});

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', { schema: { tags: ['meta'], summary: '运行状态：数据库引擎、PostGIS 版本、数据量 / Health: engine, PostGIS version, counts', response: { 200: Health } } }, async () => {
    const db = app.db.kysely;
    const v = await sql<{ pg: string; postgis: string }>`SELECT current_setting('server_version') AS pg, postgis_lib_version() AS postgis`.execute(db);
    const [counts, dataset] = await Promise.all([datasetCounts(db), getMeta<Record<string, unknown>>(db, 'dataset')]);
    return { status: 'ok' as const, engine: app.db.engine, postgres: v.rows[0].pg, postgis: v.rows[0].postgis, dataset, counts };
  });
};
export default routes;
