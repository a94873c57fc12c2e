import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getGrid, listGrids } from '../db/grids.repository.js';
import { notFound } from '../errors.js';
import { errorResponses } from '../schemas/common.js';
import { GridCollection, GridFeature, GridRef, GridsQuery } from '../schemas/grids.js';
import { gridFeature } from '../grids/present.js';
import { parseBbox } from './params.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      preHandler: app.optionalActor,
      schema: {
        tags: ['grids'],
        summary: '网格（GeoJSON），可按范围、街道、社区、名称筛选 / Grids as GeoJSON, filtered by bbox, street, community, name',
        querystring: GridsQuery,
        response: { 200: GridCollection, ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await listGrids(app.db.kysely, {
        bbox: parseBbox(q.bbox),
        streetCode: q.street,
        communityCode: q.community,
        q: q.q?.trim() || undefined,
        simplifyM: q.simplify,
        limit: q.limit,
      });
      return { type: 'FeatureCollection' as const, features: rows.map((r) => gridFeature(r, !!req.actor)) };
    },
  );

  app.get(
    '/:id',
    {
      preHandler: app.optionalActor,
      schema: {
        tags: ['grids'],
        summary: '单个网格（按 id 或网格编码）/ One grid by id or code',
        params: GridRef,
        response: { 200: GridFeature, ...errorResponses },
      },
    },
    async (req) => {
      const row = await getGrid(app.db.kysely, req.params.id);
      if (!row) throw notFound(`网格 ${req.params.id} 不存在`, `Grid ${req.params.id} not found`);
      return gridFeature(row, !!req.actor);
    },
  );
};
export default routes;
