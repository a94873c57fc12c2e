/**
 * One writer for an embedded data directory. PGlite is a single-process database: two processes
 * opening the same `DATA_DIR` each keep their own copy in memory and the last one to close wins
 * (a CLI change made while the server runs was lost, or the WebAssembly build aborted). So the
 * server and every CLI take `<DATA_DIR>.lock` before opening it (`openDatabase` does, for any
 * on-disk directory): a file created exclusively, holding the holder's PID, host, start time and
 * role, refreshed every 10 s. A lock whose holder is gone (no such process, a different process
 * under a reused PID, or — for a holder on another host — no refresh for a minute) is taken over,
 * so a crashed holder never blocks forever. The PostgreSQL engine needs no lock.
 */
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LockHolder {
  pid: number;
  host: string;
  /** What holds it: `server`, `seed`, `import`, `users`, … */
  role: string;
  /** ISO time the lock was taken. */
  since: string;
  /** Linux: the process start time (clock ticks after boot) from /proc, to tell a reused PID apart. */
  procStart?: string;
}

export class DataDirLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
    readonly lockFile: string,
  ) {
    const who = holder.role === 'server' ? `服务器（npm start，PID ${holder.pid}）` : `另一个命令（${holder.role}，PID ${holder.pid}）`;
    const whoEn = holder.role === 'server' ? `the server (npm start, PID ${holder.pid})` : `another command (${holder.role}, PID ${holder.pid})`;
    super(
      `数据目录 ${dataDir} 正被${who}使用，自 ${holder.since} 起；嵌入式数据库同一时间只能由一个进程打开，否则修改会丢失。` +
        `请先停止它再运行本命令（或使用 PostgreSQL：设置 DATABASE_URL）。` +
        `\nThe data directory ${dataDir} is in use by ${whoEn} since ${holder.since}. The embedded database can be open in one process only; ` +
        `a change made alongside would be lost. Stop it first, then run this again (or use PostgreSQL: set DATABASE_URL). ` +
        `If no such process is running, delete ${lockFile}.`,
    );
    // Printed as is when uncaught (a CLI that does not catch it): the message, no stack, no fields.
    for (const k of ['dataDir', 'holder', 'lockFile'] as const) Object.defineProperty(this, k, { enumerable: false });
    Object.defineProperty(this, 'name', { value: 'DataDirLocked', enumerable: false });
    this.stack = this.message;
  }
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/** Paths this process holds: a second open of the same directory in one process is refused too. */
const held = new Set<string>();

export const lockFileOf = (dataDir: string) => `${path.resolve(dataDir)}.lock`;

function procStart(pid: number): string | undefined {
  try {
    // Field 22 (starttime); the command name (field 2) may contain spaces, so count after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The holder refreshes its lock file's time this often; a holder on another host is presumed gone after STALE_MS without it. */
const HEARTBEAT_MS = 10_000;
export const STALE_MS = 60_000;

/**
 * Is the recorded holder still running? Same host: its PID is alive and (where /proc tells) the
 * same process. Another host (a shared disk, or a container restarted under a new hostname): the
 * lock file was refreshed within STALE_MS.
 */
export function holderAlive(h: LockHolder, mtimeMs = Date.now()): boolean {
  if (h.host !== os.hostname()) return Date.now() - mtimeMs < STALE_MS;
  if (!Number.isInteger(h.pid) || h.pid <= 0) return false;
  if (h.pid === process.pid) return false; // not held by this process (see `held`): a previous incarnation, e.g. PID 1 in a container
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = procStart(h.pid);
  return !(h.procStart && now && now !== h.procStart);
}

function readHolder(file: string): (LockHolder & { mtimeMs: number }) | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return typeof h === 'object' && h !== null ? { ...h, mtimeMs: statSync(file).mtimeMs } : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock on `dataDir` or throws DataDirLocked naming the live holder.
 * @example const lock = lockDataDir(config.dataDir, 'users'); … lock.release();
 */
export function lockDataDir(dataDir: string, role: string): DataDirLock {
  const file = lockFileOf(dataDir);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), role, since: new Date().toISOString(), procStart: procStart(process.pid) };
  const text = JSON.stringify(me);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (held.has(file)) throw new DataDirLocked(path.resolve(dataDir), me, file);
    // Written whole under a private name, then linked into place: link() fails if the lock exists,
    // and a lock file is never seen half-written.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o644 });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      if (holder && holderAlive(holder, holder.mtimeMs)) throw new DataDirLocked(path.resolve(dataDir), holder, file);
      // A stale lock (holder gone, or a half-written file): move it aside under a unique name and
      // check that what was moved is still the stale one (another process may have replaced it).
      const aside = `${file}.stale-${process.pid}-${attempt}`;
      try {
        renameSync(file, aside);
      } catch {
        continue; // someone else moved it first: look again
      }
      const moved = readHolder(aside);
      if (moved && holderAlive(moved, moved.mtimeMs)) {
        // A live holder's fresh lock: put it back (link: never over a newer one), then refuse.
        try {
          linkSync(aside, file);
        } catch {
          /* a newer lock is in place */
        }
        unlinkSync(aside);
        throw new DataDirLocked(path.resolve(dataDir), moved, file);
      }
      unlinkSync(aside);
      continue;
    } finally {
      unlinkSync(tmp);
    }
    held.add(file);
    const beat = setInterval(() => {
      try {
        const t = new Date();
        utimesSync(file, t, t);
      } catch {
        /* removed by hand: nothing to refresh */
      }
    }, HEARTBEAT_MS);
    beat.unref();
    const release = () => {
      if (!held.delete(file)) return;
      clearInterval(beat);
      process.off('exit', release);
      // Remove only our own lock.
      if (readHolder(file)?.pid === process.pid) {
        try {
          unlinkSync(file);
        } catch {
          /* already gone */
        }
      }
    };
    // process.exit() in a CLI skips close(): release on exit too (a kill -9 leaves a stale lock, taken over next time).
    process.on('exit', release);
    return { file, release };
  }
  throw new Error(`无法获取数据目录锁 / could not take the data directory lock ${file}`);
}

/** The role of this process for the lock file, from the script it runs (server.ts → `server`, cli/users.ts → `users`). */
export function processRole(): string {
  const script = path.basename(process.argv[1] ?? '', path.extname(process.argv[1] ?? ''));
  return script || 'node';
}
