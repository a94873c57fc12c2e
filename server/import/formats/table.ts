/**
 * Station tables (pure, no I/O): CSV (UTF-8 with or without BOM, or GBK as Excel saves it in China)
 * and Excel .xlsx, with Chinese or English headers, → a GeoJSON FeatureCollection of stations that
 * ../records/parse.ts validates, plus the sheet row number of every feature.
 *
 *   - The header row is the first of the first 10 rows that names at least two known columns, so a
 *     title row above it ("某某街道服务站点清单") is skipped.
 *   - Headers are matched case-insensitively ignoring spaces, "_", "-" and anything in brackets
 *     ("经度(GCJ-02)" = 经度). Coordinates come from 经度 + 纬度, or from one 坐标 / 经纬度 column
 *     holding "lon,lat" as the Amap and Baidu pickers copy it.
 *   - Row numbers are what Excel shows: the header is row N, the first data row N + 1; empty rows
 *     are skipped but keep their number.
 */
import Papa from 'papaparse';
import ExcelJS from 'exceljs';
import type { Feature, FeatureCollection, Point } from 'geojson';
import type { Message } from '../../validation/problem.js';
import { FileFormatError } from './errors.js';

export type TableField = 'code' | 'name' | 'type' | 'address' | 'lon' | 'lat' | 'lonlat' | 'openingHours' | 'amenities' | 'phone' | 'operator' | 'status';

/** Accepted header names per field (compared after `normHeader`). */
export const TABLE_HEADER_ALIASES: Record<TableField, readonly string[]> = {
  code: ['code', 'id', '编码', '编号', '站点编码', '站点编号', '代码'],
  name: ['name', '名称', '站点名称', '名字'],
  type: ['type', '类型', '站点类型', '类别'],
  address: ['address', 'addr', '地址', '详细地址'],
  lon: ['lon', 'lng', 'long', 'longitude', 'x', '经度'],
  lat: ['lat', 'latitude', 'y', '纬度'],
  lonlat: ['lonlat', 'lnglat', 'location', 'coordinates', 'coords', '坐标', '经纬度', '经纬度坐标', '位置'],
  openingHours: ['openingHours', 'opening_hours', 'hours', '营业时间', '开放时间'],
  amenities: ['amenities', 'facilities', '设施', '服务设施'],
  phone: ['phone', 'tel', 'telephone', '电话', '联系电话'],
  operator: ['operator', '运营方', '运营单位', '管理单位'],
  status: ['status', '状态'],
};

export const TABLE_FIELD_LABELS: Record<TableField, Message> = {
  code: { zh: '编码', en: 'code' },
  name: { zh: '名称', en: 'name' },
  type: { zh: '类型', en: 'type' },
  address: { zh: '地址', en: 'address' },
  lon: { zh: '经度', en: 'longitude' },
  lat: { zh: '纬度', en: 'latitude' },
  lonlat: { zh: '坐标（经度,纬度）', en: 'coordinates (lon,lat)' },
  openingHours: { zh: '营业时间', en: 'opening hours' },
  amenities: { zh: '设施', en: 'amenities' },
  phone: { zh: '电话', en: 'phone' },
  operator: { zh: '运营方', en: 'operator' },
  status: { zh: '状态', en: 'status' },
};

export const TABLE_FIELDS = Object.keys(TABLE_HEADER_ALIASES) as TableField[];

/** Strips brackets (ASCII and full-width) and their content, spaces, "_" and "-"; lower case. */
export const normHeader = (h: string) =>
  h
    .replace(/[（(【[].*?[）)】\]]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_\-.:：]/g, '');

const HEADER_LOOKUP = new Map<string, TableField>();
for (const f of TABLE_FIELDS) for (const a of TABLE_HEADER_ALIASES[f]) HEADER_LOOKUP.set(normHeader(a), f);

export type Cell = string | number | boolean | null;

/** A sheet as read: every non-empty row with its 1-based row number. */
export interface RawTable {
  sheet?: string;
  rows: { row: number; cells: Cell[] }[];
  /** Text encoding used for CSV ('utf-8' or 'gbk'). */
  encoding?: string;
}

export interface HeaderMapping {
  /** Row number of the header row. */
  headerRow: number;
  headers: string[];
  /** Per column: the field it fills, or null (ignored). */
  fields: (TableField | null)[];
  /** Required fields with no column (code, name, type, coordinates…). */
  missing: TableField[];
}

/** A row whose coordinates cannot be read (or the header row, for a missing column). */
export interface TableProblem extends Message {
  row: number;
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/** UTF-8 (BOM stripped) unless the bytes are not valid UTF-8, then GBK (Excel's "CSV" in Chinese Windows). */
export function decodeText(bytes: Uint8Array): { text: string; encoding: string } {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const body = bytes.subarray(start);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gbk').decode(body), encoding: 'gbk' };
  }
}

const isEmptyRow = (cells: Cell[]) => cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''));

