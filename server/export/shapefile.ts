/**
 * Shapefile writing (pure): Point and Polygon/MultiPolygon layers as .shp/.shx/.dbf/.prj/.cpg,
 * zipped. Written here from the ESRI Shapefile and dBase III layouts rather than with
 * @mapbox/shp-write, whose DBF writer stores each UTF-16 code unit as one byte (Chinese text is
 * lost). Attributes are UTF-8 (default) or GBK, declared in the .cpg and the DBF language byte.
 *
 * Rings are written outer-clockwise, holes counter-clockwise, as the format requires.
 */
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import type { Geometry, MultiPolygon, Point, Polygon, Position } from 'geojson';

export type DbfEncoding = 'utf-8' | 'gbk';

export interface DbfField {
  /** At most 10 bytes in the chosen encoding. */
  name: string;
  type: 'C' | 'N';
  /** Bytes; C up to 254. Default: C = longest value, N = 18. */
  length?: number;
  /** N fields only. Default 0. */
  decimals?: number;
}

export const WGS84_PRJ =
  'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';

const encode = (s: string, enc: DbfEncoding): Uint8Array => (enc === 'gbk' ? new Uint8Array(iconv.encode(s, 'gbk')) : new TextEncoder().encode(s));

/** Encodes `s` into at most `max` bytes without cutting a character in half. */
function encodeFit(s: string, enc: DbfEncoding, max: number): Uint8Array {
  let out = encode(s, enc);
  if (out.length <= max) return out;
  const chars = [...s];
  while (chars.length && out.length > max) {
    chars.pop();
    out = encode(chars.join(''), enc);
  }
  return out;
}

function formatNumber(v: unknown, f: Required<DbfField>): string {
  if (v === null || v === undefined || v === '' || !Number.isFinite(Number(v))) return ''.padStart(f.length, ' ');
  const s = Number(v).toFixed(f.decimals);
  if (s.length > f.length) throw new Error(`number ${s} does not fit DBF field ${f.name} (${f.length})`);
  return s.padStart(f.length, ' ');
}

/** A dBase III table. */
export function writeDbf(fields: DbfField[], rows: Record<string, unknown>[], enc: DbfEncoding = 'utf-8'): Uint8Array {
  const defs: Required<DbfField>[] = fields.map((f) => {
    let length = f.length ?? 18;
    if (f.type === 'C' && f.length === undefined)
      length = Math.max(1, Math.min(254, Math.max(0, ...rows.map((r) => (r[f.name] == null ? 0 : encode(String(r[f.name]), enc).length)))));
    return { name: f.name, type: f.type, length, decimals: f.type === 'N' ? (f.decimals ?? 0) : 0 };
  });
  const recordLen = 1 + defs.reduce((n, f) => n + f.length, 0);
  const headerLen = 32 + 32 * defs.length + 1;
  const buf = new Uint8Array(headerLen + recordLen * rows.length + 1);
  const dv = new DataView(buf.buffer);
  buf[0] = 0x03;
  // Fixed date (2000-01-01) so files are reproducible.
  buf[1] = 100;
  buf[2] = 1;
  buf[3] = 1;
  dv.setUint32(4, rows.length, true);
  dv.setUint16(8, headerLen, true);
  dv.setUint16(10, recordLen, true);
  buf[29] = enc === 'gbk' ? 0x4d : 0x00; // language driver: 0x4D = Chinese GBK (936)
  defs.forEach((f, i) => {
    const o = 32 + 32 * i;
    const name = encodeFit(f.name, enc, 10);
    buf.set(name, o);
    buf[o + 11] = f.type.charCodeAt(0);
    buf[o + 16] = f.length;
    buf[o + 17] = f.decimals;
  });
  buf[headerLen - 1] = 0x0d;
  let o = headerLen;
  for (const row of rows) {
    buf[o++] = 0x20;
    for (const f of defs) {
      const cell = new Uint8Array(f.length).fill(0x20);
      const v = row[f.name];
      if (f.type === 'N') cell.set(new TextEncoder().encode(formatNumber(v, f)));
      else if (v !== null && v !== undefined) cell.set(encodeFit(String(v), enc, f.length));
      buf.set(cell, o);
      o += f.length;
    }
  }
  buf[o] = 0x1a;
  return buf;
}

const signedArea = (ring: Position[]) => {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += (ring[i + 1][0] - ring[i][0]) * (ring[i + 1][1] + ring[i][1]);
  return s; // > 0: clockwise
};
const orient = (ring: Position[], clockwise: boolean) => (signedArea(ring) > 0 === clockwise ? ring : [...ring].reverse());

type ShpGeometry = Point | Polygon | MultiPolygon;

