/**
 * Backups that restore (issue 14 item 6), on whichever engine the run uses: seed → `npm run
 * backup` while the server runs → change (a grid edited and a station added through the API, an
 * account added with the CLI) → `npm run restore` into an empty data directory / database → the
 * changes are gone and every table is the same as at backup time (`databaseChecksum`, computed here
 * independently of the manifest). Also: what is refused (a non-empty target, a target a live
 * server holds, a damaged file, a backup directory that is not empty, a missing pg_dump) and who
 * may call `POST /api/admin/backup`.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseChecksum } from './helpers/checksum.js';
import { ROOT } from './helpers/template.js';
import { killAll, postJson, processDb, startServer, type ProcessDb } from './helpers/processes.js';

const embedded = !process.env.DATABASE_URL;
const LOCKED = /正被服务器（npm start，PID \d+）使用[\s\S]*in use by the server \(npm start, PID \d+\)/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs server/cli/<name>.ts like `npm run <name> -- args` with this environment. */
function cli(name: 'backup' | 'restore' | 'users', args: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', `server/cli/${name}.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function checksum(p: ProcessDb) {
  const db = await p.open();
  try {
    return await databaseChecksum(db);
  } finally {
    await db.close();
  }
}

async function rowCounts(p: ProcessDb, tables: string[]) {
  const db = await p.open();
  try {
    const out: Record<string, number> = {};
    for (const t of tables) {
      const r = await db.kysely
        .selectFrom(t as 'grids')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      out[t] = Number(r.n);
    }
    return out;
  } finally {
    await db.close();
  }
}

let tmp: string;
let source: ProcessDb;
const targets: ProcessDb[] = [];
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'lc-backup-'));
  source = await processDb({ seeded: true });
}, 120_000);
afterAll(async () => {
  killAll();
  await source?.cleanup();
  for (const t of targets) await t.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

/** An empty data directory / database to restore into. */
async function emptyTarget(): Promise<ProcessDb> {
  const t = await processDb({ seeded: false });
  targets.push(t);
  return t;
}

describe('backup while the server runs → change → restore into an empty database', () => {
  let atBackup: Record<string, string>;
  let afterChange: Record<string, string>;
  const dir = () => path.join(tmp, 'while-running');

  it('the backup is taken through the running server and its manifest describes the database', async () => {
    atBackup = await checksum(source);
    const server = await startServer(source.env);
    try {
      const run = await cli('backup', [dir()], source.env);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/已备份 \/ backed up/);
      if (embedded) expect(run.stdout).toMatch(/通过它备份 \/ the server \(PID \d+\) is running: backing up through it/);
      const manifest = JSON.parse(await readFile(path.join(dir(), 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({ format: 'lifecircle-backup', engine: embedded ? 'embedded' : 'server', via: embedded ? 'server' : 'pg_dump' });
      expect(manifest.app.version).toBe(JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version);
      expect(manifest.schema_version).toBe(manifest.migrations.at(-1));
      expect(manifest.file.sha256).toMatch(/^[0-9a-f]{64}$/);
      // The manifest's tables are the database's tables, with their row counts at backup time.
      expect(Object.keys(manifest.tables).sort()).toEqual(Object.keys(atBackup).sort());
      const counts = await fetch(`${server.url}api/admin/tree`).then((r) => r.json());
      expect(counts.districts.length).toBe(manifest.tables.districts.rows);

      // Changes after the backup: a grid edited and a station added by an admin.
      const login = await postJson(`${server.url}api/auth/login`, { username: 'admin', password: 'lifecircle-demo' });
      expect(login.status).toBe(200);
      const auth = { authorization: `Bearer ${login.body.token}` };
      const grid = await fetch(`${server.url}api/grids/1`).then((r) => r.json());
      const patched = await fetch(`${server.url}api/grids/1`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'if-match': `"${grid.properties.version}"`, ...auth },
        body: JSON.stringify({ leader_name: '备份之后' }),
      });
      expect(patched.status, await patched.clone().text()).toBe(200);
      const [lon, lat] = (await fetch(`${server.url}api/stations/1`).then((r) => r.json())).geometry.coordinates;
      const station = await postJson(
        `${server.url}api/stations`,
        { type: 'courier_station', name: '备份之后的驿站', lon: lon + 0.0003, lat, amenities: ['water'], opening_hours: '24/7' },
        auth,
      );
      expect(station.status, JSON.stringify(station.body)).toBe(200);
    } finally {
      // Embedded: a clean stop is what writes the server's last changes; the checksums below check them too.
      const code = await server.stop();
      if (code !== 0) console.warn(`[backup test] the server exited with ${code} on SIGTERM:\n${server.output()}`);
      if (embedded) expect(code, server.output()).toBe(0);
    }
    const added = await cli('users', ['add', 'wang_backup', '--role', 'viewer'], { ...source.env, LIFECIRCLE_PASSWORD: 'a-long-enough-secret' });
    expect(added.code, added.stderr).toBe(0);
    afterChange = await checksum(source);
    for (const t of ['grids', 'grid_history', 'stations', 'station_history', 'users', 'sessions']) expect(afterChange[t], t).not.toBe(atBackup[t]);
  }, 900_000);

  it('restore into an empty database brings back exactly the state at backup time', async () => {
    expect(atBackup, 'the first test took the backup').toBeDefined();
    const target = await emptyTarget();
    const run = await cli('restore', [dir()], target.env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/已恢复 \/ restored/);
    expect(await checksum(target)).toEqual(atBackup);
    const counts = await rowCounts(target, ['users', 'stations']);
    const manifest = JSON.parse(await readFile(path.join(dir(), 'manifest.json'), 'utf8'));
    expect(counts).toEqual({ users: manifest.tables.users.rows, stations: manifest.tables.stations.rows });
    // The restored database serves: a server starts on it and the change made after the backup is not there.
    const server = await startServer(target.env);
    try {
      const grid = await fetch(`${server.url}api/grids/1`).then((r) => r.json());
      expect(grid.properties.leader_name).not.toBe('备份之后');
      const stations = await fetch(`${server.url}api/stations`).then((r) => r.json());
      expect(stations.features.map((f: { properties: { name: string } }) => f.properties.name)).not.toContain('备份之后的驿站');
    } finally {
      await server.stop();
    }
    // A backup taken now (no server running) restores to the changed state.
    const direct = path.join(tmp, 'direct');
    const b = await cli('backup', [direct], source.env);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    const second = await emptyTarget();
    const r = await cli('restore', [direct], second.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await checksum(second)).toEqual(afterChange);
  }, 900_000);

  it('refuses a target that is not empty, a damaged file and a backup directory that is not empty; nothing changes', async () => {
    expect(afterChange, 'the first test changed the source').toBeDefined();
    const notEmpty = await cli('restore', [dir()], source.env);
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.stderr).toMatch(embedded ? /数据目录 .* 不为空[\s\S]*is not empty/ : /目标数据库不为空[\s\S]*target database is not empty/);
    expect(await checksum(source)).toEqual(afterChange);

    const damaged = path.join(tmp, 'damaged');
    await cp(dir(), damaged, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(damaged, 'manifest.json'), 'utf8'));
    const data = await readFile(path.join(damaged, manifest.file.name));
    data[Math.floor(data.length / 2)] ^= 0xff;
    await writeFile(path.join(damaged, manifest.file.name), data);
    const target = await emptyTarget();
    const bad = await cli('restore', [damaged], target.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/已损坏或不完整[\s\S]*damaged or incomplete/);

    const full = await cli('backup', [dir()], source.env);
    expect(full.code).toBe(2);
    expect(full.stderr).toMatch(/已存在且不为空[\s\S]*exists and is not empty/);
    expect(JSON.parse(await readFile(path.join(dir(), 'manifest.json'), 'utf8'))).toEqual(
      JSON.parse(await readFile(path.join(damaged, 'manifest.json'), 'utf8')),
    );
  }, 900_000);
});

