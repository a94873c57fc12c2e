/** Coverage (覆盖率) answers: per-grid and roll-up statistics, shares, gaps, walking areas. */
import { Type } from 'typebox';
import { AreaSchema, Lat, Lon, MultiLineStringSchema, MultiPolygonSchema, Nullable, PolygonSchema } from './common.js';
import { GridProperties } from './grids.js';

/** Query parameters shared by /api/coverage and /api/coverage/gaps. */
export const CoverageQueryParams = {
  types: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated station type codes (default: all)' })),
  mode: Type.Optional(Type.Union([Type.Literal('radius'), Type.Literal('walk')], { description: 'override every type’s own standard' })),
  radius: Type.Optional(Type.Number({ minimum: 10, maximum: 20000, description: 'radius in metres (radius mode)' })),
  minutes: Type.Optional(Type.Number({ minimum: 1, maximum: 120, description: 'walking minutes (walk mode)' })),
  open_at: Type.Optional(Type.String({ maxLength: 40, description: 'only stations open then; ISO 8601, without offset = city time' })),
  combine: Type.Optional(
    Type.Union([Type.Literal('any'), Type.Literal('all')], {
      default: 'any',
      description:
        'with several types: `any` (任一类型) = covered by at least one of them; `all` (全部齐全) = covered by every one of them (per grid, the intersection of the types’ covered parts). One type: the same.',
    }),
  ),
  bbox: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'minLon,minLat,maxLon,maxLat (WGS84): list only the grids (gaps) whose bounding box meets it — the map view. Roll-ups (`units`) stay city-wide.',
      examples: ['121.58,38.89,121.62,38.93'],
    }),
  ),
};

export const CoverageQuery = Type.Object(
  {
    ...CoverageQueryParams,
    format: Type.Optional(
      Type.Union([Type.Literal('geojson'), Type.Literal('stats'), Type.Literal('shares'), Type.Literal('csv'), Type.Literal('xlsx')], { default: 'geojson' }),
    ),
    level: Type.Optional(Type.Union([Type.Literal('grid'), Type.Literal('community'), Type.Literal('street'), Type.Literal('district')], { default: 'grid' })),
  },
  { additionalProperties: false },
);
export const GapsQuery = Type.Object(
  { ...CoverageQueryParams, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20000, default: 100 })) },
  { additionalProperties: false },
);
export const IsochroneQuery = Type.Object(
  { lon: Lon, lat: Lat, minutes: Type.Optional(Type.Number({ minimum: 1, maximum: 60, default: 15 })) },
  { additionalProperties: false },
);

/** Per chosen type: its own covered share of the grid (by area; within a grid people are spread evenly, so also by population). */
const ByType = Type.Record(Type.String(), Type.Number(), { description: 'each chosen type’s own covered share, 0..1' });
const MissingTypes = Type.Array(Type.String(), { description: 'chosen types that leave part of it uncovered (codes)' });

