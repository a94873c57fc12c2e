/**
 * Brings a database to a usable state: open, migrate, and seed the sample city when empty.
 * Shared by `npm start`, the CLIs and the test setup.
 */
import type { Config } from '../config.js';
import { openDatabase, type Db } from './connect.js';
import { migrate } from './migrate.js';
import { loadSampleCity } from './dataset.repository.js';
import { generateSampleCity } from '../../geodata/generator/index.js';
import { createDemoAccounts, retireDemoAccounts } from './demo-accounts.js';

export type Log = (msg: string) => void;

export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('districts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n) === 0;
}

/** Generates and loads the sample city in one transaction, with its demo accounts (demo-accounts.ts). */
export async function seedSampleCity(db: Db, size: Config['sampleSize'], seed: number, log: Log = () => {}): Promise<Record<string, number>> {
  const t0 = Date.now();
  const city = generateSampleCity({ size, seed });
  log(`生成示例城市 / generated sample city "${city.meta.nameEn}" (size ${size}, seed ${seed}) in ${Date.now() - t0} ms`);
  const t1 = Date.now();
  const counts = await db.kysely.transaction().execute(async (tx) => {
    const c = await loadSampleCity(tx, city);
    await createDemoAccounts(tx);
    return c;
  });
  log(`写入 / loaded ${JSON.stringify(counts)} in ${Date.now() - t1} ms`);
  return counts;
}

/** Opens (on the embedded engine: locks, see lock.ts), migrates, and seeds an empty database when configured to. */
export async function prepareDatabase(config: Config, log: Log = () => {}): Promise<Db> {
  const t0 = Date.now();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, lockRole: 'server' });
  log(
    `数据库 / database: ${db.engine === 'embedded' ? `embedded PGlite + PostGIS at ${config.dataDir}` : 'PostgreSQL server (DATABASE_URL)'} (${Date.now() - t0} ms)`,
  );
  try {
    const applied = await migrate(db);
    if (applied.length) log(`迁移 / migrations applied: ${applied.join(', ')}`);
    if (config.seedOnStart && (await isEmpty(db))) await seedSampleCity(db, config.sampleSize, config.sampleSeed, log);
    // Demo accounts never on data that is not the sample city (see demo-accounts.ts).
    const retired = await retireDemoAccounts(db.kysely);
    if (retired.length)
      log(
        `数据不是示例城市，已停用仍使用公开密码的示例账号 / the data is not the sample city: disabled demo accounts still using the published password: ${retired.join(', ')}`,
      );
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
