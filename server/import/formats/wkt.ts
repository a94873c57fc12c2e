/**
 * Geometry text in a table cell (pure, no I/O): WKT as PostGIS, QGIS and ArcGIS write it
 * (`POLYGON((…))`, `MULTIPOLYGON(((…)))`, `POINT(…)`, optional `SRID=…;` prefix as EWKT, optional
 * Z / M / ZM) or GeoJSON text (a geometry or a Feature) → a GeoJSON geometry that the import
 * validator (../records/geometry.ts) then checks like any other file's. No WKT parser library is
 * installed; this one is small, iterative (no recursion: a cell of 10,000 "(" is an error, not a
 * stack overflow) and reads only the shapes an import can use.
 *
 * Errors are messages (zh first) with the character position, and a hint when a cell is exactly
 * 32,767 characters long: Excel's cell limit, where long boundaries are cut off.
 */
import type { Geometry } from 'geojson';
import type { Message } from '../../validation/problem.js';

/** Excel's maximum cell length: a boundary this long was most likely truncated. */
export const EXCEL_CELL_LIMIT = 32_767;

/** SRIDs that are longitude/latitude degrees on WGS84 or CGCS2000 (same within centimetres). */
const GEOGRAPHIC_SRIDS = new Set([4326, 4490, 4610, 4214]);

const TYPES = {
  POINT: { type: 'Point', depth: 1 },
  LINESTRING: { type: 'LineString', depth: 1 },
  POLYGON: { type: 'Polygon', depth: 2 },
  MULTIPOINT: { type: 'MultiPoint', depth: 1 },
  MULTILINESTRING: { type: 'MultiLineString', depth: 2 },
  MULTIPOLYGON: { type: 'MultiPolygon', depth: 3 },
} as const;
type WktType = keyof typeof TYPES;

export type GeometryTextResult = { geometry: Geometry } | { error: Message };

const err = (zh: string, en: string): { error: Message } => ({ error: { zh, en } });
const near = (s: string, i: number) => (i >= s.length ? '（文本结尾）' : `"${s.slice(i, i + 12)}${s.length > i + 12 ? '…' : ''}"`);
const nearEn = (s: string, i: number) => (i >= s.length ? '(end of text)' : `"${s.slice(i, i + 12)}${s.length > i + 12 ? '…' : ''}"`);

type Nested = number[] | Nested[];

/**
 * Parses WKT / EWKT text. Positions are [x, y] or with Z/M ordinates (the validator drops them).
 * @example parseWkt('POLYGON((0 0, 1 0, 1 1, 0 0))') // { geometry: { type: 'Polygon', coordinates: [[[0,0],[1,0],[1,1],[0,0]]] } }
 */
