/**
 * PostgreSQL restarts under load (server engine only): requests during the outage fail fast with
 * 503 and Retry-After instead of hanging; within 5 s of the database being back every request
 * succeeds again.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningApp } from './helpers.js';
import { prerequisite } from '../helpers/prerequisites.js';

const server = !!process.env.DATABASE_URL;
let cluster: string[] = [];
try {
  cluster = [readdirSync('/etc/postgresql').sort().at(-1)!, 'main'];
} catch {
  /* no Debian cluster layout */
}
// Embedded engine: nothing to restart (skip). Server engine: CI must have the cluster and root.
if (!server) console.warn('[skip] database restart test needs DATABASE_URL (the server engine)');
const canRestart =
  server &&
  prerequisite(cluster.length === 2 && process.getuid?.() === 0, 'database restart test', 'needs a Debian PostgreSQL cluster (/etc/postgresql) and root');

const pgctl = (action: 'stop' | 'start') =>
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', ...cluster, action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: 'pipe' });

let h: Awaited<ReturnType<typeof listeningApp>>;
beforeAll(async () => {
  if (canRestart) h = await listeningApp();
});
afterAll(async () => {
  if (!canRestart) return;
  try {
    pgctl('start');
  } catch {
    /* already running */
  }
  await h?.close().catch(() => {});
});

async function probe(base: string) {
  const t0 = performance.now();
  try {
    const r = await fetch(`${base}/api/locate?lon=121.6&lat=38.91`, { signal: AbortSignal.timeout(10_000) });
    return { status: r.status, retryAfter: r.headers.get('retry-after'), ms: performance.now() - t0 };
  } catch (err) {
    return { status: 0, retryAfter: null, ms: performance.now() - t0, err: String(err) };
  }
}

describe.skipIf(!canRestart)('database restart', () => {
  it('fails fast with 503 during the outage and recovers within 5 s', async () => {
    expect((await probe(h.base)).status).toBe(200);
    pgctl('stop');
    const during = [];
    for (let i = 0; i < 10; i++) during.push(await probe(h.base));
    console.log(`[restart] during outage: ${JSON.stringify(during.map((d) => [d.status, Math.round(d.ms)]))}`);
    for (const d of during) {
      expect(d.status).toBe(503);
      expect(d.retryAfter).toBe('5');
      expect(d.ms).toBeLessThan(3000); // fails fast, no hang
    }
    pgctl('start');
    const back = performance.now();
    let firstOk = -1;
    while (performance.now() - back < 15_000) {
      const p = await probe(h.base);
      if (p.status === 200) {
        firstOk = performance.now() - back;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`[restart] first success ${Math.round(firstOk)} ms after the cluster started`);
    expect(firstOk).toBeGreaterThanOrEqual(0);
    expect(firstOk).toBeLessThan(5000);
    // Afterwards every request succeeds.
    const after = await Promise.all(Array.from({ length: 20 }, () => probe(h.base)));
    expect(after.map((a) => a.status)).toEqual(Array(20).fill(200));
  });
});
