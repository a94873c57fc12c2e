/**
 * Coverage on the seeded sample city, checked against PostGIS (radius) and pgRouting (walking
 * reach, server engine), plus the river barrier, incremental recompute and the API's shapes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import booleanIntersects from '@turf/boolean-intersects';
import length from '@turf/length';
import type { Db } from '../server/db/connect.js';
import { openTestDb, useTestApp } from './helpers/db.js';
import { migrate } from '../server/db/migrate.js';
import { loadNetwork } from '../server/db/analysis.repository.js';
import { buildWalkGraph, type WalkGraph } from '../server/network/graph.js';
import { walkFrom } from '../server/network/search.js';
import { snapPoint } from '../server/network/snap.js';
import { rollup } from '../server/coverage/rollup.js';
import { createAnalyses } from '../server/city/analyses.js';
import { importOsmNetwork } from '../server/import/pipeline/osm-network.js';
import { prerequisite, sharedOsmExtract } from './helpers/prerequisites.js';

const env = useTestApp();

const get = async (url: string) => {
  const r = await env.app.inject({ method: 'GET', url });
  if (r.statusCode !== 200) throw new Error(`${url} → ${r.statusCode}: ${r.body}`);
  return r.headers['content-type']?.toString().startsWith('text/csv') ? r.body : r.json();
};

describe('radius coverage agrees with PostGIS', () => {
  it('per-grid covered share within 0.5 percentage points of ST_Buffer(geography)/ST_Union/ST_Intersection/ST_Area(geography)', async () => {
    const ours = await get('/api/coverage?types=party_service_center&mode=radius&radius=1000&format=stats');
    expect(ours.meta.stations_used).toBeGreaterThan(2);
    // Near-true circles (quad_segs=256; tests/geodesy.test.ts also checks exact geodesic circles at three latitudes).
    const pg = await sql<{ id: number; share: number }>`
      WITH s AS (
        SELECT ST_Union(ST_Buffer(geom::geography, 1000, 'quad_segs=256')::geometry) AS g
          FROM stations WHERE type_code = 'party_service_center' AND status = 'open')
      SELECT gr.id, ST_Area(ST_Intersection(gr.boundary, s.g)::geography) / ST_Area(gr.boundary::geography) AS share
        FROM grids gr, s ORDER BY gr.id`.execute(env.db.kysely);
    const theirs = new Map(pg.rows.map((r) => [r.id, r.share]));
    let worst = 0;
    let partial = 0;
    for (const g of ours.grids) {
      const d = Math.abs(g.covered_share - theirs.get(g.id)!);
      worst = Math.max(worst, d);
      if (g.covered_share > 0.01 && g.covered_share < 0.99) partial++;
    }
    expect(ours.grids).toHaveLength(pg.rows.length);
    expect(partial).toBeGreaterThan(5); // the comparison exercises real clipping, not only 0 and 1
    expect(worst).toBeLessThan(0.005);
  });
});

describe('walking reach', () => {
  let g: WalkGraph;
  beforeAll(async () => {
    g = buildWalkGraph(await loadNetwork(env.db.kysely));
  });

  /** Nodes reached within `limit` from node index `start`, by our search. */
  function ourReach(start: number, limit: number): Set<number> {
    // A snap at offset 0 of an edge leaving `start` seeds `start` with 0 (and its neighbour with the edge length, as Dijkstra would).
    const e = g.adjEdge[g.adjOffsets[start]];
    const offset = g.edgeSource[e] === start ? 0 : g.edgeLength[e];
    const reach = walkFrom(g, { edge: e, offsetM: offset, distanceM: 0, lon: g.nodeLon[start], lat: g.nodeLat[start] }, limit);
    return new Set(reach.reachedNodes.filter((n) => reach.dist[n] <= limit).map((n) => g.nodeIds[n]));
  }

  /** pgRouting is only on the PostgreSQL server engine (embedded: skip); there it must install, in CI at least. */
  const hasPgRouting = async () => {
    if (env.db.engine !== 'server') {
      console.warn('[skip] pgRouting is only on the PostgreSQL server engine (run with DATABASE_URL; CI does)');
      return false;
    }
    const error = await sql`CREATE EXTENSION IF NOT EXISTS pgrouting`.execute(env.db.kysely).then(
      () => null,
      (e: Error) => e.message,
    );
    return prerequisite(error === null, 'the pgRouting comparison', `CREATE EXTENSION pgrouting failed: ${error} (apt-get install postgresql-15-pgrouting)`);
  };

  async function pgrReach(startId: number, limit: number, on: Db = env.db): Promise<Set<number>> {
    const r = await sql<{ node: number }>`
      SELECT node FROM pgr_drivingDistance(
        'SELECT id, source, target, length_m AS cost, length_m AS reverse_cost FROM network_edges WHERE walkable',
        ${startId}::bigint, ${limit}::float8, false)`.execute(on.kysely);
    return new Set(r.rows.map((x) => Number(x.node)));
  }

  it('the set of nodes reached within 1,200 m equals pgRouting’s pgr_drivingDistance (sample city)', async (ctx) => {
    if (!(await hasPgRouting())) ctx.skip();
    for (const k of [0, 0.13, 0.37, 0.61, 0.89]) {
      const start = Math.floor(k * g.nodeCount);
      const ours = ourReach(start, 1200);
      const theirs = await pgrReach(g.nodeIds[start], 1200);
      expect(ours.size).toBeGreaterThan(20);
      expect([...ours].sort()).toEqual([...theirs].sort());
    }
  });

  it('… and on Monaco’s real street network', async (ctx) => {
    const { file: monaco, present } = sharedOsmExtract('monaco', 'the pgRouting comparison on Monaco');
    if (!present) ctx.skip();
    if (!(await hasPgRouting())) ctx.skip();
    // Its own database: the sample city's network stays for the other tests.
    const own = await openTestDb({ seeded: false });
    try {
      await migrate(own.db);
      await sql`CREATE EXTENSION IF NOT EXISTS pgrouting`.execute(own.db.kysely);
      await importOsmNetwork(own.db, monaco);
      const mg = buildWalkGraph(await loadNetwork(own.db.kysely));
      const saved = g;
      g = mg;
      try {
        for (const k of [0.05, 0.5, 0.95]) {
          const start = Math.floor(k * g.nodeCount);
          if (g.adjOffsets[start + 1] === g.adjOffsets[start]) continue;
          const ours = ourReach(start, 1200);
          expect(ours.size).toBeGreaterThan(10);
          expect([...ours].sort()).toEqual([...(await pgrReach(g.nodeIds[start], 1200, own.db))].sort());
        }
      } finally {
        g = saved;
      }
    } finally {
      await own.close();
    }
  });
});

