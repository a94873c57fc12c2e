import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { areaM2 as area } from '../geo/measure.js';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Polygon } from 'geojson';
import { CoverageEngine, bufferedLinePiece, circlePiece, coverGrid, type CoverageGridInput } from './engine.js';
import { rollup } from './rollup.js';

const LAT = 38.91;
const M_LAT = 111_195; // metres per degree of latitude (sphere R = 6371008.8)
const M_LON = M_LAT * Math.cos((LAT * Math.PI) / 180);

/** A square grid of side `side` metres with its south-west corner at (x, y) metres from (121.6, 38.91). */
function square(id: number, x: number, y: number, side: number, population = 1000): CoverageGridInput {
  const lon = (m: number) => 121.6 + m / M_LON;
  const lat = (m: number) => LAT + m / M_LAT;
  const polygon: Polygon = {
    type: 'Polygon',
    coordinates: [
      [
        [lon(x), lat(y)],
        [lon(x + side), lat(y)],
        [lon(x + side), lat(y + side)],
        [lon(x), lat(y + side)],
        [lon(x), lat(y)],
      ],
    ],
  };
  return { id, polygon, population };
}
const at = (x: number, y: number): [number, number] => [121.6 + x / M_LON, LAT + y / M_LAT];
const prepared = (g: CoverageGridInput) => {
  const e = new CoverageEngine([g]);
  return e;
};

describe('coverGrid / CoverageEngine', () => {
  it('a grid far from every station is entirely a gap', () => {
    const e = prepared(square(1, 0, 0, 300));
    e.setAll([circlePiece('a', ...at(5000, 5000), 1000)]);
    const r = e.get(1)!;
    expect(r.coveredShare).toBe(0);
    expect(r.uncoveredPopulation).toBe(1000);
    expect(r.gaps).toHaveLength(1);
    expect(area({ type: 'MultiPolygon', coordinates: r.gaps })).toBeCloseTo(r.areaM2, 0);
  });

  it('a grid inside a circle is fully covered (exact shortcut)', () => {
    const e = prepared(square(1, 0, 0, 300));
    e.setAll([circlePiece('a', ...at(150, 150), 1000)]);
    expect(e.get(1)!.coveredShare).toBe(1);
    expect(e.get(1)!.gaps).toEqual([]);
  });

  it('a circle centred on a grid corner covers about a quarter-disc of a large grid', () => {
    const g = square(1, 0, 0, 3000);
    const e = prepared(g);
    e.setAll([circlePiece('a', ...at(0, 0), 1000)]);
    const r = e.get(1)!;
    const quarter = (Math.PI * 1000 ** 2) / 4;
    // The circle's polygon has the circle's area (the fixtures' spherical metres are ~0.3 % off).
    expect(r.coveredM2 / quarter).toBeGreaterThan(0.995);
    expect(r.coveredM2 / quarter).toBeLessThan(1.002);
    expect(r.coveredPopulation).toBeCloseTo(1000 * r.coveredShare, 6);
    // The gap polygon excludes the corner and includes the far corner.
    expect(booleanPointInPolygon(at(100, 100), { type: 'MultiPolygon', coordinates: r.gaps })).toBe(false);
    expect(booleanPointInPolygon(at(2900, 2900), { type: 'MultiPolygon', coordinates: r.gaps })).toBe(true);
  });

  it('overlapping service areas are not double-counted', () => {
    const g = square(1, 0, 0, 2000);
    const one = new CoverageEngine([g]);
    one.setAll([circlePiece('a', ...at(1000, 1000), 500)]);
    const two = new CoverageEngine([g]);
    two.setAll([circlePiece('a', ...at(1000, 1000), 500), circlePiece('b', ...at(1000, 1000), 500)]);
    expect(two.get(1)!.coveredM2).toBeCloseTo(one.get(1)!.coveredM2, -1);
  });

  it('a buffered street covers a strip of twice the width', () => {
    const g = square(1, 0, 0, 1000);
    const e = prepared(g);
    // A street across the whole grid, extending past both sides.
    e.setAll([bufferedLinePiece('s', [at(-100, 500), at(1100, 500)], 50)]);
    const r = e.get(1)!;
    // Never short of the width; at most ~2.5 % over (circumscribed 16-gon discs, 0.25 m simplification).
    expect(r.coveredM2).toBeGreaterThanOrEqual(1000 * 100);
    expect(r.coveredM2).toBeLessThan(1000 * 100 * 1.025);
  });

  it('does not mutate its inputs', () => {
    const g = square(1, 0, 0, 500);
    const p = circlePiece('a', ...at(0, 0), 400);
    const before = JSON.stringify([g, p]);
    const e = new CoverageEngine([g]);
    e.setAll([p]);
    coverGrid({ ...g, areaM2: area(g.polygon), bbox: [0, 0, 0, 0] }, [p]);
    expect(JSON.stringify([g, p])).toBe(before);
  });
});

