/**
 * Seeds (or with --reset, replaces) the sample city in either engine:
 *   npm run seed -- [--size small|medium|dalian] [--seed N] [--reset]
 * Uses DATABASE_URL when set, else the embedded database under DATA_DIR.
 */
import { loadConfig, type SampleSize } from '../config.js';
import { migrate } from '../db/migrate.js';
import { isEmpty, seedSampleCity } from '../db/bootstrap.js';
import { clearDataset, loadSampleCity } from '../db/dataset.repository.js';
import { generateSampleCity } from '../../geodata/generator/index.js';
import { openCliDatabase, parseCli } from './args.js';
import { createDemoAccounts } from '../db/demo-accounts.js';

const USAGE = 'usage: npm run seed -- [--size small|medium|dalian] [--seed N] [--reset]';
const { values } = parseCli({ size: { type: 'string' }, seed: { type: 'string' }, reset: { type: 'boolean' } }, USAGE);
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const config = loadConfig();
const size = (values.size ?? config.sampleSize) as SampleSize;
if (!['small', 'medium', 'dalian'].includes(size)) {
  console.error(`--size 只能是 small|medium|dalian / --size must be small|medium|dalian\n${USAGE}`);
  process.exit(2);
}
const seed = values.seed !== undefined ? Number(values.seed) : config.sampleSeed;
if (!Number.isInteger(seed)) {
  console.error(`--seed 必须是整数 / --seed must be an integer\n${USAGE}`);
  process.exit(2);
}

const db = await openCliDatabase(config, 'seed');
const log = (m: string) => console.log(`[seed] ${m}`);
try {
  await migrate(db);
  if (values.reset) {
    const city = generateSampleCity({ size, seed });
    const t0 = Date.now();
    // Clear and load in one transaction: a failure keeps the old data.
    const counts = await db.kysely.transaction().execute(async (tx) => {
      await clearDataset(tx);
      const c = await loadSampleCity(tx, city);
      // Street assignments were cleared with the streets: the demo editors get the new ones. Existing
      // accounts keep their password and disabled flag (createDemoAccounts never changes them).
      await createDemoAccounts(tx);
      return c;
    });
    log('注意：其他账号的街道分配已清除，请用 npm run users 重新分配 / note: other accounts lost their street assignments; reassign them with npm run users');
    log(`重置并写入 / reset and loaded ${JSON.stringify(counts)} in ${Date.now() - t0} ms`);
  } else if (await isEmpty(db)) {
    await seedSampleCity(db, size, seed, log);
  } else {
    log('数据库已有数据，未改动；用 --reset 替换 / database already has data, nothing changed; use --reset to replace it');
  }
} finally {
  await db.close();
}
