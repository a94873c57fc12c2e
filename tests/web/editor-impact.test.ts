/** The preview's numbers from an edit response: people moved, totals, coverage change per type. */
import { describe, expect, it } from 'vitest';
import type { EditResponse, GridChange } from '../../web/src/api/client.js';
import { summarizeImpact } from '../../web/src/editor/impact.js';

const change = (over: Partial<GridChange>): GridChange => ({
  grid_id: 1,
  code: 'g1',
  name: '网格1',
  role: 'edited',
  operation: 'reshape',
  version_before: 1,
  version_after: 2,
  area_m2_before: 1000,
  area_m2_after: 1000,
  population_before: 100,
  population_after: 100,
  households_before: 40,
  households_after: 40,
  stations_before: 0,
  stations_after: 0,
  geometry: null,
  ...over,
});

describe('summarizeImpact', () => {
  it('counts the people who change grid once, and the coverage change in percentage points', () => {
    const r: EditResponse = {
      dry_run: true,
      change_id: null,
      operation: 'reshape',
      warnings: [],
      changes: [
        change({ grid_id: 1, population_before: 300, population_after: 334, area_m2_after: 1100 }),
        change({ grid_id: 2, role: 'adjusted', population_before: 327, population_after: 302 }),
        change({ grid_id: 3, role: 'adjusted', population_before: 398, population_after: 389, stations_before: 1, stations_after: 0 }),
      ],
      impact: {
        grids: 3,
        population_before: 1025,
        population_after: 1025,
        households_before: 0,
        households_after: 0,
        area_m2_before: 0,
        area_m2_after: 0,
        stations_before: 1,
        stations_after: 1,
        coverage: [
          {
            type: 'party_service_center',
            covered_share_before: 0.5,
            covered_share_after: 0.473,
            uncovered_population_before: 10,
            uncovered_population_after: 40,
            residents_losing_coverage: 30,
          },
          {
            type: 'courier_station',
            covered_share_before: 0.2,
            covered_share_after: 0.25,
            uncovered_population_before: 5,
            uncovered_population_after: 2,
            residents_losing_coverage: 0,
          },
        ],
      },
    };
    const s = summarizeImpact(r);
    expect(s.populationMoved).toBe(34);
    expect(s.populationBefore).toBe(1025);
    expect(s.populationAfter).toBe(1025);
    expect(s.grids.map((g) => [g.id, g.role])).toEqual([
      [1, 'edited'],
      [2, 'adjusted'],
      [3, 'adjusted'],
    ]);
    expect(s.coverage.map((c) => c.deltaPp)).toEqual([-2.7, 5]);
    expect(s.maxLosing).toBe(30);
    expect(s.stationsBefore).toBe(1);
  });

  it('without an impact block (a save without ?impact) falls back to the changes', () => {
    const s = summarizeImpact({
      dry_run: false,
      change_id: 7,
      operation: 'merge',
      warnings: [],
      changes: [change({ population_before: 50, population_after: 150 }), change({ grid_id: 2, role: 'deleted', population_before: 100, population_after: 0 })],
    });
    expect(s.populationBefore).toBe(150);
    expect(s.populationAfter).toBe(150);
    expect(s.populationMoved).toBe(100);
    expect(s.coverage).toEqual([]);
  });
});
