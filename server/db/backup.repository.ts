/**
 * What a backup's manifest records about a database, and what a restore checks against it: every
 * base table of the public schema (those of an extension — PostGIS's spatial_ref_sys — left out,
 * as the tests' `databaseChecksum` does) with its row count and an md5 over its rows as text, the
 * sequences' positions, the applied migrations and the engine's versions. Read in one transaction
 * (UTC, ISO dates) so the text of a timestamp is the same on both sides.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

export interface TableStat {
  rows: number;
  /** md5 over the md5 of each row's text, in order of those: equal iff the rows are equal. */
  md5: string;
}

export interface DatabaseStats {
  tables: Record<string, TableStat>;
  /** Sequence → last_value (null: never used). */
  sequences: Record<string, number | null>;
  migrations: string[];
  postgres: { version: string; server_version_num: number; postgis: string | null };
}

type Q = Kysely<Database> | Transaction<Database>;

/** Stats of the database `q` reads; call inside a transaction for a consistent picture (`readStats` does). */
export async function statsIn(q: Q): Promise<DatabaseStats> {
  await sql`SET LOCAL TimeZone = 'UTC'`.execute(q);
  await sql`SET LOCAL DateStyle = 'ISO, YMD'`.execute(q);
  const names = (
    await sql<{ t: string }>`
      SELECT t.table_name AS t FROM information_schema.tables t
       WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = format('public.%I', t.table_name)::regclass AND d.deptype = 'e')
       ORDER BY 1`.execute(q)
  ).rows.map((r) => r.t);
  const tables: Record<string, TableStat> = {};
  for (const t of names) {
    const r = await sql<{ n: number | string; c: string }>`
      SELECT count(*)::bigint AS n, md5(coalesce(string_agg(h, '' ORDER BY h), '')) AS c
        FROM (SELECT md5(x::text) AS h FROM ${sql.table(t)} x) rows`.execute(q);
    tables[t] = { rows: Number(r.rows[0]!.n), md5: r.rows[0]!.c };
  }
  const seqs = await sql<{ name: string; last_value: number | string | null }>`
    SELECT sequencename AS name, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`.execute(q);
  const sequences: Record<string, number | null> = {};
  for (const s of seqs.rows) sequences[s.name] = s.last_value === null ? null : Number(s.last_value);
  const migrations = names.includes('schema_migrations')
    ? (await sql<{ name: string }>`SELECT name FROM schema_migrations ORDER BY name`.execute(q)).rows.map((r) => r.name)
    : [];
  const v = (await sql<{ version: string; num: string }>`SELECT version() AS version, current_setting('server_version_num') AS num`.execute(q)).rows[0]!;
  let postgis: string | null = null;
  const ext = await sql<{ v: string }>`SELECT extversion AS v FROM pg_extension WHERE extname = 'postgis'`.execute(q);
  if (ext.rows[0]) postgis = ext.rows[0].v;
  return { tables, sequences, migrations, postgres: { version: v.version, server_version_num: Number(v.num), postgis } };
}

/** `statsIn` in a read-only repeatable-read transaction of its own. */
export function readStats(db: Kysely<Database>): Promise<DatabaseStats> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((trx) => statsIn(trx));
}

/**
 * Relations in schemas an application would write (not pg_catalog, information_schema, pg_toast)
 * that no extension owns: an empty database has none, whatever extensions were created in it.
 */
export async function userRelations(db: Kysely<Database>): Promise<string[]> {
  const r = await sql<{ name: string }>`
    SELECT n.nspname || '.' || c.relname AS name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
     ORDER BY 1 LIMIT 20`.execute(db);
  return r.rows.map((x) => x.name);
}

/**
 * Runs `fn` while no other query of this Kysely instance can run (the embedded engine has one
 * connection: holding it keeps every request's query waiting), after a CHECKPOINT so the data
 * files on disk are current. Used to copy the embedded data directory consistently.
 */
export function withExclusiveCheckpoint<T>(db: Kysely<Database>, fn: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`CHECKPOINT`.execute(conn);
    return fn();
  });
}

/** Starts a repeatable-read transaction, exports its snapshot (for `pg_dump --snapshot`) and runs `fn` inside it. */
export function withExportedSnapshot<T>(db: Kysely<Database>, fn: (snapshot: string, trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const s = await sql<{ id: string }>`SELECT pg_export_snapshot() AS id`.execute(trx);
      return fn(s.rows[0]!.id, trx);
    });
}
