/**
 * Nearest-station answers (server/schemas/stations.ts NearestStations): by straight line as
 * ready JSON bytes, by walking distance as features with minutes and the route.
 */
import type { Static } from 'typebox';
import { derived } from '../city/snapshot.js';
import type { StationRow } from '../db/stations.repository.js';
import type { NearestStations } from '../schemas/stations.js';
import { m1, nextChange, openAt, stationFeature } from '../stations/present.js';

/**
 * A station's feature as UTF-8 JSON up to, not including, its time- and place-dependent
 * properties (`open_now`, `next_change`, `distance_m`) and the two closing braces; kept with the station row (a
 * part of the city snapshot's stations, never mutated), so as long as the in-memory data it came
 * from. Nearest by straight line, the couriers' most frequent request, sends these bytes as they
 * are: serialising five features through the response schema and encoding their Chinese text
 * again on every request was about a fifth of the route's CPU time under load
 * (bench/http.bench.ts). Built with the same `stationFeature`, so the fields are those of the
 * schema (tests/api.test.ts checks the answer against it).
 */
export function featureHead(r: StationRow, timeZone: string): Buffer {
  return derived(r, `featureHead ${timeZone}`, () => {
    const f = stationFeature(r, new Date(0), timeZone);
    const { open_now: _open, next_change: _next, ...fixed } = f.properties;
    const json = JSON.stringify({ ...f, properties: fixed });
    return Buffer.from(json.slice(0, -2), 'utf8');
  });
}

/** The nearest-by-straight-line answer as JSON bytes (same fields as the schema's), in one buffer. */
export function straightAnswerJson(found: { item: StationRow; distanceM: number }[], at: Date, timeZone: string): Buffer {
  const heads = found.map(({ item }) => featureHead(item, timeZone));
  // The per-request parts are ASCII: one byte per character.
  const tails = found.map(({ item, distanceM }, i) => {
    const next = nextChange(item, at, timeZone);
    return `,"open_now":${openAt(item, at, timeZone)},"next_change":${next === null ? 'null' : `"${next}"`},"distance_m":${m1(distanceM)}}}${i < found.length - 1 ? ',' : ''}`;
  });
  const start = `{"type":"FeatureCollection","by":"straight","evaluated_at":"${at.toISOString()}","features":[`;
  let size = start.length + 2;
  for (let i = 0; i < heads.length; i++) size += heads[i].length + tails[i].length;
  const out = Buffer.allocUnsafe(size);
  let offset = out.write(start, 0, 'latin1');
  for (let i = 0; i < heads.length; i++) {
    offset += heads[i].copy(out, offset);
    offset += out.write(tails[i], offset, 'latin1');
  }
  out.write(']}', offset, 'latin1');
  return out;
}

type Feature = Static<typeof NearestStations>['features'][number];

/**
 * A station reached on foot: its straight-line distance kept as `straight_m`, `distance_m` along
 * the streets, minutes on foot and by e-bike at the given speeds (metres per minute), the route.
 */
export function walkFeature(
  c: { item: StationRow; distanceM: number },
  w: { totalM: number; route: number[][] },
  speeds: { walkPerMin: number; ebikePerMin: number },
  at: Date,
  timeZone: string,
): Feature & { properties: { distance_m: number } } {
  const f = stationFeature({ ...c.item, distance_m: c.distanceM }, at, timeZone);
  return {
    ...f,
    properties: {
      ...f.properties,
      straight_m: f.properties.distance_m!,
      distance_m: m1(w.totalM),
      walk_minutes: m1(w.totalM / speeds.walkPerMin),
      ebike_minutes: m1(w.totalM / speeds.ebikePerMin),
      route: { type: 'LineString' as const, coordinates: w.route },
    },
  };
}
