/**
 * Grid editing end to end on real PostGIS: logins, a shared border moved (both grids change),
 * stale versions, 20 concurrent editors, split/merge/delete/restore, history, dry runs, and the
 * street still partitioned exactly after every accepted edit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Polygon } from 'geojson';
import { sql } from 'kysely';
import { openTestApp } from './helpers/db.js';
import type { Db } from '../server/db/connect.js';
import { databaseChecksum } from './helpers/checksum.js';
import { bearer, liveGrids, login, bulgeEdge, partitionErrors, sharedEdge, type GridInfo } from './helpers/editing.js';

let app: FastifyInstance;
let db: Db;
let close: () => Promise<void>;
let street1: string;
let street2: string;
let editor1: string;

beforeAll(async () => {
  ({ app, db, close } = await openTestApp());
  const streets = await db.kysely.selectFrom('streets').select(['id', 'code']).orderBy('code').execute();
  street1 = streets[0].code;
  street2 = streets[1].code;
  editor1 = await login(app, 'editor1');
}, 120_000);
afterAll(async () => close?.());

const patch = (id: number, token: string, version: number | null, body: object, query = '') =>
  app.inject({
    method: 'PATCH',
    url: `/api/grids/${id}${query}`,
    headers: { ...bearer(token), ...(version !== null ? { 'if-match': `"${version}"` } : {}) },
    payload: body,
  });

async function expectPartition(streetId: number) {
  const e = await partitionErrors(db, streetId);
  expect(e.overlapM2).toBeLessThan(0.5);
  expect(e.gapM2).toBeLessThan(1);
  expect(e.outsideM2).toBeLessThan(1);
}

describe('login', () => {
  it('rejects a wrong password with 401 and a Chinese message', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'editor1', password: 'wrong-password' } });
    expect(r.statusCode).toBe(401);
    expect(r.json().message_zh).toMatch(/用户名或密码错误/);
  });

  it('sets an httpOnly SameSite session cookie that identifies the user, until logout', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'editor1', password: 'lifecircle-demo' } });
    expect(r.statusCode).toBe(200);
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toMatch(/lc_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const cookie = { lc_session: r.cookies.find((c) => c.name === 'lc_session')!.value };
    const me = await app.inject({ method: 'GET', url: '/api/auth/me', cookies: cookie });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'editor1', role: 'street_editor', streets: [{ code: street1 }] });
    expect((await app.inject({ method: 'POST', url: '/api/auth/logout', cookies: cookie })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', cookies: cookie })).statusCode).toBe(401);
  });

  it('stores passwords only as scrypt hashes', async () => {
    const rows = await db.kysely.selectFrom('users').select('password_hash').execute();
    for (const r of rows) expect(r.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$/);
  });
});

describe('moving a shared border', () => {
  it('changes both grids, bumps both versions, records history, and keeps the street partitioned', async () => {
    const grids = await liveGrids(db, street1);
    const { grid, neighbour, index } = sharedEdge(grids);
    const polygon = bulgeEdge(grid, index, neighbour, 0.2);
    const r = await patch(grid.id, editor1, grid.version, { geometry: polygon });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.changes.map((c: { grid_id: number; role: string }) => [c.grid_id, c.role]).sort()).toEqual(
      [
        [grid.id, 'edited'],
        [neighbour.id, 'adjusted'],
      ].sort(),
    );
    const after = await liveGrids(db, street1);
    const g2 = after.find((g) => g.id === grid.id)!;
    const n2 = after.find((g) => g.id === neighbour.id)!;
    expect(g2.version).toBe(grid.version + 1);
    expect(n2.version).toBe(neighbour.version + 1);
    // The neighbour lost exactly what the grid gained.
    const areas = await sql<{ g0: number; g1: number; n0: number; n1: number }>`
      SELECT ST_Area(ST_GeomFromGeoJSON(${JSON.stringify(grid.geometry)})::geography) g0, ST_Area(ST_GeomFromGeoJSON(${JSON.stringify(g2.geometry)})::geography) g1,
             ST_Area(ST_GeomFromGeoJSON(${JSON.stringify(neighbour.geometry)})::geography) n0, ST_Area(ST_GeomFromGeoJSON(${JSON.stringify(n2.geometry)})::geography) n1`.execute(
      db.kysely,
    );
    const a = areas.rows[0];
    expect(a.g1 - a.g0).toBeGreaterThan(10);
    expect(Math.abs(a.g1 - a.g0 + (a.n1 - a.n0))).toBeLessThan(0.5);
    const h = await app.inject({ method: 'GET', url: `/api/grids/${grid.id}/history`, headers: bearer(editor1) });
    expect(h.json().entries[0]).toMatchObject({ version: grid.version + 1, operation: 'reshape', changed_by: 'editor1' });
    // The seeded version is listed (from the first change's `before`) so it can be restored.
    expect(h.json().entries.at(-1)).toMatchObject({ version: 1, operation: 'original' });
    expect(h.json().entries.at(-1).after_geometry.type).toBe('Polygon');
    await expectPartition(grid.street_id);
  });

  it('a stale version gets 409 with the current version and geometry, and writes nothing', async () => {
    const grids = await liveGrids(db, street1);
    const { grid, neighbour, index } = sharedEdge(grids);
    const before = await databaseChecksum(db);
    const r = await patch(grid.id, editor1, grid.version - 0 + 5, { geometry: bulgeEdge(grid, index, neighbour, 0.1) });
    expect(r.statusCode).toBe(409);
    expect(r.json().details).toMatchObject({ grid_id: grid.id, current_version: grid.version, your_version: grid.version + 5 });
    expect(r.json().details.current.geometry.type).toBe('Polygon');
    expect(await databaseChecksum(db)).toEqual(before);
  });

  it('a write without any version is refused (428)', async () => {
    const [g] = await liveGrids(db, street1);
    const r = await patch(g.id, editor1, null, { name: '新名字' });
    expect(r.statusCode).toBe(428);
  });

  it('dry_run answers with the impact preview and writes nothing', async () => {
    const grids = await liveGrids(db, street1);
    // Each type's covered share per grid from the coverage route (whole city, each type's own
    // standard); the border moved is one of a partly covered grid, so the shares below mean something.
    const types: string[] = (await app.inject('/api/station-types')).json().types.map((t: { code: string }) => t.code);
    const sharesOf = new Map<string, Map<number, number>>();
    for (const t of types)
      sharesOf.set(
        t,
        new Map(
          (await app.inject(`/api/coverage?format=shares&types=${t}`)).json().grids.map((x: { id: number; covered_share: number }) => [x.id, x.covered_share]),
        ),
      );
    const partly = (id: number) => types.some((t) => sharesOf.get(t)!.get(id)! > 0.05 && sharesOf.get(t)!.get(id)! < 0.95);
    const { grid, neighbour, index } = sharedEdge(grids, (g, n) => g.community_id === n.community_id && (partly(g.id) || partly(n.id)));
    const before = await databaseChecksum(db);
    const r = await patch(grid.id, editor1, grid.version, { geometry: bulgeEdge(grid, index, neighbour, 0.15) }, '?dry_run=true');
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.dry_run).toBe(true);
    expect(body.change_id).toBeNull();
    expect(body.impact.population_after).toBe(body.impact.population_before);
    expect(body.impact.coverage.map((c: { type: string }) => c.type)).toContain('party_service_center');
    // A border moved between two grids leaves their union as it was: the same area, so for every
    // station type the same covered share (computed over the grids before and over the grids after).
    expect(body.impact.grids).toBe(2);
    expect(body.impact.area_m2_after).toBeCloseTo(body.impact.area_m2_before, -1);
    for (const c of body.impact.coverage) {
      expect(c.covered_share_before).toBeGreaterThanOrEqual(0);
      expect(c.covered_share_after).toBeLessThanOrEqual(1);
      expect(c.covered_share_after, c.type).toBeCloseTo(c.covered_share_before, 3);
    }
    // Before the edit, the same shares come from the coverage route (whole city, every type's own
    // standard): the area-weighted mean of the two grids' covered shares.
    const areas = new Map<number, number>((await app.inject(`/api/grids?street=${street1}`)).json().features.map((f: any) => [f.id, f.properties.area_m2]));
    for (const c of body.impact.coverage) {
      const share = sharesOf.get(c.type)!;
      const weighted =
        (share.get(grid.id)! * areas.get(grid.id)! + share.get(neighbour.id)! * areas.get(neighbour.id)!) / (areas.get(grid.id)! + areas.get(neighbour.id)!);
      expect(c.covered_share_before, c.type).toBeCloseTo(weighted, 2);
    }
    expect(body.impact.coverage.some((c: { covered_share_before: number }) => c.covered_share_before > 0.01 && c.covered_share_before < 0.99)).toBe(true);
    expect(await databaseChecksum(db)).toEqual(before);
  });
});

describe('20 editors at once', () => {
  async function race(requests: (() => Promise<{ statusCode: number; body: string }>)[]) {
    const results = await Promise.all(requests.map((f) => f()));
    return {
      ok: results.filter((r) => r.statusCode === 200),
      conflicts: results.filter((r) => r.statusCode === 409),
      other: results.filter((r) => r.statusCode !== 200 && r.statusCode !== 409),
    };
  }

  it('reshape: exactly one wins, the rest get 409, one history entry, the stored geometry is the winner’s', async () => {
    const grids = await liveGrids(db, street1);
    const { grid, neighbour, index } = sharedEdge(grids);
    const recorded = (entries: { operation: string }[]) => entries.filter((e) => e.operation !== 'original').length;
    const historyBefore = recorded((await app.inject({ method: 'GET', url: `/api/grids/${grid.id}/history`, headers: bearer(editor1) })).json().entries);
    const shapes = Array.from({ length: 20 }, (_, i) => bulgeEdge(grid, index, neighbour, 0.05 + i * 0.01));
    const { ok, conflicts, other } = await race(shapes.map((s) => () => patch(grid.id, editor1, grid.version, { geometry: s })));
    expect(other.map((o) => o.body)).toEqual([]);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(19);
    const history = (await app.inject({ method: 'GET', url: `/api/grids/${grid.id}/history`, headers: bearer(editor1) })).json().entries;
    expect(recorded(history)).toBe(historyBefore + 1);
    const winner = JSON.parse(ok[0].body).changes.find((c: { grid_id: number }) => c.grid_id === grid.id).geometry as Polygon;
    const stored = (await liveGrids(db, street1)).find((g) => g.id === grid.id)!;
    const d = await sql<{
      d: number;
    }>`SELECT ST_HausdorffDistance(ST_GeomFromGeoJSON(${JSON.stringify(winner)}), ST_GeomFromGeoJSON(${JSON.stringify(stored.geometry)})) * 111000 AS d`.execute(
      db.kysely,
    );
    expect(d.rows[0].d).toBeLessThan(0.01);
    await expectPartition(grid.street_id);
  });

  it('split: exactly one wins', async () => {
    const grids = await liveGrids(db, street1);
    const g = grids[grids.length - 1];
    const line = await splitLine(g);
    const { ok, conflicts, other } = await race(
      Array.from(
        { length: 20 },
        () => () =>
          app.inject({ method: 'POST', url: `/api/grids/${g.id}/split`, headers: { ...bearer(editor1), 'if-match': String(g.version) }, payload: { line } }),
      ),
    );
    expect(other.map((o) => o.body)).toEqual([]);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(19);
    expect(JSON.parse(ok[0].body).changes.filter((c: { role: string }) => c.role === 'created')).toHaveLength(1);
    await expectPartition(g.street_id);
  });

  it('merge: exactly one wins', async () => {
    const grids = await liveGrids(db, street1);
    const { grid, neighbour } = sharedEdge(grids);
    const { ok, conflicts, other } = await race(
      Array.from(
        { length: 20 },
        () => () =>
          app.inject({
            method: 'POST',
            url: '/api/grids/merge',
            headers: bearer(editor1),
            payload: {
              grids: [
                { id: grid.id, version: grid.version },
                { id: neighbour.id, version: neighbour.version },
              ],
            },
          }),
      ),
    );
    expect(other.map((o) => o.body)).toEqual([]);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(19);
    const live = await liveGrids(db, street1);
    expect(live.some((g) => g.id === neighbour.id)).toBe(false);
    await expectPartition(grid.street_id);
  });
});

/** A straight line through the grid's centroid, long enough to cross it completely. */
async function splitLine(g: GridInfo) {
  const r = await sql<{ x: number; y: number; w: number }>`
    SELECT ST_X(ST_PointOnSurface(b)) x, ST_Y(ST_PointOnSurface(b)) y, ST_XMax(b) - ST_XMin(b) w FROM (SELECT ST_GeomFromGeoJSON(${JSON.stringify(g.geometry)}) b) t`.execute(
    db.kysely,
  );
  const { x, y, w } = r.rows[0];
  return {
    type: 'LineString',
    coordinates: [
      [x - w, y + 1e-6],
      [x + w, y - 1e-6],
    ],
  };
}

