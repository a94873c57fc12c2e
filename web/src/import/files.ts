/**
 * Upload page, pure logic: which import format and content type a file name stands for, and the
 * query string of an import request. No DOM, so it is unit-tested (tests/web/import-files.test.ts).
 */

import type { Static } from 'typebox';
import type { Crs as CrsSchema } from '../../../server/schemas/common.js';
import type { ImportFormat as ImportFormatSchema, ImportKind as ImportKindSchema } from '../../../server/schemas/imports.js';

export type ImportFormat = Static<typeof ImportFormatSchema>;
export type ImportKind = Static<typeof ImportKindSchema>;
export type Crs = Static<typeof CrsSchema>;

export const IMPORT_KINDS: readonly ImportKind[] = ['grids', 'communities', 'streets', 'districts', 'stations'];
export const CRS_LIST: readonly Crs[] = ['wgs84', 'gcj02', 'bd09'];

/** Content type the server's body parser expects for each format (server/routes/imports.ts). */
export const CONTENT_TYPES: Record<ImportFormat, string> = {
  shapefile: 'application/zip',
  kml: 'application/vnd.google-earth.kml+xml',
  kmz: 'application/vnd.google-earth.kmz',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  geojson: 'application/geo+json',
};

const BY_EXTENSION: Record<string, ImportFormat> = {
  zip: 'shapefile',
  kml: 'kml',
  kmz: 'kmz',
  csv: 'csv',
  xlsx: 'xlsx',
  geojson: 'geojson',
  json: 'geojson',
};

/** `accept` for the file picker. */
export const ACCEPT = '.zip,.kml,.kmz,.csv,.xlsx,.geojson,.json';

export type FileFormat = { ok: true; format: ImportFormat; contentType: string } | { ok: false; reason: 'xls' | 'shp' | 'unknown'; extension: string };

/** The import format of a file, from its name (case-insensitive extension). */
export function formatOfFileName(name: string): FileFormat {
  const m = /\.([A-Za-z0-9]+)$/.exec(name.trim());
  const extension = m ? m[1].toLowerCase() : '';
  const format = BY_EXTENSION[extension];
  if (format) return { ok: true, format, contentType: CONTENT_TYPES[format] };
  if (extension === 'xls') return { ok: false, reason: 'xls', extension };
  if (['shp', 'dbf', 'shx', 'prj', 'cpg'].includes(extension)) return { ok: false, reason: 'shp', extension };
  return { ok: false, reason: 'unknown', extension };
}

/** Tables (CSV, Excel) hold points only: they import stations, and have a column-mapping preview. */
export const isTable = (f: ImportFormat): f is 'csv' | 'xlsx' => f === 'csv' || f === 'xlsx';

/** Kinds a file of this format can import (tables: stations only). */
export const kindsFor = (f: ImportFormat): readonly ImportKind[] => (isTable(f) ? ['stations'] : IMPORT_KINDS);

/** Kinds a role may upload (the server decides; the page only warns in advance). */
export function mayImport(role: string, kind: ImportKind): boolean {
  return role === 'admin' || (role === 'planner' && kind === 'stations');
}

export interface ImportOptions {
  format: ImportFormat;
  crs: Crs;
  dryRun: boolean;
  force?: boolean;
  /** Repair invalid polygons (and report each repair) instead of rejecting them. */
  repair?: boolean;
  /** JSON header → field (CSV/XLSX), from `columnsParam`. */
  columns?: string;
  sheet?: string;
  layer?: string;
}

/** `/api/imports/:kind?…` for an upload. */
export function importUrl(kind: ImportKind, o: ImportOptions): string {
  const q = new URLSearchParams({ format: o.format, crs: o.crs, dry_run: String(o.dryRun) });
  if (o.force) q.set('force', 'true');
  if (o.repair) q.set('repair', 'true');
  if (o.columns) q.set('columns', o.columns);
  if (o.sheet) q.set('sheet', o.sheet);
  if (o.layer) q.set('layer', o.layer);
  return `/api/imports/${kind}?${q.toString()}`;
}

/** `/api/imports/preview?…` for a table. */
export function previewUrl(format: 'csv' | 'xlsx', columns?: string, sheet?: string): string {
  const q = new URLSearchParams({ format });
  if (columns) q.set('columns', columns);
  if (sheet) q.set('sheet', sheet);
  return `/api/imports/preview?${q.toString()}`;
}

/** `/api/export/:what?format=&crs=` */
export const exportUrl = (what: 'grids' | 'stations' | 'gaps', format: 'geojson' | 'shapefile' | 'kml', crs: Crs): string =>
  `/api/export/${what}?${new URLSearchParams({ format, crs }).toString()}`;

/** "1.2 MB" / "850 KB" / "512 B". */
export function fmtBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}
