/**
 * Registers the in-memory city and the analyses over it on the app: `app.city` (snapshots),
 * `app.coverage`, `app.nearest`, `app.isochrones`, `app.locate`. Closing the app closes the city
 * (no load starts after close, so a background warm-up cannot query a closed database).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { CityStore } from './store.js';
import type { CoverageService } from '../coverage/service.js';
import type { NearestService } from '../nearest/service.js';
import type { IsochroneService } from '../network/service.js';
import type { LocateService } from '../locate/service.js';
import type { LifecircleService } from '../lifecircle/service.js';
import { createAnalyses } from './analyses.js';
import { ComputePool } from '../compute/pool.js';
import { FileProcess } from '../compute/file-process.js';
import { poolGridRunner, poolIsochrone, poolLifecircleDistances, poolLifecirclePoints, poolServiceAreas, poolWalkNearest } from '../compute/runners.js';

declare module 'fastify' {
  interface FastifyInstance {
    city: CityStore;
    coverage: CoverageService;
    nearest: NearestService;
    isochrones: IsochroneService;
    locate: LocateService;
    lifecircle: LifecircleService;
    /** The worker threads for heavy work; null when COMPUTE_THREADS=0. */
    compute: ComputePool | null;
    /** The process that reads uploaded files, with a memory limit (IMPORT_HEAP_MB); null when 0. */
    files: FileProcess | null;
  }
}

/** Farther than this from any street, a point is not placed on the walking network. */
const MAX_SNAP_M = 500;

export default fp(
  async (app: FastifyInstance) => {
    const { config, db } = app;
    // Heavy work on worker threads unless COMPUTE_THREADS=0.
    const pool = config.computeThreads > 0 ? new ComputePool({ threads: config.computeThreads }) : null;
    // Uploaded files are read in a process of their own with a heap limit: a file that needs more
    // ends that process (413), not the server.
    const files = config.importHeapMb > 0 ? new FileProcess({ heapMb: config.importHeapMb }) : null;
    const runners = pool
      ? {
          grids: poolGridRunner(pool),
          serviceAreas: poolServiceAreas(pool),
          walkNearest: poolWalkNearest(pool),
          isochrone: poolIsochrone(pool),
          lifecirclePoints: poolLifecirclePoints(pool),
          lifecircleDistances: poolLifecircleDistances(pool),
        }
      : {};
    const a = createAnalyses(
      db.kysely,
      {
        walkSpeedKmh: config.walkSpeedKmh,
        bufferM: config.walkBufferM,
        maxSnapM: MAX_SNAP_M,
        timeZone: config.timeZone,
        maxStalenessMs: config.dataStalenessMs,
      },
      runners,
    );
    const city = a.city;
    app.decorate('compute', pool);
    app.decorate('files', files);
    app.decorate('city', city);
    app.decorate('coverage', a.coverage);
    app.decorate('nearest', a.nearest);
    app.decorate('isochrones', a.isochrones);
    app.decorate('locate', a.locate);
    app.decorate('lifecircle', a.lifecircle);
    app.addHook('onClose', async () => {
      city.close();
      await pool?.close();
      await files?.close();
    });
  },
  { name: 'lifecircle-city' },
);

/**
 * Loads the city in the background (rather than on the first nearest / locate / coverage request:
 * several seconds on the embedded engine at city scale), then computes the planner's opening
 * question (党群服务中心 under its own standard), so the first visit finds it computed.
 * Failures are only logged: the first request loads again. Stops quietly once the app closes.
 */
export async function warmUp(app: FastifyInstance, log: (m: string) => void): Promise<void> {
  const t0 = performance.now();
  try {
    await app.city.snapshot();
    log(`分析数据已载入 / analysis data loaded (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    const t1 = performance.now();
    // The planner opens on one type: 党群服务中心 when the city has it, else its first type.
    const codes = await app.city.stationTypeCodes();
    await app.coverage.coverage({ types: codes.includes('party_service_center') ? ['party_service_center'] : codes.slice(0, 1) });
    log(`默认覆盖已算好 / default coverage ready (${((performance.now() - t1) / 1000).toFixed(1)} s)`);
  } catch (err) {
    if (app.city.isClosed) return;
    app.log.error({ err }, 'warming the analysis data failed; the first request will load it');
  }
}
