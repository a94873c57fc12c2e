/**
 * Backups that restore (issue 14 item 6). A backup is a directory:
 *   manifest.json      what it holds and how to check it (written last: no manifest, no backup)
 *   database.tar.gz    embedded engine: the PGlite data directory (`dumpDataDir`), or
 *   database.pgdump    server engine: `pg_dump --format=custom`
 * The manifest records the engine, the applied migrations, every table's row count and md5, the
 * sequences, the database versions, the app version, when, and the data file's size and sha256.
 * Both are checked on restore: the file before it is loaded, the tables after.
 *
 * Consistency while the server runs:
 *  - embedded: only the process holding the data directory may read it (server/db/lock.ts), so the
 *    CLI asks the running server (`POST /api/admin/backup`), which copies the data directory while
 *    it holds the database's only connection after a CHECKPOINT (`withExclusiveCheckpoint`); the
 *    tables are counted afterwards from that copy, opened in memory by the CLI (which proves the
 *    copy loads). The server finds its own address and a key for the CLI in `<DATA_DIR>.server.json`
 *    (mode 0600, written when it listens): whoever can read the data directory may back it up.
 *  - server engine: one repeatable-read transaction exports its snapshot; the tables are counted in
 *    it and `pg_dump --snapshot` dumps exactly that state.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { type Db, openDatabase } from './connect.js';
import { lockDataDir } from './lock.js';
import { loadMigrations } from './migrate.js';
import { type DatabaseStats, readStats, userRelations, withExclusiveCheckpoint, withExportedSnapshot, statsIn } from './backup.repository.js';

export const MANIFEST = 'manifest.json';
export const EMBEDDED_FILE = 'database.tar.gz';
export const SERVER_FILE = 'database.pgdump';
const FORMAT = 'lifecircle-backup';

export interface Manifest extends DatabaseStats {
  format: typeof FORMAT;
  format_version: 1;
  app: { name: string; version: string };
  created_at: string;
  engine: 'embedded' | 'server';
  /** How it was taken: `server` (through the running server), `direct` (the CLI opened the data directory), `pg_dump`. */
  via: 'server' | 'direct' | 'pg_dump';
  /** The last applied migration. */
  schema_version: string | null;
  file: { name: string; bytes: number; sha256: string };
  tools?: { pg_dump?: string };
}

