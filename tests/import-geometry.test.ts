/**
 * Imports that survive real files (either engine), on hand-made files (./helpers/real-files.ts):
 * GCJ-02 district outlines with Chinese attribute names, clockwise rings, a district whose parts
 * overlap by 443 m², a sliver part; grids in KML with a self-intersecting corner, a spike and
 * repeated points. Each: the dry run names the row, the reason (zh first) and the place; a commit
 * is refused (422, never 500) writing nothing; `repair` fixes what it can and reports each fix with
 * the area before and after, measured here independently by PostGIS; what is stored is RFC 7946
 * and comes back from the API unchanged (PATCH of the served polygon is a no-op). A database error
 * during a commit names its row.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Position } from 'geojson';
import { convertPosition } from '../server/import/crs.js';
import { importFile } from '../server/import/pipeline/import-file.js';
import { ImportFailed } from '../server/import/pipeline/report.js';
import { signedArea2 } from '../server/validation/geometry.js';
import { databaseChecksum } from './helpers/checksum.js';
import { bearer, login } from './helpers/editing.js';
import { useTestApp } from './helpers/db.js';
import * as rf from './helpers/real-files.js';
import { ROOT } from './helpers/template.js';

const env = useTestApp();
let auth: Record<string, string> = {};
beforeAll(async () => {
  auth = bearer(await login(env.app, 'admin'));
});

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const upload = (kind: string, query: string, payload: string | Buffer, type = 'application/geo+json') =>
  env.app.inject({ method: 'POST', url: `/api/imports/${kind}?${query}`, headers: { ...auth, 'content-type': type }, payload });

/** Geodesic area (m²) of a WGS84 polygon given by rings, measured by PostGIS. */
async function areaOf(...polygons: Position[][][]): Promise<number> {
  const g = { type: 'MultiPolygon', coordinates: polygons };
  return (await sql<{ a: number }>`SELECT ST_Area(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(g)}), 4326)::geography) AS a`.execute(env.db.kysely)).rows[0]
    .a;
}

/** Distance (m) between two lon/lat points, by PostGIS. */
async function metresBetween(a: Position, b: Position): Promise<number> {
  return (
    await sql<{
      d: number;
    }>`SELECT ST_Distance(ST_SetSRID(ST_MakePoint(${a[0]}, ${a[1]}), 4326)::geography, ST_SetSRID(ST_MakePoint(${b[0]}, ${b[1]}), 4326)::geography) AS d`.execute(
      env.db.kysely,
    )
  ).rows[0].d;
}

/** Every ring of a served geometry wound as RFC 7946 wants. */
function rfc7946(g: { type: string; coordinates: any }): boolean {
  const polys: Position[][][] = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.every((rings) => rings.every((r, k) => (k === 0 ? signedArea2(r) > 0 : signedArea2(r) < 0)));
}

