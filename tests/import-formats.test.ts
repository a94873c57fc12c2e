/**
 * File-format imports on the real database (either engine): CSV/XLSX station tables, zipped
 * Shapefiles (GBK, .cpg, reprojection from a .prj), KML/KMZ; dry runs; upsert by code with version
 * and history; every bad file rejected with row numbers and the database unchanged; the sanity
 * detectors (outside the city, swapped coordinates, GCJ-02 declared as WGS84).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '../server/db/connect.js';
import { migrate } from '../server/db/migrate.js';
import { importFile, importGeoJson } from '../server/import/pipeline/import-file.js';
import { ImportFailed } from '../server/import/pipeline/report.js';
import type { ImportReport } from '../server/import/pipeline/types.js';
import type { ImportFormat } from '../server/import/formats/read.js';
import type { Crs } from '../server/import/crs.js';
import { haversineM } from '../server/import/osm.js';
import * as fx from '../geodata/fixtures/fixtures.js';
import { databaseChecksum } from './helpers/checksum.js';
import { openTestDb, type TestDb } from './helpers/db.js';
import { ROOT } from './helpers/template.js';

const FORMATS = path.join(ROOT, 'geodata/fixtures/formats');
const bytes = (name: string) => new Uint8Array(readFileSync(path.join(FORMATS, name)));
const geojsonFixture = (name: string) => JSON.parse(readFileSync(path.join(ROOT, 'geodata/fixtures', name), 'utf8'));

const fmtOf = (name: string): ImportFormat => (name.endsWith('.zip') ? 'shapefile' : (name.split('.').pop() as ImportFormat));

let t: TestDb;
let db: Db;
beforeAll(async () => {
  t = await openTestDb(); // the sample city (with its street network) plus the fixture admin units
  db = t.db;
  await migrate(db);
  await importGeoJson(db, 'districts', geojsonFixture('districts.wgs84.geojson'), 'wgs84');
  await importGeoJson(db, 'streets', geojsonFixture('streets.wgs84.geojson'), 'wgs84');
  await importGeoJson(db, 'communities', geojsonFixture('communities.wgs84.geojson'), 'wgs84');
}, 120_000);
afterAll(() => t?.close());

async function stationRows(codes: string[]) {
  return (
    await sql<{
      code: string;
      name: string;
      type_code: string;
      amenities: string[];
      opening_hours: string;
      status: string;
      version: number;
      g: { coordinates: [number, number] };
    }>`
      SELECT code, name, type_code, amenities, opening_hours, status, version, ST_AsGeoJSON(geom, 9)::json AS g FROM stations WHERE code = ANY(${codes}::text[]) ORDER BY code`.execute(
      db.kysely,
    )
  ).rows;
}
async function gridRows() {
  return (
    await sql<{
      code: string;
      name: string;
      leader_name: string;
      party_branch: string | null;
      population: number;
      version: number;
      g: { coordinates: number[][][] };
    }>`
      SELECT code, name, leader_name, party_branch, population, version, ST_AsGeoJSON(boundary, 9)::json AS g FROM grids WHERE code LIKE '210299%' ORDER BY code`.execute(
      db.kysely,
    )
  ).rows;
}
const stationCodes = fx.stations.map((s) => s.properties.code);

/** Largest vertex distance (m) between a stored grid and the WGS84 truth. */
function gridError(rows: Awaited<ReturnType<typeof gridRows>>): number {
  let worst = 0;
  for (const truth of fx.grids) {
    const row = rows.find((r) => r.code === truth.properties.code)!;
    const a = row.g.coordinates[0];
    const b = truth.geometry.coordinates[0];
    expect(a).toHaveLength(b.length);
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, haversineM(a[i] as [number, number], b[i] as [number, number]));
  }
  return worst;
}