describe.skipIf(!embedded)('embedded engine: the lock holder', () => {
  it('restore never writes into a directory a live server holds; the backup endpoint wants the key or an admin', async () => {
    const server = await startServer(source.env);
    try {
      const run = await cli('restore', [path.join(tmp, 'while-running')], source.env);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(LOCKED);

      const anonymous = await fetch(`${server.url}api/admin/backup`, { method: 'POST' });
      expect(anonymous.status).toBe(401);
      const wrongKey = await fetch(`${server.url}api/admin/backup`, { method: 'POST', headers: { 'x-lifecircle-backup-key': 'f'.repeat(64) } });
      expect(wrongKey.status).toBe(401);
      const viewer = await postJson(`${server.url}api/auth/login`, { username: 'viewer', password: 'lifecircle-demo' });
      const asViewer = await fetch(`${server.url}api/admin/backup`, { method: 'POST', headers: { authorization: `Bearer ${viewer.body.token}` } });
      expect(asViewer.status).toBe(403);
      expect((await asViewer.json()).message_en).toMatch(/administrator/);
      const admin = await postJson(`${server.url}api/auth/login`, { username: 'admin', password: 'lifecircle-demo' });
      const asAdmin = await fetch(`${server.url}api/admin/backup`, { method: 'POST', headers: { authorization: `Bearer ${admin.body.token}` } });
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.headers.get('content-type')).toBe('application/gzip');
      const bytes = new Uint8Array(await asAdmin.arrayBuffer());
      expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 900_000);
});

describe.skipIf(embedded)('server engine: pg_dump and pg_restore', () => {
  it('a missing pg_dump is a clear error, and no backup directory is left behind', async () => {
    const bin = path.join(tmp, 'bin-without-pg');
    await mkdir(bin, { recursive: true });
    const out = path.join(tmp, 'no-pg-dump');
    const run = await cli('backup', [out], { ...source.env, PATH: bin });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/找不到 pg_dump[\s\S]*pg_dump not found on PATH/);
    await expect(readFile(path.join(out, 'manifest.json'))).rejects.toThrow();
  }, 300_000);

  it('the backup endpoint answers 409 on the server engine', async () => {
    const server = await startServer(source.env);
    try {
      const admin = await postJson(`${server.url}api/auth/login`, { username: 'admin', password: 'lifecircle-demo' });
      const r = await fetch(`${server.url}api/admin/backup`, { method: 'POST', headers: { authorization: `Bearer ${admin.body.token}` } });
      expect(r.status).toBe(409);
      expect((await r.json()).message_en).toMatch(/pg_dump/);
    } finally {
      await server.stop();
    }
  }, 300_000);
});
