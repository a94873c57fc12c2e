/** Imports (上传导入): formats, kinds, the table preview and the row-by-row report. */
import { Type } from 'typebox';
import { Crs, Literals, Nullable } from './common.js';

// The lists the importer knows (server/import); server/routes/imports.ts checks at compile time that they agree.
export const ImportFormat = Literals('geojson', 'shapefile', 'kml', 'kmz', 'csv', 'xlsx');
export const ImportKind = Literals('districts', 'streets', 'communities', 'grids', 'stations');
export const TableField = Literals('code', 'name', 'type', 'address', 'lon', 'lat', 'lonlat', 'openingHours', 'amenities', 'phone', 'operator', 'status');

export const PreviewQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('xlsx')])),
    sheet: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
    columns: Type.Optional(Type.String({ maxLength: 4000, description: 'JSON: header → field or null' })),
  },
  { additionalProperties: false },
);
export const ColumnMapping = Type.Object({ header: Type.String(), field: Nullable(TableField) });
export const TablePreview = Type.Object({
  sheet: Type.Optional(Type.String()),
  encoding: Type.Optional(Type.String()),
  header_row: Type.Integer(),
  columns: Type.Array(ColumnMapping),
  missing: Type.Array(TableField),
  rows: Type.Array(Type.Object({ row: Type.Integer(), cells: Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])) })),
  total_rows: Type.Integer(),
  fields: Type.Array(TableField),
});

export const ImportParams = Type.Object({ kind: ImportKind });
export const ImportQuery = Type.Object(
  {
    format: Type.Optional(ImportFormat),
    crs: Type.Optional(Type.Union(Crs.anyOf, { default: 'wgs84' })),
    dry_run: Type.Optional(Type.Boolean({ default: true })),
    force: Type.Optional(Type.Boolean({ default: false, description: 'import although the coordinate-system check suspects a wrong crs' })),
    repair: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'repair invalid polygons (repeated points, spikes, self-intersections, overlapping parts, slivers) and report each repair with the area before and after, instead of rejecting them',
      }),
    ),
    sheet: Type.Optional(Type.String({ maxLength: 100 })),
    layer: Type.Optional(Type.String({ maxLength: 100 })),
    columns: Type.Optional(Type.String({ maxLength: 4000, description: 'CSV/XLSX: JSON header → field or null, as adjusted in the preview' })),
  },
  { additionalProperties: false },
);

export const RejectedRow = Type.Object({
  row: Type.Union([Type.Integer(), Type.Null()], {
    description: 'CSV/XLSX: sheet row (header included); KML: placemark number; Shapefile: record number; GeoJSON: feature number; null = the whole file',
  }),
  code: Type.String({
    description:
      'reason: invalid_coordinates, swapped_lat_lon, outside_city, unknown_type, duplicate_code, unknown_parent, suspected_crs, projected_coordinates, missing_column, …',
  }),
  feature_code: Type.Optional(Type.String()),
  location: Type.Optional(Type.Tuple([Type.Number(), Type.Number()], { description: 'where, [lon, lat] in the file’s coordinate system' })),
  reason_zh: Type.String(),
  reason_en: Type.String(),
});

export const RepairedRow = Type.Object({
  row: Type.Integer(),
  feature_code: Type.Optional(Type.String()),
  fixes: Type.Array(
    Type.Object({
      code: Type.String({ description: 'duplicate_points, spike, self_intersection, overlapping_parts, sliver, invalid_geometry' }),
      reason_zh: Type.String(),
      reason_en: Type.String(),
      location: Type.Optional(Type.Tuple([Type.Number(), Type.Number()])),
    }),
  ),
  area_before_m2: Type.Number({ description: 'geodesic, as the file has it (overlapping parts counted twice)' }),
  area_after_m2: Type.Number(),
});

/** What reading the file found out: a Shapefile's layer, encoding and projection; a table's header. */
export const ReadInfo = Type.Union([
  Type.Object({
    layer: Type.String(),
    encoding: Type.String(),
    encoding_source: Literals('cpg', 'dbf-ldid', 'detected', 'default'),
    reprojected: Type.Boolean(),
    prj: Nullable(Type.String({ description: 'the .prj, first 120 characters' })),
  }),
  Type.Object({ header_row: Type.Integer(), columns: Type.Array(ColumnMapping), sheet: Type.Optional(Type.String()), encoding: Type.Optional(Type.String()) }),
  Type.Object(
    {
      header_row: Type.Integer(),
      columns: Type.Array(
        Type.Object({ header: Type.String(), field: Nullable(Type.String({ description: 'a property, or "geometry" (the WKT / GeoJSON column)' })) }),
      ),
      community_code: Type.Optional(Type.String({ description: 'grids without a community column: taken from the grid code' })),
      sheet: Type.Optional(Type.String()),
      encoding: Type.Optional(Type.String()),
    },
    { description: 'a grid or boundary table with a WKT / GeoJSON column' },
  ),
  Type.Object({}, { additionalProperties: false, description: 'GeoJSON, KML: nothing to report' }),
]);

const PerCrs = Type.Record(Type.String(), Type.Number(), { description: 'metres, per crs' });
export const ImportReport = Type.Object({
  kind: ImportKind,
  format: ImportFormat,
  crs: Crs,
  dry_run: Type.Boolean(),
  committed: Type.Boolean({ description: 'true when the rows were written' }),
  total: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Array(RejectedRow, { description: 'every problem, each naming its row; a row may have several' }),
  rejected_rows: Type.Integer({ description: 'rows with at least one problem: created + updated + unchanged + rejected_rows = total' }),
  changes: Type.Array(
    Type.Object({
      row: Type.Integer(),
      code: Type.String(),
      action: Literals('create', 'update', 'unchanged'),
      /** Stations: matched on the code, on name + position (rows without a code), or new. */
      matched_by: Type.Optional(Literals('code', 'name_position', 'none')),
      code_generated: Type.Optional(
        Type.Boolean({ description: 'stations: the list gave no code; this one was generated (or taken from the matched station)' }),
      ),
      opening_hours: Type.Optional(Type.String({ description: 'stations: the hours as stored (OSM opening_hours)' })),
      opening_hours_text: Type.Optional(Type.String({ description: 'stations: the hours as the list wrote them, when converted' })),
    }),
  ),
  repairs: Type.Optional(Type.Array(RepairedRow, { description: 'polygons repaired (repair=true); always present in answers' })),
  warnings: Type.Array(Type.Object({ zh: Type.String(), en: Type.String() })),
  info: ReadInfo,
  crs_check: Type.Optional(
    Type.Object({
      suspected: Nullable(Crs),
      verdict: Literals('suspected', 'fits', 'not_enough_evidence'),
      log10_ratio: Type.Number({
        description: 'log10 of the likelihood ratio "the best other system is right" : "the declared one is right" (≥ 3 suspected, ≤ −3 fits)',
      }),
      mean_m: PerCrs,
      median_m: PerCrs,
      points: Type.Integer(),
    }),
  ),
});
