/**
 * Importers writing to the real database: GeoJSON (WGS84 and GCJ-02), rejection of bad files
 * with the database unchanged, and OSM street networks (tiny generated .pbf always; the real
 * extracts beside the checkout when present).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { migrate } from '../server/db/migrate.js';
import { importGeoJson } from '../server/import/pipeline/import-file.js';
import { importOsmNetwork } from '../server/import/pipeline/osm-network.js';
import { ImportFailed } from '../server/import/pipeline/report.js';
import { haversineM } from '../server/import/osm.js';
import { encodeOsmPbf, type PbfWayInput } from './helpers/osm-pbf-writer.js';
import * as fx from '../geodata/fixtures/fixtures.js';
import { databaseChecksum } from './helpers/checksum.js';
import { sharedOsmExtract } from './helpers/prerequisites.js';
import { openTestDb, type TestDb } from './helpers/db.js';
import { ROOT } from './helpers/template.js';

const FIXTURES = path.join(ROOT, 'geodata/fixtures');
const readFixture = async (name: string) => JSON.parse(await (await import('node:fs/promises')).readFile(path.join(FIXTURES, name), 'utf8'));

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ seeded: false });
  await migrate(t.db);
});
afterAll(() => t?.close());

/** Largest distance (m) between corresponding vertices of two geometries' outer rings/points. */
function maxVertexDistance(a: any, b: any): number {
  const flat = (g: any): [number, number][] => (g.type === 'Point' ? [g.coordinates] : g.type === 'Polygon' ? g.coordinates.flat() : g.coordinates.flat(2));
  const pa = flat(a);
  const pb = flat(b);
  expect(pa.length).toBe(pb.length);
  return Math.max(...pa.map((p, i) => haversineM(p, pb[i])));
}

