/**
 * Hostile uploads (issue 14, "upload limits"): zip bombs in KMZ, Shapefile zips and XLSX made
 * here (ratio bombs, total bombs, overlapping entries, lying sizes, hidden entries), nested and
 * truncated zips, wrong magic bytes, huge rows, columns and cells, text in GBK / UTF-8 / UTF-16 /
 * UTF-32 / Big5, empty files, binary junk, deep nesting, XML entity bombs. Every one must be a
 * 4xx in the standard error shape (zh + en), never a 5xx; no table changes; the server process's
 * RSS stays within 300 MB of where it started (the reading child may die, the server may not).
 * Uploads are committed (`dry_run=false`): a dry run of an unreadable file is a 200 report with
 * the file-level rejection (the upload page shows it); a commit of it is the 422.
 * Then: preview needs import rights, one upload at a time per user (429), and the upload rate.
 */
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../server/app.js';
import { databaseChecksum } from './helpers/checksum.js';
import { openTestDb, testConfig, type TestDb } from './helpers/db.js';
import { bearer, login } from './helpers/editing.js';
import { entry, renamed, writeZip, type RawEntry } from './upload-helpers/zip-writer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(ROOT, 'geodata/fixtures/formats', name)));

const T = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  kmz: 'application/vnd.google-earth.kmz',
  kml: 'application/vnd.google-earth.kml+xml',
  zip: 'application/zip',
  json: 'application/geo+json',
  bin: 'application/octet-stream',
};

interface Case {
  name: string;
  url: string;
  type: string;
  payload: Uint8Array | string;
  /** The status expected; `4xx` where either 413 or 422 is a right answer. */
  status: 400 | 403 | 413 | 422 | '4xx';
  /** For 413: the limit named in `details.limit`. */
  limit?: string;
  /** On the app with small limits. */
  tight?: boolean;
}

let t: TestDb;
let app: FastifyInstance;
let tight: FastifyInstance;
let admin: Record<string, string>;
let adminTight: Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Material
// ---------------------------------------------------------------------------------------------

/** Entries of an honest zip (as JSZip reads it), for rebuilding it with hostile additions. */
async function entriesOf(zip: Uint8Array): Promise<RawEntry[]> {
  const z = await JSZip.loadAsync(zip);
  const out: RawEntry[] = [];
  for (const [name, f] of Object.entries(z.files)) if (!f.dir) out.push(entry(name, await f.async('uint8array')));
  return out;
}

/** 10 MB of zeros deflated (~10 KB): far past 100:1 (deflated once). */
let zerosEntry: RawEntry | null = null;
const zeros = () => (zerosEntry ??= entry('bomb.bin', new Uint8Array(10 * 1024 * 1024)));

/** A 2 MB block that deflates about 20–60:1 (under the ratio cap), listed 110 times: > 200 MB in total. */
let blockEntry: RawEntry | null = null;
function totalBomb(prefix: string): RawEntry[] {
  if (blockEntry) return Array.from({ length: 110 }, (_, i) => renamed(blockEntry!, `${prefix}${i}.bin`));
  const block = new Uint8Array(2 * 1024 * 1024);
  let x = 12345;
  for (let i = 0; i < block.length; i += 48) {
    x = (x * 1103515245 + 12345) >>> 0;
    block[i] = x >>> 24;
  }
  const e = (blockEntry = entry(`${prefix}0.bin`, block));
  const ratio = block.length / e.stored.length;
  if (ratio >= 100 || ratio < 5) throw new Error(`test material: block ratio ${ratio}`);
  return Array.from({ length: 110 }, (_, i) => renamed(e, `${prefix}${i}.bin`));
}

const withCrc = (e: RawEntry, crc: number): RawEntry => ({ ...e, crc });

async function stationsXlsx(rows: (string | number)[][], header = ['编码', '名称', '类型', '地址', '经度', '纬度', '营业时间']): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('站点');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

const stationRow = (i: number) => [`X${i}`, `站${i}`, '爱心驿站', `路${i}号`, 121.6, 38.91, '24/7'];
const HEADER = '编码,名称,类型,地址,经度,纬度,营业时间\n';

const random = (n: number, seed = 7) => {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
};

const truncated = (b: Uint8Array) => b.subarray(0, Math.floor(b.length / 2));

