/** The analyses' hooks onto the compute pool: coverage grids and isochrones run on its threads. */
import type { GridCoverage, GridJob, GridRunner } from '../coverage/engine.js';
import { packJobs, packPieces } from '../coverage/packing.js';
import { shareWalkGraph } from '../network/graph.js';
import type { IsochroneRunner } from '../network/service.js';
import { derived } from '../city/snapshot.js';
import type { ComputePool } from './pool.js';
import { coverageWorkbook } from '../export/xlsx.js';

/**
 * Grids in batches over the pool's threads. Several batches per thread (grids differ a lot in
 * cost), each packed into one transferred buffer; results come back in job order.
 */
export function poolGridRunner(pool: ComputePool): GridRunner {
  return async (jobs, opts) => {
    const batches = Math.max(1, Math.min(jobs.length, pool.threads * 4, Math.ceil(jobs.length / 8)));
    const size = Math.ceil(jobs.length / batches);
    const parts: GridJob[][] = [];
    for (let i = 0; i < jobs.length; i += size) parts.push(jobs.slice(i, i + size));
    // The pieces once, on shared memory; then the batches one at a time, handing the event loop
    // back in between.
    const pieces = packPieces(
      (function* () {
        for (const j of jobs) yield* j.pieces;
      })(),
    );
    await new Promise((resolve) => setImmediate(resolve));
    const running: Promise<GridCoverage[]>[] = [];
    for (const part of parts) {
      const packed = packJobs(part, pieces.index);
      const batch = pool.run<GridCoverage[]>({ kind: 'cover', jobs: packed, pieces: pieces.data, opts }, [packed.buffer as ArrayBuffer]);
      batch.catch(() => {}); // awaited below with the others; not unhandled while later batches are packed
      running.push(batch);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return (await Promise.all(running)).flat();
  };
}

let graphs = 0;

/** An isochrone computed on the pool; the graph travels as shared memory under a key of its own. */
export function poolIsochrone(pool: ComputePool): IsochroneRunner {
  return (g, lon, lat, params, maxSnapM) => {
    const shared = derived(g, 'shared', () => ({ key: `g${++graphs}`, arrays: shareWalkGraph(g) }));
    return pool.run<string | null>({ kind: 'isochrone', graphKey: shared.key, graph: shared.arrays, lon, lat, params, maxSnapM });
  };
}

/** The coverage workbook, written on a pool thread when there is a pool. */
export function coverageWorkbookOn(pool: ComputePool | null, ...args: Parameters<typeof coverageWorkbook>): Promise<Uint8Array> {
  return pool ? pool.run<Uint8Array>({ kind: 'coverage-workbook', args }) : coverageWorkbook(...args);
}
