/**
 * Graceful shutdown of `npm start`'s process: on SIGTERM an in-flight request still completes,
 * and new connections are refused.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/template.js';

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests and refuses new ones', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lc-shutdown-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: path.join(dir, 'db'), PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const on = (b: Buffer) => {
        out += b.toString();
        const m = /listening: (http:\/\/\S+\/)/.exec(out);
        if (m) resolve(m[1]);
      };
      child.stdout!.on('data', on);
      child.stderr!.on('data', on);
      child.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
    });
    // Let the start-up warm-up (analysis data, then the default coverage) finish first: while it
    // runs, a request sent now may only be read after SIGTERM, and a request arriving during
    // shutdown rightly gets 503.
    await new Promise<void>((resolve) => {
      const check = () => /default coverage ready|warming the analysis data failed/.test(out) && resolve();
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      check();
    });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    // A request that takes a while (a walk coverage of every type, computed cold).
    const inflight = fetch(`${url}api/coverage?mode=walk&format=stats`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    const done = await inflight;
    expect(done.status).toBe(200);
    expect(done.body.grids.length).toBeGreaterThan(0);
    expect(await exited).toBe(0);
    await expect(fetch(`${url}api/health`)).rejects.toThrow();
  });
});
