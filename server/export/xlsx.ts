/**
 * Excel writing (pure, in memory): coverage statistics with one sheet per level (街道 / 社区 / 网格),
 * Chinese headers, number formats, frozen header row and filters; and a station table with the
 * importer's Chinese headers.
 */
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { spreadsheetText, stripControlChars } from './text.js';

/** A cell value as written: text made safe (no control characters, no formula start), other values as they are. */
const safeCell = (v: unknown): ExcelJS.CellValue => (v === undefined ? null : typeof v === 'string' ? spreadsheetText(v) : (v as ExcelJS.CellValue));

export interface SheetColumn {
  header: string;
  key: string;
  width?: number;
  /** Excel number format, e.g. '#,##0', '0.0%', '#,##0.00'. */
  numFmt?: string;
}

export interface SheetSpec {
  name: string;
  columns: SheetColumn[];
  rows: Record<string, unknown>[];
  /** Rows above the header (a title). */
  title?: string;
}

/** A workbook with fixed metadata dates (reproducible content). */
export async function writeWorkbook(sheets: SheetSpec[]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Lifecircle 生活圈';
  wb.created = new Date(Date.UTC(2026, 0, 1));
  wb.modified = wb.created;
  for (const s of sheets) {
    const ws = wb.addWorksheet(stripControlChars(s.name));
    let headerRow = 1;
    if (s.title) {
      ws.addRow([stripControlChars(s.title)]).font = { bold: true, size: 14 };
      headerRow = 2;
    }
    const header = ws.addRow(s.columns.map((c) => c.header));
    header.font = { bold: true };
    header.alignment = { vertical: 'middle', wrapText: true };
    for (const r of s.rows) ws.addRow(s.columns.map((c) => safeCell(r[c.key])));
    s.columns.forEach((c, i) => {
      const col = ws.getColumn(i + 1);
      col.width = c.width ?? Math.max(10, Math.min(40, c.header.length * 2 + 2));
      if (c.numFmt)
        col.eachCell((cell, rowNumber) => {
          if (rowNumber > headerRow) cell.numFmt = c.numFmt!;
        });
    });
    ws.views = [{ state: 'frozen', ySplit: headerRow }];
    if (s.columns.length) ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow, column: s.columns.length } };
  }
  const buf = await wb.xlsx.writeBuffer();
  // exceljs stamps zip entries with the current time: re-zip with a fixed date (same data → same bytes).
  const zip = await JSZip.loadAsync(buf as ArrayBuffer);
  const out = new JSZip();
  for (const name of Object.keys(zip.files).sort()) {
    const f = zip.files[name];
    if (!f.dir) out.file(name, await f.async('uint8array'), { date: new Date(Date.UTC(2026, 0, 1)), createFolders: false });
  }
  return out.generateAsync({ type: 'uint8array', compression: 'DEFLATE', platform: 'UNIX' });
}

/** The level sheets of the coverage workbook, in this order. */
export const COVERAGE_SHEETS = { street: '街道', community: '社区', grid: '网格' } as const;

export interface UnitRow {
  code: string;
  name: string;
  grids: number;
  area_m2: number;
  gap_area_m2: number;
  covered_share_by_area: number;
  population: number;
  uncovered_population: number;
  covered_share_by_population: number;
  /** The chosen types that leave someone uncovered here (Chinese names). */
  missing_types_zh?: string;
  /** What the figures mean: the types and how they combine (any / all). */
  basis?: string;
}

export interface GridStatRow {
  code: string;
  name: string;
  community_name: string;
  street_name: string;
  leader_name: string | null;
  leader_phone: string | null;
  area_m2: number;
  gap_area_m2: number;
  covered_share: number;
  population: number;
  uncovered_population: number;
  missing_types_zh?: string;
  /** What the figures mean: the types and how they combine (any / all). */
  basis?: string;
}

const unitColumns: SheetColumn[] = [
  { header: '编码', key: 'code', width: 16 },
  { header: '名称', key: 'name', width: 20 },
  { header: '网格数', key: 'grids', numFmt: '#,##0' },
  { header: '面积（平方米）', key: 'area_m2', numFmt: '#,##0', width: 16 },
  { header: '缺口面积（平方米）', key: 'gap_area_m2', numFmt: '#,##0', width: 18 },
  { header: '覆盖率（按面积）', key: 'covered_share_by_area', numFmt: '0.0%', width: 16 },
  { header: '人口', key: 'population', numFmt: '#,##0' },
  { header: '未覆盖人口', key: 'uncovered_population', numFmt: '#,##0', width: 14 },
  { header: '覆盖率（按人口）', key: 'covered_share_by_population', numFmt: '0.0%', width: 16 },
  { header: '缺少类型', key: 'missing_types_zh', width: 24 },
  { header: '口径', key: 'basis', width: 40 },
];
const gridColumns: SheetColumn[] = [
  { header: '网格编码', key: 'code', width: 18 },
  { header: '网格名称', key: 'name', width: 22 },
  { header: '所属社区', key: 'community_name', width: 16 },
  { header: '所属街道', key: 'street_name', width: 16 },
  { header: '网格长', key: 'leader_name' },
  { header: '联系电话', key: 'leader_phone', width: 14 },
  { header: '面积（平方米）', key: 'area_m2', numFmt: '#,##0', width: 16 },
  { header: '缺口面积（平方米）', key: 'gap_area_m2', numFmt: '#,##0', width: 18 },
  { header: '覆盖率（按面积）', key: 'covered_share', numFmt: '0.0%', width: 16 },
  { header: '人口', key: 'population', numFmt: '#,##0' },
  { header: '未覆盖人口', key: 'uncovered_population', numFmt: '#,##0', width: 14 },
  { header: '缺少类型', key: 'missing_types_zh', width: 24 },
  { header: '口径', key: 'basis', width: 40 },
];

export function coverageWorkbook(streets: UnitRow[], communities: UnitRow[], grids: GridStatRow[]): Promise<Uint8Array> {
  return writeWorkbook([
    { name: COVERAGE_SHEETS.street, columns: unitColumns, rows: streets as unknown as Record<string, unknown>[] },
    { name: COVERAGE_SHEETS.community, columns: unitColumns, rows: communities as unknown as Record<string, unknown>[] },
    { name: COVERAGE_SHEETS.grid, columns: gridColumns, rows: grids as unknown as Record<string, unknown>[] },
  ]);
}
