/** The street network (街道路网) as the offline basemap draws it. */
import { Type } from 'typebox';
import { BboxParam, FeatureCollectionSchema, LineStringSchema, MultiLineStringSchema, Nullable } from './common.js';

export const NetworkQuery = Type.Object(
  {
    bbox: BboxParam,
    major: Type.Optional(Type.Boolean({ description: 'only primary/secondary/tertiary roads (low zooms)' })),
    simplify: Type.Optional(Type.Number({ minimum: 0, maximum: 1000, description: 'tolerance in metres' })),
    overview: Type.Optional(
      Type.Boolean({
        description:
          'zoomed-out map: major roads only, each road (class + name) merged into one feature and simplified (default 20 m); features have no edge id',
      }),
    ),
  },
  { additionalProperties: false },
);
export const RoadProperties = Type.Object({
  id: Type.Optional(Type.Integer({ description: 'edge id (absent with overview=true)' })),
  highway: Type.String(),
  name: Nullable(Type.String()),
  length_m: Type.Number(),
  edges: Type.Optional(Type.Integer({ description: 'overview=true: edges merged into this feature' })),
});
export const Network = FeatureCollectionSchema(Type.Union([LineStringSchema, MultiLineStringSchema]), RoadProperties, { attribution: Nullable(Type.String()) });