describe('the river is a barrier', () => {
  it('a 15-minute walk from one bank reaches the far bank only near a bridge', async () => {
    const meta = await sql<{ value: any }>`SELECT value FROM dataset_meta WHERE key = 'barriers'`.execute(env.db.kysely);
    const river = meta.rows[0].value.find((b: any) => b.properties.kind === 'river');
    const nodes = await sql<{ id: number; lon: number; lat: number; d: number; bridge: number }>`
      WITH river AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(river.geometry)}), 4326) AS g),
           bridges AS (SELECT ST_Collect(geom) AS g FROM network_edges WHERE name LIKE '%桥%')
      SELECT n.id, ST_X(n.geom) AS lon, ST_Y(n.geom) AS lat,
             ST_Distance(n.geom::geography, river.g::geography) AS d,
             ST_Distance(n.geom::geography, bridges.g::geography) AS bridge
        FROM network_nodes n, river, bridges
       WHERE ST_DWithin(n.geom::geography, river.g::geography, 150)`.execute(env.db.kysely);
    const sameSide = (a: { lon: number; lat: number }, b: { lon: number; lat: number }) =>
      !booleanIntersects(
        {
          type: 'LineString',
          coordinates: [
            [a.lon, a.lat],
            [b.lon, b.lat],
          ],
        },
        river.geometry,
      );
    // The riverside start farthest from every bridge.
    const start = [...nodes.rows].sort((a, b) => b.bridge - a.bridge)[0];
    expect(start.bridge).toBeGreaterThan(500);
    const iso = await get(`/api/isochrone?lon=${start.lon}&lat=${start.lat}&minutes=15`);
    const within = (n: { lon: number; lat: number }) => booleanPointInPolygon([n.lon, n.lat], iso.geometry);
    // Reaching n on the far bank means walking to a bridge and on to n: at least the two straight
    // distances to the bridges. Beyond the 1,200 m walk (plus the 50 m street buffer) n is out of reach.
    const opposite = nodes.rows.filter((n) => !sameSide(start, n) && start.bridge + n.bridge > 1250);
    const near = (n: { lon: number; lat: number }) => Math.hypot((n.lon - start.lon) * 86_500, (n.lat - start.lat) * 111_195) < 600;
    expect(opposite.filter(near).length).toBeGreaterThan(0); // across the water, within 600 m in a straight line …
    expect(opposite.filter(near).filter(within)).toEqual([]); // … yet not reached on foot
    expect(nodes.rows.filter((n) => sameSide(start, n) && near(n)).some(within)).toBe(true);
    // A 1 km circle would have covered the far bank.
    const radius = await get(`/api/coverage?types=courier_station&mode=radius&format=stats`);
    expect(radius.meta.stations_used).toBeGreaterThan(0);

    // From a bridge end the far bank is reached.
    const atBridge = nodes.rows.sort((a, b) => a.bridge - b.bridge)[0];
    const iso2 = await get(`/api/isochrone?lon=${atBridge.lon}&lat=${atBridge.lat}&minutes=15`);
    const far = nodes.rows.filter((n) => !sameSide(atBridge, n));
    expect(far.some((n) => booleanPointInPolygon([n.lon, n.lat], iso2.geometry))).toBe(true);
  });
});

