/**
 * Roll-ups: grid results summed into units (community, street, district, city). `rollup` sums
 * any grouping; `planUnits` + `rollupByPlan` give the same sums for the city's own hierarchy
 * without building a key string per grid and level on every answer.
 */
import type { GridCoverage } from './engine.js';

export interface RollupInput {
  coverage: GridCoverage;
  /** Unit codes this grid rolls up into, e.g. { community, street, district }. */
  units: Record<string, string>;
}

export interface UnitCoverage {
  level: string;
  code: string;
  grids: number;
  areaM2: number;
  coveredM2: number;
  coveredShareByArea: number;
  population: number;
  coveredPopulation: number;
  uncoveredPopulation: number;
  coveredShareByPopulation: number;
  gapAreaM2: number;
}

/** A unit with nothing summed yet. */
export function emptyUnit(level: string, code: string): UnitCoverage {
  return {
    level,
    code,
    grids: 0,
    areaM2: 0,
    coveredM2: 0,
    coveredShareByArea: 0,
    population: 0,
    coveredPopulation: 0,
    uncoveredPopulation: 0,
    coveredShareByPopulation: 0,
    gapAreaM2: 0,
  };
}

/** Adds one grid's result to a unit's sums. */
export function addToUnit(u: UnitCoverage, c: GridCoverage): void {
  u.grids += 1;
  u.areaM2 += c.areaM2;
  u.coveredM2 += c.coveredM2;
  u.population += c.population;
  u.coveredPopulation += c.coveredPopulation;
  u.uncoveredPopulation += c.uncoveredPopulation;
  u.gapAreaM2 += c.areaM2 - c.coveredM2;
}

/** Sets a unit's shares from its sums. */
export function finishUnit(u: UnitCoverage): UnitCoverage {
  u.coveredShareByArea = u.areaM2 > 0 ? u.coveredM2 / u.areaM2 : 0;
  u.coveredShareByPopulation = u.population > 0 ? u.coveredPopulation / u.population : 0;
  return u;
}

/**
 * Sums grid results into units (community, street, district, city …).
 * @example rollup([{ coverage, units: { street: '210291001000' } }])
 */
export function rollup(rows: readonly RollupInput[]): UnitCoverage[] {
  const acc = new Map<string, UnitCoverage>();
  for (const { coverage: c, units } of rows) {
    for (const [level, code] of Object.entries(units)) {
      const k = `${level}:${code}`;
      let u = acc.get(k);
      if (!u) acc.set(k, (u = emptyUnit(level, code)));
      addToUnit(u, c);
    }
  }
  return [...acc.values()].map(finishUnit);
}

/** The city's units (community, street, district, city) with their grids, in grid order. */
export interface UnitPlan {
  units: { level: string; code: string; ids: number[] }[];
}

export interface PlannableGrid {
  id: number;
  community_code: string;
  street_code: string;
  district_code: string;
}

/** The units of `grids` and their member grids — the same units and order as {@link rollup}. */
export function planUnits(grids: readonly PlannableGrid[]): UnitPlan {
  const units = new Map<string, { level: string; code: string; ids: number[] }>();
  for (const g of grids) {
    for (const [level, code] of [
      ['community', g.community_code],
      ['street', g.street_code],
      ['district', g.district_code],
      ['city', 'city'],
    ] as const) {
      const k = `${level}:${code}`;
      let u = units.get(k);
      if (!u) units.set(k, (u = { level, code, ids: [] }));
      u.ids.push(g.id);
    }
  }
  return { units: [...units.values()] };
}

/** Unit sums of the grids that have a result (as {@link rollup}). */
export function rollupByPlan(plan: UnitPlan, results: ReadonlyMap<number, GridCoverage>): UnitCoverage[] {
  const out: UnitCoverage[] = [];
  for (const { level, code, ids } of plan.units) {
    const u = emptyUnit(level, code);
    for (const id of ids) {
      const c = results.get(id);
      if (c) addToUnit(u, c);
    }
    if (u.grids > 0) out.push(finishUnit(u));
  }
  return out;
}
