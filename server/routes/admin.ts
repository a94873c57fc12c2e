import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminBoundaries, adminTree } from '../db/admin.repository.js';
import { errorResponses } from '../schemas/common.js';
import { AdminTree, Boundaries, BoundariesQuery, Located, LocateQuery } from '../schemas/admin.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/admin/tree',
    { schema: { tags: ['admin'], summary: '区 → 街道 → 社区 树及统计 / District → street → community tree with counts', response: { 200: AdminTree } } },
    async () => ({ districts: await adminTree(app.db.kysely) }),
  );

  app.get(
    '/admin/boundaries',
    {
      schema: {
        tags: ['admin'],
        summary: '区、街道或社区的边界（GeoJSON）/ District, street or community outlines as GeoJSON',
        querystring: BoundariesQuery,
        response: {
          200: Boundaries,
          ...errorResponses,
        },
      },
    },
    async (req) => ({ type: 'FeatureCollection' as const, features: await adminBoundaries(app.db.kysely, req.query.level, req.query.simplify) }),
  );

  app.get(
    '/locate',
    {
      schema: {
        tags: ['admin'],
        summary: '此处归谁管：所在网格、社区、街道、区及网格长 / Who is responsible here: grid, community, street, district and grid leader',
        querystring: LocateQuery,
        response: { 200: Located, ...errorResponses },
      },
    },
    async (req) => {
      return app.locate.locate(req.query.lon, req.query.lat);
    },
  );
};
export default routes;