describe('districts from a GCJ-02 outline file (DataV style)', () => {
  it('the dry run names the overlapping parts (row 2, 443 m², where) and the sliver (row 3); the commit is a 422 and writes nothing', async () => {
    const before = await databaseChecksum(env.db, { except: ['sessions'] });
    const dry = await importFile(env.db, 'geojson', enc(rf.districtsGcj02()), 'districts', { crs: 'gcj02', dryRun: true });
    expect(dry.rejected.map((r) => [r.row, r.code])).toEqual([
      [2, 'invalid_geometry'],
      [3, 'invalid_geometry'],
    ]);
    // The overlap measured by PostGIS on the WGS84 truth: parts 1 and 2 intersect in 10 m × 44.3 m.
    const [p1, p2] = rf.overlapParts();
    const truth = (
      await sql<{ a: number; x: number; y: number }>`
        WITH a AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify({ type: 'Polygon', coordinates: [p1] })}), 4326) AS g),
             b AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify({ type: 'Polygon', coordinates: [p2] })}), 4326) AS g)
        SELECT ST_Area(ST_Intersection(a.g, b.g)::geography) AS a, ST_X(ST_Centroid(ST_Intersection(a.g, b.g))) AS x, ST_Y(ST_Centroid(ST_Intersection(a.g, b.g))) AS y FROM a, b`.execute(
        env.db.kysely,
      )
    ).rows[0];
    expect(truth.a).toBeGreaterThan(440);
    expect(truth.a).toBeLessThan(446);
    const row2 = dry.rejected[0];
    expect(row2.feature_code).toBe(rf.CODES.overlapDistrict);
    expect(row2.reason_zh).toMatch(/^几何无效：第 1 与第 2 个部分重叠 (\d+\.\d) m²/);
    expect(Number(/重叠 (\d+\.\d) m²/.exec(row2.reason_zh)![1])).toBeCloseTo(truth.a, 0);
    expect(row2.reason_en).toMatch(/parts 1 and 2 overlap/);
    // The place is in the file's system (GCJ-02), inside the overlap (10 m × 44.3 m: within 25 m of its centre).
    const placeWgs = convertPosition(row2.location!, 'gcj02', 'wgs84');
    expect(await metresBetween(placeWgs, [truth.x, truth.y])).toBeLessThan(25);
    expect(await metresBetween(row2.location!, [truth.x, truth.y])).toBeGreaterThan(100); // really GCJ-02, hundreds of metres off
    expect(dry.rejected[1].reason_zh).toMatch(/第 2 个部分的外环是细长碎片.*平均宽度 0\.\d+ 米/);
    expect(dry.rejected[1].location).toBeDefined();

    const commit = await upload('districts', 'crs=gcj02&dry_run=false', JSON.stringify(rf.districtsGcj02()));
    expect(commit.statusCode).toBe(422);
    expect(commit.json().error).toBe('import_rejected');
    expect(commit.json().message_zh).toMatch(/第 2 个要素（编码 210282000000）：几何无效：第 1 与第 2 个部分重叠/);
    expect(commit.json().details.rejected.map((r: any) => r.row)).toEqual([2, 3]);
    expect(await databaseChecksum(env.db, { except: ['sessions'] })).toEqual(before);
  });

  it('with repair: the parts are unioned (area before − after = the overlap), the sliver dropped, each reported; stored RFC 7946 and served so', async () => {
    const dry = (await upload('districts', 'crs=gcj02&repair=true', JSON.stringify(rf.districtsGcj02()))).json();
    expect(dry.rejected).toEqual([]);
    expect(dry.repairs.map((r: any) => [r.row, r.fixes.map((f: any) => f.code)])).toEqual([
      [2, ['overlapping_parts']],
      [3, ['sliver']],
    ]);
    const [p1, p2] = rf.overlapParts();
    const sumParts = await areaOf([p1], [p2]);
    const union = (
      await sql<{
        a: number;
      }>`SELECT ST_Area(ST_Union(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify({ type: 'Polygon', coordinates: [p1] })}), 4326), ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify({ type: 'Polygon', coordinates: [p2] })}), 4326))::geography) AS a`.execute(
        env.db.kysely,
      )
    ).rows[0].a;
    const r2 = dry.repairs[0];
    // GCJ-02 → WGS84 leaves ≈ 0.1 m per vertex: areas agree within 0.05 %.
    expect(Math.abs(r2.area_before_m2 - sumParts) / sumParts).toBeLessThan(5e-4);
    expect(Math.abs(r2.area_after_m2 - union) / union).toBeLessThan(5e-4);
    expect(r2.area_before_m2 - r2.area_after_m2).toBeGreaterThan(430);
    expect(r2.area_before_m2 - r2.area_after_m2).toBeLessThan(456);
    const r3 = dry.repairs[1];
    const main = await areaOf([rf.sliverDistrictMain()]);
    expect(Math.abs(r3.area_after_m2 - main) / main).toBeLessThan(5e-4);
    expect(r3.area_before_m2 - r3.area_after_m2).toBeGreaterThan(15); // 100 m × 0.2 m
    expect(r3.area_before_m2 - r3.area_after_m2).toBeLessThan(25);

    const committed = await upload('districts', 'crs=gcj02&repair=true&dry_run=false', JSON.stringify(rf.districtsGcj02()));
    expect(committed.statusCode).toBe(200);
    expect(committed.json()).toMatchObject({ committed: true, created: 3 });
    const stored = (
      await sql<{ code: string; valid: boolean; parts: number; area: number }>`
        SELECT code, ST_IsValid(boundary) AS valid, ST_NumGeometries(boundary)::int AS parts, ST_Area(boundary::geography) AS area FROM districts WHERE code LIKE '21028%' ORDER BY code`.execute(
        env.db.kysely,
      )
    ).rows;
    expect(stored.map((s) => [s.code, s.valid, s.parts])).toEqual([
      [rf.CODES.district, true, 1],
      [rf.CODES.overlapDistrict, true, 1],
      [rf.CODES.sliverDistrict, true, 1],
    ]);
    expect(Math.abs(stored[1].area - union) / union).toBeLessThan(5e-4);
    const served = (await env.get('/api/admin/boundaries?level=district')).body.features.filter((f: any) => f.properties.code.startsWith('21028'));
    expect(served).toHaveLength(3);
    for (const f of served) expect(rfc7946(f.geometry)).toBe(true);
    // The clockwise file went in counter-clockwise: the same file again is "unchanged".
    const again = await importFile(env.db, 'geojson', enc(rf.districtsGcj02()), 'districts', { crs: 'gcj02', dryRun: true, repair: true });
    expect(again.changes.find((c) => c.code === rf.CODES.district)!.action).toBe('unchanged');
  });
});

