/**
 * Schema pieces shared by the concept schemas (server/schemas/<route>.ts). Like every module in
 * this folder it imports nothing but `typebox` and its sibling schema modules: the web client
 * derives its types from them with `Static<>` (type imports only), so they must stay free of
 * server runtime code.
 */
import { Type, type TLiteral, type TSchema, type TUnion } from 'typebox';

export const ErrorSchema = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String({ description: 'machine-readable code' }),
    message: Type.String({ description: 'Chinese / English' }),
    message_zh: Type.String(),
    message_en: Type.String(),
    // Open by design: validation issues, edit problems, version conflicts, an import report.
    details: Type.Optional(Type.Unknown()),
  },
  { $id: 'Error' },
);

/** The usual 4xx responses for a route. */
export const errorResponses = {
  400: ErrorSchema,
  404: ErrorSchema,
};

/** `T` or null. */
/** A database id (PostgreSQL `integer`): 1 … 2³¹−1, so `1e400`, `Infinity` or a 15-digit number is a 400, not a database error. */
export const DbId = (description?: string) => Type.Integer({ minimum: 1, maximum: 2_147_483_647, ...(description ? { description } : {}) });

/**
 * A grid or station named in a path: an id (1–9 digits) or a code (anything else matching the
 * code pattern) — the same rule for every route; server/routes/params.ts `parseRef` reads it.
 */
export const IdOrCode = Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$', description: 'id (1–9 digits) or code' });

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

// GeoJSON geometries (RFC 7946), WGS84 lon/lat.
const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 3, description: '[lon, lat]' });
export const PointSchema = Type.Object({ type: Type.Literal('Point'), coordinates: Position });
export const LineStringSchema = Type.Object({ type: Type.Literal('LineString'), coordinates: Type.Array(Position) });
export const MultiLineStringSchema = Type.Object({ type: Type.Literal('MultiLineString'), coordinates: Type.Array(Type.Array(Position)) });
export const PolygonSchema = Type.Object({ type: Type.Literal('Polygon'), coordinates: Type.Array(Type.Array(Position)) });
export const MultiPolygonSchema = Type.Object({ type: Type.Literal('MultiPolygon'), coordinates: Type.Array(Type.Array(Type.Array(Position))) });
/** An area: a polygon, or several (an outline drawn in parts). */
export const AreaSchema = Type.Union([PolygonSchema, MultiPolygonSchema]);

/** A GeoJSON Feature with `geometry` and `properties`, and an id. */
export function FeatureSchema<G extends TSchema, P extends TSchema>(geometry: G, properties: P) {
  return Type.Object({
    type: Type.Literal('Feature'),
    id: Type.Union([Type.Integer(), Type.String()]),
    geometry,
    properties,
  });
}

export function FeatureCollectionSchema<G extends TSchema, P extends TSchema, E extends Record<string, TSchema> = Record<never, TSchema>>(
  geometry: G,
  properties: P,
  extra: E = {} as E,
) {
  return Type.Object({
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(FeatureSchema(geometry, properties)),
    ...extra,
  });
}

export const Lon = Type.Number({ minimum: -180, maximum: 180, description: 'longitude, WGS84' });
export const Lat = Type.Number({ minimum: -90, maximum: 90, description: 'latitude, WGS84' });

export const BboxParam = Type.String({
  description: 'minLon,minLat,maxLon,maxLat (WGS84)',
  maxLength: 200,
  examples: ['121.58,38.89,121.62,38.93'],
});

/** minLon, minLat, maxLon, maxLat (WGS84). */
export type Bbox = [number, number, number, number];
/** The same, as a value in an answer (a dataset's extent). */
export const BboxSchema = Type.Unsafe<Bbox>(Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }));

/** Coordinate systems of files: WGS84 (GPS, GIS), GCJ-02 (Amap/Tencent), BD-09 (Baidu). */
export const Crs = Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')]);

/** A 12-digit administrative code (street, community). */
const CODE12 = '^[0-9]{12}$';
export const Code12 = Type.String({ pattern: CODE12, description: '12-digit code' });
/** The same with its own description. */
export const Code12As = (description: string) => Type.String({ pattern: CODE12, description });

/** A union of string literals: `Literals('a', 'b')` is `Type.Union([Type.Literal('a'), Type.Literal('b')])`. */
type LiteralsOf<T extends string[]> = T extends [infer H extends string, ...infer R extends string[]] ? [TLiteral<H>, ...LiteralsOf<R>] : [];
export function Literals<const T extends string[]>(...names: T): TUnion<LiteralsOf<T>> {
  return Type.Union(names.map((n) => Type.Literal(n))) as TUnion<LiteralsOf<T>>;
}