/** A refusal or failure with a zh/en message and the exit code a CLI should use. */
export class BackupError extends Error {
  constructor(
    zh: string,
    en: string,
    readonly exitCode = 1,
  ) {
    super(`${zh}\n${en}`);
    Object.defineProperty(this, 'name', { value: 'BackupError', enumerable: false });
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
function appInfo(): { name: string; version: string } {
  const p = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: p.name, version: p.version };
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function manifestOf(stats: DatabaseStats, engine: Manifest['engine'], via: Manifest['via'], file: Manifest['file'], tools?: Manifest['tools']): Manifest {
  return {
    format: FORMAT,
    format_version: 1,
    app: appInfo(),
    created_at: new Date().toISOString(),
    engine,
    via,
    schema_version: stats.migrations.at(-1) ?? null,
    file,
    ...(tools ? { tools } : {}),
    ...stats,
  };
}

// ---------------------------------------------------------------------------------------------
// The output directory

/** Missing, or an empty directory: made ready. Anything else is refused (a backup is never overwritten). */
export async function prepareOutDir(dir: string): Promise<void> {
  if (existsSync(dir)) {
    const s = await stat(dir);
    if (!s.isDirectory() || (await readdir(dir)).length > 0)
      throw new BackupError(
        `备份目录 ${dir} 已存在且不为空；请换一个目录（备份不会覆盖已有文件）。`,
        `The backup directory ${dir} exists and is not empty; choose another one (a backup never overwrites files).`,
        2,
      );
  }
  await mkdir(dir, { recursive: true });
}

// ---------------------------------------------------------------------------------------------
// Embedded engine: taking the copy

/** The data directory as a gzipped tarball, copied while no query runs (call in the process that holds it). */
export async function dumpEmbedded(db: Db): Promise<Buffer> {
  if (db.engine !== 'embedded' || !db.dumpDataDir) throw new Error('dumpEmbedded: not an embedded database');
  const dump = db.dumpDataDir;
  const tar = await withExclusiveCheckpoint(db.kysely, () => dump());
  // Compressed after the copy (zlib works off the main thread): requests wait only for the copy.
  return promisify(gzip)(new Uint8Array(await tar.arrayBuffer()));
}

/** How a CLI reaches the server that holds a data directory. */
export interface ServerAccess {
  pid: number;
  url: string;
  key: string;
}

export const accessFileOf = (dataDir: string) => `${path.resolve(dataDir)}.server.json`;

/** Written by the server when it listens (mode 0600); the key authorises `POST /api/admin/backup`. */
export async function writeServerAccess(dataDir: string, url: string): Promise<ServerAccess> {
  const access: ServerAccess = { pid: process.pid, url, key: randomBytes(32).toString('hex') };
  const file = accessFileOf(dataDir);
  await unlink(file).catch(() => {});
  await writeFile(file, JSON.stringify(access), { mode: 0o600, flag: 'wx' });
  return access;
}

export async function removeServerAccess(dataDir: string): Promise<void> {
  const file = accessFileOf(dataDir);
  try {
    if ((JSON.parse(await readFile(file, 'utf8')) as ServerAccess).pid === process.pid) await unlink(file);
  } catch {
    /* gone or not ours */
  }
}

/** Asks the running server (PID `pid`) holding `dataDir` for a copy. */
export async function dumpThroughServer(dataDir: string, pid: number): Promise<Buffer> {
  const file = accessFileOf(dataDir);
  let access: ServerAccess;
  try {
    access = JSON.parse(await readFile(file, 'utf8')) as ServerAccess;
  } catch (err) {
    throw new BackupError(
      `服务器（PID ${pid}）正在使用数据目录，但无法读取 ${file}（${(err as Error).message}）。请以运行服务器的同一用户执行备份，或先停止服务器。`,
      `The server (PID ${pid}) holds the data directory, but ${file} cannot be read (${(err as Error).message}). Run the backup as the user that runs the server, or stop the server first.`,
      3,
    );
  }
  if (access.pid !== pid)
    throw new BackupError(
      `${file} 属于另一个服务器进程（PID ${access.pid}，而非 ${pid}）；请重启服务器后再备份。`,
      `${file} belongs to another server process (PID ${access.pid}, not ${pid}); restart the server, then back up again.`,
      3,
    );
  let res: Response;
  try {
    res = await fetch(new URL('api/admin/backup', access.url), { method: 'POST', headers: { 'x-lifecircle-backup-key': access.key } });
  } catch (err) {
    throw new BackupError(
      `无法连接正在运行的服务器 ${access.url}（${(err as Error).message}）。`,
      `Cannot reach the running server at ${access.url} (${(err as Error).message}).`,
      3,
    );
  }
  if (res.status !== 200) {
    const body = (await res.json().catch(() => ({}))) as { message_zh?: string; message_en?: string };
    throw new BackupError(
      `服务器拒绝备份（${res.status}）：${body.message_zh ?? ''}`,
      `The server refused the backup (${res.status}): ${body.message_en ?? ''}`,
      1,
    );
  }
  return Buffer.from(await res.arrayBuffer());
}

/** Loads a data-directory tarball into a database in memory and reads its stats (proves the copy loads). */
async function statsOfTarball(bytes: Buffer): Promise<DatabaseStats> {
  const db = await openDatabase({ loadDataDir: new Blob([new Uint8Array(bytes)], { type: 'application/x-gzip' }) });
  try {
    return await readStats(db.kysely);
  } finally {
    await db.close();
  }
}

/** Writes the tarball and its manifest into `outDir` (prepared); returns the manifest. */
export async function writeEmbeddedBackup(outDir: string, tarball: Buffer, via: 'server' | 'direct'): Promise<Manifest> {
  const file = path.join(outDir, EMBEDDED_FILE);
  await writeFile(file, tarball);
  const stats = await statsOfTarball(tarball);
  const manifest = manifestOf(stats, 'embedded', via, {
    name: EMBEDDED_FILE,
    bytes: tarball.length,
    sha256: createHash('sha256').update(tarball).digest('hex'),
  });
  await writeFile(path.join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

// ---------------------------------------------------------------------------------------------
// Server engine: pg_dump / pg_restore

interface ToolRun {
  code: number | null;
  stderr: string;
}

/** Connection string without its password (passed as PGPASSWORD instead: not on the command line). */
function connArgs(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (u.password) {
    env.PGPASSWORD = decodeURIComponent(u.password);
    u.password = '';
  }
  return { dbname: u.toString(), env };
}

function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 20_000) stderr += b.toString();
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT')
        reject(
          new BackupError(
            `找不到 ${tool}：服务器模式的备份与恢复需要 PostgreSQL 客户端工具（Debian：apt-get install postgresql-client-15，版本不低于数据库服务器）。`,
            `${tool} not found on PATH: backups on the server engine need the PostgreSQL client tools (Debian: apt-get install postgresql-client-15, at least the server's version).`,
            4,
          ),
        );
      else reject(err);
    });
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

export async function toolVersion(tool: string): Promise<string> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(tool, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let s = '';
    child.stdout.on('data', (b: Buffer) => (s += b.toString()));
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new BackupError(
              `找不到 ${tool}：服务器模式的备份与恢复需要 PostgreSQL 客户端工具（Debian：apt-get install postgresql-client-15，版本不低于数据库服务器）。`,
              `${tool} not found on PATH: backups on the server engine need the PostgreSQL client tools (Debian: apt-get install postgresql-client-15, at least the server's version).`,
              4,
            )
          : err,
      ),
    );
    child.once('close', () => resolve(s.trim()));
  });
  return out;
}