async function streetPopulation(streetId: number): Promise<number> {
  const r = await sql<{
    p: number;
  }>`SELECT sum(g.population)::int AS p FROM grids g JOIN communities c ON c.id = g.community_id WHERE c.street_id = ${streetId} AND g.deleted_at IS NULL`.execute(
    db.kysely,
  );
  return r.rows[0].p;
}

describe('delete and restore', () => {
  it('delete needs a neighbour to take the area; restore brings the grid back; the street stays partitioned', async () => {
    const grids = await liveGrids(db, street1);
    const { grid, neighbour } = sharedEdge(grids);
    const popBefore = (await app.inject({ method: 'GET', url: `/api/grids/${grid.id}` })).json().properties.population;
    const streetPopBefore = await streetPopulation(grid.street_id);
    const no = await app.inject({ method: 'DELETE', url: `/api/grids/${grid.id}`, headers: { ...bearer(editor1), 'if-match': String(grid.version) } });
    expect(no.statusCode).toBe(422);
    expect(no.json().message_zh).toMatch(/into/);
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/grids/${grid.id}?into=${neighbour.id}`,
      headers: { ...bearer(editor1), 'if-match': String(grid.version) },
    });
    expect(del.statusCode, del.body).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/api/grids/${grid.id}` })).statusCode).toBe(404);
    await expectPartition(grid.street_id);
    const res = await app.inject({
      method: 'POST',
      url: `/api/grids/${grid.id}/restore`,
      headers: bearer(editor1),
      payload: { version: grid.version + 1, to_version: grid.version },
    });
    expect(res.statusCode, res.body).toBe(200);
    const back = await app.inject({ method: 'GET', url: `/api/grids/${grid.id}` });
    expect(back.statusCode).toBe(200);
    const d = await sql<{
      d: number;
    }>`SELECT ST_HausdorffDistance(ST_GeomFromGeoJSON(${JSON.stringify(back.json().geometry)}), ST_GeomFromGeoJSON(${JSON.stringify(grid.geometry)})) * 111000 AS d`.execute(
      db.kysely,
    );
    expect(d.rows[0].d).toBeLessThan(0.05);
    const history = (await app.inject({ method: 'GET', url: `/api/grids/${grid.id}/history`, headers: bearer(editor1) })).json().entries;
    expect(history.slice(0, 2).map((e: { operation: string }) => e.operation)).toEqual(['restore', 'delete']);
    // Its recorded people come back with it, and the street keeps its total.
    expect(back.json().properties.population).toBe(popBefore);
    expect(await streetPopulation(grid.street_id)).toBe(streetPopBefore);
    await expectPartition(grid.street_id);
  });
});

describe('staying inside one’s street', () => {
  it('a street editor reaching into another street gets 403 and nothing is written', async () => {
    const all = await liveGrids(db);
    const cross = sharedEdge(all, (g, n) => g.street_code === street1 && n.street_code !== street1);
    const before = await databaseChecksum(db);
    const r = await patch(cross.grid.id, editor1, cross.grid.version, { geometry: bulgeEdge(cross.grid, cross.index, cross.neighbour, 0.3) });
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().message_zh).toMatch(/不是您负责的街道/);
    expect(await databaseChecksum(db)).toEqual(before);
  });

  it('editing a grid of another street is 403', async () => {
    const [other] = await liveGrids(db, street2);
    const r = await patch(other.id, editor1, other.version, { name: '越权修改' });
    expect(r.statusCode).toBe(403);
  });
});
