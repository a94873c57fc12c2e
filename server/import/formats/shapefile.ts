/**
 * Zipped Shapefiles (pure, no I/O) → GeoJSON FeatureCollection for ../records/parse.ts.
 *
 *   - Attribute encoding: the `.cpg` file (UTF-8, GBK, 936, CP936, GB2312, GB18030 …); without one
 *     the DBF language driver byte (0x4D / 0x7A = GBK); without that UTF-8 when the bytes are valid
 *     UTF-8, else GBK (what Chinese ArcGIS/QGIS users produce by default).
 *   - Coordinates: a `.prj` with PROJCS (e.g. CGCS2000 3-degree Gauss–Krüger, UTM) is reprojected
 *     to longitude/latitude by shpjs (proj4); a projection it does not understand, or projected
 *     metres without a `.prj` (or with a geographic one), is rejected with a clear message instead
 *     of being read as degrees.
 *   - CGCS2000 / WGS84 geographic is taken as WGS84 (they differ by centimetres). Beijing 1954 and
 *     Xi'an 1980 geographic systems are named in a warning (tens of metres off; not converted).
 */
import { parseDbf, parseShp } from 'shpjs';
import type { FeatureCollection, Geometry, Position } from 'geojson';
import { inLonLatRange } from '../../validation/geometry.js';
import type { Message } from '../../validation/problem.js';
import { FileFormatError } from './errors.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './limits.js';
import { unzipWithin } from './zip.js';

export interface ShapefileRead {
  layer: string;
  collection: FeatureCollection;
  /** Encoding used for attributes and where it came from. */
  encoding: string;
  encodingSource: 'cpg' | 'dbf-ldid' | 'detected' | 'default';
  /** The .prj as read (null when absent). */
  prj: string | null;
  /** True when the coordinates were reprojected from a projected CRS. */
  reprojected: boolean;
  warnings: Message[];
}

const CPG_ALIASES: Record<string, string> = {
  '936': 'gbk',
  cp936: 'gbk',
  ansi936: 'gbk',
  gbk: 'gbk',
  gb2312: 'gbk',
  gb18030: 'gb18030',
  '54936': 'gb18030',
  utf8: 'utf-8',
  '65001': 'utf-8',
  big5: 'big5',
  '950': 'big5',
};

/** Normalises a .cpg value to a TextDecoder label, or null when unusable. */
export function encodingFromCpg(cpg: string): string | null {
  const k = cpg
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');
  const label = CPG_ALIASES[k] ?? k;
  try {
    new TextDecoder(label);
    return label;
  } catch {
    return null;
  }
}

function detectDbfEncoding(dbf: Uint8Array): { encoding: string; source: ShapefileRead['encodingSource'] } {
  const ldid = dbf[29];
  if (ldid === 0x4d || ldid === 0x7a) return { encoding: 'gbk', source: 'dbf-ldid' };
  const headerLen = dbf[8] | (dbf[9] << 8);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(dbf.subarray(32, Math.max(32, Math.min(dbf.length, headerLen))));
    new TextDecoder('utf-8', { fatal: true }).decode(dbf.subarray(headerLen));
    return { encoding: 'utf-8', source: 'detected' };
  } catch {
    return { encoding: 'gbk', source: 'detected' };
  }
}

const dataView = (u: Uint8Array) => new DataView(u.buffer, u.byteOffset, u.byteLength);

function positions(g: Geometry | null): Position[] {
  if (!g) return [];
  switch (g.type) {
    case 'Point':
      return [g.coordinates];
    case 'MultiPoint':
    case 'LineString':
      return g.coordinates;
    case 'MultiLineString':
    case 'Polygon':
      return g.coordinates.flat();
    case 'MultiPolygon':
      return g.coordinates.flat(2);
    case 'GeometryCollection':
      return g.geometries.flatMap(positions);
  }
}

