/**
 * Applies sql/migrations/NNN_name.sql in order, each in its own transaction together with its
 * row in `schema_migrations`, so a failed migration leaves nothing behind and a second run is a
 * no-op. The same runner serves both engines. Migrations are frozen: an applied file whose
 * checksum changed is an error, not silently re-run.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './connect.js';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql/migrations');

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (f) => {
      const text = await readFile(path.join(dir, f), 'utf8');
      return { name: f.replace(/\.sql$/, ''), sql: text, checksum: createHash('sha256').update(text).digest('hex').slice(0, 16) };
    }),
  );
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Returns the names of the migrations applied by this call. */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.execScript(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const migrations = await loadMigrations(dir);
  const applied: string[] = [];
  for (const m of migrations) {
    // The advisory lock serialises concurrent starts against one server; re-checking inside the
    // transaction makes the second starter skip what the first applied.
    const script = `BEGIN;
SELECT pg_advisory_xact_lock(4242001);
DO $lc$ BEGIN
  IF EXISTS (SELECT 1 FROM schema_migrations WHERE name = ${quote(m.name)}) THEN
    RAISE EXCEPTION 'lifecircle:already-applied';
  END IF;
END $lc$;
${m.sql}
;
INSERT INTO schema_migrations (name, checksum) VALUES (${quote(m.name)}, ${quote(m.checksum)});
COMMIT;`;
    const done = await db.kysely.selectFrom('schema_migrations').select(['name', 'checksum']).where('name', '=', m.name).executeTakeFirst();
    if (done) {
      if (done.checksum !== m.checksum) {
        throw new Error(
          `迁移 ${m.name} 已应用但文件已被修改 / migration ${m.name} was applied but its file has changed (checksum ${done.checksum} → ${m.checksum}); migrations are frozen, add a new one instead`,
        );
      }
      continue;
    }
    try {
      await db.execScript(script);
      applied.push(m.name);
    } catch (err) {
      if (String((err as Error).message).includes('lifecircle:already-applied')) continue;
      throw new Error(`迁移 ${m.name} 失败 / migration ${m.name} failed: ${(err as Error).message}`);
    }
  }
  return applied;
}

export async function appliedMigrations(db: Db): Promise<string[]> {
  const rows = await sql<{ name: string }>`SELECT name FROM schema_migrations ORDER BY name`.execute(db.kysely);
  return rows.rows.map((r) => r.name);
}
