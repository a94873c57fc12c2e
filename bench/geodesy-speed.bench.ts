/**
 * What exact geodesy costs in coverage (no database): the sample city generated in memory, every
 * open station's 1 km circle and 15-minute walk as pieces, then coverGrid over every grid; and
 * areaM2 alone on the grids and gap polygons coverGrid produced, against Turf's spherical area.
 *   npx tsx bench/geodesy-speed.bench.ts [small|medium|dalian]
 * Prints only (the figures go into bench/RESULTS.md by hand with the accuracy figures of
 * tests/geodesy.test.ts).
 */
import turfArea from '@turf/area';
import { generateSampleCity, type SampleCitySize } from '../geodata/generator/index.js';
import { PreparedGrids, bufferedLinePiece, circlePiece, coverGrid, type Piece } from '../server/coverage/engine.js';
import { areaM2 } from '../server/geo/measure.js';
import { buildWalkGraph, edgeSlice } from '../server/network/graph.js';
import { reachedIntervals } from '../server/network/intervals.js';
import { walkFrom } from '../server/network/search.js';
import { snapPoint, type Snap } from '../server/network/snap.js';
import { fmt, median } from './lib.js';

const size = (process.argv[2] ?? 'medium') as SampleCitySize;
const city = generateSampleCity({ size, seed: 1 });
const open = city.stations.filter((s) => s.properties.status === 'open');
const prepared = new PreparedGrids(city.grids.map((g, i) => ({ id: i + 1, polygon: g.geometry as never, population: 1000 })));

const circles: Piece[] = open.map((s, i) => circlePiece(String(i), s.geometry.coordinates[0]!, s.geometry.coordinates[1]!, 1000));
const g = buildWalkGraph(city.network);
const snaps = open.map((s) => snapPoint(g, s.geometry.coordinates[0]!, s.geometry.coordinates[1]!, 500)).filter((s): s is Snap => s !== null);
const walk: Piece[] = [];
for (const [e, list] of reachedIntervals(g, walkFrom(g, snaps, 1200))) {
  for (const [a, b] of list) walk.push(bufferedLinePiece(`w:${e}:${a}-${b}`, edgeSlice(g, e, a, b), 50));
}

const meets = (a: readonly number[], b: readonly number[]) => a[0]! <= b[2]! && a[2]! >= b[0]! && a[1]! <= b[3]! && a[3]! >= b[1]!;
function coverAll(pieces: Piece[]) {
  const out = [];
  for (const gr of prepared.grids)
    out.push(
      coverGrid(
        gr,
        pieces.filter((p) => meets(p.bbox, gr.bbox)),
        { minGapM2: 0 },
      ),
    );
  return out;
}

console.log(`sample ${size}: ${prepared.grids.length} grids, ${open.length} open stations, ${walk.length} walked stretches`);
for (const [name, pieces] of [
  ['radius 1 km', circles],
  ['walk 15 min + 50 m', walk],
] as const) {
  const results = coverAll(pieces);
  const ms = await median(() => coverAll(pieces), 3, 0);
  const polys = [...prepared.grids.map((x) => x.polygon), ...results.flatMap((r) => r.gaps.map((c) => ({ type: 'Polygon' as const, coordinates: c })))];
  const vertices = polys.reduce((n, p) => n + p.coordinates.reduce((m, r) => m + r.length, 0), 0);
  const ours = await median(() => polys.forEach((p) => areaM2(p)), 5, 1);
  const turf = await median(() => polys.forEach((p) => turfArea(p)), 5, 1);
  console.log(`${name}: coverGrid over all grids ${fmt(ms)}; areaM2 on its ${polys.length} polygons (${vertices} vertices) ${fmt(ours)} (Turf ${fmt(turf)})`);
}
