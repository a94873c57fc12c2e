/**
 * What an edit response means for people, as numbers the preview panel shows: per grid the area
 * and population before → after, the people who change grid, stations, and per station type the
 * covered share change and residents losing coverage. Pure.
 */
import type { EditResponse, GridChange } from '../api/client.js';

export interface GridRow {
  id: number;
  code: string;
  name: string;
  role: GridChange['role'];
  areaBefore: number;
  areaAfter: number;
  populationBefore: number;
  populationAfter: number;
  stationsBefore: number;
  stationsAfter: number;
}

export interface CoverageRow {
  type: string;
  shareBefore: number;
  shareAfter: number;
  /** Percentage points, after − before. */
  deltaPp: number;
  losing: number;
  uncoveredBefore: number;
  uncoveredAfter: number;
}

export interface ImpactSummary {
  grids: GridRow[];
  /** People assigned to a different grid: the sum of the gains (equals the losses when nothing is lost). */
  populationMoved: number;
  populationBefore: number;
  populationAfter: number;
  stationsBefore: number;
  stationsAfter: number;
  coverage: CoverageRow[];
  /** Residents losing coverage of any type (the largest per type; types overlap). */
  maxLosing: number;
}

export function summarizeImpact(r: EditResponse): ImpactSummary {
  const grids: GridRow[] = r.changes.map((c) => ({
    id: c.grid_id,
    code: c.code,
    name: c.name,
    role: c.role,
    areaBefore: c.area_m2_before,
    areaAfter: c.area_m2_after,
    populationBefore: c.population_before,
    populationAfter: c.population_after,
    stationsBefore: c.stations_before,
    stationsAfter: c.stations_after,
  }));
  const gains = grids.reduce((s, g) => s + Math.max(0, g.populationAfter - g.populationBefore), 0);
  const losses = grids.reduce((s, g) => s + Math.max(0, g.populationBefore - g.populationAfter), 0);
  const coverage: CoverageRow[] = (r.impact?.coverage ?? []).map((c) => ({
    type: c.type,
    shareBefore: c.covered_share_before,
    shareAfter: c.covered_share_after,
    deltaPp: Math.round((c.covered_share_after - c.covered_share_before) * 1000) / 10,
    losing: c.residents_losing_coverage,
    uncoveredBefore: c.uncovered_population_before,
    uncoveredAfter: c.uncovered_population_after,
  }));
  return {
    grids,
    populationMoved: Math.max(gains, losses),
    populationBefore: r.impact?.population_before ?? grids.reduce((s, g) => s + g.populationBefore, 0),
    populationAfter: r.impact?.population_after ?? grids.reduce((s, g) => s + g.populationAfter, 0),
    stationsBefore: r.impact?.stations_before ?? grids.reduce((s, g) => s + g.stationsBefore, 0),
    stationsAfter: r.impact?.stations_after ?? grids.reduce((s, g) => s + g.stationsAfter, 0),
    coverage,
    maxLosing: coverage.reduce((m, c) => Math.max(m, c.losing), 0),
  };
}
