/**
 * A private, seeded copy of the test database for one test file, on whichever engine the run
 * uses (DATABASE_URL set → PostgreSQL server, else embedded PGlite). Real PostGIS, never a mock.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
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