describe('station tables (CSV, Excel)', () => {
  it('a dry run reports what would be created and writes nothing', async () => {
    const before = await databaseChecksum(db);
    const r = await importFile(db, 'csv', bytes('stations.wgs84.en.csv'), 'stations', { crs: 'wgs84', dryRun: true });
    expect(r).toMatchObject({ dry_run: true, committed: false, total: 3, created: 3, updated: 0, rejected: [] });
    expect(r.changes.map((c) => c.row)).toEqual([2, 3, 4]);
    expect(await databaseChecksum(db)).toEqual(before);
  });

  it('imports a CSV with BOM and English headers; the GCJ-02 Chinese-header CSV is the same data (unchanged); an edited row is updated (version 2, history), not duplicated', async () => {
    const r1 = await importFile(db, 'csv', bytes('stations.wgs84.en.csv'), 'stations', { crs: 'wgs84', by: 'tester' });
    expect(r1).toMatchObject({ committed: true, created: 3, updated: 0 });
    let rows = await stationRows(stationCodes);
    expect(rows).toHaveLength(3);
    for (const truth of fx.stations) {
      const row = rows.find((x) => x.code === truth.properties.code)!;
      expect(row).toMatchObject({
        name: truth.properties.name,
        type_code: truth.properties.type,
        opening_hours: truth.properties.openingHours,
        status: truth.properties.status,
        version: 1,
      });
      expect([...row.amenities].sort()).toEqual([...truth.properties.amenities].sort());
      expect(haversineM(row.g.coordinates, truth.geometry.coordinates as [number, number])).toBeLessThan(0.01);
    }
    // GCJ-02 → WGS84 comes back within a millimetre: no change, nothing written.
    let before = await databaseChecksum(db);
    const r2 = await importFile(db, 'csv', bytes('stations.gcj02.zh.csv'), 'stations', { crs: 'gcj02', by: 'tester' });
    expect(r2).toMatchObject({ created: 0, updated: 0, unchanged: 3, committed: true });
    expect(await databaseChecksum(db)).toEqual(before);
    // One row edited (name, moved ~100 m east): updated in place.
    const edited = new TextDecoder()
      .decode(bytes('stations.wgs84.en.csv'))
      .replace('样例社区老年食堂', '样例社区老年食堂（新址）')
      .replace(String(fx.stations[1].geometry.coordinates[0]), String(fx.stations[1].geometry.coordinates[0] + 0.00115));
    const r3 = await importFile(db, 'csv', new TextEncoder().encode(edited), 'stations', { crs: 'wgs84', by: 'tester' });
    expect(r3).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
    expect(r3.changes.find((c) => c.action === 'update')).toEqual({
      row: 3,
      code: stationCodes[1],
      action: 'update',
      matched_by: 'code',
      opening_hours: fx.stations[1].properties.openingHours,
    });
    rows = await stationRows(stationCodes);
    expect(rows).toHaveLength(3);
    expect(rows.map((x) => x.version)).toEqual([1, 2, 1]);
    expect(rows[1].name).toBe('样例社区老年食堂（新址）');
    const hist = await sql<{ version: number; operation: string; changed_by: string; before_props: any; after_props: any }>`
      SELECT h.version, h.operation, h.changed_by, h.before_props, h.after_props FROM station_history h JOIN stations s ON s.id = h.station_id
       WHERE s.code = ${stationCodes[1]} ORDER BY h.version`.execute(db.kysely);
    expect(hist.rows.map((x) => [x.version, x.operation, x.changed_by])).toEqual([
      [1, 'import', 'tester'],
      [2, 'import', 'tester'],
    ]);
    expect(hist.rows[0].before_props).toBeNull();
    expect(hist.rows[1].before_props.name).toBe('样例社区老年食堂');
    expect(hist.rows[1].after_props.name).toBe('样例社区老年食堂（新址）');
    expect(hist.rows[1].after_props.lon - hist.rows[1].before_props.lon).toBeCloseTo(0.00115, 9);
    // Back to the original file: updated again (version 3).
    before = await databaseChecksum(db);
    const r4 = await importFile(db, 'csv', bytes('stations.wgs84.en.csv'), 'stations', { crs: 'wgs84' });
    expect(r4).toMatchObject({ updated: 1, unchanged: 2 });
    expect((await stationRows(stationCodes)).map((x) => x.version)).toEqual([1, 3, 1]);
    expect(await databaseChecksum(db)).not.toEqual(before);
  });

  it.each([
    ['stations.gcj02.zh.gbk.csv', 'gcj02'],
    ['stations.wgs84.zh.xlsx', 'wgs84'],
    ['stations.gcj02.zh.xlsx', 'gcj02'],
  ] as const)('%s (%s) lands within 0.5 m of the truth', async (file, crs) => {
    const r = await importFile(db, fmtOf(file), bytes(file), 'stations', { crs });
    expect(r.rejected).toEqual([]);
    expect(r.created).toBe(0);
    const rows = await stationRows(stationCodes);
    for (const truth of fx.stations) {
      const row = rows.find((x) => x.code === truth.properties.code)!;
      expect(row.name).toBe(truth.properties.name);
      expect(haversineM(row.g.coordinates, truth.geometry.coordinates as [number, number])).toBeLessThan(0.5);
    }
    if (file.endsWith('.xlsx')) expect(r.info.header_row).toBe(2); // a title row above the header
  });
});

