/**
 * Soak: mixed read load for a bounded time (SOAK_SECONDS, default 60). Zero 5xx; resident memory
 * after warm-up grows by less than 10 %.
 */
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningApp } from './helpers.js';

let h: Awaited<ReturnType<typeof listeningApp>>;
beforeAll(async () => {
  h = await listeningApp();
});
afterAll(() => h?.close());

const seconds = Number(process.env.SOAK_SECONDS ?? 60);
let seed = 99;
const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const pt = () => `lon=${(121.583 + rnd() * 0.034).toFixed(6)}&lat=${(38.897 + rnd() * 0.026).toFixed(6)}`;
const paths = [
  () => `/api/stations/nearest?${pt()}&type=courier_station&limit=3`,
  () => `/api/stations/nearest?${pt()}&by=straight`,
  () => `/api/locate?${pt()}`,
  () => `/api/grids?bbox=121.59,38.90,121.60,38.91`,
  () => `/api/stations?types=courier_station&open_now=true`,
  () => `/api/coverage?types=courier_station&format=stats`,
  () => `/api/coverage/gaps?types=elderly_canteen&mode=walk&limit=5`,
  () => `/api/isochrone?${pt()}&minutes=10`,
  () => `/api/admin/tree`,
];

async function run(duration: number) {
  let i = 0;
  return autocannon({
    url: h.base,
    connections: 20,
    duration,
    requests: [{ method: 'GET', setupRequest: (req: any) => ({ ...req, path: paths[i++ % paths.length]() }) }],
  });
}

describe('soak', () => {
  it(`mixed reads for ${seconds} s: no 5xx, memory stable`, async () => {
    // Warm-up: caches, JIT, the embedded database's buffers (its WASM heap only grows).
    await run(Math.max(10, seconds / 2));
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const r = await run(seconds);
    global.gc?.();
    const rss1 = process.memoryUsage().rss;
    const growth = (rss1 - rss0) / rss0;
    console.log(`[soak] ${r.requests.total} requests in ${seconds} s (${Math.round(r.requests.average)} req/s), p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, RSS ${Math.round(rss0 / 2 ** 20)} → ${Math.round(rss1 / 2 ** 20)} MiB (${(growth * 100).toFixed(1)} %)`);
    expect(r.errors).toBe(0);
    expect(r['5xx']).toBe(0);
    expect(r.non2xx).toBe(0);
    expect(growth).toBeLessThan(0.1);
  });
});