export function readCsv(input: Uint8Array | string): RawTable {
  const { text, encoding } = typeof input === 'string' ? { text: input.replace(/^\uFEFF/, ''), encoding: 'utf-8' } : decodeText(input);
  // The line ending is decided here over the whole text: papaparse guesses it from the first
  // 1 MB only, and a longer first line (a title row) then shifted every row number.
  const newline = text.includes('\r\n') ? '\r\n' : text.includes('\n') ? '\n' : text.includes('\r') ? '\r' : undefined;
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false, delimiter: '', ...(newline ? { newline } : {}) });
  const rows: RawTable['rows'] = [];
  // Papaparse gives one array per line; quoted fields may span lines, so count the newlines seen.
  let line = 1;
  for (const cells of parsed.data) {
    if (!isEmptyRow(cells)) rows.push({ row: line, cells: cells.map((c) => (c === '' ? null : c)) });
    line += 1 + cells.reduce((n, c) => n + (c.match(/\r\n|\n|\r/g)?.length ?? 0), 0);
  }
  return { rows, encoding };
}

function cellValue(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const o = v as unknown as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((t) => t.text).join('');
    if ('result' in o) return cellValue(o.result as ExcelJS.CellValue);
    if (typeof o.text === 'string') return o.text;
    if ('error' in o) return null;
  }
  return String(v);
}

/** Reads one worksheet (by name, else the first) of an .xlsx file. */
export async function readXlsx(bytes: Uint8Array, sheetName?: string): Promise<RawTable> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  } catch (err) {
    throw new FileFormatError(
      `无法读取 Excel 文件（需要 .xlsx 格式；旧的 .xls 请另存为 .xlsx）：${(err as Error).message}`,
      `cannot read the Excel file (.xlsx needed; save old .xls files as .xlsx): ${(err as Error).message}`,
    );
  }
  const ws = sheetName ? wb.getWorksheet(sheetName) : wb.worksheets[0];
  if (!ws) {
    throw new FileFormatError(
      `工作表 ${sheetName ?? ''} 不存在；可选：${wb.worksheets.map((w) => w.name).join('、')}`,
      `no worksheet ${sheetName ?? ''}; available: ${wb.worksheets.map((w) => w.name).join(', ')}`,
    );
  }
  const rows: RawTable['rows'] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = row.values as ExcelJS.CellValue[]; // 1-based: values[0] is empty
    const cells: Cell[] = [];
    for (let c = 1; c < values.length; c++) cells.push(cellValue(values[c]));
    if (!isEmptyRow(cells)) rows.push({ row: rowNumber, cells });
  });
  return { sheet: ws.name, rows };
}

// ---------------------------------------------------------------------------------------------
// Header mapping
// ---------------------------------------------------------------------------------------------

export function fieldOfHeader(header: unknown): TableField | null {
  if (header === null || header === undefined) return null;
  return HEADER_LOOKUP.get(normHeader(String(header))) ?? null;
}

/**
 * Finds the header row and maps its columns to fields. `override` maps header text (as in the
 * file) to a field or to null (ignore), as a user adjusts the preview.
 */
export function detectHeader(table: RawTable, override: Record<string, TableField | null> = {}): HeaderMapping {
  const candidates = table.rows.slice(0, 10);
  const fieldsOf = (cells: Cell[]) =>
    cells.map((c) => {
      const h = c === null ? '' : String(c).trim();
      if (h in override) return override[h];
      return fieldOfHeader(h);
    });
  let best = candidates[0];
  let bestCount = -1;
  for (const r of candidates) {
    const n = new Set(fieldsOf(r.cells).filter(Boolean)).size;
    if (n >= 2) {
      best = r;
      bestCount = n;
      break;
    }
    if (n > bestCount) {
      best = r;
      bestCount = n;
    }
  }
  if (!best) return { headerRow: 0, headers: [], fields: [], missing: ['name', 'type', 'lon', 'lat'] };
  const headers = best.cells.map((c) => (c === null ? '' : String(c).trim()));
  const fields = fieldsOf(best.cells);
  // A field named twice: keep the first column.
  const seen = new Set<TableField>();
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (!f) continue;
    if (seen.has(f)) fields[i] = null;
    else seen.add(f);
  }
  // 编码 is optional: stations listed without one get a generated code (../records/stations.ts).
  const missing: TableField[] = (['name', 'type', 'address', 'openingHours'] as TableField[]).filter((f) => !seen.has(f));
  if (!seen.has('lonlat') && !(seen.has('lon') && seen.has('lat'))) {
    if (!seen.has('lon')) missing.push('lon');
    if (!seen.has('lat')) missing.push('lat');
  }
  return { headerRow: best.row, headers, fields, missing };
}

// ---------------------------------------------------------------------------------------------
// Rows → features
// ---------------------------------------------------------------------------------------------

