/**
 * The work done on the compute pool's threads: each task is a pure function of its input (no
 * database, no HTTP). The walking graph arrives on shared memory and is kept per graph key, so a
 * thread rebuilds its view of a graph (the node-id map, the edge index) once per network.
 */
import { coverGrid, type CoverageOptions, type GridCoverage } from '../coverage/engine.js';
import { unpackJobs } from '../coverage/packing.js';
import { coverageWorkbook } from '../export/xlsx.js';
import { walkGraphFromShared, type SharedWalkGraph, type WalkGraph } from '../network/graph.js';
import type { IsochroneParams } from '../network/present.js';
import { isochroneJson } from '../network/service.js';

export interface CoverTask {
  kind: 'cover';
  /** This batch's grids (transferred). */
  jobs: Float64Array;
  /** The computation's pieces (shared memory, the same for every batch). */
  pieces: Float64Array;
  opts: CoverageOptions;
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

/** The coverage workbook (ExcelJS writing 10⁴ rows takes seconds of CPU). */
export interface WorkbookTask {
  kind: 'coverage-workbook';
  args: Parameters<typeof coverageWorkbook>;
}

export type Task = CoverTask | IsochroneTask | WorkbookTask;

const graphs = new Map<string, WalkGraph>();
function graphFor(key: string, shared: SharedWalkGraph): WalkGraph {
  let g = graphs.get(key);
  if (!g) {
    graphs.clear(); // one network at a time: an old one is not coming back
    graphs.set(key, (g = walkGraphFromShared(shared)));
  }
  return g;
}

export function runTask(task: Task): GridCoverage[] | string | null | Promise<Uint8Array> {
  switch (task.kind) {
    case 'cover':
      return unpackJobs(task.jobs, task.pieces).map((j) => coverGrid(j.grid, j.pieces, task.opts));
    case 'isochrone':
      return isochroneJson(graphFor(task.graphKey, task.graph), task.lon, task.lat, task.params, task.maxSnapM);
    case 'coverage-workbook':
      return coverageWorkbook(...task.args);
  }
}
