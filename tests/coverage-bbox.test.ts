/**
 * What the planner map asks for by viewport and zoom (issue 4): `bbox` on /api/coverage and
 * /api/coverage/gaps, `format=shares`, `format=stats&level=…` (roll-ups without grids), and the
 * grids and outlines the map loads. Expected sets come from PostGIS on the same data (`&&`, the
 * test GET /api/grids?bbox= uses), not from the route under test.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { useTestApp } from './helpers/db.js';

const env = useTestApp();
const get = env.get;

/** A quarter of the city's extent (its south-west corner), as a bbox string and numbers. */
async function quarterBbox(): Promise<{ s: string; b: [number, number, number, number] }> {
  const r = await sql<{ x0: number; y0: number; x1: number; y1: number }>`
    SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1
      FROM (SELECT ST_Extent(boundary)::geometry AS e FROM grids WHERE deleted_at IS NULL) t`.execute(env.db.kysely);
  const { x0, y0, x1, y1 } = r.rows[0];
  const b: [number, number, number, number] = [x0, y0, x0 + (x1 - x0) / 2, y0 + (y1 - y0) / 2];
  return { s: b.map((n) => n.toFixed(6)).join(','), b };
}

/** Ids of the live grids whose bounding box meets `bbox` (PostGIS `&&`). */
async function gridIdsIn(b: [number, number, number, number]): Promise<number[]> {
  const r = await sql<{ id: number }>`
    SELECT id FROM grids WHERE deleted_at IS NULL AND boundary && ST_MakeEnvelope(${b[0]}, ${b[1]}, ${b[2]}, ${b[3]}, 4326) ORDER BY id`.execute(env.db.kysely);
  return r.rows.map((x) => x.id);
}

