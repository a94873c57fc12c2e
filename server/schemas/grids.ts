/** Grids (网格) as the read API describes them: GET /api/grids, /api/grids/:id. */
import { Type } from 'typebox';
import { BboxParam, Code12, FeatureCollectionSchema, FeatureSchema, Nullable, PolygonSchema } from './common.js';

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
  updated_by: Type.Optional(Type.String({ description: 'who last changed it (username); logged-in readers only' })),
});

export const GridFeature = FeatureSchema(PolygonSchema, GridProperties);
export const GridCollection = FeatureCollectionSchema(PolygonSchema, GridProperties);

export const GridsQuery = Type.Object(
  {
    bbox: Type.Optional(BboxParam),
    street: Type.Optional(Code12),
    community: Type.Optional(Code12),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'name contains, or code starts with (search)' })),
    simplify: Type.Optional(Type.Number({ minimum: 0, maximum: 1000, description: 'simplification tolerance in metres (low zooms)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20000, default: 20000 })),
  },
  { additionalProperties: false },
);

/** A grid by id or code. */
export const GridRef = Type.Object({ id: Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$' }) });
