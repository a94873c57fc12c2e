/**
 * One checksum of the whole database, for "a refused request writes nothing": every base table of
 * the public schema, found in information_schema (a table added by a later migration is covered
 * without touching the tests), each hashed over its rows as text in a stable order.
 *
 * Left out: tables that belong to an extension (PostGIS's spatial_ref_sys, ~8,500 rows of
 * reference data the app never writes), and whatever a test names in `except`, with its reason
 * there (e.g. `sessions` when the test logs in between the two checksums).
 */
import { sql } from 'kysely';
import type { Db } from '../../server/db/connect.js';

/** Table → md5 of its rows. Compare two with toEqual: a difference names the table. */
export async function databaseChecksum(db: Db, { except = [] }: { except?: string[] } = {}): Promise<Record<string, string>> {
  const tables = await sql<{ t: string }>`
    SELECT t.table_name AS t FROM information_schema.tables t
     WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = format('public.%I', t.table_name)::regclass AND d.deptype = 'e')
     ORDER BY 1`.execute(db.kysely);
  const names = tables.rows.map((r) => r.t);
  for (const t of except) if (!names.includes(t)) throw new Error(`databaseChecksum: no table ${t} to leave out`);
  // A guard against an empty list (wrong schema, wrong connection): the check would pass vacuously.
  for (const t of ['grids', 'grid_history', 'stations', 'network_edges', 'dataset_meta'])
    if (!names.includes(t)) throw new Error(`databaseChecksum: table ${t} not found in the public schema`);
  const out: Record<string, string> = {};
  for (const t of names) {
    if (except.includes(t)) continue;
    const r = await sql<{ c: string }>`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS c FROM ${sql.table(t)} x`.execute(db.kysely);
    out[t] = r.rows[0]!.c;
  }
  return out;
}
