/**
 * Grid and boundary lists kept in spreadsheets (either engine): CSV and XLSX tables with the
 * columns people keep (网格编码, 网格名称, 所属社区, 网格长, 联系电话, 人口, 户数, 边界) whose 边界 holds
 * WKT (POLYGON / MULTIPOLYGON / EWKT) or GeoJSON text, uploaded through the HTTP API as an admin.
 * Valid rows are imported (a clockwise ring is stored and served counter-clockwise, RFC 7946); an
 * invalid polygon or unreadable WKT is named by its sheet row (zh first) in the dry run, the commit
 * is a 422 and writes nothing; repair reports the fix; a table without a geometry column is refused
 * on its header row.
 */
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import * as fx from '../geodata/fixtures/fixtures.js';
import { importGeoJson } from '../server/import/pipeline/import-file.js';
import { signedArea2 } from '../server/validation/geometry.js';
import { databaseChecksum } from './helpers/checksum.js';
import { useTestApp } from './helpers/db.js';
import { bearer, login } from './helpers/editing.js';

const env = useTestApp();
let auth: Record<string, string> = {};
beforeAll(async () => {
  auth = bearer(await login(env.app, 'admin'));
  // The fixture district → street → community (fictional, near Dalian) the grids belong to.
  await importGeoJson(env.db, 'districts', { type: 'FeatureCollection', features: fx.districts }, 'wgs84');
  await importGeoJson(env.db, 'streets', { type: 'FeatureCollection', features: fx.streets }, 'wgs84');
  await importGeoJson(env.db, 'communities', { type: 'FeatureCollection', features: fx.communities }, 'wgs84');
}, 120_000);

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const upload = (kind: string, query: string, payload: string | Buffer, type: string) =>
  env.app.inject({ method: 'POST', url: `/api/imports/${kind}?${query}`, headers: { ...auth, 'content-type': type }, payload });

type Ring = [number, number][];
/** A rectangle's ring, counter-clockwise (RFC 7946) or clockwise. */
const box = (w: number, s: number, e: number, n: number, clockwise = false): Ring => {
  const ccw: Ring = [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ];
  return clockwise ? [...ccw].reverse() : ccw;
};
const wktRing = (r: Ring) => `(${r.map((p) => `${p[0]} ${p[1]}`).join(', ')})`;
const polygonWkt = (r: Ring) => `POLYGON(${wktRing(r)})`;

const HEADERS = ['网格编码', '网格名称', '所属社区', '网格长', '联系电话', '人口', '户数', '边界'];
const [west, east] = fx.grids;
const WEST_BOX = box(121.595, 38.907, 121.6, 38.913);
const EAST_BOX = box(121.6, 38.907, 121.605, 38.913);
/** One grid row as kept in Excel: the fixture's attributes and a geometry text. */
const gridRow = (g: (typeof fx.grids)[number], geometry: string) => [
  g.properties.code,
  g.properties.name,
  g.properties.communityCode,
  g.properties.leaderName,
  g.properties.leaderPhone,
  g.properties.population,
  g.properties.households,
  geometry,
];

