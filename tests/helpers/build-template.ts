/**
 * The embedded engine's seeded test database: a PGlite snapshot cached under
 * node_modules/.cache/lifecircle (tests/helpers/template.ts), built when missing. Used by the
 * global setup, and run by itself (`node --import tsx tests/helpers/build-template.ts`) so CI can
 * build it on its second core while tsc runs on the first (.ci/run).
 */
import { rename } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../server/db/connect.js';
import { migrate } from '../../server/db/migrate.js';
import { seedSampleCity } from '../../server/db/bootstrap.js';
import { cachedSnapshotPath, exists, TEST_SAMPLE, writeSnapshot } from './template.js';

/** Path of the cached snapshot; builds it first when it is not there. */
export async function ensureEmbeddedSnapshot(log: (m: string) => void = console.log): Promise<string> {
  const snapshot = await cachedSnapshotPath();
  if (await exists(snapshot)) return snapshot;
  const t0 = Date.now();
  const db = await openDatabase({});
  await migrate(db);
  await seedSampleCity(db, TEST_SAMPLE.size, TEST_SAMPLE.seed);
  // Written beside, then renamed: a run that starts meanwhile never reads half a snapshot.
  const partial = `${snapshot}.${process.pid}.partial`;
  await writeSnapshot(partial, await db.dumpDataDir!());
  await db.close();
  await rename(partial, snapshot);
  log(`[tests] embedded template built in ${Date.now() - t0} ms → ${snapshot}`);
  return snapshot;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const snapshot = await ensureEmbeddedSnapshot();
  console.log(`[tests] embedded template ready: ${snapshot}`);
}
