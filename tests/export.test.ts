/**
 * Exports over HTTP on the seeded sample city (either engine): GeoJSON / Shapefile / KML of grids,
 * stations and gaps in WGS84, GCJ-02 and BD-09 that import back to the same features (within
 * 0.5 m); the coverage workbook (.xlsx, sheets 街道/社区/网格); the upload and preview routes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../server/db/connect.js';
import { importFile } from '../server/import/pipeline/import-file.js';
import { bearer, login } from './helpers/editing.js';
import { readShapefileZip } from '../server/import/formats/shapefile.js';
import { convertPosition, type Crs } from '../server/import/crs.js';
import { haversineM } from '../server/import/osm.js';
import { databaseChecksum } from './helpers/checksum.js';
import { openTestApp } from './helpers/db.js';
import { ROOT } from './helpers/template.js';

let app: FastifyInstance;
let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, db, close } = await openTestApp());
}, 120_000);
afterAll(() => close?.());

const flat = (g: any): number[][] => (g.type === 'Point' ? [g.coordinates] : g.type === 'Polygon' ? g.coordinates.flat() : g.coordinates.flat(2));

/** Largest distance (m) from the stored WGS84 geometry of each code to the exported one converted back from `crs`. */
async function maxErrorVsDb(table: 'grids' | 'stations', features: { geometry: any; properties: any }[], crs: Crs): Promise<number> {
  const col = table === 'grids' ? sql`boundary` : sql`geom`;
  const rows = await sql<{ code: string; g: any }>`SELECT code, ST_AsGeoJSON(${col}, 9)::json AS g FROM ${sql.table(table)} WHERE deleted_at IS NULL`.execute(
    db.kysely,
  );
  const byCode = new Map(rows.rows.map((r) => [r.code, r.g]));
  let worst = 0;
  for (const f of features) {
    const truth = flat(byCode.get(f.properties.code));
    const got = flat(f.geometry).map((p) => convertPosition(p, crs, 'wgs84'));
    // Shapefile rings may come back in the other orientation: compare as vertex sets.
    for (const p of got) worst = Math.max(worst, Math.min(...truth.map((q) => haversineM(p as [number, number], q as [number, number]))));
    for (const q of truth) worst = Math.max(worst, Math.min(...got.map((p) => haversineM(p as [number, number], q as [number, number]))));
  }
  return worst;
}

