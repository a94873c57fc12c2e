/**
 * `npm run restore -- DIR`: brings a backup (npm run backup) back into an EMPTY database.
 *   embedded: DATA_DIR must be missing or empty, and no server may hold it;
 *   DATABASE_URL: the database must have no tables (create it with createdb); needs pg_restore.
 * The data file is checked against the manifest (size, sha256) before loading, every table's rows
 * and checksum after. Exit codes: 0 done, 1 failed, 2 refused (not empty, damaged, wrong engine),
 * 3 data directory in use, 4 pg_restore missing.
 */
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { DataDirLocked } from '../db/lock.js';
import { BackupError, readBackup, restoreEmbedded, restoreServer, summary } from '../db/backup.js';
import { parseCli } from './args.js';

const USAGE = `usage:
  npm run restore -- DIR       (DIR: a backup written by npm run backup)
  embedded: into DATA_DIR, which must be missing or empty (stop the server first)
  server:   into DATABASE_URL, which must be an empty database; needs pg_restore on PATH`;

const { values, positionals } = parseCli({}, USAGE);
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length !== 1) {
  console.error(`请指定一个备份目录 / name one backup directory\n\n${USAGE}`);
  process.exit(2);
}
const config = loadConfig();
const started = Date.now();
try {
  const { manifest, file } = await readBackup(positionals[0]);
  console.log(
    `备份 / backup: ${manifest.created_at}, ${manifest.engine}, ${manifest.schema_version ?? '—'}, Lifecircle ${manifest.app.version} — 文件校验通过 / file checksum ok`,
  );
  let stats: Awaited<ReturnType<typeof restoreEmbedded>>;
  if (config.databaseUrl) {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 2 });
    try {
      stats = await restoreServer(manifest, file, db, config.databaseUrl);
    } finally {
      await db.close();
    }
  } else {
    stats = await restoreEmbedded(manifest, file, config.dataDir);
  }
  console.log(`已恢复 / restored → ${config.databaseUrl ? 'DATABASE_URL' : config.dataDir}`);
  console.log(
    `  ${summary(stats)}; 每张表的行数与校验和均与备份一致 / every table's rows and checksum match the backup (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
} catch (err) {
  if (err instanceof DataDirLocked) {
    console.error(err.message);
    process.exit(3);
  }
  if (err instanceof BackupError) {
    console.error(err.message.trimEnd());
    process.exit(err.exitCode);
  }
  throw err;
}
