/** Life-circle (生活圈) answers: rule packs, and per unit the share of residents with a complete circle. */
import { Type } from 'typebox';
import { Nullable } from './common.js';

const Profile = Type.Union([Type.Literal('standard'), Type.Literal('elderly'), Type.Literal('ebike')], {
  description: 'walking profile: standard 4.8 km/h, elderly 3.6 km/h, ebike 15 km/h',
});
const Unit = Type.Union([Type.Literal('grid'), Type.Literal('community'), Type.Literal('street'), Type.Literal('district')]);

export const LifecircleQuery = Type.Object(
  {
    pack: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,59}$', description: 'rule pack id (GET /api/lifecircle/packs); default gb50180-2018' })),
    level: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, description: 'the life circle, minutes (one of the pack’s levels); default its largest' })),
    unit: Type.Optional(Type.Union([Unit], { default: 'grid' })),
    profile: Type.Optional(Profile),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')], { default: 'json' })),
  },
  { additionalProperties: false },
);

const ShareMap = Type.Record(Type.String(), Nullable(Type.Number({ minimum: 0, maximum: 1 })));

export const LifecircleRow = Type.Object({
  unit: Type.Union([Unit, Type.Literal('city')]),
  code: Type.String(),
  name: Type.String(),
  id: Type.Optional(Type.Integer({ description: 'the grid’s id (grid rows)' })),
  grids: Type.Integer(),
  population: Type.Number(),
  complete_population: Type.Number({ description: 'residents with every category of the level within its limit' }),
  complete_share: Nullable(Type.Number({ minimum: 0, maximum: 1, description: 'complete_population / population; null without residents' })),
  categories: ShareMap,
  within: Type.Record(Type.String(), ShareMap, {
    description: 'per category, per level of the pack (minutes): share reaching it within those minutes at its speed (nested: 5 ≤ 10 ≤ 15)',
  }),
  most_missing: Nullable(
    Type.Object(
      { id: Type.String(), name_zh: Type.String(), name_en: Type.String(), share: Type.Number() },
      { description: 'the category fewest residents reach' },
    ),
  ),
});

export const AssessedCategory = Type.Object({
  id: Type.String(),
  name_zh: Type.String(),
  name_en: Type.String(),
  level: Type.Integer(),
  in_level: Type.Boolean({ description: 'asked for by the requested level' }),
  station_types: Type.Array(Type.String()),
  limit_m: Type.Number(),
  limit_minutes: Type.Optional(Type.Number()),
  profile: Profile,
  speed_kmh: Type.Number(),
  stations: Type.Integer({ description: 'open stations of its types on the street network' }),
  source: Type.String(),
  clause: Nullable(Type.String()),
});

export const LifecircleJson = Type.Object({
  pack: Type.String(),
  version: Type.String(),
  pack_name_zh: Type.String(),
  pack_name_en: Type.String(),
  level: Type.Integer(),
  level_name_zh: Type.String(),
  level_name_en: Type.String(),
  levels: Type.Array(Type.Integer()),
  unit: Unit,
  population_source: Type.Union([Type.Literal('even'), Type.Literal('buildings')], {
    description: 'even: each grid’s population spread evenly (lattice points); buildings: residential buildings',
  }),
  profile: Nullable(Profile),
  points: Type.Integer({ description: 'population points assessed' }),
  unplaced_points: Type.Integer({ description: 'points too far from any street (they reach nothing)' }),
  categories: Type.Array(AssessedCategory),
  city: LifecircleRow,
  units: Type.Array(LifecircleRow),
});

export const LifecircleAnswer = Type.Union([
  LifecircleJson,
  Type.String({ description: 'CSV (format=csv)' }),
  Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary', description: 'Excel workbook (format=xlsx): sheets 区 / 街道 / 社区 / 网格' }),
]);

const PackLevelSummary = Type.Object({
  minutes: Type.Integer(),
  name_zh: Type.String(),
  name_en: Type.String(),
  source: Type.String(),
  clause: Nullable(Type.String()),
  note: Type.Optional(Type.String()),
});

const PackCategorySummary = Type.Object({
  id: Type.String(),
  name_zh: Type.String(),
  name_en: Type.String(),
  station_types: Type.Array(Type.String()),
  level: Type.Integer(),
  limit: Type.Union([Type.Object({ minutes: Type.Number() }), Type.Object({ distance_m: Type.Number() })]),
  profile: Profile,
  source: Type.String(),
  clause: Nullable(Type.String()),
  note: Type.Optional(Type.String()),
});

export const PackList = Type.Object({
  default: Type.String(),
  profiles: Type.Array(Type.Object({ id: Profile, name_zh: Type.String(), name_en: Type.String(), speed_kmh: Type.Number(), source: Type.String() })),
  packs: Type.Array(
    Type.Object({
      id: Type.String(),
      version: Type.String(),
      name_zh: Type.String(),
      name_en: Type.String(),
      source: Type.String(),
      levels: Type.Array(PackLevelSummary),
      categories: Type.Array(PackCategorySummary),
    }),
  ),
});