/** Parses a coordinate cell: numbers, "121.6", "121.6°", "121°36′0″" (DMS), "E121.6". */
export function parseDegrees(v: Cell): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const s = v
    .trim()
    .replace(/^[EeNn东北]\s*/, '')
    .replace(/\s*[EeNn]$/, '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)°?$/.test(s)) return Number(s.replace('°', ''));
  const dms = /^(\d+)[°度]\s*(\d+(?:\.\d+)?)?[′'分]?\s*(\d+(?:\.\d+)?)?[″"秒]?$/.exec(s);
  if (dms) return Number(dms[1]) + Number(dms[2] ?? 0) / 60 + Number(dms[3] ?? 0) / 3600;
  return null;
}

export interface TableStations {
  collection: FeatureCollection<Point | null>;
  /** Sheet row number of each feature. */
  rows: number[];
  /** Problems found before validation (unreadable coordinates), by sheet row. */
  problems: TableProblem[];
  mapping: HeaderMapping;
}

/**
 * Table → station features with canonical property names (the GeoJSON validator then checks every
 * value). Rows whose coordinates cannot be read get a null geometry and a problem of their own.
 */
export function tableToStations(table: RawTable, override?: Record<string, TableField | null>): TableStations {
  const mapping = detectHeader(table, override);
  const problems: TableProblem[] = [];
  const features: Feature<Point | null>[] = [];
  const rows: number[] = [];
  if (mapping.missing.length > 0) {
    problems.push({
      row: mapping.headerRow,
      zh: `表头缺少必需的列：${mapping.missing.map((f) => TABLE_FIELD_LABELS[f].zh).join('、')}（识别到的列：${mapping.headers.filter(Boolean).join('、') || '无'}）`,
      en: `the header lacks required columns: ${mapping.missing.map((f) => TABLE_FIELD_LABELS[f].en).join(', ')} (columns found: ${mapping.headers.filter(Boolean).join(', ') || 'none'})`,
    });
    return { collection: { type: 'FeatureCollection', features }, rows, problems, mapping };
  }
  const col = (f: TableField) => mapping.fields.indexOf(f);
  for (const r of table.rows) {
    if (r.row <= mapping.headerRow) continue;
    const props: Record<string, unknown> = {};
    mapping.fields.forEach((f, i) => {
      if (!f || f === 'lon' || f === 'lat' || f === 'lonlat') return;
      const v = r.cells[i];
      if (v !== null && v !== undefined) props[f] = typeof v === 'string' ? v.trim() : v;
    });
    let lon: number | null = null;
    let lat: number | null = null;
    let rawCoord = '';
    if (col('lon') >= 0 && col('lat') >= 0) {
      const a = r.cells[col('lon')] ?? null;
      const b = r.cells[col('lat')] ?? null;
      lon = parseDegrees(a);
      lat = parseDegrees(b);
      rawCoord = `${a ?? ''} , ${b ?? ''}`;
    } else {
      const v = r.cells[col('lonlat')];
      rawCoord = String(v ?? '');
      const parts = rawCoord.split(/[,，\s]+/).filter(Boolean);
      if (parts.length === 2) {
        lon = parseDegrees(parts[0]);
        lat = parseDegrees(parts[1]);
      }
    }
    let geometry: Point | null = null;
    if (lon === null || lat === null) {
      problems.push({
        row: r.row,
        zh: `经纬度无法识别（${rawCoord.trim() === ',' || rawCoord.trim() === '' ? '为空' : rawCoord}），应为十进制度数，如 121.6 和 38.91`,
        en: `unreadable coordinates (${rawCoord.trim() === ',' || rawCoord.trim() === '' ? 'empty' : rawCoord}); expected decimal degrees such as 121.6 and 38.91`,
      });
    } else {
      geometry = { type: 'Point', coordinates: [lon, lat] };
    }
    features.push({ type: 'Feature', properties: props, geometry });
    rows.push(r.row);
  }
  if (features.length === 0) problems.push({ row: mapping.headerRow, zh: '表头下没有数据行', en: 'no data rows below the header' });
  return { collection: { type: 'FeatureCollection', features }, rows, problems, mapping };
}

/** What the upload page shows before importing: detected headers → fields, and the first rows. */
export interface TablePreview {
  sheet?: string;
  encoding?: string;
  header_row: number;
  columns: { header: string; field: TableField | null }[];
  missing: TableField[];
  rows: { row: number; cells: Cell[] }[];
  total_rows: number;
}

export function previewTable(table: RawTable, limit = 10, override?: Record<string, TableField | null>): TablePreview {
  const m = detectHeader(table, override);
  const data = table.rows.filter((r) => r.row > m.headerRow);
  return {
    ...(table.sheet ? { sheet: table.sheet } : {}),
    ...(table.encoding ? { encoding: table.encoding } : {}),
    header_row: m.headerRow,
    columns: m.headers.map((h, i) => ({ header: h, field: m.fields[i] ?? null })),
    missing: m.missing,
    rows: data.slice(0, limit),
    total_rows: data.length,
  };
}
