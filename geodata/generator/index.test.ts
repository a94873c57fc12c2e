import * as turf from '@turf/turf';
import Flatbush from 'flatbush';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import opening_hours from 'opening_hours';
import { describe, expect, it } from 'vitest';
import { AMENITIES, SERVICE_STATION_TYPES, STATION_STATUSES, STATION_TYPE_CODES } from '../../server/domain/stations.js';
import type { SampleCity } from '../types.js';
import { generateSampleCity } from './index.js';
import { ringCentroid } from './geo.js';
import { geodesicDistanceM } from '../../server/geo/measure.js';

const geodesicSum = (c: Position[]) => c.slice(1).reduce((s, p, i) => s + geodesicDistanceM(c[i]![0]!, c[i]![1]!, p[0]!, p[1]!), 0);

/** LIFECIRCLE_TEST_SEED=n runs the small-city checks on another seed. */
const SEED = Number(process.env.LIFECIRCLE_TEST_SEED ?? 1);
const city: SampleCity = generateSampleCity({ seed: SEED, size: 'small' });
const river = city.barriers.find((b) => b.properties.kind === 'river') as Feature<Polygon, { kind: 'river'; name: string }>;
const isBridge = (name: string | null | undefined) => !!name && name.includes('桥');

function rings(f: Feature<Polygon | MultiPolygon>): Position[][] {
  return f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat();
}

/** Every segment of a layer's rings: interior segments must appear exactly twice (once per side), outer ones once on the bbox. */
function checkSharedBoundaries(features: Feature<Polygon | MultiPolygon>[]): void {
  const [x0, y0, x1, y1] = city.meta.bbox;
  const count = new Map<string, number>();
  for (const f of features) {
    for (const r of rings(f)) {
      for (let i = 0; i + 1 < r.length; i++) {
        const a = r[i]!.join(',');
        const b = r[i + 1]!.join(',');
        const k = a < b ? `${a}|${b}` : `${b}|${a}`;
        count.set(k, (count.get(k) ?? 0) + 1);
      }
    }
  }
  for (const [k, n] of count) {
    const [a, b] = k.split('|').map((s) => s.split(',').map(Number)) as [number[], number[]];
    if (n === 1) {
      const onEdge = (a[0] === x0 && b[0] === x0) || (a[0] === x1 && b[0] === x1) || (a[1] === y0 && b[1] === y0) || (a[1] === y1 && b[1] === y1);
      expect(onEdge, `unshared segment ${k} not on the city boundary`).toBe(true);
    } else {
      expect(n, `segment ${k}`).toBe(2);
    }
  }
}

