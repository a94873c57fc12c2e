/** A station as the API describes it (server/schemas/stations.ts, station-edits.ts): its feature at a given time, its history. */
import type { Static } from 'typebox';
import type { StationRow } from '../db/stations.repository.js';
import { isAlwaysOpen, isOpenAt, nextChangeAt } from '../hours/index.js';
import type { StationFeature } from '../schemas/stations.js';
import type { StationHistoryEntry } from '../schemas/station-edits.js';
import type { stationHistory } from '../editing/station-edits.js';

/** Open at `at`: temporarily closed stations are never open, whatever their hours say. */
export function openAt(r: StationRow, at: Date, timeZone: string): boolean | null {
  if (r.status !== 'open') return false;
  return isOpenAt(r.opening_hours, at, timeZone);
}

/** When the station next opens or closes (city wall clock); null while temporarily closed. */
export function nextChange(r: StationRow, at: Date, timeZone: string): string | null {
  return r.status === 'open' ? nextChangeAt(r.opening_hours, at, timeZone) : null;
}

/** Metres to one decimal, as every distance is sent. */
export const m1 = (m: number) => Math.round(m * 10) / 10;

export function stationFeature(r: StationRow & { distance_m?: number }, at: Date, timeZone: string) {
  const properties = {
    id: r.id,
    code: r.code,
    type: r.type_code,
    type_name_zh: r.type_name_zh,
    type_name_en: r.type_name_en,
    name: r.name,
    address: r.address,
    amenities: r.amenities,
    opening_hours: r.opening_hours,
    opening_hours_text: r.opening_hours_text,
    always_open: isAlwaysOpen(r.opening_hours),
    open_now: openAt(r, at, timeZone),
    next_change: nextChange(r, at, timeZone),
    phone: r.phone,
    operator: r.operator,
    status: r.status,
    version: r.version,
    ...(r.distance_m !== undefined ? { distance_m: m1(r.distance_m) } : {}),
  };
  return { type: 'Feature' as const, id: r.id, geometry: r.geometry, properties } satisfies Static<typeof StationFeature>;
}

type Recorded = Awaited<ReturnType<typeof stationHistory>>[number];

/** A station's history rows as sent: times in ISO 8601, the recorded properties as written. */
export const stationHistoryEntries = (entries: Recorded[]): Static<typeof StationHistoryEntry>[] =>
  entries.map((e) => ({ ...e, changed_at: new Date(e.changed_at).toISOString() }) as Static<typeof StationHistoryEntry>);