describe('GeoJSON / Shapefile / KML export → import round trips', () => {
  it.each(['wgs84', 'gcj02', 'bd09'] as const)('stations as GeoJSON in %s: every station, within 0.5 m, and re-import is a no-op', async (crs) => {
    const res = await app.inject(`/api/export/stations?format=geojson&crs=${crs}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/geo\+json/);
    const fc = res.json();
    const n = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM stations WHERE deleted_at IS NULL`.execute(db.kysely)).rows[0].n;
    expect(fc.features).toHaveLength(n);
    const err = await maxErrorVsDb('stations', fc.features, crs);
    expect(err).toBeLessThan(0.5);
    if (crs !== 'wgs84') expect(await maxErrorVsDb('stations', fc.features, 'wgs84')).toBeGreaterThan(100); // really converted
    const before = await databaseChecksum(db);
    const r = await importFile(db, 'geojson', res.rawPayload, 'stations', { crs });
    expect(r).toMatchObject({ created: 0, updated: 0, unchanged: n, rejected: [] });
    expect(await databaseChecksum(db)).toEqual(before);
  });

  it.each([
    ['wgs84', 'utf-8'],
    ['gcj02', 'gbk'],
  ] as const)('grids as a Shapefile zip in %s (%s attributes) import back unchanged', async (crs, encoding) => {
    const res = await app.inject(`/api/export/grids?format=shapefile&crs=${crs}&encoding=${encoding}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const read = await readShapefileZip(new Uint8Array(res.rawPayload));
    expect(read.encoding).toBe(encoding === 'gbk' ? 'gbk' : 'utf-8');
    const grids = (
      await sql<{ code: string; name: string; leader_name: string }>`SELECT code, name, leader_name FROM grids WHERE deleted_at IS NULL ORDER BY code`.execute(
        db.kysely,
      )
    ).rows;
    expect(read.collection.features.map((f) => [f.properties!.code, f.properties!.name, f.properties!.leader])).toEqual(
      grids.map((g) => [g.code, g.name, g.leader_name]),
    );
    expect(await maxErrorVsDb('grids', read.collection.features, crs)).toBeLessThan(0.5);
    const before = await databaseChecksum(db);
    const r = await importFile(db, 'shapefile', new Uint8Array(res.rawPayload), 'grids', { crs });
    expect(r.rejected).toEqual([]);
    expect(r).toMatchObject({ created: 0, updated: 0, unchanged: grids.length });
    expect(await databaseChecksum(db)).toEqual(before);
  });

  it('stations as a Shapefile (points) and grids as KML in BD-09 import back unchanged', async () => {
    const shp = await app.inject('/api/export/stations?format=shapefile&crs=bd09');
    expect(shp.statusCode).toBe(200);
    const r1 = await importFile(db, 'shapefile', new Uint8Array(shp.rawPayload), 'stations', { crs: 'bd09', dryRun: true });
    expect(r1.rejected).toEqual([]);
    expect(r1.updated + r1.created).toBe(0);
    const kml = await app.inject('/api/export/grids?format=kml&crs=bd09');
    expect(kml.statusCode).toBe(200);
    const r2 = await importFile(db, 'kml', new Uint8Array(kml.rawPayload), 'grids', { crs: 'bd09', dryRun: true });
    expect(r2.rejected).toEqual([]);
    expect(r2.updated + r2.created).toBe(0);
    expect(r2.unchanged).toBeGreaterThan(100);
  });

  it('the GCJ-02 Excel fixture → import → export as GCJ-02 gives the fixture coordinates back within 0.5 m', async () => {
    const file = new Uint8Array(readFileSync(path.join(ROOT, 'geodata/fixtures/formats/stations.gcj02.zh.xlsx')));
    const imported = await importFile(db, 'xlsx', file, 'stations', { crs: 'gcj02' });
    expect(imported).toMatchObject({ created: 3, committed: true });
    const res = await app.inject('/api/export/stations?format=geojson&crs=gcj02');
    const exported = new Map<string, number[]>(res.json().features.map((f: any) => [f.properties.code, f.geometry.coordinates]));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.buffer as ArrayBuffer);
    const ws = wb.worksheets[0];
    let checked = 0;
    ws.eachRow((row, n) => {
      if (n <= 2) return;
      const v = row.values as unknown[];
      const p = exported.get(String(v[1]))!;
      expect(haversineM(p as [number, number], [Number(v[5]), Number(v[6])])).toBeLessThan(0.5);
      checked++;
    });
    expect(checked).toBe(3);
  });

  it('gap polygons as GeoJSON and Shapefile, one per grid with a gap', async () => {
    const stats = (await app.inject('/api/coverage?types=party_service_center&format=stats')).json();
    const withGap = stats.grids.filter((g: any) => g.gap_area_m2 > 0.01).length;
    const res = await app.inject('/api/export/gaps?types=party_service_center&format=geojson&crs=gcj02');
    expect(res.statusCode).toBe(200);
    const fc = res.json();
    expect(fc.features.length).toBe(withGap);
    expect(fc.features[0].geometry.type).toBe('MultiPolygon');
    expect(fc.features[0].properties).toHaveProperty('gridCode');
    const zip = await app.inject('/api/export/gaps?types=party_service_center&format=shapefile');
    expect(zip.statusCode).toBe(200);
    const read = await readShapefileZip(new Uint8Array(zip.rawPayload));
    expect(read.collection.features).toHaveLength(withGap);
  });

  it('rejects bad parameters with bilingual 400s', async () => {
    const r = await app.inject('/api/export/stations?crs=mars');
    expect(r.statusCode).toBe(400);
    expect(r.json().message_zh).toBeTruthy();
    expect((await app.inject('/api/export/roads')).statusCode).toBe(400);
  });
});

describe('coverage workbook', () => {
  it('has sheets 街道 / 社区 / 网格 with Chinese headers, formatted numbers and the same figures as the stats', async () => {
    const res = await app.inject('/api/coverage?types=party_service_center&format=xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/spreadsheetml/);
    const stats = (await app.inject('/api/coverage?types=party_service_center&format=stats')).json();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['街道', '社区', '网格']);
    const streets = stats.units.filter((u: any) => u.level === 'street');
    const ws = wb.getWorksheet('街道')!;
    expect(ws.getRow(1).values).toContain('覆盖率（按人口）');
    expect(ws.rowCount).toBe(streets.length + 1);
    const row2 = ws.getRow(2).values as unknown[];
    expect(row2[1]).toBe(streets[0].code);
    expect(row2[9]).toBeCloseTo(streets[0].covered_share_by_population, 4);
    expect(ws.getRow(2).getCell(9).numFmt).toBe('0.0%');
    expect(wb.getWorksheet('社区')!.rowCount).toBe(stats.units.filter((u: any) => u.level === 'community').length + 1);
    const grid = wb.getWorksheet('网格')!;
    expect(grid.rowCount).toBe(stats.grids.length + 1);
    expect(grid.getRow(1).values).toContain('网格长');
    const sumPop = stats.grids.reduce((n: number, g: any) => n + g.population, 0);
    let sheetPop = 0;
    grid.eachRow((r, n) => {
      if (n > 1) sheetPop += Number((r.values as unknown[])[10]);
    });
    expect(sheetPop).toBe(sumPop);
  });

  it('CSV stays UTF-8 with BOM', async () => {
    const res = await app.inject('/api/coverage?types=party_service_center&format=csv&level=street');
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});

describe('upload routes', () => {
  const fixture = (name: string) => readFileSync(path.join(ROOT, 'geodata/fixtures/formats', name));
  let auth: Record<string, string> = {};
  beforeAll(async () => {
    auth = bearer(await login(app, 'admin'));
  });

  it('need a login; grids only by administrators, stations by administrators and planners', async () => {
    // Logged in before the first checksum, so that it covers sessions too.
    const planner = bearer(await login(app, 'planner'));
    const editor = bearer(await login(app, 'editor1'));
    const before = await databaseChecksum(db);
    const anon = await app.inject({
      method: 'POST',
      url: '/api/imports/stations',
      headers: { 'content-type': 'text/csv' },
      payload: fixture('stations.gcj02.zh.csv'),
    });
    expect(anon.statusCode).toBe(401);
    const grids = await app.inject({
      method: 'POST',
      url: '/api/imports/grids',
      headers: { ...planner, 'content-type': 'application/zip' },
      payload: fixture('grids.projected-noprj.shp.zip'),
    });
    expect(grids.statusCode).toBe(403);
    const stations = await app.inject({
      method: 'POST',
      url: '/api/imports/stations?crs=gcj02',
      headers: { ...planner, 'content-type': 'text/csv' },
      payload: fixture('stations.gcj02.zh.csv'),
    });
    expect(stations.statusCode).toBe(200);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/imports/stations',
          headers: { ...editor, 'content-type': 'text/csv' },
          payload: fixture('stations.gcj02.zh.csv'),
        })
      ).statusCode,
    ).toBe(403);
    expect(await databaseChecksum(db)).toEqual(before);
  });

  it('previews a CSV: detected headers → fields and the first rows', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/imports/preview',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: fixture('stations.gcj02.zh.csv'),
    });
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p.columns.slice(0, 6)).toEqual([
      { header: '编码', field: 'code' },
      { header: '名称', field: 'name' },
      { header: '类型', field: 'type' },
      { header: '地址', field: 'address' },
      { header: '经度', field: 'lon' },
      { header: '纬度', field: 'lat' },
    ]);
    expect(p.missing).toEqual([]);
    expect(p.total_rows).toBe(3);
    expect(p.rows[0].row).toBe(2);
  });

  it('previews an Excel sheet with a title row; a column can be remapped', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/imports/preview?columns=${encodeURIComponent(JSON.stringify({ 运营方: null }))}`,
      headers: { ...auth, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: fixture('stations.wgs84.zh.xlsx'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().header_row).toBe(2);
    expect(res.json().columns.find((c: any) => c.header === '运营方').field).toBeNull();
  });

  it('dry run by upload writes nothing; a bad upload is a 422 listing rows, nothing written; a good one commits', async () => {
    const before = await databaseChecksum(db);
    const dry = await app.inject({
      method: 'POST',
      url: '/api/imports/stations?crs=gcj02',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: fixture('stations.gcj02.zh.csv'),
    });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ dry_run: true, committed: false });
    expect(await databaseChecksum(db)).toEqual(before);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/imports/stations?dry_run=false',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: fixture('stations.bad.zh.csv'),
    });
    expect(bad.statusCode).toBe(422);
    const body = bad.json();
    expect(body.error).toBe('import_rejected');
    expect(body.message_zh).toMatch(/^导入被拒绝.*第 3 行/);
    expect(body.details.rejected.map((r: any) => r.row)).toEqual([3, 4, 5, 6, 7]);
    expect(await databaseChecksum(db)).toEqual(before);
    const shp = await app.inject({
      method: 'POST',
      url: '/api/imports/grids?dry_run=false',
      headers: { ...auth, 'content-type': 'application/zip' },
      payload: fixture('grids.projected-noprj.shp.zip'),
    });
    expect(shp.statusCode).toBe(422);
    expect(shp.json().details.rejected[0]).toMatchObject({ row: null, code: 'projected_coordinates' });
    const noFormat = await app.inject({
      method: 'POST',
      url: '/api/imports/grids',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      payload: Buffer.from('x'),
    });
    expect(noFormat.statusCode).toBe(400);
    expect(noFormat.json().message_zh).toMatch(/format/);
    expect(await databaseChecksum(db)).toEqual(before);
  });
});
