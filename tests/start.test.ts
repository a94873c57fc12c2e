/**
 * `npm start` end to end on the embedded engine: a fresh data directory is created and seeded,
 * the printed URL serves the sample city, and a restart keeps what was there (no re-seed).
 * Skipped when DATABASE_URL is set (that run covers the server engine through the API tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase } from '../server/db/connect.js';
import { ROOT } from './helpers/template.js';

const children: ChildProcess[] = [];
let dataDir = '';

/** Starts the server as `npm start` does; resolves with the printed URL and the output so far. */
function start(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening: (http:\/\/\S+\/)/.exec(out);
      if (m) resolve({ url: m[1], child, output: () => out });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(!!process.env.DATABASE_URL)('npm start (embedded engine)', () => {
  it('seeds on first start, serves the API, and keeps data across a restart', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lc-start-'));
    // A nested path that does not exist yet, like data/pglite on a fresh clone.
    const dbDir = path.join(dataDir, 'data', 'pglite');
    const env = { DATA_DIR: dbDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };

    const first = await start(env);
    expect(first.output()).toMatch(/loaded/);
    const health = await (await fetch(`${first.url}api/health`)).json();
    expect(health.engine).toBe('embedded');
    expect(health.counts.grids).toBeGreaterThan(50);
    const grids = await (await fetch(`${first.url}api/grids?limit=3`)).json();
    expect(grids.features).toHaveLength(3);
    // The demo accounts are printed (after the URL), and the printed password logs in.
    for (let i = 0; i < 50 && !/edit grids/.test(first.output()); i++) await new Promise((r) => setTimeout(r, 100));
    const printed = /demo accounts \(password "([^"]+)"/.exec(first.output());
    expect(printed, first.output()).not.toBeNull();
    expect(first.output()).toMatch(/editor1\s+street_editor/);
    const login = await fetch(`${first.url}api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'editor1', password: printed![1] }),
    });
    expect(login.status).toBe(200);
    await stop(first.child);

    // An edit made directly in the data directory must survive the next start.
    const db = await openDatabase({ dataDir: dbDir });
    await sql`UPDATE grids SET leader_name = '重启测试' WHERE id = 1`.execute(db.kysely);
    await db.close();

    const second = await start(env);
    expect(second.output()).not.toMatch(/loaded/);
    const one = await (await fetch(`${second.url}api/grids/1`)).json();
    expect(one.properties.leader_name).toBe('重启测试');
    const health2 = await (await fetch(`${second.url}api/health`)).json();
    expect(health2.counts).toEqual(health.counts);
    await stop(second.child);
  }, 180_000);
});
