/**
 * Grid and boundary lists kept in a spreadsheet (pure, no I/O): a CSV or XLSX table with one row per
 * grid, community, street or district and a geometry column holding WKT (`POLYGON((…))`,
 * `MULTIPOLYGON(((…)))`, EWKT with `SRID=4326;`) or GeoJSON text → a GeoJSON FeatureCollection that
 * ./parse.ts validates like any other file (same property names, same geometry checks and repair),
 * plus the sheet row number of every feature.
 *
 *   - The header row is the first of the first 10 rows with a geometry column (边界, 范围, 几何,
 *     WKT, geometry, the_geom …) and at least one known property column (网格编码, 网格名称, 所属社区,
 *     网格长, 人口 … — the aliases of ./properties.ts; text in brackets is ignored: "人口（人）" = 人口).
 *   - Required columns missing → one problem on the header row (`missing_column`); nothing else read.
 *   - Grids without a community column take the community code from the grid code (its first 12
 *     digits: grid code = community code + 3-digit sequence); a community column holding names
 *     instead of codes is refused per row with that advice (`invalid_value`).
 *   - A geometry cell that cannot be read → a problem on its row (`invalid_geometry`) naming the
 *     character where the text goes wrong (../formats/wkt.ts); the row's feature has no geometry.
 * Row numbers are what Excel shows (header included), as for station tables.
 */
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { Message } from '../../validation/problem.js';
import { normHeader, type Cell, type RawTable } from '../formats/table.js';
import { parseGeometryText } from '../formats/wkt.js';
import { normalizeProperties, type Canonical } from './properties.js';
import type { ImportKind } from './types.js';

export type PolygonKind = Exclude<ImportKind, 'stations'>;

/** Header names of the geometry column (compared after `normHeader`). */
export const GEOMETRY_HEADERS = [
  '边界',
  '边界坐标',
  '边界范围',
  '范围',
  '几何',
  '空间范围',
  '图形',
  '坐标串',
  '多边形',
  'wkt',
  'geometry',
  'geom',
  'the_geom',
  'shape',
  'boundary',
  'polygon',
  'geojson',
].map(normHeader);

/** Columns a table must have, per kind (grids: the community comes from the grid code when absent). */
const REQUIRED: Record<PolygonKind, Canonical[]> = {
  districts: ['code', 'name'],
  streets: ['code', 'name', 'parentCode'],
  communities: ['code', 'name', 'parentCode'],
  grids: ['code', 'name', 'leaderName', 'leaderPhone', 'population', 'households'],
};

const LABEL: Record<Canonical, Message> = {
  code: { zh: '编码', en: 'code' },
  name: { zh: '名称', en: 'name' },
  parentCode: { zh: '上级编码', en: 'parentCode' },
  communityCode: { zh: '所属社区（社区编码）', en: 'communityCode' },
  leaderName: { zh: '网格长', en: 'leaderName' },
  leaderPhone: { zh: '联系电话', en: 'leaderPhone' },
  partyBranch: { zh: '党支部', en: 'partyBranch' },
  population: { zh: '人口', en: 'population' },
  households: { zh: '户数', en: 'households' },
  type: { zh: '类型', en: 'type' },
  address: { zh: '地址', en: 'address' },
  amenities: { zh: '设施', en: 'amenities' },
  openingHours: { zh: '营业时间', en: 'openingHours' },
  phone: { zh: '电话', en: 'phone' },
  operator: { zh: '运营方', en: 'operator' },
  status: { zh: '状态', en: 'status' },
};

export interface PolygonTableProblem extends Message {
  row: number;
  code: 'missing_column' | 'invalid_file' | 'invalid_geometry' | 'invalid_value';
}

export interface PolygonTable {
  collection: FeatureCollection<Geometry | null>;
  /** Sheet row number of each feature. */
  rows: number[];
  problems: PolygonTableProblem[];
  headerRow: number;
  /** Header text → the property it fills (null: ignored), the geometry column marked `geometry`. */
  columns: { header: string; field: Canonical | 'geometry' | null }[];
  /** Grids: the community code was taken from each grid code. */
  communityFromCode: boolean;
}

const stripBrackets = (h: string) => h.replace(/[（(【[].*?[）)】\]]/g, '').trim();