/** .shp and .shx bytes for one layer (all Points, or all Polygons/MultiPolygons). */
export function writeShp(geometries: ShpGeometry[]): { shp: Uint8Array; shx: Uint8Array; shapeType: 1 | 5 } {
  const isPoint = geometries.every((g) => g.type === 'Point');
  if (!isPoint && !geometries.every((g) => g.type === 'Polygon' || g.type === 'MultiPolygon'))
    throw new Error('a layer must hold only points or only polygons');
  const shapeType = isPoint ? 1 : 5;
  const contents = geometries.map((g) => {
    if (g.type === 'Point') {
      const b = new DataView(new ArrayBuffer(20));
      b.setInt32(0, 1, true);
      b.setFloat64(4, g.coordinates[0], true);
      b.setFloat64(12, g.coordinates[1], true);
      return { bytes: new Uint8Array(b.buffer), bbox: [g.coordinates[0], g.coordinates[1], g.coordinates[0], g.coordinates[1]] };
    }
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    const rings = polys.flatMap((rs) => rs.map((r, i) => orient(r, i === 0)));
    const nPoints = rings.reduce((n, r) => n + r.length, 0);
    const b = new DataView(new ArrayBuffer(44 + 4 * rings.length + 16 * nPoints));
    const xs = rings.flat().map((p) => p[0]);
    const ys = rings.flat().map((p) => p[1]);
    const bbox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    b.setInt32(0, 5, true);
    bbox.forEach((v, i) => b.setFloat64(4 + 8 * i, v, true));
    b.setInt32(36, rings.length, true);
    b.setInt32(40, nPoints, true);
    let start = 0;
    rings.forEach((r, i) => {
      b.setInt32(44 + 4 * i, start, true);
      start += r.length;
    });
    let o = 44 + 4 * rings.length;
    for (const p of rings.flat()) {
      b.setFloat64(o, p[0], true);
      b.setFloat64(o + 8, p[1], true);
      o += 16;
    }
    return { bytes: new Uint8Array(b.buffer), bbox };
  });
  const shpLen = 100 + contents.reduce((n, c) => n + 8 + c.bytes.length, 0);
  const shxLen = 100 + 8 * contents.length;
  const shp = new Uint8Array(shpLen);
  const shx = new Uint8Array(shxLen);
  const all = contents.length ? contents.map((c) => c.bbox) : [[0, 0, 0, 0]];
  const bbox = [Math.min(...all.map((b) => b[0])), Math.min(...all.map((b) => b[1])), Math.max(...all.map((b) => b[2])), Math.max(...all.map((b) => b[3]))];
  for (const [buf, len] of [
    [shp, shpLen],
    [shx, shxLen],
  ] as const) {
    const dv = new DataView(buf.buffer);
    dv.setInt32(0, 9994, false);
    dv.setInt32(24, len / 2, false);
    dv.setInt32(28, 1000, true);
    dv.setInt32(32, shapeType, true);
    bbox.forEach((v, i) => dv.setFloat64(36 + 8 * i, v, true));
  }
  const sdv = new DataView(shp.buffer);
  const xdv = new DataView(shx.buffer);
  let o = 100;
  contents.forEach((c, i) => {
    xdv.setInt32(100 + 8 * i, o / 2, false);
    xdv.setInt32(100 + 8 * i + 4, c.bytes.length / 2, false);
    sdv.setInt32(o, i + 1, false);
    sdv.setInt32(o + 4, c.bytes.length / 2, false);
    shp.set(c.bytes, o + 8);
    o += 8 + c.bytes.length;
  });
  return { shp, shx, shapeType };
}

export interface ShapefileLayer {
  /** File base name inside the zip (ASCII recommended). */
  name: string;
  fields: DbfField[];
  features: { geometry: ShpGeometry; properties: Record<string, unknown> }[];
  /** Default WGS84 lon/lat. */
  prj?: string;
}

export interface ShapefileZipOptions {
  encoding?: DbfEncoding;
  /** Omit the .cpg (to test readers that must detect the encoding). */
  omitCpg?: boolean;
  omitPrj?: boolean;
}

/** Fixed zip entry dates so the same data gives the same bytes. */
const ZIP_DATE = new Date(Date.UTC(2026, 0, 1));

export async function writeShapefileZip(layers: ShapefileLayer[], opts: ShapefileZipOptions = {}): Promise<Uint8Array> {
  const enc = opts.encoding ?? 'utf-8';
  const zip = new JSZip();
  for (const layer of layers) {
    const { shp, shx } = writeShp(layer.features.map((f) => f.geometry));
    const add = (ext: string, data: Uint8Array | string) => zip.file(`${layer.name}.${ext}`, data, { date: ZIP_DATE, createFolders: false });
    add('shp', shp);
    add('shx', shx);
    add(
      'dbf',
      writeDbf(
        layer.fields,
        layer.features.map((f) => f.properties),
        enc,
      ),
    );
    if (!opts.omitPrj) add('prj', layer.prj ?? WGS84_PRJ);
    if (!opts.omitCpg) add('cpg', enc === 'gbk' ? 'GBK' : 'UTF-8');
  }
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', platform: 'UNIX' });
}

export type { Geometry };
