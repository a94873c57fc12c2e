/** Grid edits (网格编辑): bodies, the edit answer with its impact preview, and the history. */
import { Type } from 'typebox';
import { Code12, DbId, FeatureSchema, IdOrCode, Literals, Nullable, PolygonSchema } from './common.js';

const Text = (max: number, description?: string) => Type.String({ maxLength: max, ...(description ? { description } : {}) });

/** Attributes an editor may set (geometry aside); an empty optional text is sent as null. */
export const GridAttributes = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  leader_name: Type.Optional(Nullable(Text(50, '网格长'))),
  leader_phone: Type.Optional(Nullable(Type.String({ maxLength: 30, pattern: '^[0-9+() -]*$' }))),
  party_branch: Type.Optional(Nullable(Text(100))),
  population: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  households: Type.Optional(Type.Integer({ minimum: 0, maximum: 5_000_000 })),
});

/** The grid of a path: its id or its code, as GET /api/grids/:id takes it. */
export const GridId = Type.Object({ id: IdOrCode });
const Version = Type.Optional(DbId('the version you edited (or send If-Match)'));
export const DryRun = Type.Object(
  {
    dry_run: Type.Optional(Type.Boolean({ description: 'validate and preview the impact; write nothing' })),
    impact: Type.Optional(Type.Boolean({ description: 'include the impact preview when saving' })),
  },
  { additionalProperties: false },
);
/** Checked by server/validation/geometry.ts, which names every problem (a schema would only say "invalid"). */
const Drawn = (description: string) => Type.Unknown({ description });

export const CreateGridBody = Type.Object(
  {
    community_code: Code12,
    geometry: Drawn('GeoJSON Polygon'),
    code: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$' })),
    allow_community_change: Type.Optional(Type.Boolean()),
    ...GridAttributes.properties,
    name: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
);
export const ReshapeGridBody = Type.Object(
  {
    version: Version,
    geometry: Type.Optional(Drawn('GeoJSON Polygon')),
    community_code: Type.Optional(Code12),
    allow_community_change: Type.Optional(Type.Boolean()),
    ...GridAttributes.properties,
  },
  { additionalProperties: false },
);
export const DeleteGridQuery = Type.Object(
  {
    ...DryRun.properties,
    version: Version,
    into: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$', description: 'the neighbour (id or code) that takes the area' })),
  },
  { additionalProperties: false },
);
export const SplitGridBody = Type.Object(
  { version: Version, line: Drawn('GeoJSON LineString'), names: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })) },
  { additionalProperties: false },
);
export const MergeGridsBody = Type.Object(
  {
    grids: Type.Array(Type.Object({ id: DbId(), version: DbId() }, { additionalProperties: false }), { minItems: 2, maxItems: 20 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export const RestoreGridBody = Type.Object({ version: Version, to_version: DbId() }, { additionalProperties: false });

export const GridOperation = Literals('create', 'reshape', 'update', 'delete', 'restore', 'split', 'merge', 'revert', 'import');

/** What is wrong (or worth a warning) about an edit: machine code, both languages, where. */
export const Problem = Type.Object({
  code: Type.String(),
  zh: Type.String(),
  en: Type.String(),
  location: Type.Optional(Type.Unsafe<[number, number]>(Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[lon, lat]' }))),
  grid: Type.Optional(Type.Object({ id: Type.Integer(), code: Type.String() }, { description: 'the grid concerned, when not the edited one' })),
  area_m2: Type.Optional(Type.Number()),
});

export const GridChange = Type.Object({
  grid_id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  role: Type.Union(Literals('edited', 'adjusted', 'created', 'deleted', 'restored').anyOf, {
    description: 'edited | adjusted (a neighbour that followed the border) | created | deleted | restored',
  }),
  operation: GridOperation,
  version_before: Nullable(Type.Integer()),
  version_after: Type.Integer(),
  area_m2_before: Type.Number(),
  area_m2_after: Type.Number(),
  population_before: Type.Integer(),
  population_after: Type.Integer(),
  households_before: Type.Integer(),
  households_after: Type.Integer(),
  stations_before: Type.Integer(),
  stations_after: Type.Integer(),
  geometry: Nullable(PolygonSchema),
});

/** Per station type: the touched grids' coverage before and after the edit. */
export const TypeImpact = Type.Object({
  type: Type.String(),
  covered_share_before: Type.Number(),
  covered_share_after: Type.Number(),
  uncovered_population_before: Type.Number(),
  uncovered_population_after: Type.Number(),
  residents_losing_coverage: Type.Number({ description: 'residents of the touched grids covered now and not after the edit (net)' }),
});
export const EditImpact = Type.Object({
  grids: Type.Integer(),
  population_before: Type.Integer(),
  population_after: Type.Integer(),
  households_before: Type.Integer(),
  households_after: Type.Integer(),
  area_m2_before: Type.Number(),
  area_m2_after: Type.Number(),
  stations_before: Type.Integer(),
  stations_after: Type.Integer(),
  coverage: Type.Array(TypeImpact),
});

export const EditResponse = Type.Object({
  dry_run: Type.Boolean(),
  change_id: Type.Union([Type.Integer(), Type.Null()], { description: 'null on a dry run' }),
  operation: GridOperation,
  changes: Type.Array(GridChange),
  warnings: Type.Array(Problem),
  impact: Type.Optional(EditImpact),
});

/** `details` of a 409 version_conflict: the grid as it is now. */
export const GridConflict = Type.Object({
  grid_id: Type.Integer(),
  your_version: Type.Integer(),
  current_version: Type.Integer(),
  current: FeatureSchema(PolygonSchema, Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String(), version: Type.Integer() })),
});

/**
 * A grid's properties as a history row records them: edits (server/editing/grids/commit.ts) name
 * the community by id, imports (server/db/dataset.repository.ts) by code.
 */
export const RecordedGridProps = Type.Object({
  code: Type.String(),
  name: Type.String(),
  community_id: Type.Optional(Type.Integer()),
  community_code: Type.Optional(Type.String()),
  leader_name: Nullable(Type.String()),
  leader_phone: Nullable(Type.String()),
  party_branch: Nullable(Type.String()),
  population: Type.Integer(),
  households: Type.Integer(),
});
export const GridHistoryEntry = Type.Object({
  version: Type.Integer(),
  change_id: Nullable(Type.Integer()),
  operation: Type.Union([...GridOperation.anyOf, Type.Literal('original')], { description: "'original': the version before the first recorded change" }),
  changed_by: Type.String(),
  changed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: "null for the 'original' entry" }),
  note: Nullable(Type.String()),
  before_props: Nullable(RecordedGridProps),
  after_props: Nullable(RecordedGridProps),
  before_geometry: Nullable(PolygonSchema),
  after_geometry: Nullable(PolygonSchema),
  area_m2: Nullable(Type.Number()),
});
export const GridHistory = Type.Object({ grid_id: Type.Integer(), entries: Type.Array(GridHistoryEntry) });