describe('incremental recompute', () => {
  it('moving, closing and adding stations recomputes only nearby grids and equals a full recompute', async () => {
    const settings = { walkSpeedKmh: 4.8, ebikeSpeedKmh: 15, bufferM: 50, maxSnapM: 500, timeZone: 'Asia/Shanghai' };
    const service = createAnalyses(env.db.kysely, settings).coverage;
    const nGrids = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM grids`.execute(env.db.kysely)).rows[0].n;
    for (const mode of ['radius', 'walk'] as const) {
      const q = { types: ['courier_station'], mode };
      expect((await service.coverage(q)).recomputedGrids).toBe(nGrids);
      const ids = (
        await sql<{ id: number }>`SELECT id FROM stations WHERE type_code = 'courier_station' AND status = 'open' ORDER BY id`.execute(env.db.kysely)
      ).rows.map((r) => r.id);
      // Deterministic pseudo-random moves of ~100–300 m.
      let seed = mode === 'radius' ? 7 : 11;
      const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      let touched = 0;
      for (let step = 0; step < 4; step++) {
        const id = ids[Math.floor(rnd() * ids.length)];
        await sql`UPDATE stations SET geom = ST_Translate(geom, ${(rnd() - 0.5) * 0.008}, ${(rnd() - 0.5) * 0.006}), version = version + 1, updated_at = now() WHERE id = ${id}`.execute(
          env.db.kysely,
        );
        const r = await service.coverage(q);
        // A move inside other stations' areas may change nothing; it never recomputes everything.
        expect(r.recomputedGrids).toBeLessThan(nGrids);
        touched += r.recomputedGrids;
      }
      expect(touched).toBeGreaterThan(0);
      await sql`UPDATE stations SET status = 'temporarily_closed', version = version + 1, updated_at = now() WHERE id = ${ids[0]}`.execute(env.db.kysely);
      const closed = await service.coverage(q);
      expect(closed.recomputedGrids).toBeLessThan(nGrids);
      const fresh = await createAnalyses(env.db.kysely, settings).coverage.coverage(q);
      const inc = new Map(closed.grids.map((x) => [x.id, x]));
      for (const f of fresh.grids) {
        expect(inc.get(f.id)!.coveredM2).toBeCloseTo(f.coveredM2, 2);
      }
    }
  });
});

describe('after a station change', () => {
  it('reads again only changed rows, snaps again only moved stations, and answers as a fresh service', async () => {
    const settings = { walkSpeedKmh: 4.8, ebikeSpeedKmh: 15, bufferM: 50, maxSnapM: 500, timeZone: 'Asia/Shanghai' };
    const service = createAnalyses(env.db.kysely, settings).coverage;
    const queries = [
      { types: ['party_service_center'] },
      { types: ['party_service_center'], mode: 'walk' as const },
      { types: ['party_service_center'], mode: 'radius' as const, radiusM: 800 },
    ];
    for (const q of queries) await service.coverage(q);
    const before = await service.city.snapshot();
    const ids = (
      await sql<{
        id: number;
      }>`SELECT id FROM stations WHERE type_code = 'party_service_center' AND status = 'open' AND deleted_at IS NULL ORDER BY id LIMIT 3`.execute(env.db.kysely)
    ).rows.map((r) => r.id);
    const [moved, renamed, removed] = ids;
    const k = env.db.kysely;
    await sql`UPDATE stations SET geom = ST_Translate(geom, 0.002, 0.001), version = version + 1, updated_at = now() WHERE id = ${moved}`.execute(k);
    await sql`UPDATE stations SET name = name || '（新）', version = version + 1, updated_at = now() WHERE id = ${renamed}`.execute(k);
    await sql`UPDATE stations SET deleted_at = now(), version = version + 1, updated_at = now() WHERE id = ${removed}`.execute(k);
    try {
      const results = [];
      for (const q of queries) results.push(await service.coverage(q));
      const after = await service.city.snapshot();
      expect(after.stations).not.toBe(before.stations);
      expect(after.stations.map((s) => s.id)).toEqual(before.stations.map((s) => s.id).filter((id) => id !== removed));
      const old = new Map(before.stations.map((s) => [s.id, s]));
      for (const s of after.stations) {
        if (s.id === moved || s.id === renamed) {
          expect(s).not.toBe(old.get(s.id));
          expect(s.version).toBe(old.get(s.id)!.version + 1);
        } else expect(s).toBe(old.get(s.id)); // the same row object: not read again
      }
      expect(after.stations.find((s) => s.id === renamed)!.name).toMatch(/（新）$/);
      // Snaps: the moved station snapped again where it is now; every other one reused as is.
      const m = after.stations.find((s) => s.id === moved)!;
      expect(m.geometry.coordinates[0]).toBeCloseTo(old.get(moved)!.geometry.coordinates[0] + 0.002, 9);
      expect(after.stationSnaps.get(moved)).not.toBe(before.stationSnaps.get(moved));
      expect(after.stationSnaps.get(moved)).toEqual(snapPoint(after.graph!, m.geometry.coordinates[0], m.geometry.coordinates[1], settings.maxSnapM));
      expect(after.stationSnaps.has(removed)).toBe(false);
      for (const s of after.stations) if (s.id !== moved) expect(after.stationSnaps.get(s.id)).toBe(before.stationSnaps.get(s.id));
      // Same answers (grids and unit roll-ups) as a service that loads everything afresh.
      const fresh = createAnalyses(env.db.kysely, settings).coverage;
      for (const [i, q] of queries.entries()) {
        const inc = results[i];
        const f = await fresh.coverage(q);
        expect(inc.recomputedGrids).toBeLessThan(f.recomputedGrids);
        expect(inc.stationsUsed).toBe(f.stationsUsed);
        const byId = new Map(inc.grids.map((x) => [x.id, x]));
        for (const g of f.grids) {
          expect(byId.get(g.id)!.coveredM2).toBeCloseTo(g.coveredM2, 2);
          expect(byId.get(g.id)!.grid).toEqual(g.grid);
        }
        const units = (r: typeof inc) =>
          r.units.map((u) => ({
            ...u,
            areaM2: +u.areaM2.toFixed(2),
            coveredM2: +u.coveredM2.toFixed(2),
            gapAreaM2: +u.gapAreaM2.toFixed(2),
            coveredPopulation: +u.coveredPopulation.toFixed(4),
            uncoveredPopulation: +u.uncoveredPopulation.toFixed(4),
            coveredShareByArea: +u.coveredShareByArea.toFixed(6),
            coveredShareByPopulation: +u.coveredShareByPopulation.toFixed(6),
          }));
        expect(units(inc)).toEqual(units(f));
        // The roll-up is the one `rollup` gives for the same grids.
        expect(inc.units).toEqual(
          rollup(
            inc.grids.map((r) => ({
              coverage: r,
              units: { community: r.grid.community_code, street: r.grid.street_code, district: r.grid.district_code, city: 'city' },
            })),
          ),
        );
      }
      // A change of station types reads every row again (rows carry the type's names).
      await sql`UPDATE station_types SET name_en = name_en || ' (renamed)', coverage_radius_m = coverage_radius_m + 1 WHERE code = 'party_service_center'`.execute(
        k,
      );
      const retyped = await service.city.snapshot();
      expect(retyped.stations.find((s) => s.id === moved)!.type_name_en).toMatch(/\(renamed\)$/);
      expect(retyped.stationSnaps.get(moved)).toBe(after.stationSnaps.get(moved));
    } finally {
      await sql`UPDATE station_types SET name_en = replace(name_en, ' (renamed)', ''), coverage_radius_m = coverage_radius_m - 1 WHERE code = 'party_service_center'`.execute(
        k,
      );
      await sql`UPDATE stations SET geom = ST_Translate(geom, -0.002, -0.001), version = version + 1, updated_at = now() WHERE id = ${moved}`.execute(k);
      await sql`UPDATE stations SET name = replace(name, '（新）', ''), version = version + 1, updated_at = now() WHERE id = ${renamed}`.execute(k);
      await sql`UPDATE stations SET deleted_at = NULL, version = version + 1, updated_at = now() WHERE id = ${removed}`.execute(k);
    }
  });
});

describe('after a grid edit', () => {
  it('recomputes only the edited grids, and agrees with a full recompute', async () => {
    const settings = { walkSpeedKmh: 4.8, ebikeSpeedKmh: 15, bufferM: 50, maxSnapM: 500, timeZone: 'Asia/Shanghai' };
    const service = createAnalyses(env.db.kysely, settings).coverage;
    const q = { types: ['party_service_center', 'elderly_canteen'] };
    const nGrids = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM grids WHERE deleted_at IS NULL`.execute(env.db.kysely)).rows[0].n;
    expect((await service.coverage(q)).recomputedGrids).toBe(nGrids);
    const ids = (await sql<{ id: number }>`SELECT id FROM grids WHERE deleted_at IS NULL ORDER BY id LIMIT 2`.execute(env.db.kysely)).rows.map((r) => r.id);
    // Shrink one grid (a hole opens beside it) and change another's population.
    await sql`UPDATE grids SET boundary = ST_Buffer(boundary, -0.0003), version = version + 1, updated_at = now() WHERE id = ${ids[0]}`.execute(env.db.kysely);
    await sql`UPDATE grids SET population = population + 500, version = version + 1, updated_at = now() WHERE id = ${ids[1]}`.execute(env.db.kysely);
    const after = await service.coverage(q);
    expect(after.recomputedGrids).toBe(2);
    const fresh = await createAnalyses(env.db.kysely, settings).coverage.coverage(q);
    const inc = new Map(after.grids.map((x) => [x.id, x]));
    for (const f of fresh.grids) {
      expect(inc.get(f.id)!.coveredM2).toBeCloseTo(f.coveredM2, 2);
      expect(inc.get(f.id)!.uncoveredPopulation).toBeCloseTo(f.uncoveredPopulation, 2);
      expect(inc.get(f.id)!.areaM2).toBeCloseTo(f.areaM2, 2);
    }
  });
});