describe('generateSampleCity (small)', () => {
  it('is deterministic and seed-dependent', () => {
    const a = JSON.stringify(city);
    const b = JSON.stringify(generateSampleCity({ seed: SEED, size: 'small' }));
    expect(b).toBe(a);
    if (SEED === 1) expect(JSON.stringify(generateSampleCity())).toBe(a); // defaults: seed 1, small
    const c = JSON.stringify(generateSampleCity({ seed: SEED + 1, size: 'small' }));
    expect(c).not.toBe(a);
  });

  it('has meta marking the data as sample', () => {
    expect(city.meta).toMatchObject({
      name: '滨海示例市（示例数据）',
      nameEn: 'Binhai Sample City (sample data)',
      sample: true,
      seed: SEED,
      size: 'small',
      crs: 'EPSG:4326',
    });
    const [x0, y0, x1, y1] = city.meta.bbox;
    expect(x0).toBeLessThan(121.6);
    expect(x1).toBeGreaterThan(121.6);
    expect(y0).toBeLessThan(38.91);
    expect(y1).toBeGreaterThan(38.91);
    const w = turf.distance([x0, y0], [x1, y0], { units: 'meters' });
    const h = turf.distance([x0, y0], [x0, y1], { units: 'meters' });
    expect(w).toBeGreaterThan(2500);
    expect(w).toBeLessThan(3500);
    expect(h).toBeGreaterThan(2500);
    expect(h).toBeLessThan(3500);
  });

  it('has counts in the expected ranges', () => {
    expect(city.districts).toHaveLength(2);
    expect(city.streets).toHaveLength(4);
    expect(city.communities.length).toBeGreaterThanOrEqual(12);
    expect(city.communities.length).toBeLessThanOrEqual(20);
    expect(city.grids.length).toBeGreaterThanOrEqual(100);
    expect(city.grids.length).toBeLessThanOrEqual(150);
    // The six service types as before; life-circle facilities (schools, clinics, shops …) besides.
    const service = city.stations.filter((s) => (SERVICE_STATION_TYPES as readonly string[]).includes(s.properties.type));
    expect(service.length).toBeGreaterThanOrEqual(40);
    expect(service.length).toBeLessThanOrEqual(60);
    expect(city.stations.length - service.length).toBeGreaterThanOrEqual(city.communities.length * 4);
    expect(city.stations.length - service.length).toBeLessThanOrEqual(city.communities.length * 10);
    expect(city.network.edges.length).toBeGreaterThanOrEqual(1000);
    expect(city.network.edges.length).toBeLessThanOrEqual(3000);
  });

  it('has well-formed, unique, hierarchical codes', () => {
    const all = [...city.districts, ...city.streets, ...city.communities].map((f) => f.properties.code);
    const gridCodes = city.grids.map((g) => g.properties.code);
    expect(new Set([...all, ...gridCodes]).size).toBe(all.length + gridCodes.length);
    const districts = new Set(city.districts.map((d) => d.properties.code));
    const streets = new Set(city.streets.map((d) => d.properties.code));
    const communities = new Set(city.communities.map((d) => d.properties.code));
    for (const d of city.districts) {
      expect(d.properties.code).toMatch(/^21029\d000000$/);
      expect(d.properties.parentCode).toBeUndefined();
      expect(d.properties.name).toMatch(/区$/);
    }
    for (const s of city.streets) {
      expect(s.properties.code).toMatch(/^\d{9}000$/);
      expect(s.properties.code).not.toMatch(/^\d{6}000/);
      expect(districts.has(s.properties.parentCode!)).toBe(true);
      expect(s.properties.code.slice(0, 6)).toBe(s.properties.parentCode!.slice(0, 6));
      expect(s.properties.name).toMatch(/街道$/);
    }
    for (const c of city.communities) {
      expect(c.properties.code).toMatch(/^\d{12}$/);
      expect(c.properties.code.slice(9)).not.toBe('000');
      expect(streets.has(c.properties.parentCode!)).toBe(true);
      expect(c.properties.code.slice(0, 9)).toBe(c.properties.parentCode!.slice(0, 9));
      expect(c.properties.name).toMatch(/社区$/);
    }
    const byComm = new Map<string, number[]>();
    for (const g of city.grids) {
      const p = g.properties;
      expect(p.code).toMatch(/^\d{15}$/);
      expect(communities.has(p.communityCode)).toBe(true);
      expect(p.code.startsWith(p.communityCode)).toBe(true);
      const seq = Number(p.code.slice(12));
      expect(p.name).toMatch(new RegExp(`^.+社区第${seq}网格$`));
      (byComm.get(p.communityCode) ?? byComm.set(p.communityCode, []).get(p.communityCode)!).push(seq);
    }
    // Every community has grids numbered 1..n.
    expect(byComm.size).toBe(communities.size);
    for (const seqs of byComm.values()) expect(seqs.slice().sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i + 1));
  });

  it('numbers grids west → east, north → south within a community', () => {
    // Rule (see index.ts): bands counted from the north edge, north band first, west → east within a band.
    // So each next grid is either further east (same band) or further south (a later band).
    const areaCentroid = (ring: Position[]): [number, number] => ringCentroid(ring) as [number, number];
    const byComm = new Map<string, Feature<Polygon>[]>();
    for (const g of city.grids) (byComm.get(g.properties.communityCode) ?? byComm.set(g.properties.communityCode, []).get(g.properties.communityCode)!).push(g);
    for (const grids of byComm.values()) {
      const cs = grids.map((g) => areaCentroid(g.geometry.coordinates[0]!));
      for (let i = 1; i < cs.length; i++) expect(cs[i]![0] > cs[i - 1]![0] || cs[i]![1] < cs[i - 1]![1]).toBe(true);
      if (grids.length > 3) expect(cs[0]![1]).toBeGreaterThan(cs[cs.length - 1]![1]);
    }
  });

  it('has plausible grid attributes', () => {
    let nullBranches = 0;
    for (const g of city.grids) {
      const p = g.properties;
      expect(p.population).toBeGreaterThanOrEqual(300);
      expect(p.population).toBeLessThanOrEqual(3000);
      expect(Math.abs(p.households - p.population / 2.6)).toBeLessThanOrEqual(0.5);
      expect(p.leaderName).toMatch(/^\p{Script=Han}{2,3}$/u);
      expect(p.leaderPhone).toMatch(/^1[3-9]\d{9}$/);
      if (p.partyBranch === null) nullBranches++;
      else expect(p.partyBranch).toBe(`${p.name}党支部`);
    }
    expect(nullBranches).toBeGreaterThan(0);
    expect(nullBranches).toBeLessThan(city.grids.length * 0.25);
  });

  it('has valid grid polygons (closed, CCW, simple)', () => {
    for (const g of city.grids) {
      expect(g.geometry.type).toBe('Polygon');
      const ring = g.geometry.coordinates[0]!;
      expect(ring.length).toBeGreaterThanOrEqual(4);
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(turf.booleanClockwise(ring)).toBe(false);
      expect(turf.kinks(g).features).toHaveLength(0);
      for (const p of ring) {
        expect(Math.round(p[0]! * 1e7) / 1e7).toBe(p[0]);
        expect(Math.round(p[1]! * 1e7) / 1e7).toBe(p[1]);
      }
    }
  });

  it('partitions the city exactly at every level', () => {
    const cityArea = turf.area(turf.bboxPolygon(city.meta.bbox));
    for (const layer of [city.grids, city.communities, city.streets, city.districts] as Feature<Polygon | MultiPolygon>[][]) {
      const total = layer.reduce((s, f) => s + turf.area(f), 0);
      expect(Math.abs(total - cityArea) / cityArea).toBeLessThan(0.001);
      checkSharedBoundaries(layer);
    }
  });

  it('has no overlaps between neighbouring grids', () => {
    const idx = new Flatbush(city.grids.length);
    for (const g of city.grids) {
      const [a, b, c, d] = turf.bbox(g);
      idx.add(a, b, c, d);
    }
    idx.finish();
    let pairs = 0;
    city.grids.forEach((g, i) => {
      const [a, b, c, d] = turf.bbox(g);
      for (const j of idx.search(a, b, c, d)) {
        if (j <= i) continue;
        pairs++;
        const inter = turf.intersect(turf.featureCollection([g, city.grids[j]!]));
        expect(inter ? turf.area(inter) : 0).toBeLessThan(1);
      }
    });
    expect(pairs).toBeGreaterThan(city.grids.length);
  });

  it('nests every unit inside its parent', () => {
    const check = (
      children: Feature<Polygon | MultiPolygon>[],
      parentOf: (f: Feature<Polygon | MultiPolygon>) => string,
      parents: Feature<Polygon | MultiPolygon, { code: string }>[],
    ) => {
      const byCode = new Map(parents.map((p) => [p.properties.code, p]));
      const sum = new Map<string, number>();
      for (const c of children) {
        const parent = byCode.get(parentOf(c))!;
        expect(parent).toBeDefined();
        const pt = turf.pointOnFeature(c);
        expect(turf.booleanPointInPolygon(pt, parent)).toBe(true);
        sum.set(parent.properties.code, (sum.get(parent.properties.code) ?? 0) + turf.area(c));
      }
      for (const p of parents) expect(Math.abs(sum.get(p.properties.code)! - turf.area(p)) / turf.area(p)).toBeLessThan(1e-6);
    };
    check(city.grids, (g) => (g.properties as { communityCode: string }).communityCode, city.communities);
    check(city.communities, (c) => (c.properties as { parentCode: string }).parentCode, city.streets);
    check(city.streets, (s) => (s.properties as { parentCode: string }).parentCode, city.districts);
    for (const f of [...city.communities, ...city.streets, ...city.districts]) expect(f.geometry.type).toBe('Polygon');
  });

  it('has a consistent street network', () => {
    const { nodes, edges } = city.network;
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(byId.size).toBe(nodes.length);
    expect(new Set(nodes.map((n) => `${n.lon},${n.lat}`)).size).toBe(nodes.length);
    const pairs = new Set<string>();
    const highways = new Set<string>();
    const parent = new Map<number, number>(nodes.map((n) => [n.id, n.id]));
    const find = (x: number): number => (parent.get(x) === x ? x : find(parent.get(x)!));
    edges.forEach((e, i) => {
      expect(e.id).toBe(i + 1);
      expect(e.source).not.toBe(e.target);
      const s = byId.get(e.source)!;
      const t = byId.get(e.target)!;
      expect(e.coords[0]).toEqual([s.lon, s.lat]);
      expect(e.coords[e.coords.length - 1]).toEqual([t.lon, t.lat]);
      const key = e.source < e.target ? `${e.source}-${e.target}` : `${e.target}-${e.source}`;
      expect(pairs.has(key)).toBe(false);
      pairs.add(key);
      expect(e.lengthM).toBeGreaterThan(0);
      expect(Math.abs(e.lengthM - geodesicSum(e.coords))).toBeLessThan(0.006); // ellipsoidal, rounded to 1 cm
      expect(e.walkable).toBe(true);
      highways.add(e.highway);
      parent.set(find(e.source), find(e.target));
    });
    for (const h of ['primary', 'secondary', 'residential', 'footway', 'service']) expect(highways.has(h)).toBe(true);
    expect(new Set(nodes.map((n) => find(n.id))).size).toBe(1);
    expect(edges.some((e) => e.highway === 'primary' && /路$/.test(e.name ?? ''))).toBe(true);
  });

  it('crosses the river only on bridges', () => {
    expect(river.properties.name).toBe('示例河');
    const ring = river.geometry.coordinates[0]!;
    expect(turf.booleanClockwise(ring)).toBe(false);
    expect(turf.kinks(river).features).toHaveLength(0);
    // ~80–150 m wide: area / length of the city's width.
    const [x0, y0, x1] = city.meta.bbox;
    const width = turf.area(river) / turf.distance([x0, y0], [x1, y0], { units: 'meters' });
    expect(width).toBeGreaterThan(80);
    expect(width).toBeLessThan(150);

    const bridges = city.network.edges.filter((e) => isBridge(e.name));
    expect(bridges.length).toBeGreaterThanOrEqual(2);
    expect(bridges.length).toBeLessThanOrEqual(3);
    for (const e of city.network.edges) {
      const hits = turf.booleanIntersects(turf.lineString(e.coords), river);
      expect(hits, `edge ${e.id} (${e.name ?? e.highway})`).toBe(isBridge(e.name));
    }
    for (const b of bridges) expect(['primary', 'secondary']).toContain(b.highway);
    const mids = bridges.map((b) => turf.along(turf.lineString(b.coords), b.lengthM / 2, { units: 'meters' }));
    for (let i = 0; i < mids.length; i++)
      for (let j = i + 1; j < mids.length; j++) expect(turf.distance(mids[i]!, mids[j]!, { units: 'meters' })).toBeGreaterThanOrEqual(800);
  });

  it('has stations of every type, on land, near streets', () => {
    const st = city.stations;
    const types = new Map<string, number>();
    for (const s of st) types.set(s.properties.type, (types.get(s.properties.type) ?? 0) + 1);
    for (const t of STATION_TYPE_CODES) expect(types.get(t) ?? 0, t).toBeGreaterThan(0);
    const courier = types.get('courier_station')!;
    const nService = SERVICE_STATION_TYPES.reduce((n, t) => n + (types.get(t) ?? 0), 0);
    expect(Math.max(...SERVICE_STATION_TYPES.map((t) => types.get(t) ?? 0))).toBe(courier);
    expect(courier / nService).toBeGreaterThan(0.3);
    expect(courier / nService).toBeLessThan(0.5);
    // One health centre per street (社区卫生服务中心), kindergartens in most communities.
    expect(types.get('community_health_center')).toBe(city.streets.length);
    expect(types.get('kindergarten')!).toBeGreaterThanOrEqual(city.communities.length / 2);
    expect(new Set(st.map((s) => s.properties.code)).size).toBe(st.length);
    expect(new Set(st.map((s) => s.properties.name)).size).toBe(st.length);

    const [x0, y0, x1, y1] = city.meta.bbox;
    const idx = new Flatbush(city.network.edges.length);
    for (const e of city.network.edges) {
      const [a, b, c, d] = turf.bbox(turf.lineString(e.coords));
      idx.add(a, b, c, d);
    }
    idx.finish();
    const d = 0.0005; // ~45–55 m
    let open24 = 0;
    for (const s of st) {
      const p = s.properties;
      const [lon, lat] = s.geometry.coordinates as [number, number];
      expect(lon).toBeGreaterThan(x0);
      expect(lon).toBeLessThan(x1);
      expect(lat).toBeGreaterThan(y0);
      expect(lat).toBeLessThan(y1);
      expect(turf.booleanPointInPolygon(s.geometry, river)).toBe(false);
      const near = idx
        .search(lon - d, lat - d, lon + d, lat + d)
        .map((i) => turf.pointToLineDistance(s.geometry, turf.lineString(city.network.edges[i]!.coords), { units: 'meters' }));
      expect(Math.min(...near)).toBeLessThan(30);

      expect(p.code).toMatch(/^ST\d{5}$/);
      expect(p.address).toMatch(/^滨海示例市.+区.+\d+号$/);
      for (const a of p.amenities) expect(AMENITIES).toContain(a);
      expect(new Set(p.amenities).size).toBe(p.amenities.length);
      expect(STATION_STATUSES).toContain(p.status);
      if (p.phone !== null) expect(p.phone).toMatch(/^0411-8\d{7}$/);
      expect(() => new opening_hours(p.openingHours)).not.toThrow();
      if (p.type === 'courier_station') {
        expect(p.name).toMatch(/爱心驿站/);
        if (p.openingHours === '24/7') open24++;
      }
      if (p.type === 'after_school_room') expect(p.openingHours).toBe('Mo-Fr 15:30-18:30');
      if (p.type === 'elderly_canteen') expect(p.openingHours).toBe('Mo-Su 10:30-13:00,16:30-18:30');
    }
    expect(open24 / courier).toBeGreaterThan(0.2);
    expect(open24 / courier).toBeLessThan(0.8);
    expect(st.filter((s) => s.properties.status === 'temporarily_closed').length).toBeLessThan(st.length * 0.15);
  });
});