describe('grids from Shapefiles and KML', () => {
  it('imports a GBK Shapefile with Chinese field names and a .cpg; history rows share one change id', async () => {
    const dry = await importFile(db, 'shapefile', bytes('grids.wgs84.gbk.shp.zip'), 'grids', { crs: 'wgs84', dryRun: true });
    expect(dry).toMatchObject({ created: 2, rejected: [], info: { encoding: 'gbk', encoding_source: 'cpg' } });
    const r = await importFile(db, 'shapefile', bytes('grids.wgs84.gbk.shp.zip'), 'grids', { crs: 'wgs84', by: 'tester' });
    expect(r).toMatchObject({ created: 2, committed: true });
    const rows = await gridRows();
    expect(rows.map((x) => [x.name, x.leader_name, x.population, x.version])).toEqual(
      fx.grids.map((g) => [g.properties.name, g.properties.leaderName, g.properties.population, 1]),
    );
    expect(rows[1].party_branch).toBeNull(); // empty DBF text → null
    expect(gridError(rows)).toBeLessThan(0.01);
    const hist = await sql<{ n: number; changes: number; op: string }>`
      SELECT count(*)::int AS n, count(DISTINCT change_id)::int AS changes, min(operation) AS op FROM grid_history h JOIN grids g ON g.id = h.grid_id WHERE g.code LIKE '210299%'`.execute(
      db.kysely,
    );
    expect(hist.rows[0]).toEqual({ n: 2, changes: 1, op: 'import' });
  });

  it('re-importing the GCJ-02 variant changes nothing; an edited grid is updated (version 2, history with before/after geometry)', async () => {
    const before = await databaseChecksum(db);
    const r = await importFile(db, 'shapefile', bytes('grids.gcj02.gbk.shp.zip'), 'grids', { crs: 'gcj02' });
    expect(r).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(await databaseChecksum(db)).toEqual(before);
    const kml = new TextDecoder().decode(bytes('grids.wgs84.kml')).replace('张晓明', '王建国');
    const r2 = await importFile(db, 'kml', new TextEncoder().encode(kml), 'grids', { crs: 'wgs84', by: 'tester' });
    expect(r2).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    const rows = await gridRows();
    expect(rows).toHaveLength(2);
    expect(rows.map((x) => [x.leader_name, x.version])).toEqual([
      ['王建国', 2],
      [fx.grids[1].properties.leaderName, 1],
    ]);
    const h = await sql<{ before: any; after: any; bp: any; ap: any; change_id: string }>`
      SELECT ST_AsGeoJSON(before_geom)::json AS before, ST_AsGeoJSON(after_geom)::json AS after, before_props AS bp, after_props AS ap, change_id::text
        FROM grid_history h JOIN grids g ON g.id = h.grid_id WHERE g.code = ${fx.FIXTURE_CODES.gridWest} ORDER BY h.version`.execute(db.kysely);
    expect(h.rows).toHaveLength(2);
    expect(h.rows[1].before.type).toBe('Polygon');
    expect(h.rows[1].after.type).toBe('Polygon');
    expect([h.rows[1].bp.leader_name, h.rows[1].ap.leader_name]).toEqual(['张晓明', '王建国']);
    expect(h.rows[1].change_id).not.toBe(h.rows[0].change_id);
    // and back
    await importFile(db, 'kml', bytes('grids.wgs84.kml'), 'grids', { crs: 'wgs84' });
    expect((await gridRows()).map((x) => x.version)).toEqual([3, 1]);
  });

  it.each([
    ['grids.wgs84.gbk-nocpg.shp.zip', 'wgs84', 0.5], // encoding from the DBF language byte
    ['grids.epsg4549.gbk.shp.zip', 'wgs84', 0.5], // CGCS2000 Gauss–Krüger metres reprojected from the .prj
    ['grids.wgs84.kml', 'wgs84', 0.5],
    ['grids.gcj02.kml', 'gcj02', 0.5],
    ['grids.gcj02.kmz', 'gcj02', 0.5],
  ] as const)('%s (%s) gives the same grids within %s m', async (file, crs, tol) => {
    const r = await importFile(db, fmtOf(file), bytes(file), 'grids', { crs });
    expect(r.rejected).toEqual([]);
    expect(r.created).toBe(0);
    const rows = await gridRows();
    expect(rows.map((x) => x.name)).toEqual(fx.grids.map((g) => g.properties.name));
    expect(rows.map((x) => x.leader_name)).toEqual(fx.grids.map((g) => g.properties.leaderName));
    expect(gridError(rows)).toBeLessThan(tol);
    if (file.includes('epsg4549')) expect(r.info.reprojected).toBe(true);
  });
});

