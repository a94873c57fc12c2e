/** Downloads (导出): grids, stations or coverage gaps as files. */
import { Type } from 'typebox';
import { Code12As, Crs } from './common.js';
import { CoverageQueryParams } from './coverage.js';

export const ExportLayer = Type.Union([Type.Literal('grids'), Type.Literal('stations'), Type.Literal('gaps')]);
export const ExportParams = Type.Object({ layer: ExportLayer });
export const ExportQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('geojson'), Type.Literal('shapefile'), Type.Literal('kml')], { default: 'geojson' })),
    crs: Type.Optional(
      Type.Union(Crs.anyOf, { default: 'wgs84', description: 'coordinates of the file: wgs84 (GPS, GIS), gcj02 (Amap/Tencent), bd09 (Baidu)' }),
    ),
    encoding: Type.Optional(Type.Union([Type.Literal('utf-8'), Type.Literal('gbk')], { default: 'utf-8', description: 'Shapefile attribute encoding' })),
    street: Type.Optional(Code12As('grids/gaps: only this street')),
    community: Type.Optional(Code12As('grids/gaps: only this community')),
    types: Type.Optional(Type.String({ maxLength: 500, description: 'stations: these types; gaps: coverage by these types' })),
    // gaps: the coverage question of /api/coverage
    mode: CoverageQueryParams.mode,
    radius: CoverageQueryParams.radius,
    minutes: CoverageQueryParams.minutes,
    open_at: CoverageQueryParams.open_at,
    combine: CoverageQueryParams.combine,
  },
  { additionalProperties: false },
);

/** The file, sent as it was written (an attachment). */
export const ExportFile = Type.Union([
  Type.String({ description: 'format=geojson: a GeoJSON FeatureCollection (application/geo+json); format=kml: a KML document' }),
  Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary', description: 'format=shapefile: a zip of .shp/.shx/.dbf/.prj/.cpg' }),
]);
