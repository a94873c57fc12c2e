/** What the in-memory city hands out: one immutable snapshot of grids, stations and streets. */
import type { AnalysisGrid, fingerprints } from '../db/analysis.repository.js';
import type { StationRow } from '../db/stations.repository.js';
import type { WalkGraph } from '../network/graph.js';
import type { Snap } from '../network/snap.js';
import type { PreparedGrids } from '../coverage/engine.js';

export interface CitySettings {
  /** Farther than this from any street (metres), a point cannot be placed on the network. */
  maxSnapM: number;
  /**
   * How long a snapshot may be reused without asking the database whether it changed (ms).
   * Writes through this process call invalidate(); this bounds the staleness after writes by
   * another process (a CLI import). 0 = check on every request.
   */
  maxStalenessMs?: number;
}

/** A station type's own coverage standard. */
export interface TypeStandard {
  code: string;
  coverage_mode: 'radius' | 'walk';
  coverage_radius_m: number;
  coverage_minutes: number;
}

export type Fingerprints = Awaited<ReturnType<typeof fingerprints>>;

export interface CitySnapshot {
  readonly fp: Fingerprints;
  readonly grids: readonly AnalysisGrid[];
  readonly stations: readonly StationRow[];
  readonly types: ReadonlyMap<string, TypeStandard>;
  readonly graph: WalkGraph | null;
  /** Each station's place on the street graph (null: too far from any street); kept for stations that did not move. */
  readonly stationSnaps: ReadonlyMap<number, Snap | null>;
  /** Areas, bboxes and index of the grids, shared by every coverage engine. */
  readonly prepared: PreparedGrids;
  /** The grids that changed since the previous snapshot (edits), so engines recompute only those. */
  readonly gridDelta: { fromFp: string; changed: ReadonlySet<number> } | null;
}

const memo = new WeakMap<object, Map<string, unknown>>();

/**
 * A value computed once from one part of a snapshot (its grids, its stations, its graph), on
 * first use, and kept exactly as long as that part: a station move keeps everything derived from
 * the grids, and nothing stale survives a reload. Parts are never mutated, so this is safe.
 * @example derived(snap.stations, 'byId', () => new Map(snap.stations.map((s) => [s.id, s])))
 */
export function derived<T>(part: object, key: string, make: () => T): T {
  let m = memo.get(part);
  if (!m) memo.set(part, (m = new Map()));
  if (m.has(key)) return m.get(key) as T;
  const value = make();
  m.set(key, value);
  return value;
}

/** Drops a derived value (e.g. after its computation failed), so the next use computes it again. */
export function forget(part: object, key: string): void {
  memo.get(part)?.delete(key);
}
