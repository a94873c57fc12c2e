/** Stations (服务站点) as the read API describes them: types, lists, nearest, one station. */
import { Type } from 'typebox';
import { BboxParam, FeatureCollectionSchema, FeatureSchema, Lat, LineStringSchema, Lon, Nullable, PointSchema } from './common.js';

export const StationType = Type.Object({
  code: Type.String(),
  name_zh: Type.String(),
  name_en: Type.String(),
  coverage_mode: Type.String(),
  coverage_radius_m: Type.Number(),
  coverage_minutes: Type.Number(),
});
export const StationTypes = Type.Object({ types: Type.Array(StationType), amenities: Type.Array(Type.String()) });

export const StationProperties = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  type: Type.String(),
  type_name_zh: Type.String(),
  type_name_en: Type.String(),
  name: Type.String(),
  address: Nullable(Type.String()),
  amenities: Type.Array(Type.String()),
  opening_hours: Type.String({ description: 'OpenStreetMap opening_hours syntax' }),
  opening_hours_text: Nullable(
    Type.String({
      description:
        'the hours as an imported station list wrote them (e.g. 周一至周五 8:30-17:30), kept when they were converted to opening_hours; null when given in OSM syntax, entered in the editor or edited since',
    }),
  ),
  always_open: Type.Boolean({ description: '24/7' }),
  open_now: Type.Union([Type.Boolean(), Type.Null()], {
    description: 'open at the evaluated time (open_at, else now); false when temporarily closed; null if the hours cannot be parsed',
  }),
  next_change: Nullable(
    Type.String({
      description:
        'when open_now next flips (within 8 days), ISO 8601 in the city wall clock with its offset (2026-12-03T21:00+08:00): the closing time while open, the opening time while closed; null for 24/7, temporarily closed or unparseable hours',
    }),
  ),
  phone: Nullable(Type.String()),
  operator: Nullable(Type.String()),
  status: Type.String({ description: 'open | temporarily_closed' }),
  version: Type.Integer(),
  distance_m: Type.Optional(Type.Number({ description: 'by=walk: walking distance door to door along streets; by=straight: geodesic distance; metres' })),
  straight_m: Type.Optional(Type.Number({ description: 'geodesic straight-line distance, metres' })),
  walk_minutes: Type.Optional(Type.Number({ description: 'minutes on foot (WALK_SPEED_KMH)' })),
  ebike_minutes: Type.Optional(Type.Number({ description: 'minutes by e-bike (EBIKE_SPEED_KMH)' })),
  route: Type.Optional(Type.Object({ ...LineStringSchema.properties }, { description: 'walking route from the query point to the station' })),
});

export const StationFeature = FeatureSchema(PointSchema, StationProperties);
export const StationCollection = FeatureCollectionSchema(PointSchema, StationProperties, { evaluated_at: Type.String() });
export const NearestStations = FeatureCollectionSchema(PointSchema, StationProperties, {
  evaluated_at: Type.String(),
  by: Type.String({ description: 'walk | straight' }),
});

const BoolParam = Type.Boolean({ description: 'true/false' });

export const StationsQuery = Type.Object(
  {
    types: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated type codes' })),
    amenities: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated; stations having all of them' })),
    bbox: Type.Optional(BboxParam),
    open_at: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601; without offset = city local time. Only stations open then.' })),
    open_now: Type.Optional(BoolParam),
  },
  { additionalProperties: false },
);

export const NearestQuery = Type.Object(
  {
    lon: Lon,
    lat: Lat,
    type: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated type codes' })),
    amenity: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated; all required' })),
    open_now: Type.Optional(BoolParam),
    open_at: Type.Optional(Type.String({ maxLength: 40 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5 })),
    by: Type.Optional(
      Type.Union([Type.Literal('walk'), Type.Literal('straight')], {
        description: 'walk (default when a street network exists): along streets; straight: geodesic',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A station by id or code. */
export const StationRef = Type.Object({ id: Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$' }) });