function entityBombKml(): string {
  let dtd = '<!ENTITY a0 "ha">';
  for (let i = 1; i < 12; i++) dtd += `<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`;
  return `<?xml version="1.0"?><!DOCTYPE kml [${dtd}]><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&a11;</name><Point><coordinates>121.6,38.9</coordinates></Point></Placemark></Document></kml>`;
}

async function corpus(): Promise<Case[]> {
  const kmz = fixture('grids.gcj02.kmz');
  const kml = readFileSync(path.join(ROOT, 'geodata/fixtures/formats/grids.gcj02.kml'), 'utf8');
  const shp = fixture('grids.wgs84.gbk.shp.zip');
  const kmzE = await entriesOf(kmz);
  const shpE = await entriesOf(shp);
  const xlsx = await stationsXlsx([stationRow(1), stationRow(2)]);
  const xlsxE = await entriesOf(xlsx);
  const badCsv = new TextDecoder().decode(fixture('stations.bad.zh.csv')).replace(/^\uFEFF/, '');
  const bom16 = (le: boolean) => new Uint8Array([...(le ? [0xff, 0xfe] : [0xfe, 0xff]), ...iconv.encode(badCsv, le ? 'utf16le' : 'utf16-be')]);

  const K = '/api/imports/grids?format=kmz&crs=gcj02&dry_run=false';
  const S = '/api/imports/grids?format=shapefile&dry_run=false';
  const X = '/api/imports/stations?format=xlsx&dry_run=false';
  const XP = '/api/imports/preview?format=xlsx';
  const C = '/api/imports/stations?format=csv&dry_run=false';
  const CC = '/api/imports/stations?format=csv&dry_run=false';
  const CP = '/api/imports/preview?format=csv';

  const cases: Case[] = [];
  const add = (c: Case) => cases.push(c);
  // Archives: the same hostile shapes in each of the three zip formats.
  const zips: [string, string, string, RawEntry[], string][] = [
    ['KMZ', K, T.kmz, kmzE, 'doc.kml'],
    ['Shapefile zip', S, T.zip, shpE, 'grids.shp'],
    ['XLSX', X, T.xlsx, xlsxE, 'xl/worksheets/sheet1.xml'],
  ];
  for (const [what, url, type, honest, main] of zips) {
    add({
      name: `${what}: ratio bomb (10 MB of zeros beside the real content)`,
      url,
      type,
      payload: writeZip([...honest, zeros()]),
      status: 413,
      limit: 'zip_ratio',
    });
    add({
      name: `${what}: ratio bomb as the main entry`,
      url,
      type,
      payload: writeZip([renamed(zeros(), main), ...honest.filter((e) => e.name !== main)]),
      status: 413,
      limit: 'zip_ratio',
    });
    add({
      name: `${what}: total bomb (110 × 2 MB, each under the ratio cap)`,
      url,
      type,
      payload: writeZip([...honest, ...totalBomb('pad/')]),
      status: 413,
      limit: 'unzipped_bytes',
    });
    add({
      name: `${what}: overlap bomb (1000 directory entries on one local entry)`,
      url,
      type,
      payload: writeZip([zeros()], { overlapNames: Array.from({ length: 1000 }, (_, i) => `o${i}.bin`) }),
      status: 422,
    });
    add({
      name: `${what}: directory lies about the size`,
      url,
      type,
      payload: writeZip([...honest, { ...zeros(), size: 100 }]),
      status: 413,
      limit: 'zip_ratio',
    });
    add({
      name: `${what}: hidden entry between the listed ones and the directory`,
      url,
      type,
      payload: writeZip(honest, { hidden: writeZip([zeros()]).subarray(0, 200) }),
      status: 422,
    });
    add({ name: `${what}: truncated`, url, type, payload: truncated(writeZip(honest)), status: 422 });
    add({ name: `${what}: CRC mismatch`, url, type, payload: writeZip(honest.map((e) => (e.name === main ? withCrc(e, e.crc ^ 1) : e))), status: 422 });
    add({ name: `${what}: encrypted entry`, url, type, payload: writeZip(honest.map((e) => (e.name === main ? { ...e, flags: 1 } : e))), status: 422 });
    add({
      name: `${what}: unsupported compression method (bzip2)`,
      url,
      type,
      payload: writeZip(honest.map((e) => (e.name === main ? { ...e, method: 12 } : e))),
      status: 422,
    });
    add({
      name: `${what}: nested zip (the real archive inside another)`,
      url,
      type,
      payload: writeZip([entry('inner.zip', writeZip(honest), true)]),
      status: 422,
    });
    add({ name: `${what}: nested zip bomb`, url, type, payload: writeZip([entry('inner.zip', writeZip([zeros()]))]), status: 422 });
    add({
      name: `${what}: 10,001 entries`,
      url,
      type,
      payload: writeZip(Array.from({ length: 10_001 }, (_, i) => entry(`e${i}`, '', true))),
      status: 413,
      limit: 'zip_entries',
    });
    add({ name: `${what}: empty zip`, url, type, payload: writeZip([]), status: 422 });
    add({ name: `${what}: empty file`, url, type, payload: new Uint8Array(0), status: '4xx' });
    add({ name: `${what}: binary junk`, url, type, payload: random(200_000), status: 422 });
  }
  add({ name: 'KMZ: PDF magic', url: K, type: T.kmz, payload: '%PDF-1.4\n%âãÏÓ\n1 0 obj', status: 422 });
  add({ name: 'KMZ: doc.kml is junk', url: K, type: T.kmz, payload: writeZip([entry('doc.kml', random(5000))]), status: 422 });
  add({ name: 'KMZ: entity expansion bomb in doc.kml', url: K, type: T.kmz, payload: writeZip([entry('doc.kml', entityBombKml())]), status: '4xx' });
  add({ name: 'KML: entity expansion bomb', url: K.replace('kmz', 'kml'), type: T.kml, payload: entityBombKml(), status: '4xx' });
  add({
    name: 'KML: 20,000 nested folders',
    url: K.replace('kmz', 'kml'),
    type: T.kml,
    payload: kml.replace('<Document>', `<Document>${'<Folder>'.repeat(20_000)}`).replace('</Document>', `${'</Folder>'.repeat(20_000)}</Document>`),
    status: '4xx',
  });
  add({
    name: 'Shapefile zip: RAR magic',
    url: S,
    type: T.zip,
    payload: new Uint8Array([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00, ...random(1000)]),
    status: 422,
  });
  add({ name: 'Shapefile zip: gzip instead of zip', url: S, type: T.zip, payload: gzipSync(shp), status: 422 });
  add({
    name: 'Shapefile zip: .shp and .dbf of junk',
    url: S,
    type: T.zip,
    payload: writeZip([entry('g.shp', random(10_000, 1)), entry('g.dbf', random(10_000, 2)), entry('g.shx', random(100, 3))]),
    status: 422,
  });
  {
    // A .shp header claiming a 2 GB record.
    const h = new Uint8Array(100 + 8 + 4);
    const v = new DataView(h.buffer);
    v.setInt32(0, 9994);
    v.setInt32(24, h.length / 2);
    v.setInt32(28, 1000, true);
    v.setInt32(32, 5, true);
    v.setInt32(100, 1);
    v.setInt32(104, 0x3fffffff);
    v.setInt32(108, 5, true);
    add({
      name: 'Shapefile zip: .shp record claiming 2 GB',
      url: S,
      type: T.zip,
      payload: writeZip([entry('g.shp', h), ...shpE.filter((e) => e.name.endsWith('.dbf'))]),
      status: 422,
    });
  }
  add({
    name: 'XLSX: an old .xls (OLE magic)',
    url: X,
    type: T.xlsx,
    payload: new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...random(4000)]),
    status: 422,
  });
  add({ name: 'XLSX: a zip without a workbook', url: X, type: T.xlsx, payload: writeZip([entry('a.txt', 'hello')]), status: 422 });
  add({
    name: 'XLSX: sheet XML is junk',
    url: X,
    type: T.xlsx,
    payload: writeZip(
      xlsxE.map((e) => (e.name === 'xl/worksheets/sheet1.xml' ? entry(e.name, '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>99</v></c></row') : e)),
    ),
    status: '4xx',
  });
  add({
    name: 'XLSX: a 40 KB cell',
    url: X,
    type: T.xlsx,
    payload: await stationsXlsx([stationRow(1), ['X2', '长'.repeat(14_000), '爱心驿站', 'a', 121.6, 38.91, '24/7']]),
    status: 413,
    limit: 'cell_bytes',
  });
  add({
    name: 'XLSX: a row of 1,001 columns',
    url: X,
    type: T.xlsx,
    payload: await stationsXlsx([stationRow(1), [...stationRow(2), ...Array(994).fill('x')]]),
    status: 413,
    limit: 'columns',
  });
  add({
    name: 'XLSX: past the row limit (tight app: 1,000 rows)',
    url: X,
    type: T.xlsx,
    payload: await stationsXlsx(Array.from({ length: 1_000 }, (_, i) => stationRow(i))),
    status: 413,
    limit: 'rows',
    tight: true,
  });
  add({ name: 'XLSX: a worksheet that does not exist', url: `${X}&sheet=nope`, type: T.xlsx, payload: xlsx, status: 422 });
  add({ name: 'XLSX preview: ratio bomb', url: XP, type: T.xlsx, payload: writeZip([...xlsxE, zeros()]), status: 413, limit: 'zip_ratio' });
  add({ name: 'XLSX preview: truncated', url: XP, type: T.xlsx, payload: truncated(xlsx), status: 422 });
  // Tables.
  add({
    name: 'CSV: 500,001 data rows (past the default row limit)',
    url: C,
    type: T.csv,
    payload: HEADER + 'X,a,爱心驿站,b,121.6,38.91,24/7\n'.repeat(500_001),
    status: 413,
    limit: 'rows',
  });
  add({ name: 'CSV preview: past the row limit', url: CP, type: T.csv, payload: HEADER + '1,2\n'.repeat(500_001), status: 413, limit: 'rows' });
  add({
    name: 'CSV: a 40 KB cell',
    url: C,
    type: T.csv,
    payload: `${HEADER}X1,${'名'.repeat(14_000)},爱心驿站,b,121.6,38.91,24/7\n`,
    status: 413,
    limit: 'cell_bytes',
  });
  add({ name: 'CSV: 5,000 columns', url: C, type: T.csv, payload: `${HEADER}${'1,'.repeat(5_000)}\n`, status: 413, limit: 'columns' });
  add({ name: 'CSV: one 15 MB line', url: C, type: T.csv, payload: 'a'.repeat(15 * 1024 * 1024), status: 413, limit: 'cell_bytes' });
  add({
    name: 'CSV: an unterminated quote swallowing 1 MB',
    url: C,
    type: T.csv,
    payload: `${HEADER}X1,"${'x,y\n'.repeat(250_000)}`,
    status: 413,
    limit: 'cell_bytes',
  });
  add({ name: 'CSV: 1 MB of binary junk', url: C, type: T.csv, payload: random(1024 * 1024), status: '4xx' });
  add({ name: 'CSV: NUL bytes (one 100 KB cell)', url: C, type: T.csv, payload: new Uint8Array(100_000), status: 413, limit: 'cell_bytes' });
  add({ name: 'CSV: NUL bytes between commas', url: C, type: T.csv, payload: '\0,'.repeat(500) + '\n', status: 422 });
  add({ name: 'CSV: a zip sent as CSV', url: C, type: T.csv, payload: xlsx, status: '4xx' });
  add({ name: 'CSV: UTF-8 without BOM, a bad row, commit', url: CC, type: T.csv, payload: badCsv, status: 422 });
  add({ name: 'CSV: UTF-8 with BOM, a bad row, commit', url: CC, type: T.csv, payload: fixture('stations.bad.zh.csv'), status: 422 });
  add({ name: 'CSV: GBK, a bad row, commit', url: CC, type: T.csv, payload: new Uint8Array(iconv.encode(badCsv, 'gbk')), status: 422 });
  add({ name: 'CSV: UTF-16LE with BOM, a bad row, commit', url: CC, type: T.csv, payload: bom16(true), status: 422 });
  add({ name: 'CSV: UTF-16BE with BOM, a bad row, commit', url: CC, type: T.csv, payload: bom16(false), status: 422 });
  add({ name: 'CSV: UTF-16LE without BOM, commit', url: CC, type: T.csv, payload: new Uint8Array(iconv.encode(badCsv, 'utf16le')), status: 422 });
  add({
    name: 'CSV: UTF-32, commit',
    url: CC,
    type: T.csv,
    payload: new Uint8Array(
      Buffer.from([...badCsv].flatMap((ch) => [ch.codePointAt(0)! & 0xff, (ch.codePointAt(0)! >> 8) & 0xff, ch.codePointAt(0)! >> 16, 0])),
    ),
    status: 422,
  });
  add({ name: 'CSV: Big5 header, commit', url: CC, type: T.csv, payload: new Uint8Array(iconv.encode(badCsv, 'big5')), status: 422 });
  add({ name: 'CSV: header only', url: CC, type: T.csv, payload: HEADER, status: 422 });
  add({ name: 'CSV: empty', url: CC, type: T.csv, payload: '', status: '4xx' });
  add({ name: 'CSV: as grids (tables import stations only)', url: '/api/imports/grids?format=csv&dry_run=false', type: T.csv, payload: badCsv, status: 422 });
  add({ name: 'CSV: body over the 20 MB upload limit', url: C, type: T.csv, payload: 'a,b\n'.repeat(5_300_000), status: 413 });
  // GeoJSON.
  add({
    name: 'GeoJSON: coordinates nested 100,000 deep',
    url: '/api/imports/grids?format=geojson&dry_run=false',
    type: T.json,
    payload: `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"1"},"geometry":{"type":"Polygon","coordinates":${'['.repeat(100_000)}${']'.repeat(100_000)}}}]}`,
    status: '4xx',
  });
  add({ name: 'GeoJSON: binary junk', url: '/api/imports/grids?format=geojson&dry_run=false', type: T.json, payload: random(50_000), status: '4xx' });
  add({ name: 'GeoJSON: empty', url: '/api/imports/grids?format=geojson&dry_run=false', type: T.bin, payload: '', status: '4xx' });
  add({ name: 'octet-stream without a format', url: '/api/imports/grids?dry_run=true', type: T.bin, payload: kmz, status: 400 });
  return cases;
}