describe('grids from a KML with clockwise rings and the usual faults', () => {
  beforeAll(async () => {
    await importFile(env.db, 'geojson', enc(rf.streetsWgs84()), 'streets', { crs: 'wgs84' });
    await importFile(env.db, 'geojson', enc(rf.communitiesWgs84()), 'communities', { crs: 'wgs84' });
  });

  it('stores clockwise street and community rings counter-clockwise', async () => {
    const rows = (
      await sql<{
        ccw: boolean;
      }>`SELECT ST_OrderingEquals(boundary, ST_ForcePolygonCCW(boundary)) AS ccw FROM streets WHERE code = ${rf.CODES.street} UNION ALL SELECT ST_OrderingEquals(boundary, ST_ForcePolygonCCW(boundary)) FROM communities WHERE code = ${rf.CODES.community}`.execute(
        env.db.kysely,
      )
    ).rows;
    expect(rows.map((r) => r.ccw)).toEqual([true, true]);
  });

  it('the dry run names the self-intersection, the spike and the repeated points by placemark, zh first, with the place; the commit writes nothing', async () => {
    const before = await databaseChecksum(env.db, { except: ['sessions'] });
    const kml = rf.gridsKml();
    const dry = (await upload('grids', 'format=kml', kml, 'application/vnd.google-earth.kml+xml')).json();
    expect(dry.changes.map((c: any) => [c.row, c.action])).toEqual([[1, 'create']]);
    const byRow = (n: number) => dry.rejected.filter((r: any) => r.row === n);
    expect(dry.rejected.map((r: any) => r.row)).toEqual([2, 3, 4]);
    expect(byRow(2)[0].reason_zh).toMatch(/^几何无效（自相交，位置/);
    expect(byRow(3)[0].reason_zh).toMatch(/^几何无效（外环有尖刺（边界伸出后原路折返，共 1 处）/);
    expect(byRow(4)[0].reason_zh).toMatch(/^几何无效（外环有重复的连续顶点（共 2 处）/);
    for (const r of dry.rejected) expect(r.reason_en.length).toBeGreaterThan(10);
    // Places: the crossing at (200, 200) m, the spike tip at (100, 460) m, a repeated point at (200, 400) m.
    expect(await metresBetween(byRow(2)[0].location, rf.at(200, 200))).toBeLessThan(0.01);
    expect(await metresBetween(byRow(3)[0].location, rf.at(100, 460))).toBeLessThan(0.01);
    expect(await metresBetween(byRow(4)[0].location, rf.at(200, 400))).toBeLessThan(0.01);
    const commit = await upload('grids', 'format=kml&dry_run=false', kml, 'application/vnd.google-earth.kml+xml');
    expect(commit.statusCode).toBe(422);
    expect(commit.json().message_zh).toMatch(/^导入被拒绝，3 行共 3 个问题，未写入任何数据：第 2 个地标/);
    expect(await databaseChecksum(env.db, { except: ['sessions'] })).toEqual(before);
  });

  it('with repair: each fix reported with areas (the clean squares, measured by PostGIS); the grids are stored, served RFC 7946, and an unchanged PATCH is a no-op', async () => {
    const kml = rf.gridsKml();
    const dry = (await upload('grids', 'format=kml&repair=true', kml, 'application/vnd.google-earth.kml+xml')).json();
    expect(dry.rejected).toEqual([]);
    expect(dry.repairs.map((r: any) => [r.row, r.fixes.map((f: any) => f.code)])).toEqual([
      [2, ['self_intersection']],
      [3, ['spike']],
      [4, ['duplicate_points']],
    ]);
    const truth = rf.gridTruth();
    for (const r of dry.repairs) {
      const square = await areaOf([truth[r.row - 1]]);
      // Within 5e-6 (0.2 m², less than the 0.5 m² loop): repaired rings keep vertices inside the
      // square's edges (the spike's base, the crossing), and geodesic edges split in two enclose a hair more.
      expect(Math.abs(r.area_after_m2 - square) / square).toBeLessThan(5e-6);
    }
    // The twisted corner's 0.5 m² loop is wound the other way: the file's own area is 0.5 m² less, and the loop is dropped.
    expect(dry.repairs[0].area_before_m2 - dry.repairs[0].area_after_m2).toBeCloseTo(-0.5, 1);
    expect(dry.repairs[1].area_before_m2).toBeCloseTo(dry.repairs[1].area_after_m2, 1); // a spike has no area (geodesic edges: a few cm²)
    expect(dry.repairs[2].area_before_m2).toBeCloseTo(dry.repairs[2].area_after_m2, 1); // the same shape, on the 1e-9° grid

    const committed = await upload('grids', 'format=kml&repair=true&dry_run=false', kml, 'application/vnd.google-earth.kml+xml');
    expect(committed.statusCode).toBe(200);
    expect(committed.json()).toMatchObject({ committed: true, created: 4 });
    const grids = (await env.get(`/api/grids?community=${rf.CODES.community}`)).body.features;
    expect(grids).toHaveLength(4);
    for (const g of grids) expect(rfc7946(g.geometry)).toBe(true);
    const g1 = grids.find((g: any) => g.properties.code === rf.CODES.grids[0]);
    const before = await databaseChecksum(env.db, { except: ['sessions'] });
    const patch = (dryRun: boolean) =>
      env.app.inject({
        method: 'PATCH',
        url: `/api/grids/${g1.properties.id}${dryRun ? '?dry_run=true' : ''}`,
        headers: { ...auth, 'if-match': String(g1.properties.version) },
        payload: { geometry: g1.geometry },
      });
    const dryPatch = await patch(true);
    expect(dryPatch.statusCode).toBe(200);
    const real = await patch(false);
    expect(real.statusCode).toBe(200);
    expect(real.json().changes).toEqual([]);
    expect(await databaseChecksum(env.db, { except: ['sessions'] })).toEqual(before);
  });

  it('a self-intersection that repair cannot make one polygon (a bowtie) is rejected with the reason', async () => {
    const bowtie = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: {
            网格编码: '210281001001009',
            网格名称: '领结',
            社区编码: rf.CODES.community,
            网格长: '赵六',
            联系电话: '13900000000',
            人口: 1,
            户数: 1,
          },
          geometry: {
            type: 'Polygon',
            coordinates: [
              rf.ring([
                [0, 0],
                [100, 100],
                [100, 0],
                [0, 100],
              ]),
            ],
          },
        },
      ],
    };
    const r = await importFile(env.db, 'geojson', enc(bowtie), 'grids', { crs: 'wgs84', dryRun: true, repair: true });
    expect(r.repairs).toEqual([]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ row: 1, code: 'invalid_geometry' });
    expect(r.rejected[0].reason_zh).toMatch(/^无法自动修复：修复后分成 2 个互不相连的部分，而网格必须是单个多边形/);
  });
});

