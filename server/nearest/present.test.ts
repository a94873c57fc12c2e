import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import type { StationRow } from '../db/stations.repository.js';
import { NearestStations } from '../schemas/stations.js';
import { stationFeature } from '../stations/present.js';
import { featureHead, straightAnswerJson, walkFeature } from './present.js';

const TZ = 'Asia/Shanghai';
const station = (id: number, status: StationRow['status'] = 'open'): StationRow => ({
  id,
  code: `S${id}`,
  type_code: 'courier_station',
  type_name_zh: '爱心驿站',
  type_name_en: 'Courier rest stop',
  name: `驿站 "${id}"`,
  address: null,
  amenities: ['water', 'toilet'],
  opening_hours: '24/7',
  opening_hours_text: null,
  phone: null,
  operator: '工会',
  status,
  version: 2,
  updated_at: new Date(0),
  geometry: { type: 'Point', coordinates: [121.6, 38.9 + id / 1000] },
});

describe('nearest presenters', () => {
  it('keeps one head per station row', () => {
    const s = station(1);
    expect(featureHead(s, TZ)).toBe(featureHead(s, TZ));
    expect(featureHead(station(1), TZ)).not.toBe(featureHead(s, TZ));
  });

  it('straight-line bytes are the features stationFeature builds, with open_now and the distance, in the schema', () => {
    const at = new Date('2026-01-01T12:00:00Z');
    const found = [
      { item: station(1), distanceM: 12.345 },
      { item: station(2, 'temporarily_closed'), distanceM: 99.99 },
    ];
    const body = JSON.parse(straightAnswerJson(found, at, TZ).toString('utf8'));
    expect([...Value.Errors(NearestStations, body)]).toEqual([]);
    expect(body).toEqual({
      type: 'FeatureCollection',
      by: 'straight',
      evaluated_at: at.toISOString(),
      features: found.map(({ item, distanceM }) => stationFeature({ ...item, distance_m: distanceM }, at, TZ)),
    });
    expect(body.features.map((f: { properties: { open_now: boolean; distance_m: number } }) => [f.properties.open_now, f.properties.distance_m])).toEqual([
      [true, 12.3],
      [false, 100],
    ]);
    expect(JSON.parse(straightAnswerJson([], at, TZ).toString()).features).toEqual([]);
  });

  it('a station reached on foot: distance along the streets, straight distance kept, minutes, the route', () => {
    const f = walkFeature(
      { item: station(3), distanceM: 80.04 },
      {
        totalM: 150,
        route: [
          [121.6, 38.9],
          [121.601, 38.903],
        ],
      },
      { walkPerMin: 80, ebikePerMin: 250 },
      new Date(),
      TZ,
    );
    expect(f.properties).toMatchObject({ straight_m: 80, distance_m: 150, walk_minutes: 1.9, ebike_minutes: 0.6, route: { type: 'LineString' } });
    expect([...Value.Errors(NearestStations, { type: 'FeatureCollection', by: 'walk', evaluated_at: '', features: [f] })]).toEqual([]);
  });
});
