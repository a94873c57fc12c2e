import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { databaseVersions, datasetCounts } from '../db/admin.repository.js';
import { getMeta } from '../db/dataset.repository.js';
import { Health } from '../schemas/health.js';
import type { Static } from 'typebox';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', { schema: { tags: ['meta'], summary: '运行状态：数据库引擎、PostGIS 版本、数据量 / Health: engine, PostGIS version, counts', response: { 200: Health } } }, async () => {
    const db = app.db.kysely;
    const [v, counts, dataset] = await Promise.all([databaseVersions(db), datasetCounts(db), getMeta<Static<typeof Health>['dataset']>(db, 'dataset')]);
    return { status: 'ok' as const, engine: app.db.engine, postgres: v.pg, postgis: v.postgis, dataset, counts };
  });
};
export default routes;
