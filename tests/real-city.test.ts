/**
 * Walks docs/real-city.md on real OSM data (either engine): the guide's walk-through block is read
 * from the Markdown and run with bash from the repository root on an empty database — osmium cuts
 * Monaco out of ../shared/geodata/osm/monaco.osm.pbf and keeps its highways, `npm run import` loads
 * the network, the hand-made admin/grid layer (tests/fixtures/real-city/, WGS84 from real Monaco
 * coordinates) and the station sheet the guide shows (written here as .xlsx with exceljs: Chinese
 * headers, no 编码, Chinese opening hours). Then `npm start` (server/server.ts) and every URL of the
 * guide's check block is requested, and what the guide says a user sees is checked against
 * independent expectations: the grids tile the district and are valid RFC 7946 polygons, each
 * station lies in the grid that contains it geometrically, opening hours mean what the sheet says,
 * walking coverage runs along the streets (smaller than the crow-fly circle), and the walking
 * nearest answer is ordered, never shorter than the straight line, with a route as long as the
 * distance. So the guide cannot drift from the code.
 *
 * Needs osmium-tool and the shared extract: skipped with a warning on a laptop without them,
 * failing in CI (./helpers/prerequisites.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as turf from '@turf/turf';
import ExcelJS from 'exceljs';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { afterAll, describe, expect, it } from 'vitest';
import { signedArea2 } from '../server/validation/geometry.js';
import { osmiumAvailable, sharedOsmExtract } from './helpers/prerequisites.js';
import { killAll, processDb, startServer, type ProcessDb, type RunningServer } from './helpers/processes.js';
import { ROOT } from './helpers/template.js';

const WHAT = 'real-city walk-through (docs/real-city.md)';
const monaco = sharedOsmExtract('monaco', WHAT);
const osmium = osmiumAvailable(WHAT);

const FIXTURES = path.join(ROOT, 'tests/fixtures/real-city');

/** The part of the guide between `<!-- name:start … -->` and `<!-- name:end -->`. */
function guideBlock(guide: string, name: string): string {
  const m = new RegExp(`<!-- ${name}:start[^>]*-->([\\s\\S]*?)<!-- ${name}:end -->`).exec(guide);
  if (!m) throw new Error(`docs/real-city.md has no ${name} block`);
  return m[1];
}
const shBlock = (text: string) => {
  const m = /```sh\n([\s\S]*?)```/.exec(text);
  if (!m) throw new Error('no ```sh block');
  return m[1];
};
/** A Markdown table → rows of cells (header first). */
const markdownTable = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|[-|\s]+\|$/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  // Each traced line carries the seconds since the start: where a slow run spends its time.
  const child = spawn('bash', ['-euo', 'pipefail', '-x', '-c', `PS4='+ [\${SECONDS}s] '\n${script}`], {
    cwd: ROOT,
    env: { ...process.env, COMPUTE_THREADS: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

const readJson = async (name: string) => JSON.parse(await readFile(path.join(FIXTURES, name), 'utf8'));
const lonLatDistanceM = (a: Position, b: Position) => turf.distance(a, b, { units: 'meters' });

describe.runIf(monaco.present && osmium)('docs/real-city.md on Monaco', () => {
  let db: ProcessDb | undefined;
  let server: RunningServer | undefined;
  let work = '';
  afterAll(async () => {
    await server?.stop();
    killAll();
    await db?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the walk-through runs as written, and the server answers what the guide says a user sees', { timeout: 900_000 }, async () => {
    const guide = await readFile(path.join(ROOT, 'docs/real-city.md'), 'utf8');
    const script = shBlock(guideBlock(guide, 'walkthrough'));
    expect(script).toContain('../shared/geodata/osm/monaco.osm.pbf');
    expect(path.resolve(ROOT, '../shared/geodata/osm/monaco.osm.pbf')).toBe(monaco.file);

    // The station sheet as the guide shows it, saved as Excel does (numbers as numbers).
    work = await mkdtemp(path.join(os.tmpdir(), 'realcity-'));
    const [header, ...stationRows] = markdownTable(guideBlock(guide, 'stations'));
    expect(header).toEqual(['名称', '类型', '地址', '经度', '纬度', '营业时间', '设施']); // no 编码
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('站点');
    ws.addRow(header);
    for (const r of stationRows) ws.addRow(r.map((c, i) => (i === 3 || i === 4 ? Number(c) : c)));
    await wb.xlsx.writeFile(path.join(work, 'stations.xlsx'));

    // An empty database, then the guide's lines exactly.
    db = await processDb({ seeded: false });
    const walk = await run(script, { ...db.env, WORK: work });
    expect(walk.code, walk.out).toBe(0);
    const net = /imported walkable network: (\d+) edges, (\d+) vertices, (\d+) connected parts \(largest (\d+)\)/.exec(walk.out);
    expect(net, walk.out).not.toBeNull();
    const [edges, vertices] = [Number(net![1]), Number(net![2])];
    // The cut keeps Monaco and drops most of the French coast of the whole extract (5,327 edges).
    expect(edges).toBeGreaterThan(1500);
    expect(edges).toBeLessThan(5327);
    expect(walk.out).toMatch(/试运行（未写入）\/ dry run \(nothing written\): 共 1 行 \/ 1 rows: 新增 1 created/);
    expect(walk.out).toMatch(/已写入 \/ written: 共 8 行 \/ 8 rows: 新增 8 created, 更新 0 updated, 不变 0 unchanged, 拒绝 0 rejected/);
    expect(walk.out).toMatch(/已写入 \/ written: 共 6 行 \/ 6 rows: 新增 6 created, 更新 0 updated, 不变 0 unchanged, 拒绝 0 rejected/);
    // The report shows each converted hours text, and says the datum check cannot tell outside China.
    expect(walk.out).toContain('营业时间 hours "24小时" → 24/7');
    expect(walk.out).toMatch(/坐标系检查：证据不足/);
    expect(walk.out).toMatch(/生成编码 \/ generated code/);

    // `npm start` is server/server.ts, which the helper runs.
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toBe('node --import tsx server/server.ts');
    server = await startServer(db.env);
    const base = server.url.replace(/\/$/, '');
    for (let t = 0; ; t += 500) {
      if ((await fetch(`${base}/api/ready`)).status === 200) break;
      if (t > 180_000) throw new Error(`not ready:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(server.output()).not.toMatch(/生成示例城市|sample city/); // imported data: no sample city seeded

    // Every URL of the guide's check block answers.
    const urls = [...guideBlock(guide, 'checks').matchAll(/curl '([^']+)'/g)].map((m) => m[1].replace('http://127.0.0.1:3000', base));
    expect(urls).toHaveLength(5);
    const answers: Record<string, any> = {};
    for (const u of urls) {
      const r = await fetch(u);
      expect(r.status, `${u}: ${await r.clone().text()}`).toBe(200);
      answers[new URL(u).pathname] = await r.json();
    }

    // Health: what the imports reported.
    expect(answers['/api/health'].counts).toEqual({
      districts: 1,
      streets: 2,
      communities: 4,
      grids: 8,
      stations: 6,
      network_nodes: vertices,
      network_edges: edges,
    });

    // Grids: the eight of the file, valid RFC 7946 polygons, tiling the district exactly.
    const fileGrids = (await readJson('grids.geojson')).features as Feature<Polygon, Record<string, unknown>>[];
    const district = (await readJson('districts.geojson')).features[0] as Feature<MultiPolygon>;
    const served = answers['/api/grids'].features as Feature<Polygon, { code: string }>[];
    expect(served.map((f) => f.properties.code).sort()).toEqual(fileGrids.map((f) => String(f.properties['网格编码'])).sort());
    let sum = 0;
    for (const f of served) {
      expect(f.geometry.type).toBe('Polygon');
      const ring = f.geometry.coordinates[0];
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(signedArea2(ring)).toBeGreaterThan(0); // counter-clockwise
      expect(turf.kinks(f).features).toHaveLength(0);
      const truth = fileGrids.find((g) => g.properties['网格编码'] === f.properties.code)!;
      expect(new Set(ring.map((p) => p.join(' ')))).toEqual(new Set(truth.geometry.coordinates[0].map((p) => p.join(' '))));
      sum += turf.area(f);
    }
    expect(Math.abs(sum / turf.area(district) - 1)).toBeLessThan(1e-6);

    // Stations: each in the grid that contains it (by the file's geometry), hours as the sheet means them.
    const stations = (await (await fetch(`${base}/api/stations`)).json()).features as Feature<{ type: 'Point'; coordinates: Position }, any>[];
    expect(stations.map((s) => s.properties.name).sort()).toEqual(stationRows.map((r) => r[0]).sort());
    for (const s of stations) {
      const expected = fileGrids.find((g) => turf.booleanPointInPolygon(s.geometry.coordinates, g))!;
      const at = await (await fetch(`${base}/api/locate?lon=${s.geometry.coordinates[0]}&lat=${s.geometry.coordinates[1]}`)).json();
      expect(at.found, s.properties.name).toBe(true);
      expect(at.grid.code, s.properties.name).toBe(expected.properties['网格编码']);
      expect(at.street.code).toBe(String(expected.properties['社区编码']).slice(0, 9) + '000');
    }
    const casino = answers['/api/locate'];
    expect(casino.grid.code).toBe('990100002001001');
    expect(casino.grid.leader_name).toBe(fileGrids.find((g) => g.properties['网格编码'] === '990100002001001')!.properties['网格长']);
    const openAt = async (iso: string) =>
      ((await (await fetch(`${base}/api/stations?open_at=${iso}`)).json()).features as Feature<any, any>[])
        .filter((f) => f.properties.open_now)
        .map((f) => f.properties.name)
        .sort();
    // Saturday 03:00: only "24小时" and "全天"; a Wednesday at 10:00: not the canteen (11–13) nor the after-school room (15:30–18:30).
    expect(await openAt('2026-12-05T03:00')).toEqual(['拉尔沃托爱心驿站（示例）', '火车站爱心驿站（示例）'].sort());
    expect(await openAt('2026-12-02T10:00')).toEqual(
      ['摩纳哥城党群服务中心（示例）', '火车站爱心驿站（示例）', '赌场广场爱心驿站（示例）', '拉尔沃托爱心驿站（示例）'].sort(),
    );

    // Walking coverage of the canteen along Monaco's streets: some but not all of its grid, less than the crow-fly circle.
    const walkCov = answers['/api/coverage'];
    const city = (u: any) => u.units.find((x: any) => x.level === 'city');
    const walkCity = city(walkCov);
    const covered = walkCity.area_m2 - walkCity.gap_area_m2;
    expect(covered).toBeGreaterThan(0);
    const canteen = stations.find((s) => s.properties.type === 'elderly_canteen')!;
    const canteenGrid = fileGrids.find((g) => turf.booleanPointInPolygon(canteen.geometry.coordinates, g))!;
    const g = walkCov.grids.find((x: any) => x.code === canteenGrid.properties['网格编码']);
    expect(g.covered_share).toBeGreaterThan(0);
    const circle = await (await fetch(`${base}/api/coverage?types=elderly_canteen&format=stats&mode=radius&radius=1250`)).json();
    const circleCovered = city(circle).area_m2 - city(circle).gap_area_m2;
    // 15 minutes = 1,200 m along the streets (+ 50 m buffer) reach less than a 1,250 m circle.
    expect(covered).toBeLessThan(0.9 * circleCovered);

    // Nearest courier station by walk from near the Oceanographic Museum.
    const q: Position = [7.4254, 43.7307];
    const near = answers['/api/stations/nearest'].features as Feature<any, any>[];
    expect(near.length).toBeGreaterThan(0);
    let last = 0;
    for (const f of near) {
      expect(f.properties.type).toBe('courier_station');
      expect(f.properties.distance_m).toBeGreaterThanOrEqual(last);
      last = f.properties.distance_m;
      expect(f.properties.distance_m).toBeGreaterThanOrEqual(f.properties.straight_m - 1);
      expect(f.properties.straight_m).toBeCloseTo(lonLatDistanceM(q, f.geometry.coordinates), -1);
    }
    const route = near[0].properties.route.coordinates as Position[];
    expect(lonLatDistanceM(route[0], q)).toBeLessThan(100);
    expect(lonLatDistanceM(route[route.length - 1], near[0].geometry.coordinates)).toBeLessThan(100);
    const routeM = turf.length(turf.lineString(route), { units: 'meters' });
    expect(Math.abs(routeM - near[0].properties.distance_m)).toBeLessThan(Math.max(20, 0.03 * near[0].properties.distance_m));
    console.info(
      `[real-city] Monaco cut: ${edges} edges, ${vertices} vertices; walk coverage of the canteen ${Math.round(covered)} m² vs 1,250 m circle ${Math.round(circleCovered)} m²; nearest courier station by walk ${near[0].properties.name} ${near[0].properties.distance_m} m (straight ${near[0].properties.straight_m} m, route ${Math.round(routeM)} m)`,
    );
  });
});
