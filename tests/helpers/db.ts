/**
 * A private, seeded copy of the test database for one test file, on whichever engine the run
 * uses (DATABASE_URL set → PostgreSQL server, else embedded PGlite). Real PostGIS, never a mock.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type Db } from '../../server/db/connect.js';
import { migrate } from '../../server/db/migrate.js';
import { loadConfig, type Config } from '../../server/config.js';
import { build } from '../../server/app.js';
import { withDatabase } from './template.js';

export interface TestDb {
  db: Db;
  /** Drops the copy (server) and closes the connection. */
  close(): Promise<void>;
}

/** A fresh database: `seeded` copies the sample-city template; otherwise empty, not migrated. */
export async function openTestDb({ seeded = true } = {}): Promise<TestDb> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const blob = seeded ? new Blob([await readFile(inject('template'))]) : undefined;
    const db = await openDatabase({ loadDataDir: blob });
    return { db, close: () => db.close() };
  }
  const name = `lc_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(seeded ? `CREATE DATABASE "${name}" TEMPLATE "${inject('template')}"` : `CREATE DATABASE "${name}"`);
  await admin.end();
  const db = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 5 });
  return {
    db,
    async close() {
      await db.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  // Staleness 0: tests change the database directly and expect the next request to see it.
  return { ...loadConfig({}), seedOnStart: false, dataStalenessMs: 0, ...overrides };
}

/** The app on a seeded private database. */
export async function openTestApp(overrides: Partial<Config> = {}) {
  const t = await openTestDb();
  await migrate(t.db); // no-op on the template; keeps the helper honest if it ever is not migrated
  const app = await build({ config: testConfig(overrides), db: t.db });
  await app.ready();
  return {
    app,
    db: t.db,
    async close() {
      await app.close();
      await t.close();
    },
  };
}

/**
 * `openTestApp` for a whole test file: opened before its tests, closed after them. `get(url)` is
 * a GET through `app.inject`; `body` is the JSON answer, parsed when first read.
 * @example const env = useTestApp(); … const r = await env.get('/api/health'); r.body.status
 */
export function useTestApp(overrides: Partial<Config> = {}) {
  let opened: Awaited<ReturnType<typeof openTestApp>> | undefined;
  beforeAll(async () => {
    opened = await openTestApp(overrides);
  });
  afterAll(() => opened?.close());
  const must = () =>
    opened ??
    (() => {
      throw new Error('useTestApp: the app opens in beforeAll; use it inside tests');
    })();
  return {
    get app(): FastifyInstance {
      return must().app;
    },
    get db(): Db {
      return must().db;
    },
    async get(url: string) {
      const r = await must().app.inject({ method: 'GET', url });
      let body: any;
      return {
        status: r.statusCode,
        headers: r.headers,
        text: r.body,
        get body(): any {
          return (body ??= r.json());
        },
      };
    },
  };
}
