/**
 * A light client in its own process (forked by bench/heavy.bench.ts): asks the given paths in
 * turn, one request at a time, and records each latency until told to stop; the latencies go back
 * over IPC. Plain JavaScript, so no TypeScript loader is needed.
 * argv[2]: JSON { base, paths }.
 */
const { base, paths } = JSON.parse(process.argv[2]);
const lat = Object.fromEntries(paths.map((p) => [p, []]));
let stop = false;
process.on('message', (m) => {
  if (m === 'stop') stop = true;
});
process.send('ready');
let turn = 0;
while (!stop) {
  const p = paths[turn++ % paths.length];
  const t0 = performance.now();
  const r = await fetch(base + p);
  await r.arrayBuffer();
  lat[p].push(performance.now() - t0);
  await new Promise((res) => setTimeout(res, 10));
}
process.send(lat);
process.disconnect();
