/**
 * autocannon in its own process (forked by bench/http.bench.ts), so the load generator's event
 * loop (sending requests and parsing every response) does not share one core with the server's.
 * A process, not a worker thread: inside a worker autocannon skips aggregating its results.
 * Plain JavaScript, so no TypeScript loader is needed.
 * argv[2]: JSON { base, connections, duration, path } or { …, prefix, suffix, bbox, seed } for
 * random points in bbox (`${prefix}lon=…&lat=…${suffix}`), or { …, paths, bbox, seed }: templates
 * taken in turn, `{pt}` replaced by `lon=…&lat=…` (tests/reliability/soak.reliability.ts). The
 * result goes back over IPC.
 */
import autocannon from 'autocannon';

const { base, connections, duration, path, prefix, suffix, paths, bbox, seed: seed0 } = JSON.parse(process.argv[2]);
let seed = seed0 ?? 12345;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const pt = () => `lon=${(bbox[0] + rnd() * (bbox[2] - bbox[0])).toFixed(6)}&lat=${(bbox[1] + rnd() * (bbox[3] - bbox[1])).toFixed(6)}`;
let turn = 0;
const next = () => (paths ? paths[turn++ % paths.length].replace('{pt}', () => pt()) : (path ?? `${prefix}${pt()}${suffix ?? ''}`));

const result = await autocannon({ url: base, connections, duration, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: next() }) }] });
process.send({
  rps: result.requests.average,
  total: result.requests.total,
  '5xx': result['5xx'],
  p50: result.latency.p50,
  p99: result.latency.p99,
  non2xx: result.non2xx,
  timeouts: result.timeouts,
  errors: result.errors,
  statusCodeStats: result.statusCodeStats ?? {},
});
process.disconnect();