describe('generateSampleCity at another origin', () => {
  it('places the same city, in metres, around the given centre (22.5° N, 45.7° N)', () => {
    const here = generateSampleCity({ size: 'small', seed: 1 });
    for (const origin of [
      [114.06, 22.5],
      [126.63, 45.7],
    ] as [number, number][]) {
      const there = generateSampleCity({ size: 'small', seed: 1, origin });
      const [w, s, e, n] = there.meta.bbox;
      expect((w + e) / 2).toBeCloseTo(origin[0], 4);
      expect((s + n) / 2).toBeCloseTo(origin[1], 4);
      // 3 km × 3 km wherever it is (GeographicLib), and the same grids, network and station types.
      expect(geodesicDistanceM(w, s, e, s) / 3000).toBeCloseTo(1, 2);
      expect(geodesicDistanceM(w, s, w, n) / 3000).toBeCloseTo(1, 2);
      expect(there.grids.map((g) => g.properties.code)).toEqual(here.grids.map((g) => g.properties.code));
      expect(there.network.edges.length).toBe(here.network.edges.length);
      expect(there.stations.map((x) => x.properties.type)).toEqual(here.stations.map((x) => x.properties.type));
    }
    expect(() => generateSampleCity({ origin: [0, 95] })).toThrow(/origin/);
  });
});