describe('bad files: row-numbered reasons, database unchanged', () => {
  const cases: [string, 'grids' | 'stations', Crs, [number | null, string][]][] = [
    [
      'stations.bad.zh.csv',
      'stations',
      'wgs84',
      [
        [3, 'unknown_type'],
        [4, 'invalid_coordinates'],
        [5, 'swapped_lat_lon'],
        [6, 'duplicate_code'],
        [7, 'outside_city'],
      ],
    ],
    [
      'stations.bad.zh.xlsx',
      'stations',
      'wgs84',
      [
        [3, 'unknown_type'],
        [4, 'invalid_coordinates'],
        [5, 'swapped_lat_lon'],
        [6, 'duplicate_code'],
        [7, 'outside_city'],
      ],
    ],
    ['stations.missing-type-column.csv', 'stations', 'wgs84', [[1, 'missing_column']]],
    [
      'grids.bad.gbk.shp.zip',
      'grids',
      'wgs84',
      [
        [2, 'invalid_geometry'],
        [3, 'missing_field'],
        [3, 'invalid_value'],
        [4, 'duplicate_code'],
      ],
    ],
    [
      'grids.bad.kml',
      'grids',
      'wgs84',
      [
        [2, 'invalid_geometry'],
        [3, 'missing_field'],
        [3, 'invalid_value'],
        [4, 'duplicate_code'],
      ],
    ],
    ['grids.projected-noprj.shp.zip', 'grids', 'wgs84', [[null, 'projected_coordinates']]],
    ['grids.unknown-prj.shp.zip', 'grids', 'wgs84', [[null, 'projected_coordinates']]],
  ];
  it.each(cases)('%s', async (file, kind, crs, expected) => {
    const before = await databaseChecksum(db);
    const dry = await importFile(db, fmtOf(file), bytes(file), kind, { crs, dryRun: true });
    expect(dry.rejected.map((r) => [r.row, r.code])).toEqual(expected);
    for (const r of dry.rejected) {
      expect(r.reason_zh).toMatch(/[\u4e00-\u9fff]/);
      expect(r.reason_en.length).toBeGreaterThan(5);
    }
    const err = await importFile(db, fmtOf(file), bytes(file), kind, { crs }).catch((e) => e);
    expect(err).toBeInstanceOf(ImportFailed);
    const report = (err as ImportFailed).report as ImportReport;
    expect(report.committed).toBe(false);
    expect(report.rejected.map((r) => [r.row, r.code])).toEqual(expected);
    if (expected[0][0] !== null) expect((err as ImportFailed).message).toMatch(new RegExp(`第 ${expected[0][0]} (行|个地标|条记录)`));
    expect(await databaseChecksum(db)).toEqual(before);
  });

  it.each([
    ['shapefile', 'grids'],
    ['kmz', 'grids'],
    ['kml', 'grids'],
    ['xlsx', 'stations'],
    ['geojson', 'grids'],
  ] as const)('garbage bytes as %s → one file-level rejection', async (format, kind) => {
    const before = await databaseChecksum(db);
    const err = await importFile(db, format, new TextEncoder().encode('this is not a real file \u0000\u0001'), kind, { crs: 'wgs84' }).catch((e) => e);
    expect(err).toBeInstanceOf(ImportFailed);
    expect((err as ImportFailed).report!.rejected).toHaveLength(1);
    expect((err as ImportFailed).report!.rejected[0].row).toBeNull();
    expect(await databaseChecksum(db)).toEqual(before);
  });

  it('a grid in an unknown community is rejected by row', async () => {
    const fc = geojsonFixture('grids.wgs84.geojson');
    fc.features[1].properties.communityCode = '210299001009';
    fc.features[1].properties.code = '210299001009001';
    const r = await importFile(db, 'geojson', new TextEncoder().encode(JSON.stringify(fc)), 'grids', { crs: 'wgs84', dryRun: true });
    expect(r.rejected.map((x) => [x.row, x.code])).toEqual([[2, 'unknown_parent']]);
  });
});