describe('GeoJSON import', () => {
  it('imports admin units top-down, then GCJ-02 grids landing within 1 m of the WGS84 truth', async () => {
    expect((await importGeoJson(t.db, 'districts', await readFixture('districts.wgs84.geojson'), 'wgs84')).inserted).toBe(1);
    expect((await importGeoJson(t.db, 'streets', await readFixture('streets.wgs84.geojson'), 'wgs84')).inserted).toBe(1);
    expect((await importGeoJson(t.db, 'communities', await readFixture('communities.wgs84.geojson'), 'wgs84')).inserted).toBe(1);
    expect((await importGeoJson(t.db, 'grids', await readFixture('grids.gcj02.geojson'), 'gcj02')).inserted).toBe(2);
    const rows = await sql<{ code: string; g: any }>`SELECT code, ST_AsGeoJSON(boundary, 9)::json AS g FROM grids ORDER BY code`.execute(t.db.kysely);
    for (const truth of fx.grids) {
      const row = rows.rows.find((r) => r.code === truth.properties.code)!;
      expect(maxVertexDistance(row.g, truth.geometry)).toBeLessThan(1);
    }
    // Read as WGS84 by mistake, the same file would be hundreds of metres off: the test can fail.
    const gcj = await readFixture('grids.gcj02.geojson');
    expect(maxVertexDistance(gcj.features[0].geometry, fx.grids[0].geometry)).toBeGreaterThan(300);
  });

  it('imports GCJ-02 stations with Chinese keys within 1 m of the truth', async () => {
    expect((await importGeoJson(t.db, 'stations', await readFixture('stations.gcj02.zh-keys.geojson'), 'gcj02')).inserted).toBe(3);
    const rows = await sql<{
      code: string;
      type_code: string;
      g: any;
      amenities: string[];
    }>`SELECT code, type_code, amenities, ST_AsGeoJSON(geom, 9)::json AS g FROM stations`.execute(t.db.kysely);
    for (const truth of fx.stations) {
      const row = rows.rows.find((r) => r.code === truth.properties.code)!;
      expect(row.type_code).toBe(truth.properties.type);
      expect([...row.amenities].sort()).toEqual([...truth.properties.amenities].sort());
      expect(maxVertexDistance(row.g, truth.geometry)).toBeLessThan(1);
    }
  });

  it('rejects a bad file naming each bad feature, and writes nothing', async () => {
    const before = await databaseChecksum(t.db);
    const bad = await readFixture('grids.bad.geojson');
    const err = await importGeoJson(t.db, 'grids', bad, 'wgs84').catch((e) => e);
    expect(err).toBeInstanceOf(ImportFailed);
    const features = new Set((err as ImportFailed).errors.map((e) => e.feature));
    for (const i of [1, 2, 3, 4, 5, 6]) expect(features.has(i)).toBe(true);
    expect(features.has(0)).toBe(false);
    expect((err as ImportFailed).errors.find((e) => e.feature === 1)!.message).toMatch(/自相交|self-intersection/);
    const st = await importGeoJson(t.db, 'stations', await readFixture('stations.bad.geojson'), 'wgs84').catch((e) => e);
    expect(st).toBeInstanceOf(ImportFailed);
    expect((st as ImportFailed).errors.map((e) => e.message).join('\n')).toMatch(/wifi_hotspot/);
    expect(await databaseChecksum(t.db)).toEqual(before);
  });

  it('re-importing the same codes updates in place (no duplicates), and unknown parents are rejected writing nothing', async () => {
    const count = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM grids`.execute(t.db.kysely)).rows[0].n;
    const n = await count();
    // The same file again: nothing new, nothing changed.
    const again = await importGeoJson(t.db, 'grids', await readFixture('grids.wgs84.geojson'), 'wgs84');
    expect(again).toMatchObject({ inserted: 0 });
    expect(again.updated + again.unchanged).toBe(2);
    expect(await count()).toBe(n);
    const before = await databaseChecksum(t.db);
    const orphan = {
      type: 'FeatureCollection',
      features: [{ ...fx.communities[0], properties: { ...fx.communities[0].properties, code: '210299009009', parentCode: '210299009000' } }],
    };
    const o = await importGeoJson(t.db, 'communities', orphan, 'wgs84').catch((e) => e);
    expect(o).toBeInstanceOf(ImportFailed);
    expect((o as ImportFailed).message).toMatch(/210299009000/);
    expect(await databaseChecksum(t.db)).toEqual(before);
  });
});

describe('OSM network import', () => {
  it('imports a tiny generated .osm.pbf: ways split at shared nodes', async () => {
    const nodes = [
      { id: 1, lon: 121.6, lat: 38.91 },
      { id: 2, lon: 121.601, lat: 38.91 },
      { id: 3, lon: 121.602, lat: 38.91 },
      { id: 4, lon: 121.601, lat: 38.911 },
      { id: 5, lon: 121.603, lat: 38.91 },
    ];
    const ways: PbfWayInput[] = [
      { id: 10, refs: [1, 2, 3], tags: { highway: 'residential', name: '中山路' } },
      { id: 11, refs: [2, 4], tags: { highway: 'footway' } },
      { id: 12, refs: [3, 5], tags: { highway: 'motorway' } },
    ];
    const dir = mkdtempSync(path.join(tmpdir(), 'lc-osm-'));
    const file = path.join(dir, 'tiny.osm.pbf');
    writeFileSync(file, encodeOsmPbf(nodes, ways));
    const r = await importOsmNetwork(t.db, file);
    expect(r.network.edges).toHaveLength(3); // 1-2, 2-3 (way 10 split at 2), 2-4; motorway dropped
    const rows = await sql<{ n: number; nodes: number; len: number; geolen: number }>`
      SELECT count(*)::int AS n, (SELECT count(*)::int FROM network_nodes) AS nodes,
             sum(length_m) AS len, sum(ST_Length(geom::geography)) AS geolen FROM network_edges`.execute(t.db.kysely);
    expect(rows.rows[0].n).toBe(3);
    expect(rows.rows[0].nodes).toBe(4);
    // Our geodesic lengths agree with PostGIS's ellipsoidal ones within 0.5 %.
    expect(Math.abs(rows.rows[0].len - rows.rows[0].geolen) / rows.rows[0].geolen).toBeLessThan(0.005);
  });

  it('rejects a file that is not a .osm.pbf and keeps the previous network', async () => {
    const before = await databaseChecksum(t.db);
    const dir = mkdtempSync(path.join(tmpdir(), 'lc-osm-'));
    const file = path.join(dir, 'bad.osm.pbf');
    writeFileSync(file, 'this is not protobuf');
    await expect(importOsmNetwork(t.db, file)).rejects.toThrow(/osm\.pbf|pbf/i);
    expect(await databaseChecksum(t.db)).toEqual(before);
  });

  const { file: monaco, present } = sharedOsmExtract('monaco', 'the real-OSM import test');
  it.skipIf(!present)('imports Monaco: 5,327 edges and 4,092 vertices, lengths agreeing with PostGIS', async () => {
    const r = await importOsmNetwork(t.db, monaco);
    expect(r.network.edges).toHaveLength(5327);
    const rows = await sql<{ n: number; nodes: number; len: number; geolen: number }>`
      SELECT count(*)::int AS n, (SELECT count(*)::int FROM network_nodes) AS nodes,
             sum(length_m) AS len, sum(ST_Length(geom::geography)) AS geolen FROM network_edges`.execute(t.db.kysely);
    expect(rows.rows[0]).toMatchObject({ n: 5327, nodes: 4092 });
    expect(Math.abs(rows.rows[0].len - rows.rows[0].geolen) / rows.rows[0].geolen).toBeLessThan(0.005);
  });
});