describe('database errors during a commit', () => {
  it('are mapped to the row being written (422 database_refused), never a 500, and nothing is written', async () => {
    // A rule the dry run does not know about: the database refuses one grid's name (from now on: NOT VALID).
    await sql`ALTER TABLE grids ADD CONSTRAINT test_no_bad_name CHECK (name <> '测试网格3') NOT VALID`.execute(env.db.kysely);
    try {
      const kml = rf.gridsKml().replaceAll('王五', '王六'); // every grid changes, so every row is written
      const before = await databaseChecksum(env.db, { except: ['sessions'] });
      const res = await upload('grids', 'format=kml&repair=true&dry_run=false', kml, 'application/vnd.google-earth.kml+xml');
      expect(res.statusCode).toBe(422);
      const rejected = res.json().details.rejected;
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toMatchObject({ row: 3, code: 'database_refused', feature_code: rf.CODES.grids[2] });
      expect(rejected[0].reason_zh).toMatch(/^数据库拒绝写入：违反约束 test_no_bad_name/);
      expect(await databaseChecksum(env.db, { except: ['sessions'] })).toEqual(before);
      const e = await importFile(env.db, 'kml', new TextEncoder().encode(kml), 'grids', { crs: 'wgs84', repair: true }).catch((x) => x);
      expect(e).toBeInstanceOf(ImportFailed);
      expect((e as ImportFailed).message).toMatch(/第 3 个地标（编码 210281001001003）：数据库拒绝写入/);
    } finally {
      await sql`ALTER TABLE grids DROP CONSTRAINT test_no_bad_name`.execute(env.db.kysely);
    }
  });
});

