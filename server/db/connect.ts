/**
 * Opens the database for either engine behind one Kysely instance:
 *  - embedded: PGlite with the PostGIS extension (no server to install), data under `dataDir`;
 *  - server:   a `pg` Pool against PostgreSQL + PostGIS (`DATABASE_URL`).
 * Everything above this module is engine-agnostic.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { type DataDirLock, lockDataDir, processRole } from './lock.js';

export type Engine = 'embedded' | 'server';

export interface Db {
  engine: Engine;
  kysely: Kysely<Database>;
  /** Runs a multi-statement SQL script (simple-query protocol), e.g. a migration; rolls back an open transaction on failure. */
  execScript(sql: string): Promise<void>;
  close(): Promise<void>;
  /** Embedded only: the whole database as a tarball, loadable with `loadDataDir`. */
  dumpDataDir?(): Promise<Blob>;
}

export interface OpenOptions {
  databaseUrl?: string | null;
  /** Embedded data directory; `memory://` or undefined keeps the database in memory. */
  dataDir?: string;
  /** Embedded only: start from a `dumpDataDir` tarball (used by tests for speed). */
  loadDataDir?: Blob;
  /** Server only: pool size. */
  poolSize?: number;
  /** Embedded on disk: the role recorded in the data directory's lock (default: the script's name). */
  lockRole?: string;
}

// int8 (bigint) as JS number: our bigint columns are network/OSM ids (< 2^53) and counts.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  if (opts.databaseUrl) return openServer(opts.databaseUrl, opts.poolSize ?? 10);
  return openEmbedded(opts.dataDir, opts.loadDataDir, opts.lockRole);
}

async function openServer(connectionString: string, max: number): Promise<Db> {
  // Short connection timeout: during a database restart requests fail fast (503) instead of queueing.
  // statement_timeout bounds any single query.
  const pool = new pg.Pool({ connectionString, max, types: pgTypes as never, connectionTimeoutMillis: 2000, statement_timeout: 30_000 } as pg.PoolConfig);
  // An idle client losing its server (restart) must not crash the process.
  pool.on('error', () => {});
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    engine: 'server',
    kysely,
    async execScript(text) {
      // One client for the script and, on failure, its ROLLBACK: a script with BEGIN that fails
      // midway must not hand an aborted transaction back to the pool.
      const client = await pool.connect();
      try {
        await client.query(text);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await kysely.destroy();
    },
  };
}

async function openEmbedded(dataDir: string | undefined, loadDataDir: Blob | undefined, lockRole: string | undefined): Promise<Db> {
  // One process at a time on a data directory (server/db/lock.ts); throws DataDirLocked at once.
  const onDisk = !!dataDir && !dataDir.includes('://');
  // PGlite creates the data directory itself but not its parents (e.g. `data/` on a fresh clone).
  if (onDisk) await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true });
  const lock = onDisk ? lockDataDir(dataDir, lockRole ?? processRole()) : null;
  try {
    return await openPglite(dataDir, loadDataDir, lock);
  } catch (err) {
    lock?.release();
    throw err;
  }
}

async function openPglite(dataDir: string | undefined, loadDataDir: Blob | undefined, lock: DataDirLock | null): Promise<Db> {
  // Imported lazily so the server engine never loads the WASM build.
  const [{ PGlite }, { postgis }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-postgis'),
    import('kysely-pglite-dialect'),
  ]);
  // Options object form only: `new PGlite(dir, opts)` with an undefined dir drops the extensions.
  const pglite = new PGlite({ dataDir, loadDataDir, extensions: { postgis } });
  await pglite.waitReady;
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    engine: 'embedded',
    kysely,
    async execScript(text) {
      try {
        await pglite.exec(text);
      } catch (err) {
        await pglite.exec('ROLLBACK').catch(() => {});
        throw err;
      }
    },
    dumpDataDir: () => pglite.dumpDataDir('none'),
    async close() {
      // Closing PGlite is required: an open instance keeps the process (and Vitest) alive.
      try {
        await kysely.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}