const ringArea = (r: Position[]) => {
  let s = 0;
  for (let i = 0; i + 1 < r.length; i++) s += (r[i + 1][0] - r[i][0]) * (r[i + 1][1] + r[i][1]);
  return s; // > 0: clockwise
};
const orientRings = (rings: Position[][]) => rings.map((r, i) => (ringArea(r) > 0 === i > 0 ? r : [...r].reverse()));

/** Outer rings counter-clockwise, holes clockwise. */
function rfc7946Orientation(g: Geometry): Geometry {
  if (g.type === 'Polygon') return { ...g, coordinates: orientRings(g.coordinates) };
  if (g.type === 'MultiPolygon') return { ...g, coordinates: g.coordinates.map(orientRings) };
  return g;
}

const looksProjected = (ps: Position[]) => ps.some((p) => !inLonLatRange(p));

/**
 * Reads the one layer of a zipped Shapefile (or the layer named `layerName`).
 * @throws FileFormatError with a bilingual message for unreadable files and coordinate systems.
 */
export async function readShapefileZip(bytes: Uint8Array, layerName?: string, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): Promise<ShapefileRead> {
  // Opened within the upload limits (./zip.ts): a zip bomb is a 413 before anything is parsed.
  const parts = unzipWithin(bytes, { zh: 'Shapefile 压缩包', en: 'Shapefile zip' }, limits, (p) => !p.includes('__MACOSX') && /\.(shp|dbf|cpg|prj)$/i.test(p));
  const files = new Map<string, Uint8Array>();
  for (const [p, data] of parts) files.set(p.toLowerCase(), data);
  const layers = [...files.keys()].filter((p) => p.endsWith('.shp')).map((p) => p.slice(0, -4));
  if (layers.length === 0) throw new FileFormatError('压缩包中没有 .shp 文件', 'the zip contains no .shp file');
  let base: string;
  if (layerName) {
    const want = layers.find((l) => l.split('/').pop() === layerName.toLowerCase());
    if (!want)
      throw new FileFormatError(
        `压缩包中没有图层 ${layerName}；可选：${layers.join('、')}`,
        `no layer ${layerName} in the zip; available: ${layers.join(', ')}`,
      );
    base = want;
  } else if (layers.length > 1) {
    throw new FileFormatError(`压缩包中有多个图层（${layers.join('、')}），请指定一个`, `the zip holds several layers (${layers.join(', ')}); choose one`);
  } else base = layers[0];

  const get = async (ext: string) => files.get(`${base}.${ext}`);
  const shp = (await get('shp'))!;
  const dbf = await get('dbf');
  const cpgBytes = await get('cpg');
  const prjBytes = await get('prj');
  const prj = prjBytes ? new TextDecoder().decode(prjBytes).trim() : null;
  const warnings: ShapefileRead['warnings'] = [];

  let encoding = 'utf-8';
  let encodingSource: ShapefileRead['encodingSource'] = 'default';
  if (cpgBytes) {
    const cpg = new TextDecoder().decode(cpgBytes);
    const e = encodingFromCpg(cpg);
    if (e) {
      encoding = e;
      encodingSource = 'cpg';
    } else {
      warnings.push({ zh: `.cpg 中的编码 ${cpg.trim()} 无法识别，已自动判断`, en: `unknown encoding ${cpg.trim()} in .cpg; detected instead` });
    }
  }
  if (encodingSource === 'default' && dbf) ({ encoding, source: encodingSource } = detectDbfEncoding(dbf));

  let geometries: (Geometry | null)[];
  try {
    geometries = parseShp(dataView(shp)) as (Geometry | null)[];
  } catch (err) {
    throw new FileFormatError(`.shp 文件无法解析：${(err as Error).message}`, `the .shp file cannot be parsed: ${(err as Error).message}`);
  }
  const raw = geometries.flatMap(positions);
  const projected = prj !== null && /^\s*PROJCS\[/i.test(prj);
  let reprojected = false;
  if (projected) {
    let converted: (Geometry | null)[] | null = null;
    try {
      converted = parseShp(dataView(shp), prj) as (Geometry | null)[];
    } catch {
      converted = null;
    }
    const out = converted?.flatMap(positions) ?? [];
    // shpjs silently keeps the raw values when proj4 cannot read the .prj: detect that.
    const unchanged = !converted || out.every((p, i) => p[0] === raw[i]?.[0] && p[1] === raw[i]?.[1]);
    if (unchanged || looksProjected(out) || out.some((p) => !Number.isFinite(p[0]) || !Number.isFinite(p[1]))) {
      const name = /^\s*PROJCS\["([^"]*)"/i.exec(prj!)?.[1] ?? '?';
      throw new FileFormatError(
        `无法识别 .prj 中的投影坐标系（${name}），无法转换为经纬度；请在 GIS 软件中导出为 WGS84 / CGCS2000 经纬度（EPSG:4326 / 4490）后再导入`,
        `the projected coordinate system in the .prj (${name}) is not understood, so it cannot be converted to longitude/latitude; export to WGS84 / CGCS2000 lon/lat (EPSG:4326 / 4490) and import again`,
        'projected_coordinates',
      );
    }
    geometries = converted!;
    reprojected = true;
  } else if (looksProjected(raw)) {
    const p = raw.find((q) => !inLonLatRange(q))!;
    throw new FileFormatError(
      `坐标 ${p[0]} ${p[1]} 超出经纬度范围，似为投影坐标（米），但${prj ? ' .prj 声明为经纬度' : '压缩包中缺少 .prj 文件'}；请附上正确的 .prj（如 CGCS2000 3 度带高斯-克吕格 EPSG:4549）或导出为经纬度`,
      `coordinate ${p[0]} ${p[1]} is outside longitude/latitude range and looks projected (metres), but ${prj ? 'the .prj declares degrees' : 'the zip has no .prj'}; include the right .prj (e.g. CGCS2000 3-degree Gauss–Krüger EPSG:4549) or export as lon/lat`,
      'projected_coordinates',
    );
  }
  if (prj && /beijing|北京|xian|xi'an|西安|krasovsky/i.test(prj) && !projected) {
    warnings.push({
      zh: '.prj 为北京54 / 西安80 坐标系，按 WGS84 读取（偏差可达数十米）',
      en: 'the .prj is Beijing 1954 / Xi’an 1980; read as WGS84 (may be tens of metres off)',
    });
  }

  let records: Record<string, unknown>[] = [];
  if (dbf) {
    try {
      records = parseDbf(dataView(dbf), encoding) as Record<string, unknown>[];
    } catch (err) {
      throw new FileFormatError(`.dbf 属性表无法解析：${(err as Error).message}`, `the .dbf attribute table cannot be parsed: ${(err as Error).message}`);
    }
  }
  // Empty numeric fields come back as NaN, dates as Date: make them plain JSON values.
  const clean = (props: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(props).map(([k, v]) => [
        k.trim(),
        typeof v === 'number' && !Number.isFinite(v) ? null : v instanceof Date ? (Number.isNaN(v.getTime()) ? null : v.toISOString().slice(0, 10)) : v,
      ]),
    );
  // Shapefile rings are outer-clockwise; GeoJSON (RFC 7946) wants outer counter-clockwise.
  geometries = geometries.map((g) => {
    if (!g) return g;
    const { bbox: _bbox, ...rest } = g as Geometry & { bbox?: unknown };
    return rfc7946Orientation(rest as Geometry);
  });
  return {
    layer: base.split('/').pop()!,
    collection: {
      type: 'FeatureCollection',
      features: geometries.map((g, i) => ({ type: 'Feature', geometry: g as Geometry, properties: clean(records[i] ?? {}) })),
    },
    encoding,
    encodingSource,
    prj,
    reprojected,
    warnings,
  };
}
