/**
 * The service areas of a set of stations as covering pieces: a geodesic circle per radius
 * station, and the reached street stretches of walking stations (one multi-source search per
 * walking limit: the union of what stations sharing a limit reach is what covers residents).
 *
 * Written as steps (a generator) so the same code runs to completion on a compute thread and in
 * slices on the event loop (COMPUTE_THREADS=0). Pure.
 */
import { edgeSlice, type WalkGraph } from '../network/graph.js';
import { reachedIntervals } from '../network/intervals.js';
import { walkFrom } from '../network/search.js';
import type { Snap } from '../network/snap.js';
import { PieceSetWriter, type PieceSet } from './piece-set.js';

export interface ServiceAreaRequest {
  circles: { lon: number; lat: number; radiusM: number }[];
  /** Stations grouped by walking limit (metres along streets). */
  walks: { limitM: number; snaps: Snap[] }[];
  /** Distance from a reached street that counts as covered, metres. */
  bufferM: number;
}

/** Computes {@link serviceAreas} somewhere else (the worker pool). */
export type ServiceAreaRunner = (g: WalkGraph | null, request: ServiceAreaRequest) => Promise<PieceSet>;

/** Yields now and then (after each search, every 256 edges); returns the pieces. */
export function* serviceAreaSteps(g: WalkGraph | null, req: ServiceAreaRequest): Generator<void, PieceSet> {
  const w = new PieceSetWriter();
  for (const c of req.circles) w.addCircle(c.lon, c.lat, c.radiusM);
  if (g) {
    for (const { limitM, snaps } of req.walks) {
      const intervals = reachedIntervals(g, walkFrom(g, snaps, limitM));
      yield;
      let k = 0;
      for (const [e, list] of intervals) {
        for (const [a, b] of list) {
          const line = edgeSlice(g, e, a, b);
          if (line.length >= 2) w.addLine(line, req.bufferM);
        }
        if (++k % 256 === 0) yield;
      }
    }
  }
  return w.finish();
}

/** The pieces at once (on a compute thread). */
export function serviceAreas(g: WalkGraph | null, req: ServiceAreaRequest): PieceSet {
  const steps = serviceAreaSteps(g, req);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
