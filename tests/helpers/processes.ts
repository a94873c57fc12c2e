/**
 * Real processes for end-to-end tests of `npm start` and the CLIs: a database they can share
 * (embedded: a data directory on disk; server: a database of its own on DATABASE_URL's server),
 * seeded from the test template or empty, and helpers to start the server and run a CLI.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Db } from '../../server/db/connect.js';
import { ROOT, withDatabase } from './template.js';

export interface ProcessDb {
  /** Environment that points a spawned server or CLI at this database. */
  env: Record<string, string>;
  /** Opens it in this process (embedded: only while no other process holds it). */
  open(): Promise<Db>;
  cleanup(): Promise<void>;
}

/** A database for spawned processes: a copy of the seeded template, or empty (not even migrated). */
export async function processDb({ seeded }: { seeded: boolean }): Promise<ProcessDb> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'lc-proc-'));
    const dataDir = path.join(tmp, 'pglite');
    if (seeded) await extractSnapshot(inject('template'), dataDir);
    return {
      env: { DATA_DIR: dataDir, DATABASE_URL: '' },
      open: () => openDatabase({ dataDir, lockRole: 'test' }),
      cleanup: () => rm(tmp, { recursive: true, force: true }),
    };
  }
  const name = `lc_proc_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(seeded ? `CREATE DATABASE "${name}" TEMPLATE "${inject('template')}"` : `CREATE DATABASE "${name}"`);
  await admin.end();
  const dbUrl = withDatabase(url, name);
  return {
    env: { DATABASE_URL: dbUrl },
    open: () => openDatabase({ databaseUrl: dbUrl, poolSize: 2 }),
    async cleanup() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Writes the embedded template snapshot (a PGlite `dumpDataDir` tarball) into `dataDir` as files,
 * the same files PGlite's `loadDataDir` would write there (it only untars: directories, files and
 * their times), without starting PGlite in the test process (a start costs ~10 s of CPU).
 */
export async function extractSnapshot(snapshot: string, dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  // The entries are absolute (/base/…, /pg_wal/…): GNU tar strips the leading slash (and says so).
  await promisify(execFile)('tar', ['-xf', snapshot, '-C', dataDir, '--no-same-owner'], { maxBuffer: 1 << 20 });
}

const children = new Set<ChildProcess>();

/** Kills whatever a test left running (call in afterAll). */
export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}

function spawnTs(script: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', COMPUTE_THREADS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Resolves once the output matches (or rejects after `ms`). */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  stop(): Promise<number | null>;
}

/** `npm start` (server/server.ts) with this environment; resolves with the printed URL. */
export function startServer(env: Record<string, string>): Promise<RunningServer> {
  const child = spawnTs('server/server.ts', [], env);
  let out = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening: (http:\/\/\S+\/)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        const more = (d: Buffer) => (out += d.toString());
        child.stdout!.on('data', more);
        child.stderr!.on('data', more);
        resolve({
          url: m[1],
          child,
          output: () => out,
          async waitFor(re, ms = 20_000) {
            for (let t = 0; !re.test(out); t += 100) {
              if (t > ms) throw new Error(`timed out waiting for ${re} in:\n${out}`);
              await new Promise((r) => setTimeout(r, 100));
            }
          },
          async stop() {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `server/cli/<name>.ts args…` to the end. */
export function runCli(name: 'seed' | 'import' | 'users', args: string[], env: Record<string, string>): Promise<CliRun> {
  const child = spawnTs(`server/cli/${name}.ts`, args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** POST JSON to a running server. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as any };
}