describe('sanity: coordinate system against the street network', () => {
  it('GCJ-02 stations declared as WGS84 are caught (whole file rejected, nothing written)', async () => {
    const before = await databaseChecksum(db);
    const r = await importFile(db, 'csv', bytes('stations.sample-city.gcj02.csv'), 'stations', { crs: 'wgs84', dryRun: true });
    expect(r.crs_check!.suspected).toBe('gcj02');
    expect(r.crs_check!.mean_m.wgs84).toBeGreaterThan(2.5 * r.crs_check!.mean_m.gcj02);
    expect(r.crs_check!.median_m.gcj02).toBeLessThan(25); // the sample city's stations stand 6–22 m off a street
    const file = r.rejected.find((x) => x.row === null)!;
    expect(file.code).toBe('suspected_crs');
    expect(file.reason_zh).toMatch(/坐标疑似为 GCJ-02（火星坐标/);
    await expect(importFile(db, 'csv', bytes('stations.sample-city.gcj02.csv'), 'stations', { crs: 'wgs84' })).rejects.toBeInstanceOf(ImportFailed);
    expect(await databaseChecksum(db)).toEqual(before);
    // --force downgrades it to a warning
    const forced = await importFile(db, 'csv', bytes('stations.sample-city.gcj02.csv'), 'stations', { crs: 'wgs84', dryRun: true, force: true });
    expect(forced.rejected.filter((x) => x.code === 'suspected_crs')).toEqual([]);
    expect(forced.warnings.map((w) => w.zh).join()).toMatch(/GCJ-02/);
  });

  it('does not fire on clean data, in either declared system', async () => {
    const wgs = await importFile(db, 'csv', bytes('stations.sample-city.wgs84.csv'), 'stations', { crs: 'wgs84', dryRun: true });
    expect(wgs.crs_check!.suspected).toBeNull();
    expect(wgs.rejected).toEqual([]);
    // Every row of the sample city's own station list (one per station, after the header).
    const listed = new TextDecoder().decode(bytes('stations.sample-city.wgs84.csv')).trim().split(/\r?\n/).length - 1;
    expect(listed).toBeGreaterThan(50);
    expect(wgs.unchanged).toBe(listed); // the sample city's own stations: same codes, same data
    const gcj = await importFile(db, 'csv', bytes('stations.sample-city.gcj02.csv'), 'stations', { crs: 'gcj02', dryRun: true });
    expect(gcj.crs_check!.suspected).toBeNull();
    expect(gcj.rejected).toEqual([]);
    expect(gcj.created).toBe(0);
  });

  it('WGS84 stations declared as GCJ-02 are caught too', async () => {
    const r = await importFile(db, 'csv', bytes('stations.sample-city.wgs84.csv'), 'stations', { crs: 'gcj02', dryRun: true });
    expect(r.crs_check!.suspected).toBe('wgs84');
    expect(r.rejected.map((x) => [x.row, x.code])).toEqual([[null, 'suspected_crs']]);
  });
});
