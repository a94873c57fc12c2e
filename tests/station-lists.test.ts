/**
 * Station lists as people keep them (issue 13 item 3): `名称,类型,地址,经度,纬度,营业时间,设施` in
 * GBK or UTF-8 CSV and in Excel, without 编码; amenity words as the pages show them and their
 * synonyms; Chinese opening hours stored as OSM with the original kept; re-imports matched on
 * name + position; the report counting rows; the datum check on a 4-row file. On both engines.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { convertPosition } from '../server/import/crs.js';
import { importFile } from '../server/import/pipeline/import-file.js';
import type { ImportReport } from '../server/import/pipeline/types.js';
import { databaseChecksum } from './helpers/checksum.js';
import { useTestApp } from './helpers/db.js';
import { bearer, login } from './helpers/editing.js';

import { SERVICE_STATION_TYPES } from '../server/domain/stations.js';

const env = useTestApp();
const HEADER = '名称,类型,地址,经度,纬度,营业时间,设施';

/**
 * Three street nodes at least 300 m from every seeded service station (new stations stand on
 * streets; the sample city's life-circle facilities stand everywhere, and matching is by name).
 */
async function freeSpots(n = 3): Promise<[number, number][]> {
  const r = await sql<{ lon: number; lat: number }>`
    SELECT ST_X(n.geom) AS lon, ST_Y(n.geom) AS lat FROM network_nodes n
     WHERE NOT EXISTS (SELECT 1 FROM stations s WHERE s.type_code = ANY(${[...SERVICE_STATION_TYPES]}::text[]) AND ST_DWithin(s.geom::geography, n.geom::geography, 300))
     ORDER BY n.id LIMIT ${n * 40}`.execute(env.db.kysely);
  // Spread out: every 40th node.
  return r.rows
    .filter((_, i) => i % 40 === 0)
    .slice(0, n)
    .map((x) => [x.lon, x.lat]);
}

const csvOf = (rows: string[][]) => [HEADER, ...rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','))].join('\r\n');

async function stationByName(name: string) {
  return (
    await sql<{ code: string; opening_hours: string; opening_hours_text: string | null; amenities: string[]; version: number; lon: number; lat: number }>`
      SELECT code, opening_hours, opening_hours_text, amenities, version, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM stations WHERE name = ${name} AND deleted_at IS NULL`.execute(
      env.db.kysely,
    )
  ).rows;
}

