/** The data directory lock's rules, on files in a temporary directory (no database). */
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLocked, lockDataDir, lockFileOf, STALE_MS } from './lock.js';

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'lc-lock-'));
  dirs.push(d);
  return path.join(d, 'pglite');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const foreign = (dir: string, ageMs: number) => {
  writeFileSync(lockFileOf(dir), JSON.stringify({ pid: 999_999, host: 'another-host', role: 'server', since: new Date().toISOString() }));
  const t = new Date(Date.now() - ageMs);
  utimesSync(lockFileOf(dir), t, t);
};

describe('lockDataDir', () => {
  it('writes the holder, refuses a second lock in the same process, and removes the file on release', () => {
    const dir = dataDir();
    const lock = lockDataDir(dir, 'server');
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname(), role: 'server' });
    expect(() => lockDataDir(dir, 'users')).toThrow(DataDirLocked);
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
    lockDataDir(dir, 'users').release();
  });

  it('a holder on another host counts as alive while it refreshes the file, and is taken over after a minute without', () => {
    const dir = dataDir();
    foreign(dir, 5_000);
    expect(() => lockDataDir(dir, 'users')).toThrow(/in use by the server \(npm start, PID 999999\)/);
    foreign(dir, STALE_MS + 5_000);
    const lock = lockDataDir(dir, 'users');
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('a dead PID on this host, or a file that is not a lock, is taken over', () => {
    const dir = dataDir();
    writeFileSync(lockFileOf(dir), JSON.stringify({ pid: 2 ** 22 + 12_345, host: os.hostname(), role: 'import', since: '' }));
    lockDataDir(dir, 'users').release();
    writeFileSync(lockFileOf(dir), 'null');
    lockDataDir(dir, 'users').release();
  });

  it('release leaves alone a lock that is no longer its own', () => {
    const dir = dataDir();
    const lock = lockDataDir(dir, 'seed');
    writeFileSync(lock.file, JSON.stringify({ pid: 1, host: os.hostname(), role: 'server', since: '' }));
    lock.release();
    expect(existsSync(lock.file)).toBe(true);
  });
});
