/**
 * One entry point for every file format (pure, no database): bytes → validated WGS84 records of
 * one kind plus the rejected rows, each with its row number and a bilingual, machine-readable
 * reason. Reuses the GeoJSON validator (../records/parse.ts) for every format.
 *
 * "Row" means: the sheet row for CSV/XLSX (as Excel shows it, header included), the placemark
 * number for KML/KMZ, the record number for Shapefiles (as in the attribute table, from 1), the
 * feature number for GeoJSON (from 1). `row: null` is a problem with the file as a whole.
 */
import type { FeatureCollection } from 'geojson';
import type { Message } from '../../validation/problem.js';
import type { Crs } from '../crs.js';
import { parseGeoJsonImport } from '../records/parse.js';
import { IMPORT_KINDS, type ImportKind, type ImportRecordByKind, type RepairNotes } from '../records/types.js';
import { FileFormatError, type RejectCode } from './errors.js';
import type { UploadLimits } from './limits.js';
import { readGeoJson } from './geojson.js';
import { readKml, readKmz } from './kml.js';
import { readShapefileZip } from './shapefile.js';
import { previewTable, readCsv, readXlsx, tableToStations, type RawTable, type TableField, type TablePreview } from './table.js';
import { tableToPolygons } from '../records/polygon-table.js';

export type ImportFormat = 'geojson' | 'shapefile' | 'kml' | 'kmz' | 'csv' | 'xlsx';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['geojson', 'shapefile', 'kml', 'kmz', 'csv', 'xlsx'];

export interface Rejected {
  /** See the module comment; null = the whole file. */
  row: number | null;
  /** Machine-readable reason. */
  code: RejectCode;
  /** Where, as [lon, lat] in the file's coordinate system, when the problem has a place. */
  location?: [number, number];
  /** The record's own code (编码), when known. */
  feature_code?: string;
  reason_zh: string;
  reason_en: string;
}

export interface ReadOptions {
  crs: Crs;
  /** CSV/XLSX: header text → field (or null to ignore), as adjusted in the preview. */
  columns?: Record<string, TableField | null>;
  /** XLSX: worksheet name (default the first). Shapefile: layer name when the zip holds several. */
  sheet?: string;
  layer?: string;
  /** Fix what can be fixed in polygons (and report it) rather than reject (../records/geometry.ts). */
  repair?: boolean;
  /** Archive and table limits (default DEFAULT_UPLOAD_LIMITS); past one, LimitExceeded is thrown (413). */
  limits?: UploadLimits;
}

export interface ReadResult<K extends ImportKind> {
  kind: K;
  format: ImportFormat;
  crs: Crs;
  /** Valid records with their row numbers (geometry in WGS84), and what repair fixed in them (only with `repair`). */
  records: { row: number; record: ImportRecordByKind[K]; repair?: RepairNotes }[];
  /** Raw positions as in the file (for the CRS sanity check), in record order. */
  raw: { row: number; position: [number, number] }[];
  rejected: Rejected[];
  total: number;
  /** Facts about the file worth showing (encoding, reprojection, header row …). */
  info: Record<string, unknown>;
  warnings: Message[];
}

/** Guesses a format from a file name (for the CLI and uploads without a format). */
export function formatOfName(name: string): ImportFormat | null {
  const n = name.toLowerCase();
  if (n.endsWith('.geojson') || n.endsWith('.json')) return 'geojson';
  if (n.endsWith('.zip') || n.endsWith('.shp.zip')) return 'shapefile';
  if (n.endsWith('.kml')) return 'kml';
  if (n.endsWith('.kmz')) return 'kmz';
  if (n.endsWith('.csv') || n.endsWith('.txt')) return 'csv';
  if (n.endsWith('.xlsx')) return 'xlsx';
  return null;
}

function firstPosition(g: unknown): [number, number] | null {
  let c = (g as { coordinates?: unknown } | null)?.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number' ? [c[0], c[1]] : null;
}