export function parseWkt(text: string): GeometryTextResult {
  const s = text.trim();
  let i = 0;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  let srid: number | null = null;
  const sridMatch = /^SRID\s*=\s*(\d+)\s*;/i.exec(s);
  if (sridMatch) {
    srid = Number(sridMatch[1]);
    i = sridMatch[0].length;
    if (!GEOGRAPHIC_SRIDS.has(srid))
      return err(
        `WKT 声明的坐标系 SRID=${srid} 不是经纬度（EPSG:4326 / 4490）；投影坐标（如 CGCS2000 高斯-克吕格 4490 系列的 45xx）请先转换为经纬度，或用带 .prj 的 Shapefile 导入`,
        `the WKT declares SRID=${srid}, which is not longitude/latitude (EPSG:4326 / 4490); reproject projected coordinates (e.g. CGCS2000 Gauss-Krüger, EPSG:45xx) to lon/lat first, or import a Shapefile with its .prj`,
      );
  }
  ws();
  const word = /^[A-Za-z]+/.exec(s.slice(i))?.[0] ?? '';
  const upper = word.toUpperCase();
  if (!(upper in TYPES)) {
    if (upper === 'GEOMETRYCOLLECTION')
      return err('不支持 GEOMETRYCOLLECTION，请给出 POLYGON 或 MULTIPOLYGON', 'GEOMETRYCOLLECTION is not supported; give a POLYGON or MULTIPOLYGON');
    return err(
      `无法识别的 WKT 几何类型 ${near(s, i)}（应为 POLYGON、MULTIPOLYGON 或 POINT）`,
      `unknown WKT geometry type ${nearEn(s, i)} (expected POLYGON, MULTIPOLYGON or POINT)`,
    );
  }
  const spec = TYPES[upper as WktType];
  i += word.length;
  ws();
  const dim = /^(ZM|Z|M)\b/i.exec(s.slice(i));
  if (dim) {
    i += dim[0].length;
    ws();
  }
  // Ordinates per position: as declared (Z, M: 3; ZM: 4), else 2 or 3 (some tools write Z without saying so).
  const [minOrd, maxOrd] = dim ? [2 + dim[1].length, 2 + dim[1].length] : [2, 3];
  if (/^EMPTY\s*$/i.test(s.slice(i))) return err(`几何为空（${upper} EMPTY）`, `the geometry is empty (${upper} EMPTY)`);

  // Nested lists of positions, read with an explicit stack.
  const root: Nested[] = [];
  const stack: Nested[][] = [root];
  let expectItem = true; // after "(" or ",": a list or a position must follow
  const numberRe = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
  for (;;) {
    ws();
    if (i >= s.length) break;
    const c = s[i];
    if (c === '(') {
      if (!expectItem) return err(`WKT 第 ${i + 1} 个字符处缺少逗号`, `WKT: a comma is missing at character ${i + 1}`);
      if (stack.length > spec.depth + 1)
        return err(`WKT 括号层数过多（第 ${i + 1} 个字符处），与类型 ${upper} 不符`, `WKT: too many nested parentheses for ${upper} at character ${i + 1}`);
      const list: Nested[] = [];
      stack[stack.length - 1].push(list as Nested);
      stack.push(list);
      i++;
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) return err(`WKT 第 ${i + 1} 个字符处多了一个 ")"`, `WKT: an extra ")" at character ${i + 1}`);
      if (expectItem) return err(`WKT 第 ${i + 1} 个字符处缺少坐标`, `WKT: coordinates are missing at character ${i + 1}`);
      stack.pop();
      i++;
      expectItem = false;
      if (stack.length === 1) {
        ws();
        if (i < s.length)
          return err(
            `WKT 在第 ${i + 1} 个字符处还有多余的内容 ${near(s, i)}`,
            `WKT: unexpected text after the geometry at character ${i + 1}: ${nearEn(s, i)}`,
          );
        break;
      }
      continue;
    }
    if (c === ',') {
      if (expectItem || stack.length === 1) return err(`WKT 第 ${i + 1} 个字符处多了一个逗号`, `WKT: an unexpected comma at character ${i + 1}`);
      i++;
      expectItem = true;
      continue;
    }
    // A position: 2–4 numbers separated by white space.
    if (!expectItem || stack.length === 1)
      return err(
        `WKT 第 ${i + 1} 个字符处应为 "(" 、"," 或 ")"，实际为 ${near(s, i)}`,
        `WKT: expected "(", "," or ")" at character ${i + 1}, got ${nearEn(s, i)}`,
      );
    const pos: number[] = [];
    for (;;) {
      ws();
      const m = numberRe.exec(s.slice(i, i + 64));
      if (!m) break;
      pos.push(Number(m[0]));
      i += m[0].length;
    }
    if (pos.length < minOrd || pos.length > maxOrd)
      return err(
        `WKT 第 ${i + 1} 个字符处的坐标应为 "经度 纬度"（空格分隔的 ${minOrd === maxOrd ? minOrd : `${minOrd}–${maxOrd}`} 个数），实际为 ${pos.length ? pos.join(' ') : near(s, i)}${pos.length > maxOrd ? '（是否漏了逗号？）' : ''}`,
        `WKT: a position at character ${i + 1} must be "lon lat" (${minOrd === maxOrd ? minOrd : `${minOrd}–${maxOrd}`} numbers separated by spaces), got ${pos.length ? pos.join(' ') : nearEn(s, i)}${pos.length > maxOrd ? ' (a comma missing?)' : ''}`,
      );
    stack[stack.length - 1].push(pos);
    expectItem = false;
  }
  if (root.length === 0) return err(`WKT 缺少坐标（应为 ${upper}((经度 纬度, …))）`, `WKT: no coordinates (expected ${upper}((lon lat, …)))`);
  if (stack.length > 1) return err(`WKT 不完整：缺少 ${stack.length - 1} 个 ")"`, `incomplete WKT: ${stack.length - 1} ")" missing`);
  return shape(upper as WktType, root[0] as Nested[]);
}

