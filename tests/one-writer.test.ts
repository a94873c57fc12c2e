/**
 * One writer for the embedded data directory (issue 14): with `npm start` running, a CLI that
 * would change the same DATA_DIR fails at once with a zh/en message instead of reporting a change
 * that the server's copy overwrites when it stops. The three runs of the issue — `users disable`
 * while the server runs, a CLI import while it runs, `users add` while it writes — plus the lock's
 * liveness rules (a live holder blocks, a dead one is taken over). On the PostgreSQL engine there
 * is no lock: the CLI's change reaches the running server at once.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockFileOf } from '../server/db/lock.js';
import { exists, ROOT } from './helpers/template.js';
import { killAll, postJson, processDb, runCli, startServer, type ProcessDb } from './helpers/processes.js';

const embedded = !process.env.DATABASE_URL;
const STATIONS = path.join(ROOT, 'geodata/fixtures/stations.wgs84.geojson');
const LOCKED = /正被服务器（npm start，PID \d+）使用[\s\S]*in use by the server \(npm start, PID \d+\)/;

let pdb: ProcessDb;
beforeAll(async () => {
  pdb = await processDb({ seeded: true });
});
afterAll(async () => {
  killAll();
  await pdb?.cleanup();
});

async function login(url: string, username: string) {
  const r = await postJson(`${url}api/auth/login`, { username, password: 'lifecircle-demo' });
  expect(r.status).toBe(200);
  return r.body.token as string;
}

async function count(table: 'stations' | 'users'): Promise<number> {
  const db = await pdb.open();
  try {
    const r = await db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  } finally {
    await db.close();
  }
}

describe.skipIf(!embedded)('embedded engine: the data directory has one writer', () => {
  it('`users disable` while the server runs fails at once and says why; after the server stops it works', async () => {
    const server = await startServer(pdb.env);
    const token = await login(server.url, 'editor2');
    const run = await runCli('users', ['disable', 'editor2'], pdb.env);
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(run.stderr).toMatch(LOCKED);
    expect(run.stdout).not.toMatch(/disabled/);
    // What the CLI said is true: nothing changed, the session still works.
    const me = await fetch(`${server.url}api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await server.stop()).toBe(0);
    expect(await exists(lockFileOf(pdb.env.DATA_DIR))).toBe(false);

    const again = await runCli('users', ['disable', 'editor2'], pdb.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/已停用 \/ disabled editor2/);
    const db = await pdb.open();
    try {
      expect(await db.kysely.selectFrom('users').select('disabled').where('username', '=', 'editor2').executeTakeFirstOrThrow()).toEqual({ disabled: true });
    } finally {
      await db.close();
    }
  }, 180_000);

  it('a CLI import while the server runs fails at once; nothing is reported that a restart would undo', async () => {
    const before = await count('stations');
    const server = await startServer(pdb.env);
    const run = await runCli('import', ['geojson', STATIONS, '--kind', 'stations'], pdb.env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(LOCKED);
    expect(run.stdout).not.toMatch(/created/);
    await server.stop();
    expect(await count('stations')).toBe(before);

    const again = await runCli('import', ['geojson', STATIONS, '--kind', 'stations'], pdb.env);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/新增 3 created/);
    expect(await count('stations')).toBe(before + 3);
  }, 180_000);

  it('`users add` while the server writes fails cleanly; the server keeps writing and keeps every write', async () => {
    const server = await startServer(pdb.env);
    const token = await login(server.url, 'admin');
    const station = await (await fetch(`${server.url}api/stations/1`)).json();
    let version = station.properties.version as number;
    let writing = true;
    const statuses: number[] = [];
    const writes = (async () => {
      for (let i = 0; writing && i < 200; i++) {
        const r = await fetch(`${server.url}api/stations/1`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'if-match': `"${version}"` },
          body: JSON.stringify({ name: `并发写入 ${i}` }),
        });
        statuses.push(r.status);
        if (r.status === 200) version = ((await r.json()) as { version: number }).version;
      }
    })();
    const run = await runCli('users', ['add', 'wang', '--role', 'viewer'], { ...pdb.env, LIFECIRCLE_PASSWORD: 'a-long-enough-secret' });
    writing = false;
    await writes;
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(LOCKED);
    expect(run.stderr).not.toMatch(/Aborted|RuntimeError/);
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(await server.stop()).toBe(0);

    const db = await pdb.open();
    try {
      expect(await db.kysely.selectFrom('users').select('id').where('username', '=', 'wang').executeTakeFirst()).toBeUndefined();
      const row = await db.kysely.selectFrom('stations').select(['name', 'version']).where('id', '=', 1).executeTakeFirstOrThrow();
      expect(row).toEqual({ name: `并发写入 ${statuses.length - 1}`, version });
    } finally {
      await db.close();
    }
  }, 180_000);

  it('a lock held by a live process blocks the server and every CLI; a dead holder’s lock is taken over', async () => {
    const file = lockFileOf(pdb.env.DATA_DIR);
    // This test process is alive: a lock in its name blocks the others.
    await writeFile(file, JSON.stringify({ pid: process.pid, host: os.hostname(), role: 'import', since: new Date().toISOString() }));
    const blocked = await runCli('users', ['list'], pdb.env);
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toMatch(/正被另一个命令（import，PID \d+）使用[\s\S]*in use by another command \(import, PID \d+\)/);
    await expect(startServer(pdb.env)).rejects.toThrow(/server exited with 3[\s\S]*in use by another command/);

    // A process that has exited: its lock is stale.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await writeFile(file, JSON.stringify({ pid: Number(dead.stdout.toString()), host: os.hostname(), role: 'server', since: new Date().toISOString() }));
    const listed = await runCli('users', ['list'], pdb.env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/admin\s+admin/);
    expect(await exists(file)).toBe(false);

    // A half-written or foreign file is not a live holder either.
    await writeFile(file, 'not json');
    expect((await runCli('users', ['list'], pdb.env)).code).toBe(0);
  }, 180_000);
});

describe.skipIf(embedded)('PostgreSQL engine: no file lock; the CLI change reaches the running server', () => {
  it('`users disable` while the server runs ends the session at once', async () => {
    const server = await startServer(pdb.env);
    const token = await login(server.url, 'editor2');
    const run = await runCli('users', ['disable', 'editor2'], pdb.env);
    expect(run.code, run.stderr).toBe(0);
    const me = await fetch(`${server.url}api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    await server.stop();
  }, 180_000);
});
