/**
 * The work done on the compute pool's threads: each task is a pure function of its input (no
 * database, no HTTP). The walking graph arrives on shared memory and is kept per graph key, so a
 * thread rebuilds its view of a graph (the node-id map, the edge index) once per network.
 */
import { coverGrid, type CoverageOptions, type GridCoverage } from '../coverage/engine.js';
import { unpackGrid } from '../coverage/packing.js';
import { PieceReader, type PieceSet } from '../coverage/piece-set.js';
import { serviceAreas, type ServiceAreaRequest } from '../coverage/service-areas.js';
import { coverageWorkbook } from '../export/xlsx.js';
import { walkGraphFromShared, type SharedWalkGraph, type WalkGraph } from '../network/graph.js';
import type { IsochroneParams } from '../network/present.js';
import { isochroneJson } from '../network/service.js';
import type { Snap } from '../network/snap.js';
import { nearestAlongStreets, type WalkTarget } from '../nearest/walk.js';
import { categoryDistances } from '../lifecircle/assess.js';
import { locatePoints, type LocatedPoints, type PlacedPoints } from '../lifecircle/population.js';
import { writeWorkbook, type SheetSpec } from '../export/xlsx.js';

export interface CoverTask {
  kind: 'cover';
  /** The grid set (packGrids, shared memory, written once per set). */
  grids: Float64Array;
  /** This batch: indices into `grids`. */
  indices: Int32Array;
  /** The computation's pieces (shared memory, the same for every batch). */
  pieces: PieceSet;
  opts: CoverageOptions;
}

/** Stations' service areas as pieces (the walking searches and street stretches of a coverage). */
export interface ServiceAreasTask {
  kind: 'service-areas';
  graphKey: string | null;
  graph: SharedWalkGraph | null;
  request: ServiceAreaRequest;
}

export interface IsochroneTask {
  kind: 'isochrone';
  graphKey: string;
  graph: SharedWalkGraph;
  lon: number;
  lat: number;
  params: IsochroneParams;
  maxSnapM: number;
}

/** Nearest targets along the streets from one point, over a wide radius (server/nearest/walk.ts). */
export interface WalkNearestTask {
  kind: 'walk-nearest';
  graphKey: string;
  graph: SharedWalkGraph;
  query: { lon: number; lat: number };
  from: Snap;
  targets: readonly WalkTarget[];
  limit: number;
  limitM: number;
}

/** The coverage workbook (ExcelJS writing 10⁴ rows takes seconds of CPU). */
export interface WorkbookTask {
  kind: 'coverage-workbook';
  args: Parameters<typeof coverageWorkbook>;
}

/** Life circle: the population points of a grid set (packGrids) placed on the streets. */
export interface LifecirclePointsTask {
  kind: 'lifecircle-points';
  graphKey: string | null;
  graph: SharedWalkGraph | null;
  grids: Float64Array;
  stepM: number;
  maxSnapM: number;
}

/** Life circle: one category's search from its facilities, read off per point (places on shared memory). */
export interface LifecircleDistancesTask {
  kind: 'lifecircle-distances';
  graphKey: string;
  graph: SharedWalkGraph;
  facilities: Snap[];
  maxM: number;
  placed: PlacedPoints;
}

/** Any workbook (server/export/xlsx.ts writeWorkbook). */
export interface SheetsTask {
  kind: 'workbook';
  sheets: SheetSpec[];
}

export type Task = CoverTask | ServiceAreasTask | WalkNearestTask | IsochroneTask | WorkbookTask | LifecirclePointsTask | LifecircleDistancesTask | SheetsTask;

const graphs = new Map<string, WalkGraph>();
function graphFor(key: string, shared: SharedWalkGraph): WalkGraph {
  let g = graphs.get(key);
  if (!g) {
    graphs.clear(); // one network at a time: an old one is not coming back
    graphs.set(key, (g = walkGraphFromShared(shared)));
  }
  return g;
}

export function runTask(
  task: Task,
): GridCoverage[] | PieceSet | ReturnType<typeof nearestAlongStreets> | string | null | Promise<Uint8Array> | LocatedPoints | Float64Array {
  switch (task.kind) {
    case 'cover': {
      const near = new PieceReader(task.pieces);
      return Array.from(task.indices, (i) => {
        const grid = unpackGrid(task.grids, i);
        return coverGrid(grid, near.near(grid.bbox), task.opts);
      });
    }
    case 'service-areas':
      return serviceAreas(task.graph && task.graphKey ? graphFor(task.graphKey, task.graph) : null, task.request);
    case 'walk-nearest':
      return nearestAlongStreets(graphFor(task.graphKey, task.graph), task.query, task.from, task.targets, task.limit, task.limitM);
    case 'isochrone':
      return isochroneJson(graphFor(task.graphKey, task.graph), task.lon, task.lat, task.params, task.maxSnapM);
    case 'coverage-workbook':
      return coverageWorkbook(...task.args);
    case 'lifecircle-points': {
      const count = task.grids[0]!;
      const grids = Array.from({ length: count }, (_, i) => unpackGrid(task.grids, i));
      return locatePoints(task.graph && task.graphKey ? graphFor(task.graphKey, task.graph) : null, grids, task.stepM, task.maxSnapM);
    }
    case 'lifecircle-distances':
      return categoryDistances(graphFor(task.graphKey, task.graph), task.facilities, task.maxM, task.placed);
    case 'workbook':
      return writeWorkbook(task.sheets);
  }
}