describe('incremental updates', () => {
  // A 6×6 block of 250 m grids.
  const grids = Array.from({ length: 36 }, (_, i) => square(i + 1, (i % 6) * 250, Math.floor(i / 6) * 250, 250, 100 + i));

  it('moving one station recomputes only the grids near its old and new places', () => {
    const e = new CoverageEngine(grids);
    const a = circlePiece('a', ...at(100, 100), 200);
    const b = circlePiece('b', ...at(1400, 1400), 200);
    e.setAll([a, b]);
    const moved = circlePiece('a', ...at(150, 100), 200);
    const touched = e.update([moved, b]);
    expect(touched.length).toBeGreaterThan(0);
    expect(touched.length).toBeLessThan(10);
    // Grids near b were not touched.
    expect(touched).not.toContain(36);
    expect(e.update([moved, b])).toEqual([]);
  });

  it('incremental results equal a full recompute after random station moves (property)', () => {
    const station = fc.record({ x: fc.integer({ min: -200, max: 1700 }), y: fc.integer({ min: -200, max: 1700 }), r: fc.integer({ min: 50, max: 600 }) });
    fc.assert(
      fc.property(
        fc.array(station, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), station), { minLength: 1, maxLength: 5 }),
        (initial, moves) => {
          const toPieces = (s: typeof initial) => s.map((p, i) => circlePiece(`s${i}`, ...at(p.x, p.y), p.r));
          const inc = new CoverageEngine(grids);
          const state = [...initial];
          inc.setAll(toPieces(state));
          for (const [which, to] of moves) {
            state[which % state.length] = to;
            inc.update(toPieces(state));
          }
          const full = new CoverageEngine(grids);
          full.setAll(toPieces(state));
          const a = inc.all();
          const b = full.all();
          for (let i = 0; i < a.length; i++) {
            expect(a[i].coveredM2).toBeCloseTo(b[i].coveredM2, 3);
            expect(a[i].uncoveredPopulation).toBeCloseTo(b[i].uncoveredPopulation, 6);
          }
        },
      ),
      { numRuns: 25, seed: 42 },
    );
  });
});

describe('rollup', () => {
  it('sums areas and people and derives shares by area and by population', () => {
    const e = new CoverageEngine([square(1, 0, 0, 100, 300), square(2, 100, 0, 100, 100)]);
    e.setAll([circlePiece('a', ...at(50, 50), 1000)]); // covers grid 1 only
    const [c1, c2] = e.all();
    const units = rollup([
      { coverage: c1, units: { street: 'S', community: 'C1' } },
      { coverage: c2, units: { street: 'S', community: 'C2' } },
    ]);
    const s = units.find((u) => u.level === 'street')!;
    expect(s.grids).toBe(2);
    expect(s.population).toBe(400);
    expect(s.uncoveredPopulation).toBeCloseTo(0, 6);
    expect(c2.coveredShare).toBe(1);
    expect(s.coveredShareByPopulation).toBeCloseTo(1, 6);
    const e2 = new CoverageEngine([square(1, 0, 0, 100, 300), square(2, 5000, 0, 100, 100)]);
    e2.setAll([circlePiece('a', ...at(50, 50), 200)]);
    const u2 = rollup(e2.all().map((c) => ({ coverage: c, units: { city: 'X' } })))[0];
    expect(u2.coveredShareByPopulation).toBeCloseTo(0.75, 6);
    expect(u2.coveredShareByArea).toBeCloseTo(0.5, 2);
  });
});

describe('async recompute', () => {
  const grids = Array.from({ length: 36 }, (_, i) => square(i + 1, (i % 6) * 250, Math.floor(i / 6) * 250, 250, 100 + i));
  const pieces = [circlePiece('a', ...at(300, 300), 400), circlePiece('b', ...at(1200, 900), 350)];

  it('gives the same results as the synchronous path', async () => {
    const sync = new CoverageEngine(grids);
    sync.setAll(pieces);
    const asyncE = new CoverageEngine(grids);
    await asyncE.setAllAsync(pieces, 0);
    expect(asyncE.all().map((r) => r.coveredM2)).toEqual(sync.all().map((r) => r.coveredM2));
    const moved = [circlePiece('a', ...at(500, 300), 400), pieces[1]];
    expect((await asyncE.updateAsync(moved, 0)).sort()).toEqual(sync.update(moved).sort());
    expect(asyncE.all().map((r) => r.coveredM2)).toEqual(sync.all().map((r) => r.coveredM2));
  });

  it('hands the event loop back while it works, so a server can answer other requests', async () => {
    // Other work queued on the event loop (setImmediate, not a timer: the clipping of these 36
    // grids can finish within a timer's 1 ms granularity).
    const other = () => {
      let ticks = 0;
      let on = true;
      const spin = () => {
        if (!on) return;
        ticks++;
        setImmediate(spin);
      };
      setImmediate(spin);
      return {
        stop: () => {
          on = false;
          return ticks;
        },
      };
    };
    const e = new CoverageEngine(grids);
    const during = other();
    await e.setAllAsync(pieces, 0); // slice of 0 ms: yield after every grid
    expect(during.stop()).toBeGreaterThan(0);
    const blocking = new CoverageEngine(grids);
    const during2 = other();
    blocking.setAll(pieces); // the synchronous path cannot let other work run
    expect(during2.stop()).toBe(0);
  });
});
