/**
 * Heavy work off the event loop: coverage grids, isochrones and the coverage workbook run on the
 * worker pool and give the same answers as on the main thread; while they run, light requests are
 * answered; admission is bounded (503 busy with Retry-After) and per anonymous client (429).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { build } from '../server/app.js';
import { createAnalyses } from '../server/city/analyses.js';
import { poolServiceAreas, poolWalkNearest } from '../server/compute/runners.js';
import { diffPieceSets } from '../server/coverage/piece-set.js';
import { serviceAreas } from '../server/coverage/service-areas.js';
import { openTestDb, testConfig, type TestDb } from './helpers/db.js';
import { bearer, login } from './helpers/editing.js';

let t: TestDb;
let app: FastifyInstance;
/** Requests to /__slow wait for this gate; a test opens it. */
let gate: { open: () => void; promise: Promise<void> };
/** Requests that got into the /__slow handler (admitted) so far. */
let entered = 0;
/** Waits until `n` requests in all have been admitted (authentication may query the database first). */
async function admitted(n: number) {
  while (entered < n) await new Promise((r) => setTimeout(r, 5));
}
const newGate = () => {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { open, promise };
};

beforeAll(async () => {
  t = await openTestDb();
  app = await build({ config: testConfig({ computeThreads: 2, heavyQueue: 3, heavyPerClient: 2 }), db: t.db });
  // A heavy route whose duration the test controls: admission is then checked without timing.
  app.get('/__slow', { config: { heavy: true } }, async () => {
    entered++;
    await gate.promise;
    return { ok: true };
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('the worker pool', () => {
  it('computes coverage on its threads, equal to the main thread, grid by grid', async () => {
    const before = app.compute!.completed;
    const q = { types: ['courier_station'], mode: 'walk' as const, minutes: 12 };
    const pooled = await app.coverage.coverage(q);
    expect(app.compute!.completed).toBeGreaterThan(before);
    const s = { walkSpeedKmh: 4.8, bufferM: 50, maxSnapM: 500, timeZone: 'Asia/Shanghai' };
    const local = await createAnalyses(t.db.kysely, s).coverage.coverage(q);
    expect(pooled.grids.length).toBe(local.grids.length);
    const byId = new Map(local.grids.map((g) => [g.id, g]));
    for (const g of pooled.grids) {
      const l = byId.get(g.id)!;
      expect(g.coveredM2).toBe(l.coveredM2);
      expect(g.gaps).toEqual(l.gaps);
    }
    expect(pooled.units).toEqual(local.units);
  });

  it('builds walk coverage’s service areas on a thread: the same pieces as this thread builds', async () => {
    const d = await app.city.snapshot();
    const snaps = d.stations
      .filter((s) => s.type_code === 'courier_station')
      .map((s) => d.stationSnaps.get(s.id)!)
      .filter(Boolean);
    const request = { circles: [{ lon: 121.6, lat: 38.91, radiusM: 800 }], walks: [{ limitM: 900, snaps }], bufferM: 50 };
    const before = app.compute!.completed;
    const pooled = await poolServiceAreas(app.compute!)(d.graph!, request);
    expect(app.compute!.completed).toBe(before + 1);
    const here = serviceAreas(d.graph!, request);
    expect(pooled.count).toBeGreaterThan(100);
    expect(pooled.count).toBe(here.count);
    expect(diffPieceSets(here, pooled)).toEqual({ removed: [], added: [] });
    expect(pooled.data.buffer).toBeInstanceOf(SharedArrayBuffer); // handed over, not copied
  });

  it('walking-nearest searches wider than 2 km run on a thread and answer as this thread does', async () => {
    const s = { walkSpeedKmh: 4.8, bufferM: 50, maxSnapM: 500, timeZone: 'Asia/Shanghai' };
    const radii: number[] = [];
    const run = poolWalkNearest(app.compute!);
    const pooled = createAnalyses(t.db.kysely, s, { walkNearest: (...args) => (radii.push(args[5]), run(...args)) }).nearest;
    const local = createAnalyses(t.db.kysely, s).nearest;
    const d = await app.city.snapshot();
    const all = d.stations.map((x) => x.id);
    // Every station: no 2 km walk reaches them all, so the search widens.
    const a = await pooled.walkingDistances(121.6, 38.91, all, all.length);
    const b = await local.walkingDistances(121.6, 38.91, all, all.length);
    expect(radii).toEqual([8000, 30000].slice(0, radii.length));
    expect(radii.length).toBeGreaterThan(0);
    expect(a!.results.length).toBeGreaterThan(10);
    expect(a).toEqual(b);
    // A near answer stays on this thread.
    radii.length = 0;
    const one = await pooled.walkingDistances(121.6, 38.91, all, 1);
    expect(radii).toEqual([]);
    expect(one!.results[0]).toEqual(b!.results[0]);
  });

  it('answers /api/health while a 60-minute isochrone is computed on a thread, and the isochrone equals the main thread’s', async () => {
    const before = app.compute!.completed;
    const order: string[] = [];
    const iso = app.inject('/api/isochrone?lon=121.6&lat=38.91&minutes=60').then((r) => {
      order.push('isochrone');
      return r;
    });
    const health = app.inject('/api/health').then((r) => {
      order.push('health');
      return r;
    });
    const [i, h] = await Promise.all([iso, health]);
    expect(h.statusCode).toBe(200);
    expect(i.statusCode).toBe(200);
    expect(order).toEqual(['health', 'isochrone']);
    expect(app.compute!.completed).toBe(before + 1);
    const local = await build({ config: testConfig({ computeThreads: 0 }), db: t.db });
    try {
      const j = await local.inject('/api/isochrone?lon=121.6&lat=38.91&minutes=60');
      expect(i.json()).toEqual(j.json());
      expect(i.json().properties.area_m2).toBeGreaterThan(1e6);
    } finally {
      await local.close();
    }
  });

  it('writes the coverage workbook on a thread', async () => {
    const before = app.compute!.completed;
    const r = await app.inject('/api/coverage?types=party_service_center&format=xlsx');
    expect(r.statusCode).toBe(200);
    expect(r.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect(app.compute!.completed).toBeGreaterThan(before);
  });
});

describe('admission of heavy requests', () => {
  it('admits HEAVY_QUEUE at once and refuses one more with 503 busy, Retry-After and zh + en', async () => {
    gate = newGate();
    const token = await login(app, 'planner');
    // Logged in: not limited per client, only by the queue (3).
    const before = entered;
    const held = [1, 2, 3].map(() => app.inject({ url: '/__slow', headers: bearer(token) }));
    await admitted(before + 3);
    const over = await app.inject({ url: '/__slow', headers: bearer(token) });
    expect(over.statusCode).toBe(503);
    expect(over.headers['retry-after']).toBe('5');
    expect(over.json()).toMatchObject({ statusCode: 503, error: 'busy' });
    expect(over.json().message_zh).toMatch(/正忙/);
    expect(over.json().message_en).toMatch(/busy/);
    gate.open();
    for (const r of await Promise.all(held)) expect(r.statusCode).toBe(200);
    // Places are given back: the next one is admitted.
    expect((await app.inject({ url: '/__slow', headers: bearer(token) })).statusCode).toBe(200);
  });

  it('runs HEAVY_PER_CLIENT of an anonymous client at a time, lets 4× as many wait their turn, and refuses one more with 429', async () => {
    gate = newGate();
    const ip = '10.9.8.7';
    const before = entered;
    const running = [1, 2].map(() => app.inject({ url: '/__slow', remoteAddress: ip }));
    await admitted(before + 2);
    // The queue (3 in all) would refuse these: this test gives the app room for them.
    const queue = app.config.heavyQueue;
    (app.config as { heavyQueue: number }).heavyQueue = 20;
    try {
      const waiting = [1, 2, 3, 4, 5, 6, 7, 8].map(() => app.inject({ url: '/__slow', remoteAddress: ip }));
      while ((app.heavyLoad().clients[ip]?.waiting ?? 0) < 8) await new Promise((r) => setTimeout(r, 5));
      expect(entered).toBe(before + 2); // the eight wait: not in the handler
      const over = await app.inject({ url: '/__slow', remoteAddress: ip });
      expect(over.statusCode).toBe(429);
      expect(over.headers['retry-after']).toBe('2');
      expect(over.json()).toMatchObject({ error: 'too_many_heavy_requests', details: { limit: 2, waiting: 8 } });
      expect(over.json().message_zh).toMatch(/同一客户端/);
      // Another client is not affected.
      const other = app.inject({ url: '/__slow', remoteAddress: '10.9.8.8' });
      await admitted(before + 3);
      gate.open();
      expect((await other).statusCode).toBe(200);
      for (const r of await Promise.all([...running, ...waiting])) expect(r.statusCode).toBe(200);
      expect(entered).toBe(before + 11);
      expect(app.heavyLoad()).toEqual({ admitted: 0, clients: {} });
    } finally {
      (app.config as { heavyQueue: number }).heavyQueue = queue;
    }
  });

  it('caps the heaviest parameters with a 400 that names the limit', async () => {
    const iso = await app.inject('/api/isochrone?lon=121.6&lat=38.91&minutes=61');
    expect(iso.statusCode).toBe(400);
    expect(iso.json().message_en).toMatch(/minutes/);
    expect(iso.json().message_en).toMatch(/60/);
    const cov = await app.inject('/api/coverage?mode=walk&minutes=121&format=stats');
    expect(cov.statusCode).toBe(400);
    expect(cov.json().message_en).toMatch(/120/);
  });
});
