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
import { Readable } from 'node:stream';
import { FileFormatError } from './errors.js';
import { columnLetter, DEFAULT_UPLOAD_LIMITS, kb, LimitExceeded, type UploadLimits } from './limits.js';
import { unzipWithin } from './zip.js';

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

/** UTF-16 by its BOM; else UTF-8 (BOM stripped) unless the bytes are not valid UTF-8, then GBK (Excel's "CSV" in Chinese Windows). */
export function decodeText(bytes: Uint8Array): { text: string; encoding: string } {
  // UTF-16 with a BOM: Excel's "Unicode text" export.
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
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

/** Checks one row against the table limits (row count, columns, cell size). */
function checkRow(cells: Cell[], row: number, count: number, limits: UploadLimits): void {
  if (count > limits.maxRows) {
    throw new LimitExceeded(
      `表格超过 ${limits.maxRows} 行的上限（第 ${row} 行），未读取；请拆分为多个文件`,
      `the table has more than ${limits.maxRows} rows, the limit (at row ${row}); not read — split it into several files`,
      { limit: 'rows', max: limits.maxRows, row },
    );
  }
  if (cells.length > limits.maxColumns) {
    throw new LimitExceeded(
      `第 ${row} 行有 ${cells.length} 列，超过 ${limits.maxColumns} 列的上限，未读取`,
      `row ${row} has ${cells.length} columns, more than the limit of ${limits.maxColumns}; not read`,
      { limit: 'columns', max: limits.maxColumns, row },
    );
  }
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (typeof c === 'string' && c.length * 3 > limits.maxCellBytes && Buffer.byteLength(c) > limits.maxCellBytes) {
      const column = columnLetter(i);
      throw new LimitExceeded(
        `第 ${row} 行 ${column} 列的内容有 ${kb(Buffer.byteLength(c))}，超过单元格 ${kb(limits.maxCellBytes)} 的上限，未读取`,
        `the cell at row ${row}, column ${column} holds ${kb(Buffer.byteLength(c))}, more than the limit of ${kb(limits.maxCellBytes)} per cell; not read`,
        { limit: 'cell_bytes', max: limits.maxCellBytes, row, column },
      );
    }
  }
}

/** Reads a CSV within `limits` (rows, columns, cell size: LimitExceeded, a 413). */
export function readCsv(input: Uint8Array | string, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): RawTable {
  const { text, encoding } = typeof input === 'string' ? { text: input.replace(/^\uFEFF/, ''), encoding: 'utf-8' } : decodeText(input);
  // The line ending is decided here over the whole text: papaparse guesses it from the first
  // 1 MB only, and a longer first line (a title row) then shifted every row number.
  const newline = text.includes('\r\n') ? '\r\n' : text.includes('\n') ? '\n' : text.includes('\r') ? '\r' : undefined;
  const rows: RawTable['rows'] = [];
  // Papaparse gives one array per line; quoted fields may span lines, so count the newlines seen.
  let line = 1;
  let stopped: unknown = null;
  Papa.parse<string[]>(text, {
    skipEmptyLines: false,
    delimiter: '',
    ...(newline ? { newline } : {}),
    // Row by row, so that a table past a limit stops there rather than being parsed whole.
    step: (result, parser) => {
      if (stopped) return;
      const cells = result.data;
      try {
        if (!isEmptyRow(cells)) {
          const row = cells.map((c) => (c === '' ? null : c));
          checkRow(row, line, rows.length + 1, limits);
          rows.push({ row: line, cells: row });
        }
      } catch (err) {
        stopped = err;
        parser.abort();
        return;
      }
      line += 1;
      for (const c of cells) if (c.length > 0 && (c.includes('\n') || c.includes('\r'))) line += c.match(/\r\n|\n|\r/g)?.length ?? 0;
    },
  });
  if (stopped) throw stopped;
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

const unreadableXlsx = (why: string) =>
  new FileFormatError(
    `无法读取 Excel 文件（需要 .xlsx 格式；旧的 .xls 请另存为 .xlsx）：${why}`,
    `cannot read the Excel file (.xlsx needed; save old .xls files as .xlsx): ${why}`,
  );

/**
 * Reads one worksheet (by name, else the first) of an .xlsx file, within `limits`: the archive is
 * measured first (./zip.ts: total and ratio caps), then read with ExcelJS's streaming reader row by
 * row — the workbook is never loaded whole — stopping at the row, column or cell limit.
 */
export async function readXlsx(bytes: Uint8Array, sheetName?: string, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): Promise<RawTable> {
  unzipWithin(bytes, { zh: 'Excel 文件', en: 'Excel file' }, limits, () => false);
  const input = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const model = () => ((reader as unknown as { model?: { sheets?: { name: string }[] } }).model?.sheets ?? []).map((x) => x.name);
  const rows: RawTable['rows'] = [];
  let chosen: string | null = null;
  try {
    for await (const ws of reader) {
      const name = (ws as unknown as { name: string }).name;
      const want = chosen === null && (sheetName ? name === sheetName : model().length === 0 || name === model()[0]);
      if (!want) continue;
      chosen = name;
      let count = 0;
      for await (const row of ws) {
        const values = row.values as ExcelJS.CellValue[]; // 1-based: values[0] is empty
        const cells: Cell[] = [];
        for (let c = 1; c < values.length; c++) cells.push(cellValue(values[c]));
        if (isEmptyRow(cells)) continue;
        checkRow(cells, row.number, ++count, limits);
        rows.push({ row: row.number, cells });
      }
    }
  } catch (err) {
    if (err instanceof LimitExceeded || err instanceof FileFormatError) throw err;
    throw unreadableXlsx((err as Error).message);
  }
  if (chosen === null) {
    const names = model();
    if (names.length === 0 && !sheetName) throw unreadableXlsx('没有工作表 / no worksheet');
    throw new FileFormatError(`工作表 ${sheetName ?? ''} 不存在；可选：${names.join('、')}`, `no worksheet ${sheetName ?? ''}; available: ${names.join(', ')}`);
  }
  return { sheet: chosen, rows };
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
