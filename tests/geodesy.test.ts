/**
 * Geodesy against PostGIS geography, with the sample city generated at three latitudes (Shenzhen
 * 22.5° N, Dalian 38.9° N, Harbin 45.7° N) and on real OSM streets (Monaco, Andorra):
 *  - grid areas as coverage reports them = ST_Area(geography) (what /api/grids serves) within 0.01 %;
 *  - walking coverage per grid within 0.5 pp of ST_Buffer(geography, 50) of the reached stretches,
 *    where the reference walk runs on PostGIS's own ellipsoidal edge lengths (ST_Length(geography));
 *  - radius coverage per grid within 0.5 pp of true geodesic circles (ST_Buffer(geography, r, 'quad_segs=256'));
 *  - isochrones: area within 1 % of ST_Buffer(geography, 50) of the reached lines, never short of the
 *    width (PostGIS's buffer lies inside ours) and at most 0.5 m beyond it (every outline vertex's
 *    GeographicLib distance to the lines; PostGIS's ST_Distance(geography) is printed too).
 * Each block prints a `[geodesy]` line with its figures (recorded in bench/RESULTS.md).
 * GEODESY_SAMPLE=medium runs the sample-city part on the medium city (506 grids; a few minutes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import geographiclib from 'geographiclib-geodesic';
import type { Db } from '../server/db/connect.js';
import { openTestDb, type TestDb } from './helpers/db.js';
import { clearDataset, loadSampleCity } from '../server/db/dataset.repository.js';
import { loadAnalysisStations, loadNetwork } from '../server/db/analysis.repository.js';
import { generateSampleCity } from '../geodata/generator/index.js';
import { createAnalyses } from '../server/city/analyses.js';
import { buildWalkGraph } from '../server/network/graph.js';
import { intervalsToLines, reachedIntervals } from '../server/network/intervals.js';
import { walkFrom } from '../server/network/search.js';
import { snapPoint, type Snap } from '../server/network/snap.js';
import { isochrone } from '../server/network/isochrone.js';
import type { MultiLineString, MultiPolygon } from 'geojson';
import { areaM2, geodesicDistanceM, localFrame } from '../server/geo/measure.js';
import { importOsmNetwork } from '../server/import/pipeline/osm-network.js';
import { sharedOsmExtract } from './helpers/prerequisites.js';

const WGS84 = geographiclib.Geodesic.WGS84;
const settings = { walkSpeedKmh: 4.8, ebikeSpeedKmh: 15, bufferM: 50, maxSnapM: 500, timeZone: 'Asia/Shanghai' };
const SAMPLE = process.env.GEODESY_SAMPLE === 'medium' ? 'medium' : 'small';
const pp = (x: number) => `${(x * 100).toFixed(3)} pp`;

/**
 * Per-grid covered share by PostGIS geography: each grid ∩ the union of the covering parts that
 * touch it (`parts`: SQL yielding one polygon per row, lon/lat), measured with ST_Area(geography).
 * Overlays on a 1e-9° grid (0.1 mm; PGlite's GEOS lost rows on some floating-point unions).
 */
async function pgShares(db: Db, parts: ReturnType<typeof sql>): Promise<Map<number, number>> {
  // One transaction without the server pool's 30 s statement limit (the medium city takes longer).
  const r = await db.kysely.transaction().execute(async (tx) => {
    await sql`SET LOCAL statement_timeout = 0`.execute(tx);
    return sql<{ id: number; share: number }>`
    WITH p AS MATERIALIZED (SELECT g FROM (${parts}) AS x(g))
    SELECT gr.id, COALESCE((SELECT ST_Area(ST_Intersection(gr.boundary, ST_Union(p.g, 1e-9), 1e-9)::geography) FROM p WHERE p.g && gr.boundary), 0)
                  / ST_Area(gr.boundary::geography) AS share
      FROM grids gr WHERE gr.deleted_at IS NULL ORDER BY gr.id`.execute(tx);
  });
  const out = new Map(r.rows.map((x) => [x.id, Number(x.share)]));
  if ([...out.values()].some((v) => !Number.isFinite(v))) throw new Error('pgShares: a grid without a share');
  return out;
}

/**
 * SQL for ST_Buffer(geography, w) of each line of a MultiLineString (quad_segs=32: arcs within
 * 2 mm of the circle), one polygon per row; their union is the buffer of the whole.
 */
const lineBuffers = (multi: ReturnType<typeof sql>, widthM: number) =>
  sql`SELECT ST_Buffer(d.geom::geography, ${widthM}, 'quad_segs=32')::geometry FROM (SELECT (ST_Dump(m.g)).geom FROM (${multi}) AS m(g)) d`;

