/**
 * Import data into either engine (DATABASE_URL set → server, else the embedded DATA_DIR):
 *   npm run import -- geojson --kind districts|streets|communities|grids|stations [--crs wgs84|gcj02|bd09] FILE
 *   npm run import -- osm [--respect-access] FILE.osm.pbf
 * Admin units go top-down (districts, streets, communities, then grids). A bad file is rejected
 * whole, with every problem listed, and nothing is written.
 */
import { readFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { importGeoJson, importOsmNetwork, ImportFailed } from '../import/index.js';
import { IMPORT_KINDS, type ImportKind } from '../import/geojson.js';
import { parseCrs } from '../import/crs.js';
import { parseCli } from './args.js';

const USAGE = `usage:
  npm run import -- geojson --kind ${IMPORT_KINDS.join('|')} [--crs wgs84|gcj02|bd09] FILE.geojson
  npm run import -- osm [--respect-access] FILE.osm.pbf`;

const { values, positionals } = parseCli({ kind: { type: 'string' }, crs: { type: 'string' }, 'respect-access': { type: 'boolean' } }, USAGE);
const [format, file] = positionals;
if (values.help || !format || !file || !['geojson', 'osm'].includes(format)) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

const fail = (msg: string): never => {
  console.error(`${msg}\n\n${USAGE}`);
  process.exit(2);
};

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
let exitCode = 0;
try {
  await migrate(db);
  if (format === 'geojson') {
    const kind = values.kind as ImportKind;
    if (!IMPORT_KINDS.includes(kind)) fail(`--kind 必须是 ${IMPORT_KINDS.join('|')} 之一 / --kind must be one of ${IMPORT_KINDS.join('|')}`);
    const crs = parseCrs(values.crs ?? 'wgs84') ?? fail(`--crs 只能是 wgs84|gcj02|bd09 / --crs must be wgs84|gcj02|bd09`);
    let input: unknown;
    try {
      input = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      fail(`无法读取 GeoJSON 文件 ${file}：${(err as Error).message} / cannot read GeoJSON file ${file}`);
    }
    const r = await importGeoJson(db, kind, input, crs);
    console.log(`已导入 ${r.inserted} 个${kind}（${crs} → WGS84） / imported ${r.inserted} ${kind} (${crs} → WGS84)`);
  } else {
    const bar = new cliProgress.SingleBar({ format: '{phase} |{bar}| {percentage}% {value}/{total} MB', hideCursor: true }, cliProgress.Presets.shades_classic);
    let started = false;
    const r = await importOsmNetwork(db, file, {
      respectAccess: values['respect-access'],
      onProgress: (p) => {
        const mb = (n: number) => Math.round(n / 1e5) / 10;
        if (!started) {
          bar.start(mb(p.totalBytes), 0, { phase: 'pass 1/2 ways ' });
          started = true;
        }
        bar.update(mb(p.bytesRead), { phase: p.pass === 1 ? 'pass 1/2 ways ' : 'pass 2/2 nodes' });
      },
    });
    bar.stop();
    console.log(
      `已导入步行路网 / imported walkable network: ${r.network.edges.length} edges, ${r.network.nodes.length} vertices, ` +
        `${r.components.length} connected parts (largest ${r.components[0] ?? 0}); read ${Math.round(r.ms.read)} ms, built ${Math.round(r.ms.build)} ms. © OpenStreetMap contributors`,
    );
  }
} catch (err) {
  if (err instanceof ImportFailed) {
    console.error(err.message);
    exitCode = 1;
  } else {
    console.error(`导入出错 / import error: ${(err as Error).message}`);
    exitCode = 1;
  }
} finally {
  await db.close();
}
process.exit(exitCode);
