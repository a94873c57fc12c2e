/**
 * Generate the fictional sample city (滨海示例市（示例数据）) as JSON.
 *
 *   npx tsx geodata/cli.ts --size small --seed 1 --out path.json
 *   npx tsx geodata/cli.ts --size small --origin 126.63,45.7 --out harbin.json
 *
 * Writes the SampleCity JSON to --out (or stdout) and prints counts to stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSampleCity, SIZES, type SampleCitySize } from './generator/index.js';

const USAGE = `Usage: npx tsx geodata/cli.ts [--size small|medium|dalian] [--seed N] [--origin LON,LAT] [--out file.json] [--pretty]
  --size    city size (default small)
  --seed    integer seed (default 1); the same seed and size give byte-identical output
  --origin  the city's centre as lon,lat (default 121.6,38.91 near Dalian); the same city in metres
            anywhere, e.g. 114.06,22.5 (Shenzhen) or 126.63,45.7 (Harbin)
  --out     output file (default: stdout)
  --pretty  indent the JSON (2 spaces)`;

function main(): number {
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by the parseArgs destructuring below
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        size: { type: 'string', default: 'small' },
        seed: { type: 'string', default: '1' },
        origin: { type: 'string' },
        out: { type: 'string' },
        pretty: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const size = values.size as SampleCitySize;
  if (!Object.hasOwn(SIZES, size)) {
    process.stderr.write(`unknown --size ${values.size}\n${USAGE}\n`);
    return 2;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    process.stderr.write(`--seed must be an integer between 0 and 4294967295\n`);
    return 2;
  }

  let origin: [number, number] | undefined;
  if (values.origin !== undefined) {
    const parts = values.origin.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
    if (parts.length !== 2 || !(Math.abs(parts[0]!) <= 180) || !(Math.abs(parts[1]!) <= 80)) {
      process.stderr.write(`--origin must be lon,lat with |lon| ≤ 180 and |lat| ≤ 80, e.g. 126.63,45.7\n`);
      return 2;
    }
    origin = [parts[0]!, parts[1]!];
  }

  const t0 = performance.now();
  const city = generateSampleCity({ seed, size, origin });
  const genMs = performance.now() - t0;
  const json = values.pretty ? JSON.stringify(city, null, 2) : JSON.stringify(city);
  if (values.out) {
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, json);
  } else {
    process.stdout.write(json);
  }

  const types = new Map<string, number>();
  for (const s of city.stations) types.set(s.properties.type, (types.get(s.properties.type) ?? 0) + 1);
  const bridges = city.network.edges.filter((e) => e.name?.includes('桥')).length;
  const lines = [
    `${city.meta.name} size=${size} seed=${seed} generated in ${genMs.toFixed(0)} ms, ${(Buffer.byteLength(json) / 1e6).toFixed(2)} MB${values.out ? ` → ${values.out}` : ''}`,
    `  districts ${city.districts.length}, streets ${city.streets.length}, communities ${city.communities.length}, grids ${city.grids.length}`,
    `  stations ${city.stations.length} (${[...types].map(([t, n]) => `${t} ${n}`).join(', ')})`,
    `  network: ${city.network.nodes.length} nodes, ${city.network.edges.length} edges, ${bridges} bridges`,
    `  bbox ${city.meta.bbox.join(', ')}`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  return 0;
}

process.exitCode = main();