/**
 * How far beyond `widthM` the polygon's vertices lie from the lines, by GeographicLib: for each
 * vertex the nearest point of the lines (found in a local metre frame at the vertex), then the exact
 * geodesic distance to it — an upper bound of the true distance, so of the overshoot.
 */
function overshootM(polygon: MultiPolygon, lines: MultiLineString, widthM: number): number {
  let worst = -Infinity;
  for (const [lon, lat] of polygon.coordinates.flat(2)) {
    const f = localFrame(lon!, lat!);
    let best = Infinity;
    let at: [number, number] = [lon!, lat!];
    for (const line of lines.coordinates) {
      for (let i = 1; i < line.length; i++) {
        const [a, b] = [line[i - 1]!, line[i]!];
        const ax = (a[0]! - lon!) * f.kx;
        const ay = (a[1]! - lat!) * f.ky;
        const dx = (b[0]! - a[0]!) * f.kx;
        const dy = (b[1]! - a[1]!) * f.ky;
        const l2 = dx * dx + dy * dy;
        const t = l2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / l2)) : 0;
        const d = Math.hypot(ax + t * dx, ay + t * dy);
        if (d < best) [best, at] = [d, [a[0]! + t * (b[0]! - a[0]!), a[1]! + t * (b[1]! - a[1]!)]];
      }
    }
    worst = Math.max(worst, geodesicDistanceM(lon!, lat!, at[0], at[1]) - widthM);
  }
  return worst;
}

/** The largest |share − PostGIS share| over the grids, and how many grids are partly covered (the ones that test anything). */
function compareShares(grids: { id: number; coveredShare: number }[], pg: Map<number, number>): { worst: number; partial: number } {
  let worst = 0;
  let partial = 0;
  for (const r of grids) {
    worst = Math.max(worst, Math.abs(r.coveredShare - pg.get(r.id)!));
    if (r.coveredShare > 0.01 && r.coveredShare < 0.99) partial++;
  }
  return { worst, partial };
}

const LATITUDES: { name: string; origin: [number, number] }[] = [
  { name: 'Shenzhen 22.5° N', origin: [114.06, 22.5] },
  { name: 'Dalian 38.9° N', origin: [121.6, 38.91] },
  { name: 'Harbin 45.7° N', origin: [126.63, 45.7] },
];

// One database for the whole file (a new embedded database costs tens of seconds): each block
// replaces the data set (sample city) or the street network (OSM) before it runs.
let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
}, 300_000);
afterAll(() => t?.close());

