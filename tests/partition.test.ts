/**
 * The sample city's administrative partition, checked in PostGIS: grids tile their community,
 * communities their street, streets their district, districts the city — no gaps, no overlaps
 * beyond a sliver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDb, type TestDb } from './helpers/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(() => t?.close());

const q = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(t.db.kysely)).rows;

describe('sample-city partition (PostGIS)', () => {
  it('union of grids equals the city (union of districts) within 0.01 %', async () => {
    const [r] = await q(sql<{ city: number; grids: number; diff: number }>`
      WITH city AS (SELECT ST_Union(boundary) AS g FROM districts),
           gr   AS (SELECT ST_Union(boundary) AS g FROM grids)
      SELECT ST_Area(city.g::geography) AS city, ST_Area(gr.g::geography) AS grids,
             ST_Area(ST_SymDifference(city.g, gr.g)::geography) AS diff
        FROM city, gr`);
    expect(r.city).toBeGreaterThan(1e6);
    expect(r.diff / r.city).toBeLessThan(1e-4);
    expect(Math.abs(r.grids - r.city) / r.city).toBeLessThan(1e-4);
  });

  it('no two grids overlap by more than a sliver (1 m²), and the sum of grid areas equals the city', async () => {
    const [r] = await q(sql<{ pairs: number; max_overlap: number; total: number; sum_areas: number; city: number }>`
      WITH o AS (
        SELECT ST_Area(ST_Intersection(a.boundary, b.boundary)::geography) AS area
          FROM grids a JOIN grids b ON a.id < b.id AND a.boundary && b.boundary AND ST_Intersects(a.boundary, b.boundary)
      )
      SELECT count(*)::int AS pairs, coalesce(max(area), 0) AS max_overlap, coalesce(sum(area), 0) AS total,
             (SELECT sum(ST_Area(boundary::geography)) FROM grids) AS sum_areas,
             (SELECT ST_Area(ST_Union(boundary)::geography) FROM districts) AS city
        FROM o`);
    expect(r.pairs).toBeGreaterThan(0); // neighbours touch (shared boundaries)
    expect(r.max_overlap).toBeLessThan(1);
    expect(Math.abs(r.sum_areas - r.city) / r.city).toBeLessThan(1e-4);
  });

  it('neighbouring grids share boundaries (touching pairs share a line, not just points)', async () => {
    const [r] = await q(sql<{ shared: number; touching: number }>`
      SELECT count(*) FILTER (WHERE ST_Length(ST_Intersection(a.boundary, b.boundary)::geography) > 1)::int AS shared,
             count(*)::int AS touching
        FROM grids a JOIN grids b ON a.id < b.id AND ST_Intersects(a.boundary, b.boundary)`);
    expect(r.shared / r.touching).toBeGreaterThan(0.8);
  });

  for (const [child, parent, fk] of [
    ['grids', 'communities', 'community_id'],
    ['communities', 'streets', 'street_id'],
    ['streets', 'districts', 'district_id'],
  ] as const) {
    it(`${child} tile their ${parent}: each parent is the union of its children`, async () => {
      const [r] = await q(sql<{ worst: number; n: number }>`
        WITH u AS (SELECT ${sql.ref(fk)} AS pid, ST_Union(boundary) AS g FROM ${sql.table(child)} GROUP BY 1)
        SELECT max(ST_Area(ST_SymDifference(p.boundary, u.g)::geography) / ST_Area(p.boundary::geography)) AS worst, count(*)::int AS n
          FROM ${sql.table(parent)} p JOIN u ON u.pid = p.id`);
      const [{ parents }] = await q(sql<{ parents: number }>`SELECT count(*)::int AS parents FROM ${sql.table(parent)}`);
      expect(r.n).toBe(parents); // every parent has children
      expect(r.worst).toBeLessThan(1e-4);
    });
  }

  it('codes are hierarchical and grid sequence numbers are unique per community', async () => {
    const [r] = await q(sql<{ bad: number }>`
      SELECT count(*)::int AS bad FROM grids g JOIN communities c ON c.id = g.community_id
        JOIN streets s ON s.id = c.street_id JOIN districts d ON d.id = s.district_id
       WHERE left(g.code, 12) <> c.code OR left(c.code, 9) <> left(s.code, 9) OR left(s.code, 6) <> left(d.code, 6)`);
    expect(r.bad).toBe(0);
  });
});
