import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getGrid, listGrids, type GridRow } from '../db/grids.repository.js';
import { notFound } from '../errors.js';
import { BboxParam, errorResponses, FeatureCollectionSchema, FeatureSchema, parseBbox } from '../schemas/common.js';

const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
export const GridProperties = Type.Object({
  id: Type.Integer(),
  code: Type.String({ description: '网格编码' }),
  name: Type.String(),
  community_code: Type.String(),
  community_name: Type.String(),
  street_code: Type.String(),
  street_name: Type.String(),
  district_code: Type.String(),
  district_name: Type.String(),
  leader_name: Nullable(Type.String({ description: '网格长' })),
  leader_phone: Nullable(Type.String()),
  party_branch: Nullable(Type.String({ description: '网格党支部' })),
  population: Type.Integer(),
  households: Type.Integer(),
  area_m2: Type.Number({ description: 'geodesic area, m²' }),
  version: Type.Integer({ description: 'for optimistic locking (If-Match)' }),
  updated_at: Type.String({ format: 'date-time' }),
  updated_by: Type.String(),
});

export function gridFeature(r: GridRow) {
  const { geometry, ...p } = r;
  return { type: 'Feature' as const, id: r.id, geometry, properties: { ...p, updated_at: new Date(p.updated_at).toISOString() } };
}

const Code = Type.String({ pattern: '^[0-9]{12}$', description: '12-digit code' });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['grids'],
        summary: '网格（GeoJSON），可按范围、街道、社区、名称筛选 / Grids as GeoJSON, filtered by bbox, street, community, name',
        querystring: Type.Object(
          {
            bbox: Type.Optional(BboxParam),
            street: Type.Optional(Code),
            community: Type.Optional(Code),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'name contains, or code starts with (search)' })),
            simplify: Type.Optional(Type.Number({ minimum: 0, maximum: 1000, description: 'simplification tolerance in metres (low zooms)' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20000, default: 20000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: FeatureCollectionSchema(GridProperties), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await listGrids(app.db.kysely, { bbox: parseBbox(q.bbox), streetCode: q.street, communityCode: q.community, q: q.q?.trim() || undefined, simplifyM: q.simplify, limit: q.limit });
      return { type: 'FeatureCollection' as const, features: rows.map(gridFeature) };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['grids'],
        summary: '单个网格（按 id 或网格编码）/ One grid by id or code',
        params: Type.Object({ id: Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$' }) }),
        response: { 200: FeatureSchema(GridProperties), ...errorResponses },
      },
    },
    async (req) => {
      const row = await getGrid(app.db.kysely, req.params.id);
      if (!row) throw notFound(`网格 ${req.params.id} 不存在`, `Grid ${req.params.id} not found`);
      return gridFeature(row);
    },
  );
};
export default routes;
