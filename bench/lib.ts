/** Shared bench helpers: timing, a fresh database with a sample city, and RESULTS.md output. */
import { appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Db } from '../server/db/connect.js';
import { migrate } from '../server/db/migrate.js';
import { loadSampleCity } from '../server/db/dataset.repository.js';
import { generateSampleCity } from '../geodata/generator/index.js';
import type { SampleSize } from '../server/config.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Median of `runs` timings (after `warmup` untimed runs). */
export async function median(fn: () => Promise<unknown> | unknown, runs = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push((await time(fn)).ms);
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)];
}

/** A new database (server: `<db>_bench` beside DATABASE_URL; embedded: in memory) with a sample city. */
export async function benchDatabase(size: SampleSize, seed = 1): Promise<{ db: Db; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  let db: Db;
  let drop = async () => {};
  if (url) {
    const u = new URL(url);
    const name = `${u.pathname.replace(/^\//, '') || 'postgres'}_bench`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    u.pathname = `/${name}`;
    db = await openDatabase({ databaseUrl: u.toString(), poolSize: 20 });
    drop = async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    };
  } else {
    db = await openDatabase({});
  }
  await migrate(db);
  const city = generateSampleCity({ size, seed });
  await db.kysely.transaction().execute((tx) => loadSampleCity(tx, city));
  return { db, drop };
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

/** Appends a dated section to bench/RESULTS.md and prints it. */
export async function report(title: string, lines: string[]): Promise<void> {
  const text = `\n## ${title} — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${machine()}; engine: ${process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite'}\n\n${lines.join('\n')}\n`;
  console.log(text);
  await appendFile(path.join(ROOT, 'bench/RESULTS.md'), text);
}

export const fmt = (ms: number) => (ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);