async function toCollection(
  format: ImportFormat,
  bytes: Uint8Array,
  kind: ImportKind,
  opts: ReadOptions,
): Promise<{ collection: FeatureCollection; rows: number[]; pre: Rejected[]; info: Record<string, unknown>; warnings: Message[] }> {
  const numbered = (fc: FeatureCollection) => fc.features.map((_, i) => i + 1);
  // The readers throw FileFormatError for files they cannot read; readImportFile reports it.
  switch (format) {
    case 'geojson': {
      const fc = readGeoJson(bytes);
      return { collection: fc, rows: Array.isArray(fc?.features) ? numbered(fc) : [], pre: [], info: {}, warnings: [] };
    }
    case 'shapefile': {
      const r = await readShapefileZip(bytes, opts.layer, opts.limits);
      return {
        collection: r.collection,
        rows: numbered(r.collection),
        pre: [],
        info: { layer: r.layer, encoding: r.encoding, encoding_source: r.encodingSource, reprojected: r.reprojected, prj: r.prj?.slice(0, 120) ?? null },
        warnings: r.warnings,
      };
    }
    case 'kml':
    case 'kmz': {
      const fc = format === 'kml' ? readKml(new TextDecoder().decode(bytes)) : await readKmz(bytes, opts.limits);
      return { collection: fc, rows: numbered(fc), pre: [], info: {}, warnings: [] };
    }
    case 'csv':
    case 'xlsx': {
      const table = format === 'csv' ? readCsv(bytes, opts.limits) : await readXlsx(bytes, opts.sheet, opts.limits);
      if (kind !== 'stations') return polygonTable(table, kind); // grids and boundaries with a WKT / GeoJSON column
      const t = tableToStations(table, opts.columns);
      const missingHeader = t.mapping.missing.length > 0;
      return {
        collection: t.collection as FeatureCollection,
        rows: t.rows,
        pre: t.problems.map((p) => ({
          row: p.row,
          code: missingHeader ? 'missing_column' : p.row === t.mapping.headerRow ? 'invalid_file' : 'invalid_coordinates',
          reason_zh: p.zh,
          reason_en: p.en,
        })),
        info: {
          header_row: t.mapping.headerRow,
          columns: t.mapping.headers.map((h, i) => ({ header: h, field: t.mapping.fields[i] ?? null })),
          ...(table.sheet ? { sheet: table.sheet } : {}),
          ...(table.encoding ? { encoding: table.encoding } : {}),
        },
        warnings: [],
      };
    }
  }
  throw new FileFormatError(`不支持的格式 ${format}`, `unsupported format ${format}`);
}

/** A CSV/XLSX list of grids or admin units with a geometry column (../records/polygon-table.ts). */
function polygonTable(table: RawTable, kind: Exclude<ImportKind, 'stations'>) {
  const t = tableToPolygons(table, kind);
  return {
    collection: t.collection as FeatureCollection,
    rows: t.rows,
    pre: t.problems.map((p): Rejected => ({ row: p.row, code: p.code, reason_zh: p.zh, reason_en: p.en })),
    info: {
      header_row: t.headerRow,
      columns: t.columns,
      ...(t.communityFromCode ? { community_code: '取自网格编码前 12 位 / from the first 12 digits of the grid code' } : {}),
      ...(table.sheet ? { sheet: table.sheet } : {}),
      ...(table.encoding ? { encoding: table.encoding } : {}),
    },
    warnings: [],
  };
}

/**
 * Reads and validates a file of `kind`. Never throws for bad content: unreadable files come back
 * as one rejected entry with `row: null`, bad rows each with their row number. A file past an
 * upload limit throws LimitExceeded (./limits.ts): that is a refusal of the upload, not a report.
 */
