/**
 * Uploaded files are read in a process of their own with a heap limit (IMPORT_HEAP_MB): the answer
 * is the one the server process gives, the event loop keeps answering while a big file is read, and
 * a file that needs more memory than allowed ends that process — 413, nothing written — not the
 * server.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { build } from '../server/app.js';
import { databaseChecksum } from './helpers/checksum.js';
import { openTestDb, testConfig, type TestDb } from './helpers/db.js';
import { bearer, login } from './helpers/editing.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = (name: string) => readFileSync(path.join(ROOT, 'geodata/fixtures/formats', name));

let t: TestDb;
let app: FastifyInstance;
let local: FastifyInstance;
let admin: Record<string, string>;

/** A GeoJSON of `n` station features whose parsed form needs far more heap than its bytes. */
function manyStations(n: number): Buffer {
  const features: string[] = [];
  for (let i = 0; i < n; i++) {
    features.push(
      `{"type":"Feature","properties":{"code":"T${i}","name":"站${i}","type":"courier_station","amenities":["water","charging","seating"]},"geometry":{"type":"Point","coordinates":[${(121.6 + (i % 1000) * 1e-5).toFixed(5)},${(38.91 + Math.floor(i / 1000) * 1e-5).toFixed(5)}]}}`,
    );
  }
  return Buffer.from(`{"type":"FeatureCollection","features":[${features.join(',')}]}`);
}

beforeAll(async () => {
  t = await openTestDb();
  // A small heap, so that a test file of a few MB is "too big" without using GBs here.
  app = await build({ config: testConfig({ importHeapMb: 48, bodyLimit: 64 * 1024 * 1024 }), db: t.db });
  local = await build({ config: testConfig({ importHeapMb: 0 }), db: t.db });
  await app.ready();
  await local.ready();
  admin = { ...bearer(await login(app, 'admin')), 'content-type': 'text/csv' };
});
afterAll(async () => {
  await app?.close();
  await local?.close();
  await t?.close();
});

describe('reading uploads in the file process', () => {
  it('a station list read there gives the report the server process gives', async () => {
    const before = app.files!.completed;
    const url = '/api/imports/stations?crs=gcj02&dry_run=true';
    const there = await app.inject({ method: 'POST', url, headers: admin, payload: fixture('stations.gcj02.zh.csv') });
    const here = await local.inject({ method: 'POST', url, headers: admin, payload: fixture('stations.gcj02.zh.csv') });
    expect(there.statusCode).toBe(200);
    expect(app.files!.completed).toBe(before + 1);
    expect(local.files).toBeNull();
    expect(there.json()).toEqual(here.json());
    expect(there.json().total).toBeGreaterThan(0);
  });

  it('an unreadable table is the same 422 from the file process (the error crosses as data)', async () => {
    const junk = Buffer.from('PK\u0003\u0004 not really a workbook');
    const url = '/api/imports/preview?format=xlsx';
    const there = await app.inject({
      method: 'POST',
      url,
      headers: { ...admin, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: junk,
    });
    const here = await local.inject({
      method: 'POST',
      url,
      headers: { ...admin, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: junk,
    });
    expect(there.statusCode).toBe(422);
    expect(there.json()).toEqual(here.json());
  });

  it('answers /api/health while a big file is read, and a file over the heap limit is a 413 with nothing written; the next upload works', async () => {
    const sum = await databaseChecksum(t.db);
    const order: string[] = [];
    const big = app
      .inject({
        method: 'POST',
        url: '/api/imports/stations?dry_run=false',
        headers: { ...admin, 'content-type': 'application/geo+json' },
        payload: manyStations(120_000),
      })
      .then((r) => {
        order.push('import');
        return r;
      });
    // Let the upload reach the thread before asking.
    await new Promise((r) => setTimeout(r, 50));
    const health = app.inject('/api/health').then((r) => {
      order.push('health');
      return r;
    });
    const [b, h] = await Promise.all([big, health]);
    expect(h.statusCode).toBe(200);
    expect(order).toEqual(['health', 'import']);
    expect(b.statusCode).toBe(413);
    expect(b.json()).toMatchObject({ statusCode: 413, error: 'too_large' });
    expect(b.json().message_zh).toMatch(/内存/);
    expect(await databaseChecksum(t.db)).toEqual(sum);
    // A new process reads the next file.
    const started = app.files!.started;
    const ok = await app.inject({
      method: 'POST',
      url: '/api/imports/stations?crs=gcj02&dry_run=true',
      headers: admin,
      payload: fixture('stations.gcj02.zh.csv'),
    });
    expect(ok.statusCode).toBe(200);
    expect(app.files!.started).toBe(started + 1);
  });
});
