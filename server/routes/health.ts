import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { databaseVersions, datasetCounts } from '../db/admin.repository.js';
import { getMeta } from '../db/dataset.repository.js';
import { Health, Ready } from '../schemas/health.js';
import { ApiError } from '../errors.js';
import { ErrorSchema } from '../schemas/common.js';
import type { Static } from 'typebox';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    { schema: { tags: ['meta'], summary: '运行状态：数据库引擎、PostGIS 版本、数据量 / Health: engine, PostGIS version, counts', response: { 200: Health } } },
    async () => {
      const db = app.db.kysely;
      const [v, counts, dataset] = await Promise.all([databaseVersions(db), datasetCounts(db), getMeta<Static<typeof Health>['dataset']>(db, 'dataset')]);
      return { status: 'ok' as const, engine: app.db.engine, postgres: v.pg, postgis: v.postgis, dataset, counts };
    },
  );

  // Readiness beside liveness: a load balancer or supervisor sends traffic once the in-memory city
  // (grids, stations, street graph) is loaded — `npm start` loads it in the background after listening.
  app.get(
    '/ready',
    {
      schema: {
        tags: ['meta'],
        summary: '就绪：内存中的城市数据已载入（否则 503）/ Readiness: the in-memory city is loaded (else 503)',
        response: { 200: Ready, 503: ErrorSchema },
      },
    },
    async () => {
      if (!app.city.isLoaded || app.city.isClosed) {
        throw new ApiError(
          503,
          'not_ready',
          app.city.isClosed ? '服务正在关闭' : '正在载入城市数据，请稍候',
          app.city.isClosed ? 'Shutting down' : 'Loading the city data; not ready yet',
          undefined,
          2,
        );
      }
      return { status: 'ready' as const };
    },
  );
};
export default routes;