// ---------------------------------------------------------------------------------------------

let cases: Case[] = [];

beforeAll(async () => {
  t = await openTestDb();
  const base = { importHeapMb: 256, importRatePerMinute: 100_000 };
  app = await build({ config: testConfig(base), db: t.db });
  tight = await build({ config: testConfig({ ...base, uploadLimits: { ...testConfig().uploadLimits, maxRows: 1_000 } }), db: t.db });
  await app.ready();
  await tight.ready();
  admin = bearer(await login(app, 'admin'));
  adminTight = bearer(await login(tight, 'planner'));
  cases = await corpus();
}, 120_000);
afterAll(async () => {
  await app?.close();
  await tight?.close();
  await t?.close();
});

describe('hostile uploads', () => {
  it('every case is a 4xx in the error shape (zh + en), nothing is written, server RSS stays bounded', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    const before = await databaseChecksum(t.db, { except: ['sessions'] });
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const wrong: string[] = [];
    const slowest: [string, number][] = [];
    try {
      for (const c of cases) {
        const t0 = performance.now();
        const r = await (c.tight ? tight : app).inject({
          method: 'POST',
          url: c.url,
          headers: { ...(c.tight ? adminTight : admin), 'content-type': c.type },
          payload: typeof c.payload === 'string' ? c.payload : Buffer.from(c.payload.buffer, c.payload.byteOffset, c.payload.byteLength),
        });
        slowest.push([c.name, Math.round(performance.now() - t0)]);
        peak = Math.max(peak, process.memoryUsage().rss);
        let body: { statusCode?: number; message?: string; message_en?: string; details?: { limit?: string } } = {};
        try {
          body = r.json();
        } catch {}
        const okStatus = c.status === '4xx' ? r.statusCode === 413 || r.statusCode === 422 || r.statusCode === 400 : r.statusCode === c.status;
        const okShape =
          typeof body.message === 'string' && typeof body.message_en === 'string' && body.statusCode === r.statusCode && body.message !== body.message_en;
        const okLimit = !c.limit || body.details?.limit === c.limit;
        if (!okStatus || !okShape || !okLimit) wrong.push(`${c.name}: ${r.statusCode} ${r.body.slice(0, 300)}`);
      }
    } finally {
      clearInterval(sampler);
    }
    slowest.sort((a, b) => b[1] - a[1]);
    console.log(
      `upload bombs: ${cases.length} cases; server RSS ${Math.round(rss0 / 2 ** 20)} MB → peak ${Math.round(peak / 2 ** 20)} MB; slowest: ${slowest
        .slice(0, 5)
        .map(([n, ms]) => `${n} ${ms} ms`)
        .join('; ')}`,
    );
    expect(wrong).toEqual([]);
    expect(await databaseChecksum(t.db, { except: ['sessions'] })).toEqual(before);
    expect(peak - rss0).toBeLessThan(300 * 2 ** 20);
    // The server still answers.
    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  }, 300_000);

  it('a limit is named in both languages: the ratio bomb says 100:1, the row limit its number', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/imports/grids?format=kmz&dry_run=true',
      headers: { ...admin, 'content-type': T.kmz },
      payload: Buffer.from(writeZip([entry('doc.kml', new Uint8Array(5 << 20))])),
    });
    expect(r.statusCode).toBe(413);
    expect(r.json()).toMatchObject({ error: 'too_large', details: { limit: 'zip_ratio', max: 100, entry: 'doc.kml' } });
    expect(r.json().message).toContain('100:1');
    expect(r.json().message_en).toContain('100:1');
    const rows = await tight.inject({
      method: 'POST',
      url: '/api/imports/stations?format=csv&dry_run=true',
      headers: { ...adminTight, 'content-type': T.csv },
      payload: HEADER + 'X,a,爱心驿站,b,121.6,38.91,24/7\n'.repeat(1_000),
    });
    expect(rows.statusCode).toBe(413);
    expect(rows.json().details).toEqual({ limit: 'rows', max: 1000, row: 1001 });
    expect(rows.json().message).toContain('1000 行');
    expect(rows.json().message_en).toContain('1000 rows');
    // Just under: the same file without its last row reads.
    const under = await tight.inject({
      method: 'POST',
      url: '/api/imports/stations?format=csv&dry_run=true',
      headers: { ...adminTight, 'content-type': T.csv },
      payload: HEADER + 'X,a,爱心驿站,b,121.6,38.91,24/7\n'.repeat(999),
    });
    expect(under.statusCode).toBe(200);
  });
});