describe.each(LATITUDES)('sample city at $name', ({ name, origin }) => {
  beforeAll(async () => {
    const city = generateSampleCity({ size: SAMPLE, seed: 1, origin });
    await t.db.kysely.transaction().execute(async (tx) => {
      await clearDataset(tx);
      await loadSampleCity(tx, city);
    });
  }, 300_000);

  it(
    'grid areas, walking coverage and radius coverage agree with PostGIS geography',
    async () => {
      const db = t.db;
      const analyses = createAnalyses(db.kysely, settings).coverage;

      // 1. Grid areas: coverage's area_m2 vs ST_Area(geography) (the number /api/grids serves).
      const walkType = 'courier_station';
      const walk = await analyses.coverage({ types: [walkType], mode: 'walk', minutes: 15 });
      const areas = new Map(
        (await sql<{ id: number; a: number }>`SELECT id, ST_Area(boundary::geography) AS a FROM grids WHERE deleted_at IS NULL`.execute(db.kysely)).rows.map(
          (r) => [r.id, Number(r.a)],
        ),
      );
      let worstArea = 0;
      for (const g of walk.grids) worstArea = Math.max(worstArea, Math.abs(g.areaM2 / areas.get(g.id)! - 1));
      expect(walk.grids).toHaveLength(areas.size);

      // Edge lengths: ours (stored by the generator) vs ST_Length(geography).
      const len = (await sql<{ worst: number }>`SELECT max(abs(length_m - ST_Length(geom::geography))) AS worst FROM network_edges`.execute(db.kysely))
        .rows[0]!;

      // 2. Walking coverage: the reference walk on PostGIS's lengths, buffered by ST_Buffer(geography, 50).
      const network = await loadNetwork(db.kysely);
      const pgLen = new Map(
        (await sql<{ id: number; l: number }>`SELECT id, ST_Length(geom::geography) AS l FROM network_edges`.execute(db.kysely)).rows.map((r) => [
          r.id,
          Number(r.l),
        ]),
      );
      const g = buildWalkGraph({ ...network, edges: network.edges.map((e) => ({ ...e, lengthM: pgLen.get(e.id)! })) });
      const stations = (await loadAnalysisStations(db.kysely)).filter((s) => s.type_code === walkType && s.status === 'open');
      const snaps = stations.map((s) => snapPoint(g, s.geometry.coordinates[0], s.geometry.coordinates[1], 500)).filter((s): s is Snap => s !== null);
      expect(snaps.length).toBe(walk.stationsUsed);
      const lines = intervalsToLines(g, reachedIntervals(g, walkFrom(g, snaps, 1200)));
      expect(lines.length).toBeGreaterThan(50);
      const walkPg = await pgShares(
        db,
        lineBuffers(sql`SELECT ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify({ type: 'MultiLineString', coordinates: lines })}), 4326)`, 50),
      );
      const { worst: worstWalk, partial: partialWalk } = compareShares(walk.grids, walkPg);
      expect(partialWalk).toBeGreaterThan(10);

      // 3. Radius coverage: true geodesic circles.
      const radiusType = 'party_service_center';
      const radius = await analyses.coverage({ types: [radiusType], mode: 'radius', radiusM: 1000 });
      expect(radius.stationsUsed).toBeGreaterThan(2);
      const radiusPg = await pgShares(
        db,
        sql`SELECT ST_Buffer(geom::geography, 1000, 'quad_segs=256')::geometry FROM stations WHERE type_code = ${radiusType} AND status = 'open'`,
      );
      const { worst: worstRadius, partial: partialRadius } = compareShares(radius.grids, radiusPg);
      expect(partialRadius).toBeGreaterThan(5);
      // PostGIS buffers geography in a UTM zone, whose scale is off by up to 0.07 % away from the central
      // meridian (Shenzhen, 2.9° off: circles 0.7 m short). GeographicLib's geodesic circles (Direct,
      // 1024 points, within 5 mm of the circle) are exact: against them the gap is ours alone.
      const stationPoints = (await loadAnalysisStations(db.kysely)).filter((s) => s.type_code === radiusType && s.status === 'open');
      const circles = stationPoints.map((s) => {
        const [lon, lat] = s.geometry.coordinates;
        const ring = Array.from({ length: 1024 }, (_, i) => {
          const d = WGS84.Direct(lat, lon, (360 * i) / 1024, 1000);
          return [d.lon2!, d.lat2!];
        });
        return [[...ring, ring[0]!]];
      });
      const exactPg = await pgShares(
        db,
        sql`SELECT (ST_Dump(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify({ type: 'MultiPolygon', coordinates: circles })}), 4326))).geom`,
      );
      const overWalk = walk.grids.filter((r) => Math.abs(r.coveredShare - walkPg.get(r.id)!) > 0.005).length;
      const overRadius = radius.grids.filter((r) => Math.abs(r.coveredShare - radiusPg.get(r.id)!) > 0.005).length;
      let worstExact = 0;
      for (const r of radius.grids) worstExact = Math.max(worstExact, Math.abs(r.coveredShare - exactPg.get(r.id)!));

      console.info(
        `[geodesy] ${name} (${SAMPLE} sample, ${walk.grids.length} grids, ${db.engine}): worst per-grid area error ${(worstArea * 100).toFixed(5)} %; ` +
          `walk 15 min + 50 m worst ${pp(worstWalk)} (${partialWalk} grids partly covered); radius 1 km worst ${pp(worstRadius)} vs ST_Buffer(geography, 'quad_segs=256'), ${pp(worstExact)} vs GeographicLib circles (${partialRadius} partly covered); ` +
          `worst edge length vs ST_Length(geography) ${Number(len.worst).toFixed(4)} m; grids over 0.5 pp: walk ${overWalk}, radius ${overRadius}`,
      );
      expect(worstArea).toBeLessThan(1e-4);
      expect(Number(len.worst)).toBeLessThan(0.01); // stored to 1 cm
      expect(worstWalk).toBeLessThan(0.005);
      expect(worstRadius).toBeLessThan(0.005);
      expect(worstExact).toBeLessThan(0.001);
    },
    SAMPLE === 'medium' ? 900_000 : 120_000,
  );
});