describe('station lists without codes', () => {
  it('a GBK CSV with the usual Chinese header imports through the API: codes generated, amenity words and Chinese hours read, the OSM form and the original both reported and stored', async () => {
    const [a, b, c] = await freeSpots();
    const rows = [
      ['测试爱心驿站甲', '爱心驿站', '滨海路1号', String(a[0]), String(a[1]), '24小时', '饮水、充电、座椅'],
      ['测试老年食堂乙', '老年食堂', '滨海路2号', String(b[0]), String(b[1]), '周一至周五 11:00-13:00', '热水,卫生间,空调'],
      [
        '测试爱心驿站丙',
        '爱心驿站',
        '滨海路3号',
        String(c[0]),
        String(c[1]),
        '每天 7:00-21:00，节假日休息',
        '开水 厕所 药箱 打气筒 WiFi 雨伞 微波炉 暖气 休息',
      ],
    ];
    const body = iconv.encode(csvOf(rows), 'gbk');
    const token = await login(env.app, 'admin');
    const dry = await env.app.inject({
      method: 'POST',
      url: '/api/imports/stations?format=csv&crs=wgs84&dry_run=true',
      payload: body,
      headers: { ...bearer(token), 'content-type': 'text/csv' },
    });
    expect(dry.statusCode, dry.body).toBe(200);
    const r = dry.json() as ImportReport;
    expect(r).toMatchObject({ total: 3, created: 3, updated: 0, unchanged: 0, rejected_rows: 0, rejected: [] });
    expect(r.info).toMatchObject({ encoding: 'gbk' });
    expect(r.changes.map((x) => [x.row, x.action, x.matched_by, x.code_generated, x.opening_hours, x.opening_hours_text])).toEqual([
      [2, 'create', 'none', true, '24/7', '24小时'],
      [3, 'create', 'none', true, 'Mo-Fr 11:00-13:00', '周一至周五 11:00-13:00'],
      [4, 'create', 'none', true, '07:00-21:00; PH off', '每天 7:00-21:00，节假日休息'],
    ]);

    const commit = await env.app.inject({
      method: 'POST',
      url: '/api/imports/stations?format=csv&crs=wgs84&dry_run=false',
      payload: body,
      headers: { ...bearer(token), 'content-type': 'text/csv' },
    });
    expect(commit.statusCode, commit.body).toBe(200);
    const codes = (commit.json() as ImportReport).changes.map((x) => x.code);
    expect(codes).toEqual(r.changes.map((x) => x.code)); // the generated code is stable: the dry run named the same
    const [s1] = await stationByName('测试爱心驿站甲');
    expect(s1).toMatchObject({ code: codes[0], opening_hours: '24/7', opening_hours_text: '24小时', amenities: ['water', 'charging', 'seating'] });
    const [s2] = await stationByName('测试老年食堂乙');
    expect(s2).toMatchObject({
      opening_hours: 'Mo-Fr 11:00-13:00',
      opening_hours_text: '周一至周五 11:00-13:00',
      amenities: ['water', 'air_conditioning', 'toilet'],
    });
    const [s3] = await stationByName('测试爱心驿站丙');
    expect([...s3.amenities].sort()).toEqual(['first_aid', 'heating', 'microwave', 'repair_tools', 'seating', 'toilet', 'umbrella', 'water', 'wifi']);
  });

  it('a re-import matches rows without codes on name + position: the same list is unchanged, a station moved 20 m is updated in place, one moved 400 m is a new station', async () => {
    const [s1] = await stationByName('测试爱心驿站甲');
    const [s2] = await stationByName('测试老年食堂乙');
    const [s3] = await stationByName('测试爱心驿站丙');
    const row = (name: string, type: string, addr: string, p: [number, number], hours: string, am: string) => [
      name,
      type,
      addr,
      p[0].toFixed(7),
      p[1].toFixed(7),
      hours,
      am,
    ];
    const same = csvOf([
      row('测试爱心驿站甲', '爱心驿站', '滨海路1号', [s1.lon, s1.lat], '24小时', '饮水、充电、座椅'),
      row('测试老年食堂乙', '老年食堂', '滨海路2号', [s2.lon, s2.lat], '周一至周五 11:00-13:00', '热水,卫生间,空调'),
    ]);
    const before = await databaseChecksum(env.db);
    const r1 = await importFile(env.db, 'csv', new TextEncoder().encode(same), 'stations', { crs: 'wgs84', by: 'tester' });
    expect(r1).toMatchObject({ created: 0, updated: 0, unchanged: 2, rejected_rows: 0 });
    expect(r1.changes.map((c) => c.matched_by)).toEqual(['name_position', 'name_position']);
    expect(await databaseChecksum(env.db)).toEqual(before);

    // 20 m north (1.8e-4° of latitude ≈ 20 m) and new hours; 400 m east for the other.
    const moved = csvOf([
      row('测试爱心驿站甲', '爱心驿站', '滨海路1号', [s1.lon, s1.lat + 20 / 111_000], '周一至周五 8:30-17:30', '饮水'),
      row('测试爱心驿站丙', '爱心驿站', '滨海路3号', [s3.lon + 400 / 86_700, s3.lat], '全天', '饮水'),
    ]);
    const r2 = await importFile(env.db, 'csv', new TextEncoder().encode(moved), 'stations', { crs: 'wgs84', by: 'tester' });
    expect(r2.changes.map((c) => [c.action, c.matched_by])).toEqual([
      ['update', 'name_position'],
      ['create', 'none'],
    ]);
    expect(r2.changes[0].code).toBe(s1.code);
    const after = await stationByName('测试爱心驿站甲');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ code: s1.code, version: s1.version + 1, opening_hours: 'Mo-Fr 08:30-17:30', opening_hours_text: '周一至周五 8:30-17:30' });
    expect(await stationByName('测试爱心驿站丙')).toHaveLength(2);
  });

  it('an Excel sheet with the same header reads the same way (UTF-8 text, numbers as numbers)', async () => {
    const [p] = (await freeSpots(4)).slice(3);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('站点');
    ws.addRow(HEADER.split(','));
    ws.addRow(['测试放心菜自提点丁', '放心菜自提点', '滨海路4号', p[0], p[1], '周末 10:00-16:00', '座椅/饮水']);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const r = await importFile(env.db, 'xlsx', bytes, 'stations', { crs: 'wgs84', dryRun: true });
    expect(r.rejected).toEqual([]);
    expect(r.changes).toEqual([
      expect.objectContaining({
        row: 2,
        action: 'create',
        matched_by: 'none',
        code_generated: true,
        opening_hours: 'Sa,Su 10:00-16:00',
        opening_hours_text: '周末 10:00-16:00',
      }),
    ]);
  });

  it('the report counts rows, listing each row’s problems under it; unreadable hours get a Chinese-first message', async () => {
    const [p] = await freeSpots(1);
    const csv = csvOf([
      ['坏站一', '不存在的类型', '地址', String(p[0]), String(p[1]), '看心情', '按摩'], // three problems, one row
      ['坏站二', '爱心驿站', '地址', String(p[0] + 0.001), String(p[1]), '周一至周五 25:00-26:00', '饮水'], // one problem
      ['好站三', '爱心驿站', '地址', String(p[0] + 0.002), String(p[1]), '24小时', '饮水'],
      ['坏站四\u0001', '爱心驿站', '地址', String(p[0] + 0.003), String(p[1]), '24小时', '饮水'], // a control character
    ]);
    const before = await databaseChecksum(env.db);
    const r = await importFile(env.db, 'csv', new TextEncoder().encode(csv), 'stations', { crs: 'wgs84', dryRun: true });
    expect(r.total).toBe(4);
    expect(r.rejected_rows).toBe(3);
    expect(r.rejected.length).toBe(5);
    expect(r.created + r.updated + r.unchanged + r.rejected_rows).toBe(r.total);
    expect(r.rejected.filter((x) => x.row === 2)).toHaveLength(3);
    const hours = r.rejected.find((x) => x.row === 2 && x.reason_zh.startsWith('营业时间'))!;
    expect(hours.reason_zh).toContain('看心情');
    expect(hours.reason_zh).not.toMatch(/Unexpected|token|error/i);
    expect(r.rejected.find((x) => x.row === 5)!.reason_zh).toContain('控制字符 U+0001');
    await expect(importFile(env.db, 'csv', new TextEncoder().encode(csv), 'stations', { crs: 'wgs84' })).rejects.toThrow(/3 行|problem/);
    expect(await databaseChecksum(env.db)).toEqual(before);
  });
});

