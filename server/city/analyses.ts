/** The in-memory city and every analysis over it, wired together (the app plugin, tests and benchmarks use this). */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { CityStore } from './store.js';
import { CoverageService } from '../coverage/service.js';
import type { GridRunner } from '../coverage/engine.js';
import type { ServiceAreaRunner } from '../coverage/service-areas.js';
import { NearestService, type WalkNearestRunner } from '../nearest/service.js';
import { IsochroneService, type IsochroneRunner } from '../network/service.js';
import { LocateService } from '../locate/service.js';
import { LifecircleService, type DistanceRunner, type PointsRunner } from '../lifecircle/service.js';

export interface AnalysisSettings {
  /** Walking speed, km/h (4.8 → 80 m/min → 1,200 m in 15 min). */
  walkSpeedKmh: number;
  /** Buffer around reached streets, metres. */
  bufferM: number;
  /** Farther than this from any street (metres), a point is not placed on the walking network. */
  maxSnapM: number;
  timeZone: string;
  /** See CitySettings.maxStalenessMs. */
  maxStalenessMs?: number;
  /** Lattice spacing of the life circle's even population spread, metres (default 50). */
  lifecircleStepM?: number;
}

export interface Analyses {
  city: CityStore;
  coverage: CoverageService;
  nearest: NearestService;
  isochrones: IsochroneService;
  locate: LocateService;
  lifecircle: LifecircleService;
}

/** Where heavy work runs: the worker pool's runners; omitted = in this thread. */
export interface Runners {
  grids?: GridRunner;
  serviceAreas?: ServiceAreaRunner;
  walkNearest?: WalkNearestRunner;
  isochrone?: IsochroneRunner;
  lifecirclePoints?: PointsRunner;
  lifecircleDistances?: DistanceRunner;
}

export function createAnalyses(db: Kysely<Database>, s: AnalysisSettings, runners: Runners = {}): Analyses {
  const city = new CityStore(db, { maxSnapM: s.maxSnapM, maxStalenessMs: s.maxStalenessMs });
  return {
    city,
    coverage: new CoverageService(
      city,
      { walkSpeedKmh: s.walkSpeedKmh, bufferM: s.bufferM, timeZone: s.timeZone },
      { grids: runners.grids, serviceAreas: runners.serviceAreas },
    ),
    nearest: new NearestService(city, { maxSnapM: s.maxSnapM }, runners.walkNearest),
    isochrones: new IsochroneService(city, { walkSpeedKmh: s.walkSpeedKmh, bufferM: s.bufferM, maxSnapM: s.maxSnapM }, runners.isochrone),
    locate: new LocateService(city, db),
    lifecircle: new LifecircleService(
      city,
      { maxSnapM: s.maxSnapM, stepM: s.lifecircleStepM ?? 50 },
      { points: runners.lifecirclePoints, distances: runners.lifecircleDistances },
    ),
  };
}