/** pg_dump of the database behind `db` (a pool on `url`) into `outDir`, counted in the same snapshot. */
export async function writeServerBackup(db: Db, url: string, outDir: string): Promise<Manifest> {
  const version = await toolVersion('pg_dump');
  const file = path.join(outDir, SERVER_FILE);
  const { dbname, env } = connArgs(url);
  const stats = await withExportedSnapshot(db.kysely, async (snapshot, trx) => {
    const s = await statsIn(trx);
    const run = await runTool('pg_dump', ['--format=custom', `--snapshot=${snapshot}`, `--file=${file}`, `--dbname=${dbname}`], env);
    if (run.code !== 0) throw new BackupError(`pg_dump 失败（退出码 ${run.code}）：\n${run.stderr}`, `pg_dump failed (exit ${run.code}):\n${run.stderr}`);
    return s;
  });
  const bytes = (await stat(file)).size;
  const manifest = manifestOf(stats, 'server', 'pg_dump', { name: SERVER_FILE, bytes, sha256: await sha256File(file) }, { pg_dump: version });
  await writeFile(path.join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

// ---------------------------------------------------------------------------------------------
// Restore

/** Reads and checks a backup directory's manifest and data file (size, sha256, migrations this code knows). */
export async function readBackup(dir: string): Promise<{ manifest: Manifest; file: string }> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch (err) {
    throw new BackupError(
      `${dir} 不是完整的备份：无法读取 ${MANIFEST}（${(err as Error).message}）。`,
      `${dir} is not a complete backup: cannot read ${MANIFEST} (${(err as Error).message}).`,
      2,
    );
  }
  if (manifest?.format !== FORMAT || manifest.format_version !== 1 || !manifest.file?.name || !manifest.tables)
    throw new BackupError(`${dir}/${MANIFEST} 不是生活圈备份清单。`, `${dir}/${MANIFEST} is not a Lifecircle backup manifest.`, 2);
  if (path.basename(manifest.file.name) !== manifest.file.name) throw new BackupError('清单中的文件名无效。', 'Invalid file name in the manifest.', 2);
  const file = path.join(dir, manifest.file.name);
  const size = await stat(file).then(
    (s) => s.size,
    () => -1,
  );
  if (size !== manifest.file.bytes || (await sha256File(file)) !== manifest.file.sha256)
    throw new BackupError(
      `备份文件 ${file} 已损坏或不完整（大小或 SHA-256 与清单不符）。`,
      `The backup file ${file} is damaged or incomplete (its size or SHA-256 differs from the manifest).`,
      2,
    );
  const known = new Set((await loadMigrations()).map((m) => m.name));
  const unknown = manifest.migrations.filter((m) => !known.has(m));
  if (unknown.length)
    throw new BackupError(
      `该备份来自更新版本的生活圈（含本版本没有的迁移 ${unknown.join(', ')}）；请用该版本或更新版本恢复。`,
      `This backup comes from a newer Lifecircle (migrations this version lacks: ${unknown.join(', ')}); restore it with that version or a later one.`,
      2,
    );
  return { manifest, file };
}

/** Compares a restored database with the manifest; returns what differs (empty: identical). */
export function differences(manifest: Manifest, got: DatabaseStats): string[] {
  const out: string[] = [];
  const names = new Set([...Object.keys(manifest.tables), ...Object.keys(got.tables)]);
  for (const t of [...names].sort()) {
    const a = manifest.tables[t];
    const b = got.tables[t];
    if (!a) out.push(`table ${t}: not in the backup`);
    else if (!b) out.push(`table ${t}: missing`);
    else if (a.rows !== b.rows) out.push(`table ${t}: ${b.rows} rows, backup had ${a.rows}`);
    else if (a.md5 !== b.md5) out.push(`table ${t}: contents differ`);
  }
  for (const [s, v] of Object.entries(manifest.sequences)) if (got.sequences[s] !== v) out.push(`sequence ${s}: ${got.sequences[s]}, backup had ${v}`);
  if (manifest.migrations.join() !== got.migrations.join()) out.push('schema_migrations differ');
  return out;
}

async function isEmptyDir(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  const s = await stat(dir);
  return s.isDirectory() && (await readdir(dir)).length === 0;
}

const notEmpty = (dir: string) =>
  new BackupError(
    `数据目录 ${dir} 不为空；恢复只写入空目录，不会覆盖现有数据。请设置 DATA_DIR 指向一个新目录（或先移走现有目录）。`,
    `The data directory ${dir} is not empty; a restore writes only into an empty directory and never overwrites data. Point DATA_DIR at a new directory (or move the existing one away first).`,
    2,
  );

/**
 * Restores an embedded backup into `dataDir`, which must be missing or empty and held by no
 * process. Loaded into a sibling directory first, checked against the manifest, then moved into
 * place: a failed restore leaves nothing behind.
 */
export async function restoreEmbedded(manifest: Manifest, file: string, dataDir: string): Promise<DatabaseStats> {
  if (manifest.engine !== 'embedded')
    throw new BackupError(
      '这是 PostgreSQL 服务器模式的备份（pg_dump）；请设置 DATABASE_URL 指向一个空数据库后再恢复。',
      'This is a backup of the PostgreSQL server engine (pg_dump); set DATABASE_URL to an empty database to restore it.',
      2,
    );
  const target = path.resolve(dataDir);
  await mkdir(path.dirname(target), { recursive: true });
  // Taking the target's lock refuses at once while a server (or another command) holds it.
  const lock = lockDataDir(target, 'restore');
  const staging = `${target}.restoring-${process.pid}`;
  try {
    if (!(await isEmptyDir(target))) throw notEmpty(target);
    await rm(staging, { recursive: true, force: true });
    let db: Db;
    try {
      db = await openDatabase({
        dataDir: staging,
        loadDataDir: new Blob([new Uint8Array(await readFile(file))], { type: 'application/x-gzip' }),
        lockRole: 'restore',
      });
    } catch (err) {
      throw new BackupError(
        `无法载入备份（${(err as Error).message}）。备份来自 ${manifest.postgres.version}；数据目录只能由相同 PostgreSQL 主版本的 PGlite 打开。`,
        `Cannot load the backup (${(err as Error).message}). It was taken with ${manifest.postgres.version}; a data directory opens only with a PGlite of the same PostgreSQL major version.`,
      );
    }
    let stats: DatabaseStats;
    try {
      stats = await readStats(db.kysely);
    } finally {
      await db.close();
    }
    const diff = differences(manifest, stats);
    if (diff.length)
      throw new BackupError(
        `恢复后的数据与备份清单不符，已放弃恢复：\n  ${diff.join('\n  ')}`,
        `The restored data differs from the manifest; the restore was abandoned:\n  ${diff.join('\n  ')}`,
      );
    if (!(await isEmptyDir(target))) throw notEmpty(target);
    if (existsSync(target)) await rmdir(target);
    await rename(staging, target);
    return stats;
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(`${staging}.lock`, { force: true });
    lock.release();
  }
}

/** Restores a server-engine backup with pg_restore into the (empty) database behind `db` on `url`, then checks it. */
export async function restoreServer(manifest: Manifest, file: string, db: Db, url: string): Promise<DatabaseStats> {
  if (manifest.engine !== 'server')
    throw new BackupError(
      '这是嵌入式数据库的备份；请取消 DATABASE_URL，并让 DATA_DIR 指向一个空目录后再恢复。',
      'This is a backup of the embedded engine; unset DATABASE_URL and point DATA_DIR at an empty directory to restore it.',
      2,
    );
  await toolVersion('pg_restore');
  const existing = await userRelations(db.kysely);
  if (existing.length)
    throw new BackupError(
      `目标数据库不为空（已有 ${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ' …' : ''}）；恢复只写入空数据库，不会覆盖现有数据。请先 createdb 一个新数据库。`,
      `The target database is not empty (it has ${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ' …' : ''}); a restore writes only into an empty database and never overwrites data. Create a new one first (createdb).`,
      2,
    );
  const { dbname, env } = connArgs(url);
  const run = await runTool('pg_restore', ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', `--dbname=${dbname}`, file], env);
  if (run.code !== 0)
    throw new BackupError(
      `pg_restore 失败（退出码 ${run.code}），数据库未改动：\n${run.stderr}`,
      `pg_restore failed (exit ${run.code}); the database was left unchanged:\n${run.stderr}`,
    );
  const stats = await readStats(db.kysely);
  const diff = differences(manifest, stats);
  if (diff.length)
    throw new BackupError(
      `恢复后的数据与备份清单不符：\n  ${diff.join('\n  ')}\n请删除该数据库并检查备份。`,
      `The restored data differs from the manifest:\n  ${diff.join('\n  ')}\nDrop this database and check the backup.`,
    );
  return stats;
}

export function summary(stats: DatabaseStats): string {
  const t = stats.tables;
  const n = (k: string) => t[k]?.rows ?? 0;
  return `${Object.keys(t).length} 张表 / tables — 网格 grids ${n('grids')}, 站点 stations ${n('stations')}, 账号 users ${n('users')}, 路网边 network edges ${n('network_edges')}`;
}
