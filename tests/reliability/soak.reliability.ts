/**
 * Soak: mixed read load for a bounded time (SOAK_SECONDS, default 60). Zero 5xx; resident memory
 * after warm-up (its high-water mark) grows by less than 10 %. The load generator (autocannon) runs in its own process
 * (bench/load-generator.mjs), so the server's RSS is measured without the generator's own memory.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningApp } from './helpers.js';

let h: Awaited<ReturnType<typeof listeningApp>>;
beforeAll(async () => {
  // One load generator on one address with 20 connections, a third of them heavy: the per-client
  // admission would rightly answer some of them 429 (tests/compute.test.ts checks that). Here
  // the question is memory and 5xx under sustained load, so every request must be served.
  h = await listeningApp({ heavyPerClient: 0 });
});
afterAll(() => h?.close());

const seconds = Number(process.env.SOAK_SECONDS ?? 60);
/** `{pt}`: a random point in the test city's centre. */
const paths = [
  '/api/stations/nearest?{pt}&type=courier_station&limit=3',
  '/api/stations/nearest?{pt}&by=straight',
  '/api/locate?{pt}',
  '/api/grids?bbox=121.59,38.90,121.60,38.91',
  '/api/stations?types=courier_station&open_now=true',
  '/api/coverage?types=courier_station&format=stats',
  '/api/coverage/gaps?types=elderly_canteen&mode=walk&limit=5',
  '/api/isochrone?{pt}&minutes=10',
  '/api/admin/tree',
];
const bbox = [121.583, 38.897, 121.617, 38.923];

interface LoadResult {
  rps: number;
  total: number;
  p99: number;
  non2xx: number;
  errors: number;
  '5xx': number;
}
let seed = 99;
function run(duration: number): Promise<LoadResult> {
  seed += 7919;
  const generator = fileURLToPath(new URL('../../bench/load-generator.mjs', import.meta.url));
  const child = fork(generator, [JSON.stringify({ base: h.base, connections: 20, duration, paths, bbox, seed })], { execArgv: [] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => code && reject(new Error(`load generator exited with ${code}`)));
  });
}

describe('soak', () => {
  it(`mixed reads for ${seconds} s: no 5xx, memory stable`, async () => {
    // Warm-up: caches, JIT, the embedded database's buffers. Its WebAssembly heap only grows and
    // the allocator keeps freed pages, so the RSS right after the warm-up can sit anywhere below its
    // high-water mark (±15 % between runs on PGlite). The baseline is that mark: the highest RSS seen
    // during the warm-up. A leak still shows: memory that stays pushes the end past it.
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 250);
    await run(Math.max(10, seconds / 2)).finally(() => clearInterval(sample));
    global.gc?.();
    const rss0 = Math.max(peak, process.memoryUsage().rss);
    const r = await run(seconds);
    global.gc?.();
    const rss1 = process.memoryUsage().rss;
    const growth = (rss1 - rss0) / rss0;
    console.log(
      `[soak] ${r.total} requests in ${seconds} s (${Math.round(r.rps)} req/s), p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, server RSS warm-up peak ${Math.round(rss0 / 2 ** 20)} → end ${Math.round(rss1 / 2 ** 20)} MiB (${(growth * 100).toFixed(1)} %)`,
    );
    expect(r.errors).toBe(0);
    expect(r['5xx']).toBe(0);
    expect(r.non2xx).toBe(0);
    expect(growth).toBeLessThan(0.1);
  });
});