describe('who may upload, how often', () => {
  it('preview needs import rights: viewer 403, anonymous 401, planner 200', async () => {
    const payload = fixture('stations.gcj02.zh.csv');
    const url = '/api/imports/preview?format=csv';
    const as = async (h: Record<string, string>) =>
      (await app.inject({ method: 'POST', url, headers: { ...h, 'content-type': T.csv }, payload: Buffer.from(payload) })).statusCode;
    expect(await as(bearer(await login(app, 'viewer')))).toBe(403);
    expect(await as({})).toBe(401);
    expect(await as(bearer(await login(app, 'planner')))).toBe(200);
  });

  it('one upload at a time per user: a second while the first is read is 429 with Retry-After (zh + en); another user is not held up', async () => {
    // A preview of a long list: read in the file process only, long enough to be caught in flight.
    const big = HEADER + Array.from({ length: 200_000 }, (_, i) => `Q${i},站${i},爱心驿站,路,121.6,38.91,24/7\n`).join('');
    const url = '/api/imports/preview?format=csv';
    const first = app.inject({ method: 'POST', url, headers: { ...admin, 'content-type': T.csv }, payload: big });
    await new Promise((r) => setTimeout(r, 50));
    const second = await app.inject({ method: 'POST', url: '/api/imports/preview?format=csv', headers: { ...admin, 'content-type': T.csv }, payload: HEADER });
    const other = await app.inject({
      method: 'POST',
      url: '/api/imports/preview?format=csv',
      headers: { ...adminTight, 'content-type': T.csv },
      payload: HEADER,
    });
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('5');
    expect(second.json()).toMatchObject({ statusCode: 429, error: 'import_in_progress' });
    expect(second.json().message).toMatch(/[\u4e00-\u9fff]/);
    expect(second.json().message_en).toMatch(/previous upload/);
    expect(other.statusCode).not.toBe(429);
    expect((await first).statusCode).toBe(200);
    // Once the first is done, the next one is taken.
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/imports/preview?format=csv',
          headers: { ...admin, 'content-type': T.csv },
          payload: Buffer.from(fixture('stations.gcj02.zh.csv')),
        })
      ).statusCode,
    ).toBe(200);
  }, 60_000);

  it('uploads are rate-limited per session: past IMPORT_RATE_PER_MINUTE a 429 in the error shape', async () => {
    const limited = await build({ config: testConfig({ importRatePerMinute: 2, importHeapMb: 0 }), db: t.db });
    try {
      const h = { ...bearer(await login(limited, 'planner')), 'content-type': T.csv };
      const send = () =>
        limited.inject({ method: 'POST', url: '/api/imports/preview?format=csv', headers: h, payload: Buffer.from(fixture('stations.gcj02.zh.csv')) });
      expect((await send()).statusCode).toBe(200);
      expect((await send()).statusCode).toBe(200);
      const r = await send();
      expect(r.statusCode).toBe(429);
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(r.json()).toMatchObject({ statusCode: 429, error: 'too_many_requests' });
      expect(r.json().message).toContain('上传过于频繁');
      expect(r.json().message_en).toContain('Too many uploads');
    } finally {
      await limited.close();
    }
  });
});