/** Checks the nesting against the type and returns GeoJSON coordinates. */
function shape(type: WktType, body: Nested[]): GeometryTextResult {
  const isPos = (x: unknown): x is number[] => Array.isArray(x) && typeof x[0] === 'number';
  const depthOf = (x: Nested): number => {
    let d = 0;
    let cur: unknown = x;
    while (Array.isArray(cur) && !isPos(cur)) {
      d++;
      cur = cur[0];
    }
    return d;
  };
  const spec = TYPES[type];
  // MULTIPOINT((1 2),(3 4)) and MULTIPOINT(1 2, 3 4) are both standard.
  const coords = type === 'MULTIPOINT' ? body.map((p) => (isPos(p) ? p : (p as Nested[])[0])) : type === 'POINT' ? body[0] : body;
  const uniform = (x: Nested, d: number): boolean => (d === 0 ? isPos(x) : Array.isArray(x) && !isPos(x) && (x as Nested[]).every((y) => uniform(y, d - 1)));
  const want = type === 'POINT' ? 0 : spec.depth;
  if (coords === undefined || (type === 'POINT' && body.length !== 1) || !uniform(coords as Nested, want) || depthOf(coords as Nested) !== want)
    return err(`WKT 的括号结构与类型 ${type} 不符`, `the WKT's parentheses do not match its type ${type}`);
  return { geometry: { type: spec.type, coordinates: coords } as Geometry };
}

/**
 * A geometry cell: WKT / EWKT, or GeoJSON text (a geometry, or a Feature whose geometry is taken).
 * Empty cells are reported as missing.
 */
export function parseGeometryText(value: unknown): GeometryTextResult {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === ''))
    return err('边界（几何）为空', 'the boundary (geometry) is empty');
  if (typeof value !== 'string')
    return err(`边界应为 WKT 或 GeoJSON 文本，实际为 ${typeof value}`, `the boundary must be WKT or GeoJSON text, got a ${typeof value}`);
  const t = value.trim();
  if (t.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(t);
    } catch (e) {
      return cutHint(value, err(`GeoJSON 文本无法解析：${(e as Error).message}`, `cannot parse the GeoJSON text: ${(e as Error).message}`));
    }
    const o = json as { type?: unknown; geometry?: unknown };
    const g = o?.type === 'Feature' ? o.geometry : json;
    if (typeof g !== 'object' || g === null || typeof (g as { type?: unknown }).type !== 'string')
      return err('GeoJSON 文本不是几何对象（应含 type 和 coordinates）', 'the GeoJSON text is not a geometry (type and coordinates expected)');
    return { geometry: g as Geometry };
  }
  return cutHint(value, parseWkt(t));
}

/** A cell of exactly Excel's limit that does not parse was most likely cut off: say so. */
function cutHint(cell: string, r: GeometryTextResult): GeometryTextResult {
  if (!('error' in r) || cell.length !== EXCEL_CELL_LIMIT) return r;
  return err(
    `${r.error.zh}；单元格正好 ${EXCEL_CELL_LIMIT} 个字符，是 Excel 单元格的上限，边界很可能被截断了（请改用 CSV、GeoJSON 或 Shapefile）`,
    `${r.error.en}; the cell has exactly ${EXCEL_CELL_LIMIT} characters, Excel's cell limit: the boundary was most likely cut off (use CSV, GeoJSON or a Shapefile)`,
  );
}
