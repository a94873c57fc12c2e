/**
 * GET /api/grids?q= — the planner's search box finds grids that are not loaded in the browser
 * (only the view's grids are). Expected rows come from SQL on the same data.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { useTestApp } from './helpers/db.js';

const env = useTestApp();
const get = env.get;

describe('GET /api/grids?q=', () => {
  it('finds grids by part of the name (any case) and by code prefix, with the other filters', async () => {
    const g = (
      await sql<{ name: string; code: string; community: string }>`
      SELECT g.name, g.code, c.code AS community FROM grids g JOIN communities c ON c.id = g.community_id
       WHERE g.deleted_at IS NULL ORDER BY g.code OFFSET 5 LIMIT 1`.execute(env.db.kysely)
    ).rows[0];
    const byName = await get(`/api/grids?q=${encodeURIComponent(g.name)}&limit=8`);
    expect(byName.status).toBe(200);
    expect(byName.body.features.map((f: { properties: { code: string } }) => f.properties.code)).toContain(g.code);
    for (const f of byName.body.features) expect(f.properties.name).toContain(g.name);

    const part = g.name.slice(-4); // e.g. "第6网格"
    const want = (
      await sql<{ code: string }>`SELECT code FROM grids WHERE deleted_at IS NULL AND name ILIKE ${`%${part}%`} ORDER BY code`.execute(env.db.kysely)
    ).rows.map((r) => r.code);
    const got = await get(`/api/grids?q=${encodeURIComponent(part)}`);
    expect(got.body.features.map((f: { properties: { code: string } }) => f.properties.code)).toEqual(want);
    const limited = await get(`/api/grids?q=${encodeURIComponent(part)}&limit=3`);
    expect(limited.body.features.length).toBe(Math.min(3, want.length));

    const byCode = await get(`/api/grids?q=${g.community}`);
    const inCommunity = (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM grids g JOIN communities c ON c.id = g.community_id WHERE g.deleted_at IS NULL AND c.code = ${g.community}`.execute(
        env.db.kysely,
      )
    ).rows[0].n;
    expect(byCode.body.features.length).toBe(inCommunity);
    expect((await get(`/api/grids?q=${g.community}&community=${g.community}`)).body.features.length).toBe(inCommunity);
  });

  it('treats % and _ literally, and rejects an empty or over-long q', async () => {
    expect((await get('/api/grids?q=%25')).body.features).toEqual([]);
    expect((await get('/api/grids?q=_')).body.features).toEqual([]);
    const empty = await get('/api/grids?q=');
    expect(empty.status).toBe(400);
    expect(empty.body.message_zh).toMatch(/[\u4e00-\u9fff]/);
    expect((await get(`/api/grids?q=${'a'.repeat(51)}`)).status).toBe(400);
  });
});