describe('coverage by viewport', () => {
  it('format=stats&bbox= lists the grids meeting the bbox (as PostGIS && does); roll-ups stay city-wide', async () => {
    const { s, b } = await quarterBbox();
    const all = await get('/api/coverage?format=stats');
    const part = await get(`/api/coverage?format=stats&bbox=${s}`);
    expect(part.status).toBe(200);
    const want = await gridIdsIn(b);
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(all.body.grids.length);
    expect(part.body.grids.map((g: { id: number }) => g.id).sort((x: number, y: number) => x - y)).toEqual(want);
    // Same figures as the whole-city answer for those grids.
    const byId = new Map(all.body.grids.map((g: { id: number }) => [g.id, g]));
    for (const g of part.body.grids) expect(g).toEqual(byId.get(g.id));
    expect(part.body.units).toEqual(all.body.units);
  });

  it('format=shares gives id, covered share and uncovered people, and those grids’ gap polygons, equal to the stats and geojson answers', async () => {
    const { s, b } = await quarterBbox();
    const stats = await get(`/api/coverage?format=stats&mode=radius&radius=300&bbox=${s}`);
    const shares = await get(`/api/coverage?format=shares&mode=radius&radius=300&bbox=${s}`);
    expect(shares.status).toBe(200);
    expect(shares.body.units).toBeUndefined();
    expect(shares.body.meta).toMatchObject({ mode: 'radius' });
    expect(shares.body.grids.map((g: { id: number }) => g.id).sort((x: number, y: number) => x - y)).toEqual(await gridIdsIn(b));
    // Each grid's shares are the stats answer's figures for it (by population: covered ÷ residents).
    expect(shares.body.grids.map((g: { id: number }) => g.id)).toEqual(stats.body.grids.map((g: { id: number }) => g.id));
    const statOf = new Map(stats.body.grids.map((g: any) => [g.id, g]));
    for (const g of shares.body.grids) {
      const st: any = statOf.get(g.id);
      expect(Object.keys(g).sort()).toEqual(['by_type', 'covered_share', 'covered_share_by_population', 'id', 'missing_types', 'uncovered_population']);
      expect({ ...g, covered_share_by_population: undefined }).toEqual({
        id: st.id,
        covered_share: st.covered_share,
        covered_share_by_population: undefined,
        uncovered_population: st.uncovered_population,
        by_type: st.by_type,
        missing_types: st.missing_types,
      });
      if (st.population > 0) expect(g.covered_share_by_population).toBeCloseTo(st.covered_population / st.population, 3);
      else expect(g.covered_share_by_population).toBeNull();
    }
    const fc = await get(`/api/coverage?mode=radius&radius=300&bbox=${s}`);
    expect(shares.body.gaps).toEqual(fc.body.gaps);
    expect(shares.body.gaps.features.length).toBeGreaterThan(0); // 300 m leaves gaps everywhere
    // Without bbox: every grid, in far fewer bytes per grid than the stats answer (for the
    // planner's opening question, one type: with every type both carry a share per type).
    const whole = await get('/api/coverage?format=shares&types=party_service_center');
    const full = await get('/api/coverage?format=stats&types=party_service_center');
    expect(whole.body.grids.length).toBe(full.body.grids.length);
    // (Since each grid carries by_type and missing_types for the popup, about a third: was a quarter.)
    expect(JSON.stringify(whole.body.grids).length).toBeLessThan(JSON.stringify(full.body.grids).length * 0.4);
  });

  it('format=stats&level=community|street|district: roll-ups down to that level, no grids', async () => {
    const full = await get('/api/coverage?format=stats');
    const levels = ['city', 'district', 'street', 'community'];
    for (const [level, depth] of [
      ['community', 3],
      ['street', 2],
      ['district', 1],
    ] as const) {
      const r = await get(`/api/coverage?format=stats&level=${level}`);
      expect(r.status).toBe(200);
      expect(r.body.grids).toEqual([]);
      expect(r.body.units).toEqual(full.body.units.filter((u: { level: string }) => levels.indexOf(u.level) <= depth));
    }
    // level=grid (the default) keeps the grids.
    expect((await get('/api/coverage?format=stats&level=grid')).body.grids.length).toBe(full.body.grids.length);
  });

  it('gaps?bbox= keeps the city-wide rank and lists only gaps meeting the bbox', async () => {
    const { s, b } = await quarterBbox();
    const all = await get('/api/coverage/gaps?limit=20000');
    const part = await get(`/api/coverage/gaps?limit=20000&bbox=${s}`);
    expect(part.status).toBe(200);
    const meets = (f: { geometry: { coordinates: number[][][][] } }) =>
      f.geometry.coordinates.some((poly) => {
        const xs = poly[0].map((p) => p[0]);
        const ys = poly[0].map((p) => p[1]);
        return Math.min(...xs) <= b[2] && Math.max(...xs) >= b[0] && Math.min(...ys) <= b[3] && Math.max(...ys) >= b[1];
      });
    const want = all.body.features.filter(meets);
    expect(part.body.features).toEqual(want);
    if (all.body.features.length > 1) expect(want.length).toBeLessThan(all.body.features.length);
    // limit counts after the filter; ranks are the city-wide ones (ascending, possibly with gaps).
    const two = await get(`/api/coverage/gaps?limit=2&bbox=${s}`);
    expect(two.body.features).toEqual(want.slice(0, 2));
  });

  it('a bbox that meets no grid: empty lists, city roll-ups', async () => {
    const r = await get('/api/coverage?format=stats&bbox=0,0,0.01,0.01');
    expect(r.status).toBe(200);
    expect(r.body.grids).toEqual([]);
    expect(r.body.units.find((u: { level: string }) => u.level === 'city').grids).toBeGreaterThan(0);
    expect((await get('/api/coverage/gaps?bbox=0,0,0.01,0.01')).body.features).toEqual([]);
    expect((await get('/api/coverage?format=shares&bbox=0,0,0.01,0.01')).body.grids).toEqual([]);
  });

  it('csv and geojson follow the bbox for grid rows; unit rows stay city-wide', async () => {
    const { s, b } = await quarterBbox();
    const n = (await gridIdsIn(b)).length;
    const csv = await env.app.inject({ url: `/api/coverage?format=csv&level=grid&bbox=${s}` });
    expect(csv.body.trim().split('\n').length - 1).toBe(n);
    const streets = await env.app.inject({ url: `/api/coverage?format=csv&level=street&bbox=${s}` });
    const streetsAll = await env.app.inject({ url: '/api/coverage?format=csv&level=street' });
    expect(streets.body).toBe(streetsAll.body);
    const fc = await get(`/api/coverage?bbox=${s}`);
    expect(fc.body.features.length).toBe(n);
    for (const g of fc.body.gaps.features) expect(fc.body.features.some((f: { id: number }) => f.id === g.properties.grid_id)).toBe(true);
  });

  it.each([
    ['1,2,3', /bbox 格式错误/],
    ['a,b,c,d', /bbox 格式错误/],
    ['121.7,38.9,121.6,39.0', /最小值大于最大值/],
    ['-200,0,0,1', /超出经纬度范围/],
  ])('rejects bbox=%s with a Chinese-first 400 (coverage, shares, gaps)', async (bbox, zh) => {
    for (const url of [`/api/coverage?format=stats&bbox=${bbox}`, `/api/coverage?format=shares&bbox=${bbox}`, `/api/coverage/gaps?bbox=${bbox}`]) {
      const r = await get(url);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_bbox');
      expect(r.body.message_zh).toMatch(zh);
      expect(r.body.message).toBe(`${r.body.message_zh} / ${r.body.message_en}`);
    }
  });

  it('rejects an unknown format and level with 400', async () => {
    expect((await get('/api/coverage?format=tiles')).status).toBe(400);
    expect((await get('/api/coverage?format=stats&level=city')).status).toBe(400);
  });
});