describe('coverage API', () => {
  it('per-grid stats roll up to communities, streets, districts and the city', async () => {
    const r = await get('/api/coverage?types=courier_station&format=stats');
    const city = r.units.find((u: any) => u.level === 'city');
    const sum = (xs: any[], k: string) => xs.reduce((s, x) => s + x[k], 0);
    expect(sum(r.grids, 'population')).toBe(city.population);
    expect(sum(r.grids, 'uncovered_population')).toBeCloseTo(city.uncovered_population, 0);
    for (const level of ['community', 'street', 'district']) {
      const us = r.units.filter((u: any) => u.level === level);
      expect(us.length).toBeGreaterThan(0);
      expect(sum(us, 'uncovered_population')).toBeCloseTo(city.uncovered_population, 0);
    }
    expect(city.covered_share_by_population).toBeGreaterThan(0);
    expect(city.covered_share_by_population).toBeLessThan(1);
  });

  it('GeoJSON has grid features and gap polygons', async () => {
    const r = await get('/api/coverage?types=elderly_canteen&mode=walk');
    expect(r.type).toBe('FeatureCollection');
    expect(r.features[0].geometry.type).toBe('Polygon');
    expect(r.gaps.features.length).toBeGreaterThan(0);
    expect(r.gaps.features[0].geometry.type).toBe('MultiPolygon');
  });

  it('walking coverage is smaller than the 1 km circle around the same stations', async () => {
    const radius = await get('/api/coverage?types=elderly_canteen&mode=radius&radius=1200&format=stats');
    const walk = await get('/api/coverage?types=elderly_canteen&mode=walk&minutes=15&format=stats');
    const c = (x: any) => x.units.find((u: any) => u.level === 'city').covered_share_by_area;
    expect(c(walk)).toBeLessThan(c(radius));
  });

  it('open_at 02:00 leaves only 24/7 courier stations and less coverage', async () => {
    const day = await get('/api/coverage?types=courier_station&format=stats');
    const night = await get('/api/coverage?types=courier_station&format=stats&open_at=2026-11-24T02:00');
    expect(night.meta.stations_used).toBeLessThan(day.meta.stations_used);
    const c = (x: any) => x.units.find((u: any) => u.level === 'city').uncovered_population;
    expect(c(night)).toBeGreaterThan(c(day));
  });

  it('gaps are ranked by uncovered population with the responsible grid leader', async () => {
    const r = await get('/api/coverage/gaps?types=courier_station&limit=10');
    expect(r.features.length).toBeGreaterThan(0);
    for (let i = 1; i < r.features.length; i++)
      expect(r.features[i].properties.uncovered_population).toBeLessThanOrEqual(r.features[i - 1].properties.uncovered_population);
    expect(r.features[0].properties).toMatchObject({
      rank: 1,
      grid_code: expect.any(String),
      community_name: expect.any(String),
      street_name: expect.any(String),
      leader_name: expect.any(String),
    });
  });

  it('CSV exports start with a BOM and have one row per grid / unit', async () => {
    const grids = await get('/api/coverage?types=courier_station&format=csv');
    expect(grids.startsWith('\uFEFF网格编码')).toBe(true);
    const n = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM grids`.execute(env.db.kysely)).rows[0].n;
    expect(grids.trim().split('\r\n')).toHaveLength(n + 1);
    const streets = await get('/api/coverage?types=courier_station&format=csv&level=street');
    const ns = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM streets`.execute(env.db.kysely)).rows[0].n;
    expect(streets.trim().split('\r\n')).toHaveLength(ns + 1);
  });

  it('rejects bad parameters clearly', async () => {
    for (const [url, pattern] of [
      ['/api/coverage?types=nope', /nope/],
      ['/api/coverage?mode=fly', /mode/],
      ['/api/coverage?mode=radius&minutes=15', /minutes/],
      ['/api/coverage?radius=-5', /radius/],
      ['/api/coverage?open_at=later', /open_at/],
      ['/api/isochrone?lon=121.6&lat=38.9&minutes=500', /minutes/],
      ['/api/isochrone?lon=0&lat=0', /500/],
    ] as const) {
      const r = await env.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, url).toBeLessThan(500);
      expect(r.json().message, url).toMatch(pattern);
    }
  });
});

