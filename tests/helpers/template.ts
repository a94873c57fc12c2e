/**
 * The seeded test database, made once per run (or reused from cache) and copied per test file:
 *  - embedded: a PGlite `dumpDataDir` tarball, cached under node_modules/.cache keyed by the
 *    content of the migrations, the generator and the loader (a change rebuilds it);
 *  - server: a template database `<name>_tpl` beside DATABASE_URL's, copied with
 *    CREATE DATABASE … TEMPLATE.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEST_SAMPLE = { size: 'small' as const, seed: 1 };

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (!e.name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

/** Hash of everything that shapes the seeded database. */
export async function templateKey(): Promise<string> {
  const h = createHash('sha256');
  const files = [
    ...(await filesUnder(path.join(ROOT, 'sql/migrations'))),
    ...(await filesUnder(path.join(ROOT, 'geodata/generator'))),
    path.join(ROOT, 'server/geo/measure.ts'), // the generator measures street lengths with it
    path.join(ROOT, 'server/db/dataset.repository.ts'),
    path.join(ROOT, 'server/db/st.ts'), // polygons written on the storage grid
    path.join(ROOT, 'server/validation/polygons.ts'),
    path.join(ROOT, 'server/db/bootstrap.ts'),
    path.join(ROOT, 'server/db/demo-accounts.ts'),
    path.join(ROOT, 'server/db/users.repository.ts'),
    path.join(ROOT, 'server/auth/password.ts'),
    path.join(ROOT, 'package-lock.json'),
  ];
  // Paths relative to the checkout: the key does not change with where the checkout lives.
  for (const f of files) h.update(path.relative(ROOT, f).split(path.sep).join('/')).update(await readFile(f));
  h.update(JSON.stringify(TEST_SAMPLE));
  return h.digest('hex').slice(0, 16);
}

export const CACHE_DIR = path.join(ROOT, 'node_modules/.cache/lifecircle');

export async function cachedSnapshotPath(): Promise<string> {
  await mkdir(CACHE_DIR, { recursive: true });
  return path.join(CACHE_DIR, `template-${await templateKey()}.tar`);
}

export async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

export async function writeSnapshot(p: string, blob: Blob): Promise<void> {
  await writeFile(p, Buffer.from(await blob.arrayBuffer()));
}

/** Connection string for another database on the same server. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}
