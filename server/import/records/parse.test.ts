import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as turf from '@turf/turf';
import type { Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { buildFixtureFiles, FIXTURE_CODES, grids as gridTruth, stations as stationTruth } from '../../../geodata/fixtures/fixtures.js';
import { STATION_TYPE_CODES } from '../../domain/stations.js';
import { fromWgs84 } from '../crs.js';
import { findSelfIntersections } from '../../validation/self-intersections.js';
import { openingHoursError } from '../../validation/opening-hours.js';
import { parseAdminUnits, parseGeoJsonImport, parseGrids, parseStations } from './parse.js';
import type { GridRecord, ImportError, ImportResult, StationRecord } from './types.js';
import { haversineM } from '../osm.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(repoRoot, 'geodata/fixtures', name), 'utf8'));

function records<R>(r: ImportResult<R>): R[] {
  if (!r.ok) throw new Error(`expected ok, got errors:\n${r.errors.map((e) => e.message).join('\n')}`);
  return r.records;
}
function errors<R>(r: ImportResult<R>): ImportError[] {
  if (r.ok) throw new Error('expected errors, got ok');
  return r.errors;
}
const positions = (c: unknown): Position[] => {
  const out: Position[] = [];
  const walk = (x: unknown) => (Array.isArray(x) && typeof x[0] === 'number' ? out.push(x as Position) : Array.isArray(x) && x.forEach(walk));
  walk(c);
  return out;
};
const maxDistM = (a: unknown, b: unknown) => {
  const pa = positions(a);
  const pb = positions(b);
  expect(pb).toHaveLength(pa.length);
  return Math.max(...pa.map((p, i) => haversineM([p[0], p[1]], [pb[i][0], pb[i][1]])));
};

const gridFeature = (props: object, coordinates: unknown = gridTruth[0].geometry.coordinates, type = 'Polygon') => ({
  type: 'Feature',
  properties: props,
  geometry: { type, coordinates },
});
const fcOf = (...features: unknown[]) => ({ type: 'FeatureCollection', features });

describe('fixtures', () => {
  it('are in sync with geodata/fixtures/fixtures.ts (regenerate with npx tsx geodata/fixtures/generate.ts)', () => {
    for (const [name, text] of Object.entries(buildFixtureFiles())) {
      expect(readFileSync(path.join(repoRoot, 'geodata/fixtures', name), 'utf8'), name).toBe(text);
    }
  });
});

describe('valid WGS84 fixtures', () => {
  it('parses districts, streets and communities into admin records', () => {
    const [district] = records(parseAdminUnits(fixture('districts.wgs84.geojson'), 'districts', 'wgs84'));
    expect(district).toMatchObject({ level: 'district', code: FIXTURE_CODES.district, name: '样例区（虚构）', parentCode: '210200000000' });
    expect(district.geometry.type).toBe('MultiPolygon');
    const [street] = records(parseGeoJsonImport(fixture('streets.wgs84.geojson'), 'streets', 'wgs84'));
    expect(street).toMatchObject({ level: 'street', code: FIXTURE_CODES.street, parentCode: FIXTURE_CODES.district });
    const [community] = records(parseGeoJsonImport(fixture('communities.wgs84.geojson'), 'communities', 'wgs84'));
    expect(community).toMatchObject({ level: 'community', code: FIXTURE_CODES.community, parentCode: FIXTURE_CODES.street });
    expect(community.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [121.595, 38.907],
          [121.605, 38.907],
          [121.605, 38.913],
          [121.595, 38.913],
          [121.595, 38.907],
        ],
      ],
    });
  });

  it('parses grids and stations into records equal to the truth', () => {
    const gs = records(parseGrids(fixture('grids.wgs84.geojson'), 'wgs84'));
    expect(gs).toEqual(gridTruth.map((f) => ({ ...f.properties, geometry: f.geometry })));
    const ss = records(parseStations(fixture('stations.wgs84.geojson'), 'wgs84'));
    expect(ss).toEqual(stationTruth.map((f) => ({ ...f.properties, geometry: f.geometry })));
    // The two grids share their edge along lon 121.600 and tile the community.
    const union = turf.union(turf.featureCollection(gs.map((g) => turf.feature(g.geometry))))!;
    expect(union.geometry.type).toBe('Polygon');
    expect(turf.area(union)).toBeCloseTo(turf.area(turf.bboxPolygon([121.595, 38.907, 121.605, 38.913])), 0);
  });

  it('does not modify its input', () => {
    const input = fixture('grids.wgs84.geojson');
    const before = JSON.stringify(input);
    parseGrids(input, 'gcj02');
    parseGrids(input, 'wgs84');
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe('GCJ-02 input', () => {
  it('lands within 1 m of the WGS84 truth (grids)', () => {
    const gs = records(parseGrids(fixture('grids.gcj02.geojson'), 'gcj02'));
    expect(gs.map(({ geometry, ...p }) => p)).toEqual(gridTruth.map((f) => f.properties));
    let worst = 0;
    gs.forEach((g, i) => (worst = Math.max(worst, maxDistM(gridTruth[i].geometry.coordinates, g.geometry.coordinates))));
    console.info(`[geojson.test] GCJ-02 grids → WGS84: worst vertex ${worst.toFixed(4)} m from the truth`);
    expect(worst).toBeLessThan(1);
    // The shared edge stays shared exactly (same input position → same output position).
    const west = gs[0].geometry.coordinates[0];
    const east = gs[1].geometry.coordinates[0];
    expect(west[1]).toEqual(east[0]);
    expect(west[2]).toEqual(east[3]);
  });

  it('lands within 1 m of the WGS84 truth and maps Chinese property keys and values (stations)', () => {
    const ss = records(parseStations(fixture('stations.gcj02.zh-keys.geojson'), 'gcj02'));
    expect(ss.map(({ geometry, ...p }) => p)).toEqual(stationTruth.map((f) => f.properties));
    ss.forEach((s, i) => expect(maxDistM(stationTruth[i].geometry.coordinates, s.geometry.coordinates)).toBeLessThan(1));
  });

  it('would be ~430 m off if GCJ-02 input were wrongly read as WGS84', () => {
    const ss = records(parseStations(fixture('stations.gcj02.zh-keys.geojson'), 'wgs84'));
    const d = maxDistM(stationTruth[0].geometry.coordinates, ss[0].geometry.coordinates);
    expect(d).toBeGreaterThan(300);
  });

  it('also converts BD-09 input', () => {
    const bd = fcOf(...gridTruth.map((f) => ({ ...f, geometry: fromWgs84(f.geometry, 'bd09') })));
    const gs = records(parseGrids(bd, 'bd09'));
    gs.forEach((g, i) => expect(maxDistM(gridTruth[i].geometry.coordinates, g.geometry.coordinates)).toBeLessThan(1));
  });
});

describe('property names', () => {
  it('maps Chinese keys for grids (编码, 名称, 社区编码, 网格长, 电话, 党支部, 人口, 户数)', () => {
    const [g] = records(
      parseGrids(
        fcOf(
          gridFeature({
            编码: '210299001001001',
            名称: '第一网格',
            社区编码: '210299001001',
            网格长: '张晓明',
            电话: '13800000001',
            党支部: '第一党支部',
            人口: '1234',
            户数: 456,
          }),
        ),
        'wgs84',
      ),
    );
    expect(g).toMatchObject({
      code: '210299001001001',
      name: '第一网格',
      communityCode: '210299001001',
      leaderName: '张晓明',
      leaderPhone: '13800000001',
      partyBranch: '第一党支部',
      population: 1234,
      households: 456,
    });
  });

  it('maps snake_case and other case variants; numeric codes and phones become strings', () => {
    const [g] = records(
      parseGrids(
        fcOf(
          gridFeature({
            CODE: 210299001001001,
            Name: '网格',
            community_code: '210299001001',
            leader_name: '王',
            LEADER_PHONE: 13800000009,
            party_branch: null,
            population: 0,
            households: 0,
          }),
        ),
        'wgs84',
      ),
    );
    expect(g).toMatchObject({
      code: '210299001001001',
      communityCode: '210299001001',
      leaderName: '王',
      leaderPhone: '13800000009',
      partyBranch: null,
      population: 0,
      households: 0,
    });
    const [d] = records(parseAdminUnits(fcOf(gridFeature({ 代码: '210299000000', 名称: '区', 上级编码: '210200000000' })), 'districts', 'wgs84'));
    expect(d).toMatchObject({ code: '210299000000', name: '区', parentCode: '210200000000' });
    const [s] = records(
      parseStations(
        fcOf({
          type: 'Feature',
          properties: {
            code: 'S1',
            type: 'vegetable_pickup',
            name: '自提点',
            address: '某路',
            amenities: 'water, 手机充电，umbrella',
            opening_hours: 'Mo-Su 07:00-19:00',
            phone: '',
            operator: '某公司',
            status: '营业',
          },
          geometry: { type: 'MultiPoint', coordinates: [[121.6, 38.91]] },
        }),
        'wgs84',
      ),
    );
    expect(s).toMatchObject({
      type: 'vegetable_pickup',
      amenities: ['water', 'charging', 'umbrella'],
      openingHours: 'Mo-Su 07:00-19:00',
      phone: null,
      status: 'open',
    });
    expect(s.geometry).toEqual({ type: 'Point', coordinates: [121.6, 38.91] });
  });

  it('reports conflicting values given under two names for the same property', () => {
    const errs = errors(parseGrids(fcOf(gridFeature({ ...gridTruth[0].properties, 电话: '13900000000' })), 'wgs84'));
    expect(errs).toHaveLength(1);
    expect(errs[0].message).toMatch(/leaderPhone.*电话|电话.*leaderPhone/);
  });
});

describe('invalid files', () => {
  it('names every bad grid, with Chinese then English messages', () => {
    const errs = errors(parseGrids(fixture('grids.bad.geojson'), 'wgs84'));
    for (const e of errs) console.info(`[geojson.test] ${e.feature} ${e.id ?? ''} ${e.message}`);
    const byFeature = (i: number) => errs.filter((e) => e.feature === i);
    expect(new Set(errs.map((e) => e.feature))).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    for (const e of errs) {
      expect(e.message).toMatch(new RegExp(`^第 ${e.feature + 1} 个要素（code ${e.id}）：.+ / feature #${e.feature + 1} \\(code ${e.id}\\): .+`));
    }
    expect(byFeature(1)).toHaveLength(1);
    expect(byFeature(1)[0]).toMatchObject({ id: '210299001001002' });
    expect(byFeature(1)[0].message).toContain('自相交，位置 121.6025 38.91');
    expect(byFeature(1)[0].message).toContain('self-intersection at 121.6025 38.91');
    expect(byFeature(2)[0].message).toContain('坐标超出范围');
    expect(byFeature(2)[0].message).toContain('121.605 98.91');
    expect(
      byFeature(3)
        .map((e) => e.message)
        .join('\n'),
    ).toMatch(/缺少必填属性 leaderName[\s\S]*population[\s\S]*households/);
    expect(byFeature(3)).toHaveLength(3);
    expect(byFeature(4)[0].message).toContain('a grid must be a single Polygon, got a MultiPolygon of 2 polygons');
    expect(byFeature(5)[0]).toMatchObject({ id: FIXTURE_CODES.gridWest });
    expect(byFeature(5)[0].message).toContain('编码重复（与第 1 个要素相同）');
    expect(byFeature(6)[0].message).toContain('未闭合');
  });

  it('names every bad station', () => {
    const errs = errors(parseStations(fixture('stations.bad.geojson'), 'wgs84'));
    for (const e of errs) console.info(`[geojson.test] ${e.feature} ${e.id ?? ''} ${e.message}`);
    expect(new Set(errs.map((e) => e.id))).toEqual(new Set(['BAD-TYPE', 'BAD-COORD', 'BAD-HOURS', 'BAD-GEOM']));
    const type = errs.find((e) => e.id === 'BAD-TYPE')!;
    expect(type.feature).toBe(1);
    expect(type.message).toContain('"wifi_hotspot"');
    for (const code of STATION_TYPE_CODES) expect(type.message).toContain(code); // lists valid types
    const coord = errs.find((e) => e.id === 'BAD-COORD')!;
    expect(coord.message).toContain('经纬度可能颠倒');
    // "周一至周五 8:00-18:00" is read as Mo-Fr 08:00-18:00 now (server/hours/zh.ts); the unknown amenity remains.
    const hours = errs.filter((e) => e.id === 'BAD-HOURS');
    expect(hours).toHaveLength(1);
    expect(hours[0].message).toContain('未知设施 "massage"');
    expect(errs.find((e) => e.id === 'BAD-GEOM')!.message).toContain('geometry must be a Point, got "Polygon"');
  });

  it('reports file-level problems as feature −1', () => {
    for (const bad of [null, [], { type: 'Feature' }, { type: 'FeatureCollection' }, { type: 'FeatureCollection', features: [] }]) {
      const errs = errors(parseGrids(bad, 'wgs84'));
      expect(errs).toHaveLength(1);
      expect(errs[0].feature).toBe(-1);
      expect(errs[0].message).toMatch(/ \/ /);
    }
  });

  it('checks ring structure, coordinates and codes', () => {
    const base = gridTruth[0].properties;
    const cases: [unknown, RegExp][] = [
      [
        gridFeature(base, [
          [
            [121.6, 38.9],
            [121.61, 38.9],
            [121.6, 38.9],
          ],
        ]),
        /too few positions/,
      ],
      [
        gridFeature(base, [
          [
            [121.6, 38.9],
            [121.61, 38.9],
            [121.62, 38.9],
            [121.6, 38.9],
          ],
        ]),
        /zero area/,
      ],
      [
        gridFeature(base, [
          [
            [121.6, 38.9],
            ['x', 38.9],
            [121.61, 38.91],
            [121.6, 38.9],
          ],
        ]),
        /invalid coordinates/,
      ],
      [
        gridFeature(base, [
          [
            [13536000, 4707000],
            [13537000, 4707000],
            [13537000, 4708000],
            [13536000, 4707000],
          ],
        ]),
        /projected coordinates/,
      ],
      [gridFeature(base, [[121.6, 38.9]], 'LineString'), /must be a single Polygon, got "LineString"/],
      [{ type: 'Feature', properties: base, geometry: null }, /missing geometry/],
      [gridFeature({ ...base, code: '2102990010010' }), /code must be 15 digits/],
      [gridFeature({ ...base, communityCode: '210299001002' }), /must start with its communityCode/],
      [gridFeature({ ...base, population: 1.5 }), /population must be a non-negative integer/],
      // A hole crossing the shell.
      [
        gridFeature(base, [
          gridTruth[0].geometry.coordinates[0],
          [
            [121.596, 38.908],
            [121.62, 38.908],
            [121.62, 38.909],
            [121.596, 38.909],
            [121.596, 38.908],
          ],
        ]),
        /self-intersection at 121\.6 38\.90[89]; 2 in total/,
      ],
    ];
    for (const [feature, re] of cases) {
      const errs = errors(parseGrids(fcOf(feature), 'wgs84'));
      expect(errs.map((e) => e.message).join('\n'), String(re)).toMatch(re);
    }
    // Admin codes: 12 digits, parent required below district level.
    const errs = errors(parseAdminUnits(fcOf(gridFeature({ code: '21029900100', name: '街道' })), 'streets', 'wgs84'));
    expect(errs.map((e) => e.message).join('\n')).toMatch(/code must be 12 digits[\s\S]*missing required property parentCode/);
  });

  it('unwraps a one-polygon MultiPolygon grid and drops Z; repeated points are a problem, removed (and noted) only with repair', () => {
    const ring = gridTruth[0].geometry.coordinates[0];
    const withZ = [ring.map((p, i) => (i === 1 ? [p[0], p[1], 5] : p))];
    const [g] = records(parseGrids(fcOf(gridFeature(gridTruth[0].properties, [withZ], 'MultiPolygon')), 'wgs84'));
    expect(g.geometry).toEqual(gridTruth[0].geometry);
    const repeated = [withZ[0].flatMap((p, i) => (i === 2 ? [p, p] : [p]))];
    const errs = errors(parseGrids(fcOf(gridFeature(gridTruth[0].properties, [repeated], 'MultiPolygon')), 'wgs84'));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ reason: 'invalid_geometry', location: [ring[2][0], ring[2][1]] });
    expect(errs[0].message).toMatch(/几何无效（外环有重复的连续顶点（共 1 处）/);
    const repaired = parseGrids(fcOf(gridFeature(gridTruth[0].properties, [repeated], 'MultiPolygon')), 'wgs84', { repair: true });
    expect(records(repaired)[0].geometry).toEqual(gridTruth[0].geometry);
    expect(repaired.ok && repaired.repairs?.[0]?.notes.map((n) => n.code)).toEqual(['duplicate_points']);
  });

  it('caps the error list at maxErrors and says how many more there were', () => {
    const many = fcOf(...Array.from({ length: 150 }, () => gridFeature({})));
    const errs = errors(parseGrids(many, 'wgs84', { maxErrors: 100 }));
    expect(errs).toHaveLength(101);
    expect(errs[100].feature).toBe(-1);
    expect(errs[100].message).toMatch(/另有 \d+ 条错误未列出/);
  });
});

