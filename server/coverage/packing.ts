/**
 * A set of prepared grids as one flat Float64Array on shared memory, written once per grid set and
 * read by every coverage thread (a batch names its grids by index), so that nothing of ~10⁴ grid
 * polygons is structured-cloned per request. The pieces travel the same way (./piece-set.ts).
 *
 * Layout: [count, count × offset, then per grid: id, population, areaM2, bbox × 4, ringCount,
 * per ring: n, n × (lon, lat)].
 */
import type { Polygon, Position } from 'geojson';
import type { PreparedGrid } from './engine.js';
import { Shared } from './piece-set.js';

export function packGrids(grids: readonly PreparedGrid[]): Float64Array {
  let size = 1 + grids.length;
  for (const g of grids) {
    size += 8;
    for (const ring of g.polygon.coordinates) size += 1 + 2 * ring.length;
  }
  const out = new Float64Array(new Shared(size * 8));
  out[0] = grids.length;
  let at = 1 + grids.length;
  grids.forEach((g, i) => {
    out[1 + i] = at;
    out[at++] = g.id;
    out[at++] = g.population;
    out[at++] = g.areaM2;
    for (const v of g.bbox) out[at++] = v;
    out[at++] = g.polygon.coordinates.length;
    for (const ring of g.polygon.coordinates) {
      out[at++] = ring.length;
      for (const q of ring) {
        out[at++] = q[0]!;
        out[at++] = q[1]!;
      }
    }
  });
  return out;
}

/** Grid `i` of {@link packGrids}' data. */
export function unpackGrid(data: Float64Array, i: number): PreparedGrid {
  let at = data[1 + i]!;
  const next = () => data[at++]!;
  const id = next();
  const population = next();
  const areaM2 = next();
  const bbox: [number, number, number, number] = [next(), next(), next(), next()];
  const rings: Position[][] = new Array(next());
  for (let r = 0; r < rings.length; r++) {
    const ring: Position[] = new Array(next());
    for (let v = 0; v < ring.length; v++) ring[v] = [next(), next()];
    rings[r] = ring;
  }
  const polygon: Polygon = { type: 'Polygon', coordinates: rings };
  return { id, population, areaM2, bbox, polygon };
}
