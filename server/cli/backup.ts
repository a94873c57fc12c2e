/**
 * `npm run backup -- [DIR]`: a consistent copy of the database, with a manifest (server/db/backup.ts).
 *   embedded, server running:   asks the server that holds DATA_DIR (POST /api/admin/backup);
 *   embedded, no server:        opens DATA_DIR itself (taking its lock);
 *   DATABASE_URL:               pg_dump --format=custom in one exported snapshot.
 * DIR (default backups/lifecircle-<UTC time>) must be missing or empty. Exit codes: 0 done,
 * 1 failed, 2 bad arguments or directory, 3 data directory busy (another command), 4 pg_dump missing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { DataDirLocked } from '../db/lock.js';
import {
  BackupError,
  EMBEDDED_FILE,
  MANIFEST,
  SERVER_FILE,
  dumpEmbedded,
  dumpThroughServer,
  type Manifest,
  prepareOutDir,
  summary,
  writeEmbeddedBackup,
  writeServerBackup,
} from '../db/backup.js';
import { parseCli } from './args.js';

const USAGE = `usage:
  npm run backup -- [DIR]      (default: backups/lifecircle-<time>; DIR must be missing or empty)
  embedded (DATA_DIR): works while the server runs (through it) or without it
  server (DATABASE_URL): needs pg_dump on PATH`;

const { values, positionals } = parseCli({}, USAGE);
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length > 1) {
  console.error(`只能指定一个备份目录 / one backup directory only\n\n${USAGE}`);
  process.exit(2);
}
const config = loadConfig();
const outDir = path.resolve(positionals[0] ?? path.join('backups', `lifecircle-${new Date().toISOString().replace(/[:.]/g, '-')}`));

async function embedded(): Promise<Manifest> {
  const dataDir = config.dataDir;
  if (!existsSync(dataDir) || readdirSync(dataDir).length === 0)
    throw new BackupError(`数据目录 ${dataDir} 不存在或为空：没有可备份的数据。`, `The data directory ${dataDir} is missing or empty: nothing to back up.`, 2);
  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    db = await openDatabase({ dataDir, lockRole: 'backup' });
  } catch (err) {
    if (!(err instanceof DataDirLocked)) throw err;
    if (err.holder.role !== 'server') throw new BackupError(err.message, '', 3);
    console.log(`服务器（PID ${err.holder.pid}）正在运行：通过它备份 / the server (PID ${err.holder.pid}) is running: backing up through it`);
    const tarball = await dumpThroughServer(dataDir, err.holder.pid);
    return writeEmbeddedBackup(outDir, tarball, 'server');
  }
  let tarball: Buffer;
  try {
    tarball = await dumpEmbedded(db);
  } finally {
    await db.close();
  }
  return writeEmbeddedBackup(outDir, tarball, 'direct');
}

async function server(url: string): Promise<Manifest> {
  const db = await openDatabase({ databaseUrl: url, poolSize: 2 });
  try {
    return await writeServerBackup(db, url, outDir);
  } finally {
    await db.close();
  }
}

function fail(err: unknown): never {
  if (err instanceof BackupError) {
    console.error(err.message.trimEnd());
    process.exit(err.exitCode);
  }
  throw err;
}

const started = Date.now();
const existed = existsSync(outDir);
// Refuses a directory that is not empty before any work (and before the clean-up below could touch it).
await prepareOutDir(outDir).catch(fail);
try {
  const manifest = config.databaseUrl ? await server(config.databaseUrl) : await embedded();
  console.log(`已备份 / backed up → ${outDir}`);
  console.log(`  ${summary(manifest)}`);
  console.log(
    `  ${manifest.file.name} ${(manifest.file.bytes / 1e6).toFixed(1)} MB, sha256 ${manifest.file.sha256.slice(0, 16)}…, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
} catch (err) {
  // Leave no half-written backup behind (only a directory this run created).
  if (!existed) await rm(outDir, { recursive: true, force: true });
  else for (const f of [MANIFEST, EMBEDDED_FILE, SERVER_FILE]) await rm(path.join(outDir, f), { force: true });
  fail(err);
}