describe('the datum check on small files', () => {
  /**
   * Seeded stations that stand by a street (≤ 12 m) while their GCJ-02 coordinates, read as WGS84,
   * stand ≥ 50 m from every street — measured by PostGIS on the network table, not by the check.
   */
  async function byStreetOnlyAfterConversion() {
    const st = (
      await sql<{ code: string; name: string; type_code: string; lon: number; lat: number; d: number }>`
      SELECT s.code, s.name, s.type_code, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat,
             (SELECT min(ST_Distance(e.geom::geography, s.geom::geography)) FROM network_edges e WHERE ST_DWithin(e.geom::geography, s.geom::geography, 100)) AS d
        FROM stations s WHERE s.deleted_at IS NULL AND s.code LIKE 'ST%' ORDER BY s.code`.execute(env.db.kysely)
    ).rows;
    const out: { name: string; type: string; gcj: number[] }[] = [];
    for (const s of st) {
      if (s.d === null || Number(s.d) > 12) continue;
      const g = convertPosition([s.lon, s.lat], 'wgs84', 'gcj02');
      const wrong = await sql<{ d: number | null }>`
        SELECT min(ST_Distance(e.geom::geography, ST_SetSRID(ST_MakePoint(${g[0]}, ${g[1]}), 4326)::geography)) AS d
          FROM network_edges e WHERE ST_DWithin(e.geom::geography, ST_SetSRID(ST_MakePoint(${g[0]}, ${g[1]}), 4326)::geography, 50)`.execute(env.db.kysely);
      if (wrong.rows[0].d === null) out.push({ name: s.name, type: s.type_code, gcj: g });
      if (out.length === 4) break;
    }
    return out;
  }

  it('flags a 4-row GCJ-02 file declared WGS84 (nothing written), accepts it declared GCJ-02, and says "not enough evidence" for 2 rows', async () => {
    const four = await byStreetOnlyAfterConversion();
    expect(four).toHaveLength(4);
    const csv = (xs: typeof four) => csvOf(xs.map((s) => [s.name, s.type, '地址', s.gcj[0].toFixed(7), s.gcj[1].toFixed(7), '24/7', '']));
    const before = await databaseChecksum(env.db);
    const wrong = await importFile(env.db, 'csv', new TextEncoder().encode(csv(four)), 'stations', { crs: 'wgs84', dryRun: true });
    expect(wrong.crs_check).toMatchObject({ suspected: 'gcj02', verdict: 'suspected', points: 4 });
    expect(wrong.crs_check!.log10_ratio).toBeGreaterThanOrEqual(3);
    expect(wrong.rejected).toEqual([expect.objectContaining({ row: null, code: 'suspected_crs' })]);
    expect(wrong.rejected[0].reason_zh).toMatch(/^坐标疑似为 GCJ-02/);
    await expect(importFile(env.db, 'csv', new TextEncoder().encode(csv(four)), 'stations', { crs: 'wgs84' })).rejects.toThrow();
    expect(await databaseChecksum(env.db)).toEqual(before);

    const right = await importFile(env.db, 'csv', new TextEncoder().encode(csv(four)), 'stations', { crs: 'gcj02', dryRun: true });
    expect(right.crs_check!.suspected).toBeNull();
    expect(right.rejected).toEqual([]);

    const two = await importFile(env.db, 'csv', new TextEncoder().encode(csv(four.slice(0, 2))), 'stations', { crs: 'wgs84', dryRun: true });
    expect(two.crs_check).toMatchObject({ suspected: null, verdict: 'not_enough_evidence', points: 2 });
    expect(two.warnings.map((w) => w.zh).join('\n')).toContain('证据不足');
  });
});
