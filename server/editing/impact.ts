/**
 * What an edit does to the people in the touched grids, before it is saved: population and
 * households moved, stations inside, and for every station type the covered share and the
 * residents who would lose (or gain) coverage — computed by the same coverage engine planners use.
 */
import type { CoverageService } from '../coverage/service.js';
import type { GridChange } from './grids/types.js';

export interface TypeImpact {
  type: string;
  covered_share_before: number;
  covered_share_after: number;
  uncovered_population_before: number;
  uncovered_population_after: number;
  /** Residents of the touched grids who are covered now and would not be after the edit (net). */
  residents_losing_coverage: number;
}

export interface EditImpact {
  grids: number;
  population_before: number;
  population_after: number;
  households_before: number;
  households_after: number;
  area_m2_before: number;
  area_m2_after: number;
  stations_before: number;
  stations_after: number;
  coverage: TypeImpact[];
}

const round = (n: number, d = 4) => Math.round(n * 10 ** d) / 10 ** d;
const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((t, x) => t + f(x), 0);

export async function editImpact(coverage: CoverageService, changes: GridChange[]): Promise<EditImpact> {
  const before = changes.filter((c) => c.geometry_before).map((c, i) => ({ id: i + 1, polygon: c.geometry_before!, population: c.population_before }));
  const after = changes.filter((c) => c.geometry).map((c, i) => ({ id: i + 1, polygon: c.geometry!, population: c.population_after }));
  const types = await coverage.city.stationTypeCodes();
  const [b, a] = await Promise.all([coverage.coverPolygons(before, types), coverage.coverPolygons(after, types)]);
  const impact: TypeImpact[] = types.map((t) => {
    const bb = b.get(t) ?? [];
    const aa = a.get(t) ?? [];
    const areaB = sum(bb, (g) => g.areaM2);
    const areaA = sum(aa, (g) => g.areaM2);
    const uncB = sum(bb, (g) => g.uncoveredPopulation);
    const uncA = sum(aa, (g) => g.uncoveredPopulation);
    return {
      type: t,
      covered_share_before: areaB ? round(sum(bb, (g) => g.coveredM2) / areaB) : 0,
      covered_share_after: areaA ? round(sum(aa, (g) => g.coveredM2) / areaA) : 0,
      uncovered_population_before: Math.round(uncB),
      uncovered_population_after: Math.round(uncA),
      residents_losing_coverage: Math.max(0, Math.round(sum(bb, (g) => g.coveredPopulation) - sum(aa, (g) => g.coveredPopulation))),
    };
  });
  return {
    grids: changes.length,
    population_before: sum(changes, (c) => c.population_before),
    population_after: sum(changes, (c) => c.population_after),
    households_before: sum(changes, (c) => c.households_before),
    households_after: sum(changes, (c) => c.households_after),
    area_m2_before: round(
      sum(changes, (c) => c.area_m2_before),
      1,
    ),
    area_m2_after: round(
      sum(changes, (c) => c.area_m2_after),
      1,
    ),
    stations_before: sum(changes, (c) => c.stations_before),
    stations_after: sum(changes, (c) => c.stations_after),
    coverage: impact,
  };
}