describe('nearest by walking distance', () => {
  it('ranks by distance along streets, with minutes and a route that measures the distance', async () => {
    const p = (
      await sql<{
        lon: number;
        lat: number;
      }>`SELECT ST_X(ST_PointOnSurface(boundary)) AS lon, ST_Y(ST_PointOnSurface(boundary)) AS lat FROM grids ORDER BY code OFFSET 30 LIMIT 1`.execute(
        env.db.kysely,
      )
    ).rows[0];
    const r = await get(`/api/stations/nearest?lon=${p.lon}&lat=${p.lat}&type=courier_station&limit=5`);
    expect(r.by).toBe('walk');
    expect(r.features).toHaveLength(5);
    let prev = 0;
    for (const f of r.features) {
      const q = f.properties;
      expect(q.distance_m).toBeGreaterThanOrEqual(prev);
      prev = q.distance_m;
      expect(q.distance_m).toBeGreaterThanOrEqual(q.straight_m - 0.5);
      expect(q.walk_minutes).toBeCloseTo(q.distance_m / 80, 0);
      expect(q.ebike_minutes).toBeLessThan(q.walk_minutes);
      const routeM = length({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: q.route.coordinates } }, { units: 'meters' });
      expect(Math.abs(routeM - q.distance_m) / q.distance_m).toBeLessThan(0.02);
      expect(q.route.coordinates[0]).toEqual([p.lon, p.lat]);
      const end = q.route.coordinates.at(-1);
      expect(end[0]).toBeCloseTo(f.geometry.coordinates[0], 6);
      expect(end[1]).toBeCloseTo(f.geometry.coordinates[1], 6);
    }
    // The walking top-5 is the true top-5: no other courier station is nearer on foot.
    const all = await get(`/api/stations/nearest?lon=${p.lon}&lat=${p.lat}&type=courier_station&limit=50`);
    expect(all.features.slice(0, 5).map((f: any) => f.id)).toEqual(r.features.map((f: any) => f.id));
  });
});