export async function readImportFile<K extends ImportKind>(format: ImportFormat, bytes: Uint8Array, kind: K, opts: ReadOptions): Promise<ReadResult<K>> {
  const base = { kind, format, crs: opts.crs, records: [], raw: [], total: 0, info: {}, warnings: [] };
  if (!IMPORT_KINDS.includes(kind)) {
    return { ...base, rejected: [{ row: null, code: 'invalid_file', reason_zh: `未知的导入类型 ${kind}`, reason_en: `unknown import kind ${kind}` }] };
  }
  let read: Awaited<ReturnType<typeof toCollection>>;
  try {
    read = await toCollection(format, bytes, kind, opts);
  } catch (err) {
    if (err instanceof FileFormatError) return { ...base, rejected: [{ row: null, code: err.code, reason_zh: err.zh, reason_en: err.en }] };
    throw err;
  }
  const { collection, rows, pre, info, warnings } = read;
  const rejected: Rejected[] = [...pre];
  if (pre.some((p) => p.code === 'missing_column' || p.code === 'invalid_file')) return { ...base, info, warnings, rejected };
  const coordProblemRows = new Set(pre.map((p) => p.row));
  const rowOf = (feature: number) => (feature >= 0 ? (rows[feature] ?? feature + 1) : null);

  const all = parseGeoJsonImport(collection, kind, opts.crs, { maxErrors: 100_000, repair: opts.repair });
  const badFeatures = new Set<number>();
  if (!all.ok) {
    for (const e of all.errors) {
      const row = rowOf(e.feature);
      // A table row with unreadable coordinates has its own message already.
      if (e.reason === 'missing_geometry' && row !== null && coordProblemRows.has(row)) {
        badFeatures.add(e.feature);
        continue;
      }
      if (e.feature >= 0) badFeatures.add(e.feature);
      if (e.reason === 'duplicate_code' && e.id !== undefined && row !== null) {
        // Name the first row with this code in the file's own numbering.
        const first = collection.features.findIndex(
          (f) =>
            String((f.properties as Record<string, unknown> | null)?.code ?? '') === e.id || Object.values(f.properties ?? {}).some((v) => String(v) === e.id),
        );
        const firstRow = first >= 0 && first !== e.feature ? rowOf(first) : null;
        if (firstRow !== null && firstRow !== row) {
          const l =
            format === 'csv' || format === 'xlsx' ? { zh: `第 ${firstRow} 行`, en: `row ${firstRow}` } : { zh: `第 ${firstRow} 个`, en: `#${firstRow}` };
          rejected.push({
            row,
            code: 'duplicate_code',
            feature_code: e.id,
            reason_zh: `编码 ${e.id} 在文件中重复（与${l.zh}相同）`,
            reason_en: `code ${e.id} is repeated in the file (same as ${l.en})`,
          });
          continue;
        }
      }
      rejected.push({
        row,
        code: e.reason ?? 'invalid_file',
        ...(e.id ? { feature_code: e.id } : {}),
        ...(e.location ? { location: e.location } : {}),
        reason_zh: e.zh ?? e.message.split(' / ')[0],
        reason_en: e.en ?? e.message.split(' / ').slice(1).join(' / '),
      });
    }
    if (all.errors.some((e) => e.feature < 0)) return { ...base, info, warnings, total: collection.features?.length ?? 0, rejected: sortRejected(rejected) };
  }
  for (const r of pre) {
    const i = rows.indexOf(r.row!);
    if (i >= 0) badFeatures.add(i);
  }
  const goodIdx = collection.features.map((_, i) => i).filter((i) => !badFeatures.has(i));
  const records: ReadResult<K>['records'] = [];
  const raw: ReadResult<K>['raw'] = [];
  if (goodIdx.length > 0) {
    const good = parseGeoJsonImport({ type: 'FeatureCollection', features: goodIdx.map((i) => collection.features[i]) }, kind, opts.crs, {
      maxErrors: 100_000,
      repair: opts.repair,
    });
    if (!good.ok) throw new Error('internal: features valid alone failed together'); // cannot happen: errors are per feature
    good.records.forEach((rec, j) => {
      const row = rowOf(goodIdx[j])!;
      const repair = good.repairs?.[j];
      records.push({ row, record: rec as ImportRecordByKind[K], ...(repair ? { repair } : {}) });
      const p = firstPosition(collection.features[goodIdx[j]].geometry);
      if (p) raw.push({ row, position: p });
    });
  }
  return { kind, format, crs: opts.crs, records, raw, rejected: sortRejected(rejected), total: collection.features.length, info, warnings };
}

const sortRejected = (r: Rejected[]) => r.sort((a, b) => (a.row ?? -1) - (b.row ?? -1));

/** Column-mapping preview for CSV/XLSX uploads. */
export async function previewTableFile(
  format: 'csv' | 'xlsx',
  bytes: Uint8Array,
  opts: { sheet?: string; limit?: number; columns?: Record<string, TableField | null>; limits?: UploadLimits } = {},
): Promise<TablePreview> {
  // FileFormatError when unreadable, LimitExceeded past a limit
  const table = format === 'csv' ? readCsv(bytes, opts.limits) : await readXlsx(bytes, opts.sheet, opts.limits);
  return previewTable(table, opts.limit ?? 10, opts.columns);
}
