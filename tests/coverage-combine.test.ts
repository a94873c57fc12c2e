/**
 * Several station types at once: "任一类型" (any) and "全部齐全" (all) per grid against PostGIS
 * (ST_Buffer(geography) circles of each type, ST_Union per type, then ST_Union / ST_Intersection
 * of the two types' areas, ST_Area(geography)), the missing types in grids, gaps and exports, and
 * the 覆盖口径 (standards) in the answer.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { useTestApp } from './helpers/db.js';

const env = useTestApp();

const get = async (url: string) => {
  const r = await env.app.inject({ method: 'GET', url });
  if (r.statusCode !== 200) throw new Error(`${url} → ${r.statusCode}: ${r.body}`);
  return r.headers['content-type']?.toString().startsWith('text/csv') ? r.body : r.json();
};

const A = 'party_service_center';
const B = 'courier_station';
const R = 600; // smaller than the types' own 1 km, so many grids are partly covered
const q = (combine: string, extra = '') => `/api/coverage?types=${A},${B}&mode=radius&radius=${R}&combine=${combine}${extra}`;

describe('any / all of two types agree with PostGIS', () => {
  it('per grid: any = grid ∩ (A ∪ B), all = grid ∩ A ∩ B, within 0.5 percentage points', async () => {
    const [any, all, onlyA, onlyB] = await Promise.all([
      get(q('any', '&format=stats')),
      get(q('all', '&format=stats')),
      get(`/api/coverage?types=${A}&mode=radius&radius=${R}&format=stats`),
      get(`/api/coverage?types=${B}&mode=radius&radius=${R}&format=stats`),
    ]);
    const pg = await sql<{ id: number; any: number; all: number }>`
      WITH t AS (
        SELECT type_code, ST_Union(ST_Buffer(geom::geography, ${R}, 'quad_segs=64')::geometry) AS g
          FROM stations WHERE type_code IN (${A}, ${B}) AND status = 'open' AND deleted_at IS NULL GROUP BY type_code),
      a AS (SELECT g FROM t WHERE type_code = ${A}),
      b AS (SELECT g FROM t WHERE type_code = ${B})
      SELECT gr.id,
             ST_Area(ST_Intersection(gr.boundary, ST_Union(a.g, b.g))::geography) / ST_Area(gr.boundary::geography) AS any,
             ST_Area(ST_Intersection(gr.boundary, ST_Intersection(a.g, b.g))::geography) / ST_Area(gr.boundary::geography) AS all
        FROM grids gr, a, b WHERE gr.deleted_at IS NULL ORDER BY gr.id`.execute(env.db.kysely);
    const ref = new Map(pg.rows.map((r) => [r.id, r]));
    expect(all.grids).toHaveLength(pg.rows.length);
    const shareA = new Map(onlyA.grids.map((g: any) => [g.id, g.covered_share]));
    const shareB = new Map(onlyB.grids.map((g: any) => [g.id, g.covered_share]));
    let worst = 0;
    let notProduct = 0;
    let partialBoth = 0;
    for (const g of all.grids) {
      const r = ref.get(g.id)!;
      worst = Math.max(worst, Math.abs(g.covered_share - r.all));
      const a = shareA.get(g.id) as number;
      const b = shareB.get(g.id) as number;
      if (a > 0.01 && a < 0.99 && b > 0.01 && b < 0.99) partialBoth++;
      // Where the product of shares would be wrong by more than a point, the geometric answer is still right.
      if (Math.abs(a * b - r.all) > 0.01) notProduct++;
      expect(g.covered_share).toBeLessThanOrEqual(Math.min(a, b) + 1e-4);
      expect(g.by_type).toEqual({ [A]: a, [B]: b });
    }
    for (const g of any.grids) worst = Math.max(worst, Math.abs(g.covered_share - ref.get(g.id)!.any));
    expect(partialBoth).toBeGreaterThan(3); // real two-type clipping, not only 0 and 1
    expect(notProduct).toBeGreaterThan(0);
    expect(worst).toBeLessThan(0.005);
    // The city figures: all ≤ each type alone ≤ any.
    const city = (r: any) => r.units.find((u: any) => u.level === 'city').covered_share_by_population;
    expect(city(all)).toBeLessThan(Math.min(city(onlyA), city(onlyB)));
    expect(city(any)).toBeGreaterThan(Math.max(city(onlyA), city(onlyB)));
    expect(all.meta).toMatchObject({ combine: 'all', types: [B, A].sort() });
  });

  it('one type: any and all are the same answer; combine is checked', async () => {
    const [x, y] = await Promise.all([get(`/api/coverage?types=${A}&combine=any&format=stats`), get(`/api/coverage?types=${A}&combine=all&format=stats`)]);
    expect(y.units).toEqual(x.units);
    const bad = await env.app.inject({ method: 'GET', url: `/api/coverage?types=${A}&combine=some` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message_en).toBeTruthy();
  });
});

describe('the missing types are named', () => {
  it('in grids, shares, units, the gap list, CSV, XLSX and the gap export', async () => {
    const stats = await get(q('all', '&format=stats'));
    const lacking = stats.grids.filter((g: any) => g.missing_types.length > 0);
    expect(lacking.length).toBeGreaterThan(0);
    // A type is missing exactly where its own coverage leaves a gap (of ≥ 1 m²) in the grid.
    const own = new Map<string, Map<number, any>>();
    for (const t of [A, B]) own.set(t, new Map((await get(`/api/coverage?types=${t}&mode=radius&radius=${R}&format=stats`)).grids.map((g: any) => [g.id, g])));
    for (const g of stats.grids) {
      for (const t of [A, B]) expect(g.missing_types.includes(t)).toBe(own.get(t)!.get(g.id).gap_area_m2 >= 1);
      if (g.missing_types.length === 0) expect(g.covered_share).toBeGreaterThan(0.999);
    }
    const shares = await get(q('all', '&format=shares'));
    expect(shares.grids.find((s: any) => s.id === lacking[0].id).missing_types).toEqual(lacking[0].missing_types);

    const gaps = await get(`/api/coverage/gaps?types=${A},${B}&mode=radius&radius=${R}&combine=all&limit=50`);
    expect(gaps.features.length).toBeGreaterThan(0);
    for (const f of gaps.features) {
      expect(f.properties.missing_types.length).toBeGreaterThan(0);
      expect(f.properties.missing_types_zh).toMatch(/党群服务中心|爱心驿站/);
    }

    const csv: string = await get(q('all', '&format=csv&level=grid'));
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toContain('缺少类型 missing types');
    expect(lines[0]).toContain('口径 basis');
    expect(csv).toContain('全部齐全（爱心驿站、党群服务中心）');
    const withMissing = lines.slice(1).filter((l) => /爱心驿站|党群服务中心/.test(l.split(',').slice(11, 12).join()));
    expect(withMissing.length).toBe(lacking.length);

    const community: string = await get(q('any', '&format=csv&level=community'));
    expect(community.split(/\r?\n/)[0]).toContain('缺少类型 missing types');
    expect(community).toContain('任一类型（爱心驿站、党群服务中心）');

    const xlsx = await env.app.inject({ method: 'GET', url: q('all', '&format=xlsx') });
    expect(xlsx.statusCode).toBe(200);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('网格')!;
    const header = sheet.getRow(1).values as unknown[];
    const col = header.indexOf('缺少类型');
    expect(col).toBeGreaterThan(0);
    let named = 0;
    sheet.eachRow((row, n) => {
      if (n > 1 && String(row.getCell(col).value ?? '').length > 0) named++;
    });
    expect(named).toBe(lacking.length);

    const exp = await get(`/api/export/gaps?types=${A},${B}&mode=radius&radius=${R}&combine=all`);
    expect(exp.features.length).toBe(stats.grids.filter((g: any) => g.gap_area_m2 >= 1 && g.missing_types.length).length);
    expect(exp.features.every((f: any) => /党群服务中心|爱心驿站/.test(f.properties.missingTypes))).toBe(true);
  });
});

describe('覆盖口径: the standard in use', () => {
  it('names per type the mode, radius or minutes, speed and buffer, and the time of day', async () => {
    const own = await get(`/api/coverage?types=${A},elderly_canteen&format=stats&level=district`);
    const byType = new Map(own.meta.standards.map((s: any) => [s.type, s]));
    expect(byType.get(A)).toMatchObject({ mode: 'radius', radius_m: 1000, minutes: null, walk_speed_kmh: null, name_zh: '党群服务中心' });
    expect(byType.get('elderly_canteen')).toMatchObject({ mode: 'walk', radius_m: null, minutes: 15, walk_speed_kmh: 4.8, limit_m: 1200, buffer_m: 50 });
    expect(own.meta).toMatchObject({ open_at: null, population_source: 'even', combine: 'any' });
    const walk = await get(`/api/coverage?types=${A}&mode=walk&minutes=10&open_at=2026-12-03T07:00&format=stats&level=district`);
    expect(walk.meta.standards[0]).toMatchObject({ mode: 'walk', minutes: 10, limit_m: 800 });
    expect(walk.meta.open_at).toMatch(/^2026-12-0[23]T/);
  });
});