describe('the command line', () => {
  it('prints the same report: the rejected row with its reason (exit 1), and with --repair each repair with its areas', () => {
    // Its own embedded database in a temporary DATA_DIR (districts need no parents), whichever engine the tests use.
    const dir = mkdtempSync(path.join(tmpdir(), 'lc-cli-'));
    try {
      const file = path.join(dir, '区界.geojson');
      writeFileSync(file, JSON.stringify(rf.districtsGcj02()));
      const { DATABASE_URL: _ignored, ...rest } = process.env;
      const run = (...extra: string[]) =>
        spawnSync(
          process.execPath,
          ['--import', 'tsx', path.join(ROOT, 'server/cli/import.ts'), 'geojson', file, '--kind', 'districts', '--crs', 'gcj02', ...extra],
          {
            cwd: ROOT,
            env: { ...rest, DATA_DIR: path.join(dir, 'db') },
            encoding: 'utf8',
            timeout: 180_000,
          },
        );
      const plain = run();
      expect(plain.status, plain.stderr).toBe(1);
      expect(plain.stderr).toMatch(/第 2 个要素（编码 210282000000）[^\n]*\n\s+- \[invalid_geometry\] 几何无效：第 1 与第 2 个部分重叠 4\d\d\.\d m²/);
      expect(plain.stderr).toMatch(/第 3 个要素（编码 210283000000）[^\n]*\n\s+- \[invalid_geometry\] 几何无效：第 2 个部分的外环是细长碎片/);
      expect(plain.stdout).toMatch(/未写入 \/ nothing written/);
      const repaired = run('--repair');
      expect(repaired.status, repaired.stderr).toBe(0);
      expect(repaired.stdout).toMatch(/修复 \/ repaired: 2/);
      expect(repaired.stdout).toMatch(/第 2 个要素（编码 210282000000）已修复：第 1 与第 2 个部分重叠 .*；面积 38\.\d\d 公顷 → 38\.\d\d 公顷/);
      expect(repaired.stdout).toMatch(/已写入 \/ written: 共 3 行 \/ 3 rows: 新增 3 created/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);
});