const csvCell = (v: unknown) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
/** UTF-8 CSV with BOM, as Excel saves it. */
const csv = (rows: unknown[][]) => `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
async function xlsx(rows: unknown[][], title?: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('网格清单');
  if (title) ws.addRow([title]); // a title row above the header, as offices do
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function storedGrids() {
  return (
    await sql<{ code: string; name: string; community: string; population: number; version: number; g: { coordinates: [number, number][][] } }>`
      SELECT g.code, g.name, c.code AS community, g.population, g.version, ST_AsGeoJSON(g.boundary, 9)::json AS g
      FROM grids g JOIN communities c ON c.id = g.community_id WHERE g.code LIKE '210299001001%' ORDER BY g.code`.execute(env.db.kysely)
  ).rows;
}

describe('grids from a CSV with a WKT column', () => {
  it('dry run, then commit: a clockwise ring is stored and served counter-clockwise; the API serves both grids valid', async () => {
    // West written clockwise (as many GIS exports do), east counter-clockwise.
    const file = csv([HEADERS, gridRow(west, polygonWkt(box(121.595, 38.907, 121.6, 38.913, true))), gridRow(east, `SRID=4326;${polygonWkt(EAST_BOX)}`)]);
    const before = await databaseChecksum(env.db, { except: ['sessions'] });
    const dry = await upload('grids', 'format=csv&dry_run=true', file, 'text/csv');
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ total: 2, created: 2, rejected_rows: 0, committed: false });
    expect(dry.json().info.columns.find((c: any) => c.header === '边界').field).toBe('geometry');
    expect(dry.json().info.columns.find((c: any) => c.header === '所属社区').field).toBe('communityCode');
    expect(await databaseChecksum(env.db, { except: ['sessions'] })).toEqual(before);

    const commit = await upload('grids', 'format=csv&dry_run=false', file, 'text/csv');
    expect(commit.statusCode, commit.body).toBe(200);
    expect(commit.json()).toMatchObject({ committed: true, created: 2 });
    const rows = await storedGrids();
    expect(rows.map((r) => [r.code, r.name, r.community, r.population])).toEqual([
      [west.properties.code, west.properties.name, fx.FIXTURE_CODES.community, west.properties.population],
      [east.properties.code, east.properties.name, fx.FIXTURE_CODES.community, east.properties.population],
    ]);
    for (const [r, truth] of [
      [rows[0], WEST_BOX],
      [rows[1], EAST_BOX],
    ] as const) {
      const ring = r.g.coordinates[0];
      expect(signedArea2(ring)).toBeGreaterThan(0); // counter-clockwise
      // The same corners as the file (starting point may differ).
      expect(new Set(ring.map((p) => p.join(' ')))).toEqual(new Set(truth.map((p) => p.join(' '))));
    }
    const served = await env.get(`/api/grids?q=${encodeURIComponent('样例社区')}`);
    expect(served.status).toBe(200);
    expect(served.body.features).toHaveLength(2);
    for (const f of served.body.features) {
      expect(signedArea2(f.geometry.coordinates[0])).toBeGreaterThan(0);
      const valid = (
        await sql<{ ok: boolean }>`SELECT ST_IsValid(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(f.geometry)}), 4326)) AS ok`.execute(env.db.kysely)
      ).rows[0];
      expect(valid.ok).toBe(true);
    }
  });

  it('XLSX with GeoJSON text, a title row and no community column (taken from the grid code): unchanged', async () => {
    const geojsonText = (r: Ring) => JSON.stringify({ type: 'Polygon', coordinates: [r] });
    const headers = HEADERS.filter((h) => h !== '所属社区');
    const noCommunity = (row: unknown[]) => row.filter((_, i) => i !== 2);
    const file = await xlsx(
      [
        headers,
        noCommunity(gridRow(west, geojsonText(WEST_BOX))),
        noCommunity(gridRow(east, JSON.stringify({ type: 'Feature', geometry: JSON.parse(geojsonText(EAST_BOX)) }))),
      ],
      '样例社区网格清单（2026 年 12 月）',
    );
    const r = await upload('grids', 'format=xlsx&dry_run=false', file, XLSX_TYPE);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ total: 2, created: 0, updated: 0, unchanged: 2 });
    expect(r.json().info.header_row).toBe(2);
    expect(r.json().info.community_code).toMatch(/网格编码前 12 位/);
  });

  it('a communities table with MULTIPOLYGON WKT and 所属街道: the community is updated from its row', async () => {
    const ring = box(121.595, 38.907, 121.605, 38.913);
    const file = await xlsx([
      ['编码', '名称', '所属街道', '边界'],
      [fx.FIXTURE_CODES.community, '样例社区（改名）', fx.FIXTURE_CODES.street, `MULTIPOLYGON((${wktRing(ring)}))`],
    ]);
    const r = await upload('communities', 'format=xlsx&dry_run=false', file, XLSX_TYPE);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ total: 1, updated: 1, rejected_rows: 0 });
    const name = (await sql<{ name: string }>`SELECT name FROM communities WHERE code = ${fx.FIXTURE_CODES.community}`.execute(env.db.kysely)).rows[0].name;
    expect(name).toBe('样例社区（改名）');
  });
});

describe('bad rows: named by sheet row, zh first; the commit is a 422 and writes nothing', () => {
  // Row 2 fine; row 3 a bow-tie (self-intersection at 121.6 38.91); row 4 WKT cut off; row 5 a LINESTRING.
  const bowtie: Ring = [
    [121.595, 38.907],
    [121.605, 38.913],
    [121.605, 38.907],
    [121.595, 38.913],
    [121.595, 38.907],
  ];
  const rowsOf = () => [
    HEADERS,
    gridRow(west, polygonWkt(WEST_BOX)),
    gridRow({ ...east, properties: { ...east.properties, code: '210299001001003' } }, polygonWkt(bowtie)),
    gridRow({ ...east, properties: { ...east.properties, code: '210299001001004' } }, 'POLYGON((121.6 38.907, 121.605 38.907, 121.605 38.913'),
    gridRow({ ...east, properties: { ...east.properties, code: '210299001001005' } }, 'LINESTRING(121.6 38.907, 121.605 38.913)'),
  ];

  for (const format of ['csv', 'xlsx'] as const) {
    it(`${format}: dry run lists rows 3, 4 and 5 with their reasons; commit 422; database unchanged`, async () => {
      const file = format === 'csv' ? csv(rowsOf()) : await xlsx(rowsOf());
      const type = format === 'csv' ? 'text/csv' : XLSX_TYPE;
      const before = await databaseChecksum(env.db, { except: ['sessions'] });
      const dry = await upload('grids', `format=${format}&dry_run=true`, file, type);
      expect(dry.statusCode, dry.body).toBe(200);
      const rep = dry.json();
      expect(rep).toMatchObject({ total: 4, rejected_rows: 3 });
      expect(rep.rejected.map((x: any) => [x.row, x.code])).toEqual([
        [3, 'invalid_geometry'],
        [4, 'invalid_geometry'],
        [5, 'invalid_geometry'],
      ]);
      expect(rep.rejected[0].reason_zh).toMatch(/自相交/);
      expect(rep.rejected[0].location[0]).toBeCloseTo(121.6, 6);
      expect(rep.rejected[0].location[1]).toBeCloseTo(38.91, 6);
      expect(rep.rejected[1].reason_zh).toMatch(/^WKT 不完整：缺少 2 个 "\)"/);
      expect(rep.rejected[1].reason_en).toMatch(/incomplete WKT/);
      expect(rep.rejected[2].reason_zh).toMatch(/LineString/);

      const commit = await upload('grids', `format=${format}&dry_run=false`, file, type);
      expect(commit.statusCode).toBe(422);
      expect(commit.json().error).toBe('import_rejected');
      expect(commit.json().message_zh).toMatch(/^导入被拒绝，3 行共 3 个问题，未写入任何数据：第 3 行（编码 210299001001003）：几何无效/);
      expect(commit.json().message_en).toMatch(/^import rejected/);
      expect(commit.json().details.rejected.map((x: any) => x.row)).toEqual([3, 4, 5]);
      expect(await databaseChecksum(env.db, { except: ['sessions'] })).toEqual(before);
    });
  }

  it('a repeated vertex is a problem of its row; repair=true removes it and reports the fix with the area before and after', async () => {
    const repeated: Ring = [WEST_BOX[0], WEST_BOX[1], WEST_BOX[1], WEST_BOX[2], WEST_BOX[3], WEST_BOX[4]];
    const file = csv([HEADERS, gridRow(west, polygonWkt(repeated))]);
    const plain = await upload('grids', 'format=csv&dry_run=true', file, 'text/csv');
    expect(plain.json().rejected).toEqual([expect.objectContaining({ row: 2, code: 'invalid_geometry' })]);
    expect(plain.json().rejected[0].reason_zh).toMatch(/重复的连续顶点/);
    const repaired = await upload('grids', 'format=csv&dry_run=true&repair=true', file, 'text/csv');
    expect(repaired.statusCode, repaired.body).toBe(200);
    // The grid exists already (same code): the repaired row matches it instead of creating another.
    expect(repaired.json()).toMatchObject({ rejected_rows: 0, created: 0 });
    expect(repaired.json().updated + repaired.json().unchanged).toBe(1);
    expect(repaired.json().repairs).toEqual([expect.objectContaining({ row: 2, feature_code: west.properties.code })]);
    const fix = repaired.json().repairs[0];
    expect(fix.fixes.map((f: any) => f.code)).toEqual(['duplicate_points']);
    expect(fix.area_after_m2).toBeCloseTo(fix.area_before_m2, 3);
  });

  it('a table without a geometry column is refused on its header row', async () => {
    const rows = rowsOf().map((r) => r.slice(0, 7));
    const r = await upload('grids', 'format=csv&dry_run=true', csv(rows), 'text/csv');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().rejected).toEqual([expect.objectContaining({ row: 1, code: 'missing_column' })]);
    expect(r.json().rejected[0].reason_zh).toMatch(/^表头缺少必需的列：边界（WKT 或 GeoJSON 文本）/);
  });
});