describe.each(['monaco', 'andorra'])('isochrones on %s (real OSM streets)', (place) => {
  const { file, present } = sharedOsmExtract(place, `the isochrone geodesy test on ${place}`);
  beforeAll(async () => {
    if (present) await importOsmNetwork(t.db, file);
  }, 300_000);

  it.skipIf(!present)(
    'area within 1 % of ST_Buffer(geography, 50) of the reached lines; never short of 50 m, at most 0.5 m beyond',
    async () => {
      const db = t.db;
      // Imported lengths are ellipsoidal.
      const len = (
        await sql<{ ours: number; pg: number }>`SELECT sum(length_m) AS ours, sum(ST_Length(geom::geography)) AS pg FROM network_edges`.execute(db.kysely)
      ).rows[0]!;
      const lenError = Number(len.ours) / Number(len.pg) - 1;

      const g = buildWalkGraph(await loadNetwork(db.kysely));
      const figures: string[] = [];
      let worstArea = 0;
      let worstOver = -Infinity;
      let worstShort = 0;
      let worstOwn = 0;
      let worstPgOver = -Infinity;
      for (const k of [0.2, 0.5, 0.8]) {
        // A start on the largest part of the network: a node with at least three streets.
        let n = Math.floor(k * g.nodeCount);
        while (g.adjOffsets[n + 1]! - g.adjOffsets[n]! < 3) n++;
        const iso = isochrone(g, g.nodeLon[n]!, g.nodeLat[n]!, 1200, 50)!;
        expect(iso.lines.coordinates.length).toBeGreaterThan(20);
        const lines = JSON.stringify(iso.lines);
        const poly = JSON.stringify(iso.polygon);
        // Separate statements, and overlays on a 1e-9° grid (0.1 mm): PGlite's GEOS answered some
        // floating-point unions of these buffers with no row at all.
        const l = sql`ST_SetSRID(ST_GeomFromGeoJSON(${lines}), 4326)`;
        const p = sql`ST_SetSRID(ST_GeomFromGeoJSON(${poly}), 4326)`;
        const one = async (q: ReturnType<typeof sql>) => {
          const rows = (await q.execute(db.kysely)).rows as Record<string, unknown>[];
          if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${q.compile(db.kysely).sql.slice(0, 200)}`);
          return Number(Object.values(rows[0]!)[0]);
        };
        const buffer = sql`(SELECT ST_Union(x.g, 1e-9) FROM (${lineBuffers(sql`SELECT ${l}`, 50)}) AS x(g))`;
        const r = {
          pg: await one(sql`SELECT ST_Area(${buffer}::geography)`),
          pg_area_ours: await one(sql`SELECT ST_Area(${p}::geography)`),
          over: (await one(sql`SELECT max(ST_Distance(v.pt::geography, ${l}::geography)) FROM (SELECT (ST_DumpPoints(${p})).geom AS pt) v`)) - 50,
          outside: await one(sql`SELECT ST_Area(ST_Difference(${buffer}, ${p}, 1e-9)::geography)`),
        };
        const ours = areaM2(iso.polygon);
        // Our area is PostGIS's area of our polygon (0.01 %), and within 1 % of PostGIS's own buffer.
        worstOwn = Math.max(worstOwn, Math.abs(ours / Number(r.pg_area_ours) - 1));
        const dArea = ours / Number(r.pg) - 1;
        worstArea = Math.max(worstArea, Math.abs(dArea));
        const over = overshootM(iso.polygon, iso.lines, 50);
        worstOver = Math.max(worstOver, over);
        worstPgOver = Math.max(worstPgOver, Number(r.over));
        worstShort = Math.max(worstShort, Number(r.outside) / Number(r.pg));
        figures.push(`${(dArea * 100).toFixed(2)} % (outline ≤ ${over.toFixed(2)} m over; PostGIS ST_Distance says ${Number(r.over).toFixed(2)} m)`);
      }
      console.info(
        `[geodesy] isochrones on ${place} (15 min + 50 m, ${db.engine}): street lengths vs ST_Length(geography) ${(lenError * 100).toFixed(4)} %; our area vs PostGIS's of our polygon ≤ ${(worstOwn * 100).toFixed(4)} %; area vs ST_Buffer(geography, 50) ${figures.join(', ')}; PostGIS's buffer outside ours ≤ ${(worstShort * 100).toFixed(4)} % of its area`,
      );
      expect(Math.abs(lenError)).toBeLessThan(1e-5);
      expect(worstOwn).toBeLessThan(1e-4);
      expect(worstArea).toBeLessThan(0.01);
      expect(worstOver).toBeLessThanOrEqual(0.5);
      // PostGIS's point–line geography distance finds the nearest point on the sphere: up to ~0.1 m off at 50 m.
      expect(worstPgOver).toBeLessThanOrEqual(0.6);
      expect(worstShort).toBeLessThan(1e-4); // never short of the width (PostGIS's own buffer is within 1 cm of 50 m)
    },
    120_000,
  );
});
