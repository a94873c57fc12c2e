/** The analyses' hooks onto the compute pool: coverage (service areas, grids) and isochrones run on its threads. */
import type { GridCoverage, GridRunner } from '../coverage/engine.js';
import { packGrids } from '../coverage/packing.js';
import type { PieceSet } from '../coverage/piece-set.js';
import type { ServiceAreaRunner } from '../coverage/service-areas.js';
import { shareWalkGraph, type WalkGraph } from '../network/graph.js';
import type { IsochroneRunner } from '../network/service.js';
import type { WalkNearestRunner } from '../nearest/service.js';
import { derived } from '../city/snapshot.js';
import type { ComputePool } from './pool.js';
import { coverageWorkbook, writeWorkbook, type SheetSpec } from '../export/xlsx.js';
import type { DistanceRunner, PointsRunner } from '../lifecircle/service.js';
import type { LocatedPoints } from '../lifecircle/population.js';

/**
 * Grids in batches over the pool's threads. Several batches per thread (grids differ a lot in
 * cost); the grids (once per grid set) and the pieces are on shared memory, so a batch is a list
 * of grid indices. Results come back in index order.
 */
export function poolGridRunner(pool: ComputePool): GridRunner {
  return async (prepared, indices, pieces, opts) => {
    const grids = derived(prepared, 'packed', () => packGrids(prepared.grids));
    const batches = Math.max(1, Math.min(indices.length, pool.threads * 4, Math.ceil(indices.length / 8)));
    const size = Math.ceil(indices.length / batches);
    const running: Promise<GridCoverage[]>[] = [];
    for (let i = 0; i < indices.length; i += size) {
      const batch = Int32Array.from(indices.slice(i, i + size));
      const done = pool.run<GridCoverage[]>({ kind: 'cover', grids, indices: batch, pieces, opts }, [batch.buffer]);
      done.catch(() => {}); // awaited below with the others
      running.push(done);
    }
    return (await Promise.all(running)).flat();
  };
}

let graphs = 0;
/** The graph on shared memory under a key of its own (a thread keeps its view of it per key). */
const sharedGraph = (g: WalkGraph) => derived(g, 'shared', () => ({ key: `g${++graphs}`, arrays: shareWalkGraph(g) }));

/** Service areas computed on the pool. */
export function poolServiceAreas(pool: ComputePool): ServiceAreaRunner {
  return (g, request) => {
    const shared = g ? sharedGraph(g) : null;
    return pool.run<PieceSet>({ kind: 'service-areas', graphKey: shared?.key ?? null, graph: shared?.arrays ?? null, request });
  };
}

/** A wide walking-nearest search on the pool. */
export function poolWalkNearest(pool: ComputePool): WalkNearestRunner {
  return (g, query, from, targets, limit, limitM) => {
    const shared = sharedGraph(g);
    return pool.run({ kind: 'walk-nearest', graphKey: shared.key, graph: shared.arrays, query, from, targets, limit, limitM });
  };
}

/** An isochrone computed on the pool. */
export function poolIsochrone(pool: ComputePool): IsochroneRunner {
  return (g, lon, lat, params, maxSnapM) => {
    const shared = sharedGraph(g);
    return pool.run<string | null>({ kind: 'isochrone', graphKey: shared.key, graph: shared.arrays, lon, lat, params, maxSnapM });
  };
}

/** The coverage workbook, written on a pool thread when there is a pool. */
export function coverageWorkbookOn(pool: ComputePool | null, ...args: Parameters<typeof coverageWorkbook>): Promise<Uint8Array> {
  return pool ? pool.run<Uint8Array>({ kind: 'coverage-workbook', args }) : coverageWorkbook(...args);
}

/** Life circle: the population points made and placed on a pool thread (grids packed once per grid set, as for coverage). */
export function poolLifecirclePoints(pool: ComputePool): PointsRunner {
  return (g, prepared, stepM, maxSnapM) => {
    const shared = g ? sharedGraph(g) : null;
    const grids = derived(prepared, 'packed', () => packGrids(prepared.grids));
    return pool.run<LocatedPoints>({ kind: 'lifecircle-points', graphKey: shared?.key ?? null, graph: shared?.arrays ?? null, grids, stepM, maxSnapM });
  };
}

/** Life circle: one category's search on a pool thread (categories run in parallel over the threads). */
export function poolLifecircleDistances(pool: ComputePool): DistanceRunner {
  return (g, facilities, maxM, placed) => {
    const shared = sharedGraph(g);
    return pool.run<Float64Array>({ kind: 'lifecircle-distances', graphKey: shared.key, graph: shared.arrays, facilities, maxM, placed });
  };
}

/** Any workbook, written on a pool thread when there is a pool. */
export function workbookOn(pool: ComputePool | null, sheets: SheetSpec[]): Promise<Uint8Array> {
  return pool ? pool.run<Uint8Array>({ kind: 'workbook', sheets }) : writeWorkbook(sheets);
}
