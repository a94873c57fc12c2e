/** Migrations and database-level constraints, on the engine of this run (real PostGIS). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDb, type TestDb } from './helpers/db.js';
import { appliedMigrations, loadMigrations, migrate } from '../server/db/migrate.js';
import { STATION_TYPES } from '../server/domain/stations.js';

describe('migrations', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb({ seeded: false });
  });
  afterAll(() => t?.close());

  it('apply in order on an empty database, then a second run does nothing', async () => {
    const all = (await loadMigrations()).map((m) => m.name);
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(await migrate(t.db)).toEqual(all);
    expect(await migrate(t.db)).toEqual([]);
    expect(await appliedMigrations(t.db)).toEqual(all);
  });

  it('installs PostGIS', async () => {
    const r = await sql<{ v: string }>`SELECT postgis_lib_version() AS v`.execute(t.db.kysely);
    expect(r.rows[0].v).toMatch(/^3\./);
  });

  it('seeds station types that agree with server/domain/stations.ts', async () => {
    const rows = await t.db.kysely.selectFrom('station_types').selectAll().orderBy('code').execute();
    const expected = [...STATION_TYPES]
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((s) => ({
        code: s.code,
        name_zh: s.nameZh,
        name_en: s.nameEn,
        coverage_mode: s.coverageMode,
        coverage_radius_m: s.coverageRadiusM,
        coverage_minutes: s.coverageMinutes,
      }));
    expect(rows).toEqual(expected);
  });

  it('refuses to run a migration whose applied file changed', async () => {
    const { mkdtemp, writeFile, readFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { MIGRATIONS_DIR } = await import('../server/db/migrate.js');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lc-mig-'));
    for (const m of await loadMigrations()) {
      const text = await readFile(path.join(MIGRATIONS_DIR, `${m.name}.sql`), 'utf8');
      await writeFile(path.join(dir, `${m.name}.sql`), m.name === '002_station_types' ? `${text}\n-- edited\n` : text);
    }
    await expect(migrate(t.db, dir)).rejects.toThrow(/checksum|已被修改/);
  });

  it('rolls back a failing migration completely', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lc-mig-'));
    await writeFile(path.join(dir, '001_half.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n');
    await expect(migrate(t.db, dir)).rejects.toThrow(/001_half/);
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'half_done'`.execute(t.db.kysely);
    expect(r.rows[0].n).toBe(0);
    const m = await sql<{ n: number }>`SELECT count(*)::int AS n FROM schema_migrations WHERE name = '001_half'`.execute(t.db.kysely);
    expect(m.rows[0].n).toBe(0);
  });
});

describe('geometry constraints', () => {
  let t: TestDb;
  let communityId: number;
  beforeAll(async () => {
    t = await openTestDb();
    communityId = (await t.db.kysely.selectFrom('communities').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  });
  afterAll(() => t?.close());

  const insertGrid = (code: string, geom: ReturnType<typeof sql>) =>
    sql`INSERT INTO grids (code, name, community_id, boundary) VALUES (${code}, 'test', ${communityId}, ${geom})`.execute(t.db.kysely);

  it('accepts a valid WGS84 polygon', async () => {
    await insertGrid('T1', sql`ST_GeomFromText('POLYGON((121.6 38.9,121.601 38.9,121.601 38.901,121.6 38.9))', 4326)`);
  });

  it('rejects a self-intersecting polygon (bowtie)', async () => {
    await expect(insertGrid('T2', sql`ST_GeomFromText('POLYGON((121.6 38.9,121.601 38.901,121.601 38.9,121.6 38.901,121.6 38.9))', 4326)`)).rejects.toThrow(
      /grids_boundary_valid/,
    );
  });

  it('rejects another SRID', async () => {
    await expect(insertGrid('T3', sql`ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 3857)`)).rejects.toThrow(/SRID/i);
  });

  it('rejects an empty polygon', async () => {
    await expect(insertGrid('T4', sql`ST_GeomFromText('POLYGON EMPTY', 4326)`)).rejects.toThrow(/grids_boundary_valid/);
  });

  it('rejects a point where a polygon belongs', async () => {
    await expect(insertGrid('T5', sql`ST_GeomFromText('POINT(121.6 38.9)', 4326)`)).rejects.toThrow(/type|Polygon/i);
  });

  it('rejects coordinates outside lon/lat range', async () => {
    await expect(insertGrid('T6', sql`ST_GeomFromText('POLYGON((200 38.9,201 38.9,201 39,200 38.9))', 4326)`)).rejects.toThrow(/lonlat/);
  });

  it('rejects unknown amenities and statuses on stations', async () => {
    const ins = (amen: string[], status: string) =>
      sql`INSERT INTO stations (code, type_code, name, geom, amenities, status) VALUES (${`X${amen.length}${status}`}, 'courier_station', 'x', ST_SetSRID(ST_MakePoint(121.6, 38.9), 4326), ${amen}::text[], ${status})`.execute(
        t.db.kysely,
      );
    await expect(ins(['water', 'jacuzzi'], 'open')).rejects.toThrow(/amenities/);
    await expect(ins(['water'], 'maybe')).rejects.toThrow(/status/);
    await ins(['water', 'charging'], 'open');
  });

  it('has a GiST index on every geometry column', async () => {
    const r = await sql<{ tbl: string; col: string }>`
      SELECT c.table_name AS tbl, c.column_name AS col FROM information_schema.columns c
       WHERE c.table_schema = 'public' AND c.udt_name = 'geometry'
         AND NOT EXISTS (SELECT 1 FROM pg_indexes i WHERE i.tablename = c.table_name AND i.indexdef ILIKE '%gist%' AND i.indexdef LIKE '%' || c.column_name || '%')`.execute(
      t.db.kysely,
    );
    expect(r.rows).toEqual([]);
  });
});