// The grid's identity and contact fields as the grids API describes them, plus coverage figures.
export const GridStats = Type.Object({
  ...Type.Pick(GridProperties, [
    'id',
    'code',
    'name',
    'community_code',
    'community_name',
    'street_code',
    'street_name',
    'district_code',
    'leader_name',
    'leader_phone',
  ]).properties,
  area_m2: Type.Number(),
  covered_m2: Type.Number(),
  gap_area_m2: Type.Number(),
  covered_share: Type.Number({ description: 'by area, 0..1' }),
  population: Type.Integer(),
  covered_population: Type.Number(),
  uncovered_population: Type.Number(),
  by_type: ByType,
  missing_types: MissingTypes,
});
export const UnitLevel = Type.Union([Type.Literal('city'), Type.Literal('district'), Type.Literal('street'), Type.Literal('community')]);
export const UnitStats = Type.Object({
  level: Type.Union(UnitLevel.anyOf, { description: 'community | street | district | city' }),
  code: Type.String(),
  name: Type.String(),
  grids: Type.Integer(),
  area_m2: Type.Number(),
  gap_area_m2: Type.Number(),
  covered_share_by_area: Type.Number(),
  population: Type.Integer(),
  uncovered_population: Type.Number(),
  covered_share_by_population: Type.Number(),
  by_type: Type.Record(Type.String(), Type.Object({ by_population: Type.Number(), by_area: Type.Number(), uncovered_population: Type.Number() }), {
    description: 'each chosen type’s own roll-up',
  }),
  missing_types: Type.Array(Type.String(), { description: 'chosen types that leave someone or some area uncovered, most uncovered people first' }),
});
/** The least the map needs to colour a grid and fill its popup (`format=shares`, with the gaps). */
export const GridShare = Type.Object({
  id: Type.Integer(),
  covered_share: Type.Number({ description: 'by area, 0..1' }),
  covered_share_by_population: Nullable(Type.Number({ description: '0..1; null without residents' })),
  uncovered_population: Type.Number(),
  by_type: ByType,
  missing_types: MissingTypes,
});
/** The standard one type's stations are measured by (覆盖口径). */
export const TypeStandardInUse = Type.Object({
  type: Type.String(),
  name_zh: Type.String(),
  name_en: Type.String(),
  mode: Type.Union([Type.Literal('radius'), Type.Literal('walk')], { description: 'radius: straight-line circle; walk: along the streets' }),
  radius_m: Nullable(Type.Number()),
  minutes: Nullable(Type.Number()),
  walk_speed_kmh: Nullable(Type.Number()),
  limit_m: Nullable(Type.Number({ description: 'walking distance = minutes × speed' })),
  buffer_m: Nullable(Type.Number({ description: 'distance from a reached street that counts as served' })),
});
export const CoverageMeta = Type.Object({
  types: Type.Array(Type.String()),
  combine: Type.Union([Type.Literal('any'), Type.Literal('all')]),
  standards: Type.Array(TypeStandardInUse),
  population_source: Type.Literal('even', { description: 'population spread evenly over each grid' }),
  mode: Type.String({ description: 'radius | walk | standard (each type its own)' }),
  open_at: Nullable(Type.String()),
  stations_used: Type.Integer(),
  stations_unsnapped: Type.Array(Type.String()),
  recomputed_grids: Type.Integer(),
  compute_ms: Type.Number(),
});
/** Each listed grid's uncovered parts as one MultiPolygon feature. */
export const GapPolygons = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      geometry: MultiPolygonSchema,
      properties: Type.Object({ grid_id: Type.Integer(), grid_code: Type.String() }),
    }),
  ),
});

/** format=geojson: the grids as features with their figures, the roll-ups and the gaps. */
export const CoverageGeoJson = Type.Object({
  type: Type.Literal('FeatureCollection'),
  meta: CoverageMeta,
  units: Type.Array(UnitStats),
  features: Type.Array(Type.Object({ type: Type.Literal('Feature'), id: Type.Integer(), geometry: PolygonSchema, properties: GridStats })),
  gaps: GapPolygons,
});
/** format=stats: figures only (`grids` empty with a roll-up `level`). */
export const CoverageStats = Type.Object({ meta: CoverageMeta, units: Type.Array(UnitStats), grids: Type.Array(GridStats) });
/** format=shares: per listed grid only what the map colours by, with its gaps. */
export const CoverageShares = Type.Object({ meta: CoverageMeta, grids: Type.Array(GridShare), gaps: GapPolygons });

export const CoverageAnswer = Type.Union([
  CoverageGeoJson,
  CoverageStats,
  // After the stats answer: a stats answer would also pass this schema and lose fields.
  CoverageShares,
  Type.String({ description: 'CSV' }),
  Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary', description: 'Excel workbook (format=xlsx)' }),
]);

export const GapProperties = Type.Object({
  rank: Type.Integer(),
  gap_area_m2: Type.Number(),
  uncovered_population: Type.Number(),
  grid_id: Type.Integer(),
  grid_code: Type.String(),
  grid_name: Type.String(),
  community_code: Type.String(),
  community_name: Type.String(),
  street_code: Type.String(),
  street_name: Type.String(),
  district_name: Type.String(),
  leader_name: Nullable(Type.String()),
  leader_phone: Nullable(Type.String()),
  missing_types: MissingTypes,
  missing_types_zh: Type.String({ description: 'the missing types’ Chinese names, joined with 、' }),
});
/** Gaps ranked city-wide by uncovered people, one feature per grid with a gap. */
export const RankedGaps = Type.Object({
  type: Type.Literal('FeatureCollection'),
  meta: CoverageMeta,
  features: Type.Array(Type.Object({ type: Type.Literal('Feature'), geometry: MultiPolygonSchema, properties: GapProperties })),
});

export const Isochrone = Type.Object({
  type: Type.Literal('Feature'),
  geometry: AreaSchema,
  properties: Type.Object({
    minutes: Type.Number(),
    limit_m: Type.Number(),
    walk_speed_kmh: Type.Number(),
    buffer_m: Type.Number(),
    reached_nodes: Type.Integer(),
    snap_distance_m: Type.Number(),
    area_m2: Type.Number(),
    lines: MultiLineStringSchema,
  }),
});
