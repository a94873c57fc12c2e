/**
 * Which existing station each row of a station list is (read-only). A row with a code is matched
 * on the code. A row without one carries a generated code (../records/stations.ts); it is matched
 * to a live station with the same name within `toleranceM` (same type preferred, then the nearest;
 * each existing station taken by at most one row, codes the file names itself never taken), and
 * then takes that station's code; else it keeps the generated code — which matches a station the
 * same list created before when nothing moved.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { stationsNamedNear } from '../../db/stations.repository.js';
import type { StationRecord } from '../records/types.js';

/** How a row found its station: by its code (given or generated), by name and position, or not at all (a new station). */
export type StationMatchedBy = 'code' | 'name_position' | 'none';

/** Default distance within which a row without a code is the same station as one of the same name (m). */
export const STATION_MATCH_TOLERANCE_M = 50;

export interface StationRow {
  row: number;
  record: StationRecord;
  /** The code as read (given or generated), before matching. */
  readCode: string;
}

/**
 * Sets the code of each row without one to the station it matches by name and position (or back to
 * its generated code). Returns the rows matched that way; `matchedBy` tells the others apart.
 */
export async function matchStationsByNamePosition(q: Kysely<Database>, rows: StationRow[], toleranceM = STATION_MATCH_TOLERANCE_M): Promise<Set<number>> {
  const out = new Set<number>();
  const fileCodes = new Set(rows.filter((r) => !r.record.codeGenerated).map((r) => r.readCode));
  const open = rows.filter((r) => r.record.codeGenerated);
  // In slices of 1,000 rows, yielding between them (one statement holds the event loop on the embedded engine).
  const near: Awaited<ReturnType<typeof stationsNamedNear>> = [];
  for (let from = 0; from < open.length; from += 1000) {
    const part = await stationsNamedNear(
      q,
      open.slice(from, from + 1000).map((r) => ({ name: r.record.name, lon: r.record.geometry.coordinates[0], lat: r.record.geometry.coordinates[1] })),
      toleranceM,
    );
    for (const n of part) near.push({ ...n, i: n.i + from });
    await new Promise((resolve) => setImmediate(resolve));
  }
  const byRow = new Map<number, typeof near>();
  for (const n of near) byRow.set(n.i, [...(byRow.get(n.i) ?? []), n]);
  const taken = new Set<string>();
  open.forEach((r, i) => {
    const candidates = (byRow.get(i) ?? [])
      .filter((c) => !fileCodes.has(c.code) && !taken.has(c.code))
      .sort((a, b) => Number(b.type_code === r.record.type) - Number(a.type_code === r.record.type) || a.distance_m - b.distance_m);
    const c = candidates[0];
    if (c) {
      taken.add(c.code);
      r.record.code = c.code;
      out.add(r.row);
    } else {
      r.record.code = r.readCode;
    }
  });
  return out;
}

/** How a row matched, once the existing codes are known. A generated code found in the database is a name-and-position match too (it is made of them). */
export function matchedBy(record: StationRecord, byNamePosition: boolean, exists: boolean): StationMatchedBy {
  if (byNamePosition) return 'name_position';
  if (!exists) return 'none';
  return record.codeGenerated ? 'name_position' : 'code';
}
