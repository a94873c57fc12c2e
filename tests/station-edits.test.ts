/** Station edits on real PostGIS: who may edit where, versions, validation, history, and readers seeing the change. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { openTestApp } from './helpers/db.js';
import type { Db } from '../server/db/connect.js';
import { databaseChecksum } from './helpers/checksum.js';
import { bearer, login } from './helpers/editing.js';

let app: FastifyInstance;
let db: Db;
let close: () => Promise<void>;
const tokens: Record<string, string> = {};
const inside: Record<string, { lon: number; lat: number }> = {};

beforeAll(async () => {
  ({ app, db, close } = await openTestApp());
  for (const u of ['admin', 'planner', 'viewer', 'editor1']) tokens[u] = await login(app, u);
  const r = await sql<{
    lon: number;
    lat: number;
  }>`SELECT ST_X(ST_PointOnSurface(boundary)) lon, ST_Y(ST_PointOnSurface(boundary)) lat FROM streets ORDER BY code LIMIT 2`.execute(db.kysely);
  inside.own = r.rows[0];
  inside.other = r.rows[1];
}, 120_000);
afterAll(async () => close?.());

const create = (token: string | null, where: { lon: number; lat: number }, extra: object = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/stations',
    headers: token ? bearer(token) : {},
    payload: { type: 'courier_station', name: '测试驿站', ...where, amenities: ['water', 'charging'], opening_hours: '24/7', ...extra },
  });

describe('who may create stations where', () => {
  const cases: [string, 'own' | 'other', number][] = [
    ['admin', 'own', 200],
    ['admin', 'other', 200],
    ['planner', 'own', 200],
    ['planner', 'other', 200],
    ['editor1', 'own', 200],
    ['editor1', 'other', 403],
    ['viewer', 'own', 403],
    ['anonymous', 'own', 401],
  ];
  for (const [who, where, status] of cases) {
    it(`${who} in ${where} street → ${status}`, async () => {
      const r = await create(who === 'anonymous' ? null : tokens[who], inside[where]);
      expect(r.statusCode, r.body).toBe(status);
    });
  }
});

describe('editing a station', () => {
  it('moves with If-Match, refuses a stale version (409) and a move into another street by a street editor (403), keeps history', async () => {
    const c = await create(tokens.editor1, inside.own);
    const { id, version } = c.json();
    const moved = await app.inject({
      method: 'PATCH',
      url: `/api/stations/${id}`,
      headers: { ...bearer(tokens.editor1), 'if-match': String(version) },
      payload: { lon: inside.own.lon + 0.0005, status: 'temporarily_closed' },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().version).toBe(version + 1);
    const before = await databaseChecksum(db);
    const stale = await app.inject({
      method: 'PATCH',
      url: `/api/stations/${id}`,
      headers: { ...bearer(tokens.editor1), 'if-match': String(version) },
      payload: { name: '旧版本' },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().details.current_version).toBe(version + 1);
    const away = await app.inject({
      method: 'PATCH',
      url: `/api/stations/${id}`,
      headers: { ...bearer(tokens.editor1), 'if-match': String(version + 1) },
      payload: inside.other,
    });
    expect(away.statusCode).toBe(403);
    expect(await databaseChecksum(db)).toEqual(before);
    const one = await app.inject({ method: 'GET', url: `/api/stations/${id}` });
    expect(one.json().properties.status).toBe('temporarily_closed');
    const del = await app.inject({ method: 'DELETE', url: `/api/stations/${id}`, headers: { ...bearer(tokens.planner), 'if-match': String(version + 1) } });
    expect(del.statusCode, del.body).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/api/stations/${id}` })).statusCode).toBe(404);
    const h = (await app.inject({ method: 'GET', url: `/api/stations/${id}/history`, headers: bearer(tokens.planner) })).json();
    expect(h.entries.map((e: { operation: string }) => e.operation)).toEqual(['delete', 'update', 'create']);
    expect(h.entries[0].changed_by).toBe('planner');
  });

  it('bad values are 4xx naming the problem, and nothing is written', async () => {
    const before = await databaseChecksum(db);
    const bad: [object, number, RegExp][] = [
      [{ opening_hours: 'sometimes' }, 422, /营业时间/],
      [{ type: 'casino' }, 422, /未知的站点类型/],
      [{ amenities: ['jacuzzi'] }, 422, /未知设施/],
      [{ status: 'gone' }, 422, /状态/],
      [{ lon: 0, lat: 0 }, 422, /不在任何街道内/],
      [{ lat: 'north' }, 400, /lat/],
      [{ lon: 181 }, 400, /lon/],
    ];
    for (const [extra, status, msg] of bad) {
      const r = await create(tokens.planner, inside.own, extra);
      expect(r.statusCode, JSON.stringify(extra) + r.body).toBe(status);
      expect(r.json().message_zh).toMatch(msg);
    }
    expect(await databaseChecksum(db)).toEqual(before);
  });

  it('a new 24-hour courier station is found by nearest at once', async () => {
    const p = { lon: inside.own.lon + 0.0001, lat: inside.own.lat + 0.0001 };
    const c = await create(tokens.planner, p, { name: '刚开的驿站' });
    expect(c.statusCode).toBe(200);
    const r = await app.inject({ method: 'GET', url: `/api/stations/nearest?lon=${p.lon}&lat=${p.lat}&type=courier_station&limit=1&by=straight` });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().features[0].properties.code).toBe(c.json().code);
  });
});