describe.skipIf(!process.env.LIFECIRCLE_SLOW)('generateSampleCity (medium, dalian; LIFECIRCLE_SLOW=1)', () => {
  it('medium is ~4× small', () => {
    const c = generateSampleCity({ seed: 1, size: 'medium' });
    expect(c.grids.length).toBeGreaterThan(400);
    expect(c.grids.length).toBeLessThan(600);
    expect(c.stations.length).toBeGreaterThan(150);
    expect(c.network.edges.filter((e) => isBridge(e.name)).length).toBeGreaterThanOrEqual(3);
  });

  // Speed is measured in bench/, not asserted here (a shared machine makes timed tests flaky).
  it('dalian-sized city falls within the expected ranges', () => {
    const c = generateSampleCity({ seed: 1, size: 'dalian' });
    expect(c.districts.length).toBeGreaterThanOrEqual(8);
    expect(c.streets.length).toBeGreaterThanOrEqual(90);
    expect(c.communities.length).toBeGreaterThanOrEqual(900);
    expect(c.grids.length).toBeGreaterThanOrEqual(9000);
    expect(c.stations.length).toBeGreaterThanOrEqual(900);
    expect(c.network.edges.length).toBeLessThan(150_000);
    const total = c.grids.reduce((s, g) => s + turf.area(g), 0);
    const cityArea = turf.area(turf.bboxPolygon(c.meta.bbox));
    expect(Math.abs(total - cityArea) / cityArea).toBeLessThan(0.001);
    const bridges = c.network.edges.filter((e) => isBridge(e.name));
    expect(bridges.length).toBeGreaterThanOrEqual(6);
  }, 120_000);
});