describe('helpers', () => {
  it('validates opening hours with the opening_hours library', () => {
    expect(openingHoursError('24/7')).toBeNull();
    expect(openingHoursError('Mo-Fr 08:00-18:00; PH off')).toBeNull();
    expect(openingHoursError('Mo-Fr 25:00-26:00')).toMatch(/outside/);
    expect(openingHoursError('')).not.toBeNull();
  });

  it('finds the same self-intersections with turf.kinks and with the indexed search', () => {
    const circle = turf.circle([121.6, 38.91], 1, { steps: 4000 }).geometry.coordinates[0];
    const kinked = circle.map((p) => [...p]);
    // Swap two neighbouring vertices to create a crossing.
    [kinked[100], kinked[101]] = [kinked[101], kinked[100]];
    for (const ring of [circle, kinked]) {
      const brute = findSelfIntersections([ring], Infinity);
      const indexed = findSelfIntersections([ring], 0);
      expect(indexed).toEqual(brute);
    }
    expect(findSelfIntersections([circle], 0)).toHaveLength(0);
    expect(findSelfIntersections([kinked], 0).length).toBeGreaterThan(0);
    const bowtie = [
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ];
    expect(findSelfIntersections([bowtie], 0)).toEqual([[0.5, 0.5]]);
    expect(findSelfIntersections([bowtie])).toEqual([[0.5, 0.5]]);
  });

  it('types records for insertion', () => {
    const g: GridRecord[] = records(parseGrids(fixture('grids.wgs84.geojson'), 'wgs84'));
    const s: StationRecord[] = records(parseStations(fixture('stations.wgs84.geojson'), 'wgs84'));
    expect(g[0].geometry.type).toBe('Polygon');
    expect(s[0].geometry.type).toBe('Point');
  });
});