function fieldsOf(cells: Cell[], kind: PolygonKind): (Canonical | 'geometry' | null)[] {
  return cells.map((c) => {
    const h = c === null ? '' : String(c).trim();
    if (!h) return null;
    if (GEOMETRY_HEADERS.includes(normHeader(h))) return 'geometry';
    const key = stripBrackets(h);
    const { props } = normalizeProperties({ [key]: 'x' }, kind);
    return (Object.keys(props)[0] as Canonical | undefined) ?? null;
  });
}

/** Table rows → features of `kind` with the header text as property names (./properties.ts resolves them). */
export function tableToPolygons(table: RawTable, kind: PolygonKind): PolygonTable {
  const features: Feature<Geometry | null>[] = [];
  const rows: number[] = [];
  const problems: PolygonTableProblem[] = [];
  const candidates = table.rows.slice(0, 10);
  const header =
    candidates.find((r) => {
      const f = fieldsOf(r.cells, kind);
      return f.includes('geometry') && f.some((x) => x !== null && x !== 'geometry');
    }) ?? candidates[0];
  const headerRow = header?.row ?? 0;
  const headers = header ? header.cells.map((c) => (c === null ? '' : String(c).trim())) : [];
  const fields = header ? fieldsOf(header.cells, kind) : [];
  // A field named twice: the first column counts.
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    if (!f) return;
    if (seen.has(f)) fields[i] = null;
    else seen.add(f);
  });
  const columns = headers.map((h, i) => ({ header: h, field: fields[i] ?? null }));
  const communityFromCode = kind === 'grids' && !seen.has('communityCode');
  const missing: Message[] = REQUIRED[kind].filter((f) => !seen.has(f)).map((f) => LABEL[f]);
  if (!seen.has('geometry')) missing.push({ zh: '边界（WKT 或 GeoJSON 文本）', en: 'boundary (WKT or GeoJSON text)' });
  const result = { collection: { type: 'FeatureCollection' as const, features }, rows, problems, headerRow, columns, communityFromCode };
  if (missing.length > 0) {
    problems.push({
      row: headerRow,
      code: 'missing_column',
      zh: `表头缺少必需的列：${missing.map((m) => m.zh).join('、')}（识别到的列：${headers.filter(Boolean).join('、') || '无'}）`,
      en: `the header lacks required columns: ${missing.map((m) => m.en).join(', ')} (columns found: ${headers.filter(Boolean).join(', ') || 'none'})`,
    });
    return result;
  }
  const geomCol = fields.indexOf('geometry');
  for (const r of table.rows) {
    if (r.row <= headerRow) continue;
    const props: Record<string, unknown> = {};
    fields.forEach((f, i) => {
      if (!f || f === 'geometry') return;
      const v = r.cells[i];
      if (v !== null && v !== undefined) props[stripBrackets(headers[i])] = typeof v === 'string' ? v.trim() : v;
    });
    const code = r.cells[fields.indexOf('code')];
    const digits = typeof code === 'number' ? String(code) : typeof code === 'string' ? code.trim() : '';
    const fromCode = /^\d{15}$/.test(digits) ? digits.slice(0, 12) : undefined;
    if (communityFromCode && fromCode) props.communityCode = fromCode;
    // 所属社区 holding the community's name (as many lists do) is not a code: say what to do, once.
    const communityCol = kind === 'grids' ? fields.indexOf('communityCode') : -1;
    const community = communityCol >= 0 ? r.cells[communityCol] : null;
    if (typeof community === 'string' && community.trim() !== '' && !/^\d+$/.test(community.trim())) {
      const h = headers[communityCol];
      problems.push({
        row: r.row,
        code: 'invalid_value',
        zh: `${h}应为社区的 12 位编码，实际为 "${community.trim()}"（社区名称）；表中只有社区名称时请删去此列：社区编码取网格编码的前 12 位`,
        en: `${h} must be the community's 12-digit code, got "${community.trim()}" (a name); if the list only has community names, drop the column: the community code is then the grid code's first 12 digits`,
      });
      if (fromCode) props[stripBrackets(h)] = fromCode; // the row is rejected by the problem above, not twice
    }
    const g = parseGeometryText(r.cells[geomCol]);
    if ('error' in g) problems.push({ row: r.row, code: 'invalid_geometry', ...g.error });
    features.push({ type: 'Feature', properties: props, geometry: 'geometry' in g ? g.geometry : null });
    rows.push(r.row);
  }
  if (features.length === 0) problems.push({ row: headerRow, code: 'invalid_file', zh: '表头下没有数据行', en: 'no data rows below the header' });
  return result;
}
