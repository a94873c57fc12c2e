/**
 * The rules around grid edits, on real PostGIS: who may do what where (the whole matrix, on the
 * server), the invalid-geometry corpus (4xx and nothing written), and a long run of accepted and
 * refused edits after which every street is still an exact partition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Polygon } from 'geojson';
import { sql } from 'kysely';
import { openTestApp } from './helpers/db.js';
import type { Db } from '../server/db/connect.js';
import { databaseChecksum } from './helpers/checksum.js';
import { bearer, bulgeEdge, liveGrids, login, partitionErrors, sharedEdge, type GridInfo } from './helpers/editing.js';

let app: FastifyInstance;
let db: Db;
let close: () => Promise<void>;
let streets: { id: number; code: string }[];
const tokens: Record<string, string> = {};

beforeAll(async () => {
  ({ app, db, close } = await openTestApp());
  streets = await db.kysely.selectFrom('streets').select(['id', 'code']).orderBy('code').execute();
  for (const u of ['admin', 'planner', 'viewer', 'editor1']) tokens[u] = await login(app, u);
}, 120_000);
afterAll(async () => close?.());

/** A square of `sideM` metres around a point inside the grid. */
async function squareInside(g: GridInfo, sideM: number): Promise<Polygon> {
  const r = await sql<{
    x: number;
    y: number;
  }>`SELECT ST_X(p) x, ST_Y(p) y FROM (SELECT ST_PointOnSurface(ST_GeomFromGeoJSON(${JSON.stringify(g.geometry)})) p) t`.execute(db.kysely);
  const { x, y } = r.rows[0];
  const dy = sideM / 2 / 111_195;
  const dx = dy / Math.cos((y * Math.PI) / 180);
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x - dx, y - dy],
        [x + dx, y - dy],
        [x + dx, y + dy],
        [x - dx, y + dy],
        [x - dx, y - dy],
      ],
    ],
  };
}

async function lineAcross(g: GridInfo) {
  const r = await sql<{ x: number; y: number; w: number }>`
    SELECT ST_X(ST_PointOnSurface(b)) x, ST_Y(ST_PointOnSurface(b)) y, ST_XMax(b) - ST_XMin(b) w FROM (SELECT ST_GeomFromGeoJSON(${JSON.stringify(g.geometry)}) b) t`.execute(
    db.kysely,
  );
  const { x, y, w } = r.rows[0];
  return {
    type: 'LineString',
    coordinates: [
      [x - w, y + 1e-6],
      [x + w, y - 1e-6],
    ],
  };
}

type Op = (s: string, headers: Record<string, string>) => Promise<{ statusCode: number; body: string }>;

/** Each operation, as a dry run (so the matrix can run every cell on the same data). */
const ops: Record<string, Op> = {
  attributes: async (street, headers) => {
    const [g] = await liveGrids(db, street);
    return app.inject({
      method: 'PATCH',
      url: `/api/grids/${g.id}?dry_run=true`,
      headers: { ...headers, 'if-match': String(g.version) },
      payload: { leader_name: '张三' },
    });
  },
  reshape: async (street, headers) => {
    const { grid, neighbour, index } = sharedEdge(await liveGrids(db, street));
    return app.inject({
      method: 'PATCH',
      url: `/api/grids/${grid.id}?dry_run=true`,
      headers: { ...headers, 'if-match': String(grid.version) },
      payload: { geometry: bulgeEdge(grid, index, neighbour, 0.1) },
    });
  },
  create: async (street, headers) => {
    const [g] = await liveGrids(db, street);
    const c = await db.kysely.selectFrom('communities').select('code').where('id', '=', g.community_id).executeTakeFirstOrThrow();
    return app.inject({
      method: 'POST',
      url: '/api/grids?dry_run=true',
      headers,
      payload: { community_code: c.code, name: '新网格', geometry: await squareInside(g, 40) },
    });
  },
  split: async (street, headers) => {
    const [g] = await liveGrids(db, street);
    return app.inject({
      method: 'POST',
      url: `/api/grids/${g.id}/split?dry_run=true`,
      headers: { ...headers, 'if-match': String(g.version) },
      payload: { line: await lineAcross(g) },
    });
  },
  merge: async (street, headers) => {
    const { grid, neighbour } = sharedEdge(await liveGrids(db, street));
    return app.inject({
      method: 'POST',
      url: '/api/grids/merge?dry_run=true',
      headers,
      payload: {
        grids: [
          { id: grid.id, version: grid.version },
          { id: neighbour.id, version: neighbour.version },
        ],
      },
    });
  },
  delete: async (street, headers) => {
    const { grid, neighbour } = sharedEdge(await liveGrids(db, street));
    return app.inject({
      method: 'DELETE',
      url: `/api/grids/${grid.id}?dry_run=true&into=${neighbour.id}`,
      headers: { ...headers, 'if-match': String(grid.version) },
    });
  },
  restore: async (street, headers) => {
    const [g] = await liveGrids(db, street);
    return app.inject({
      method: 'POST',
      url: `/api/grids/${g.id}/restore?dry_run=true`,
      headers: { ...headers, 'if-match': String(g.version) },
      payload: { to_version: 1 },
    });
  },
};

describe('permission matrix (roles × operations × own/other street), enforced by the server', () => {
  const expected: Record<string, { own: number; other: number }> = {
    admin: { own: 200, other: 200 },
    editor1: { own: 200, other: 403 },
    planner: { own: 403, other: 403 },
    viewer: { own: 403, other: 403 },
    anonymous: { own: 401, other: 401 },
  };
  // Restore needs an older version to go back to (restoring a never-edited grid is a 422, which
  // must not pass for "allowed"): one real edit of the grid each street's restore is tried on.
  beforeAll(async () => {
    for (const s of streets.slice(0, 2)) {
      const [g] = await liveGrids(db, s.code);
      const r = await app.inject({
        method: 'PATCH',
        url: `/api/grids/${g.id}`,
        headers: { ...bearer(tokens.admin), 'if-match': String(g.version) },
        payload: { leader_name: '恢复测试' },
      });
      expect(r.statusCode, r.body).toBe(200);
    }
  });

  for (const [role, want] of Object.entries(expected)) {
    for (const op of Object.keys(ops)) {
      it(`${role} · ${op}: own street ${want.own}, other street ${want.other}`, async () => {
        const headers = role === 'anonymous' ? {} : bearer(tokens[role]);
        const before = await databaseChecksum(db);
        const own = await ops[op](streets[0].code, headers);
        const other = await ops[op](streets[1].code, headers);
        expect(own.statusCode, own.body).toBe(want.own);
        expect(other.statusCode, other.body).toBe(want.other);
        expect(await databaseChecksum(db)).toEqual(before);
      });
    }
  }

  it('a street editor may not move a grid into a community of another street', async () => {
    const [g] = await liveGrids(db, streets[0].code);
    const c = await db.kysely.selectFrom('communities').select('code').where('street_id', '=', streets[1].id).executeTakeFirstOrThrow();
    const r = await app.inject({
      method: 'PATCH',
      url: `/api/grids/${g.id}`,
      headers: { ...bearer(tokens.editor1), 'if-match': String(g.version) },
      payload: { community_code: c.code },
    });
    expect(r.statusCode).toBe(403);
  });
});

describe('invalid geometry corpus: 4xx with a message, nothing written', () => {
  const ring = (pts: number[][]) => ({ type: 'Polygon', coordinates: [pts] });
  const x0 = 121.6;
  const y0 = 38.91;
  const d = 0.001;
  const big = Array.from({ length: 100_001 }, (_, i) => [x0 + d * Math.cos((2 * Math.PI * i) / 100_000), y0 + d * Math.sin((2 * Math.PI * i) / 100_000)]);
  big[big.length - 1] = big[0];
  const corpus: Record<string, { body: unknown; status: number; message: RegExp }> = {
    bowtie: {
      body: {
        geometry: ring([
          [x0, y0],
          [x0 + d, y0 + d],
          [x0 + d, y0],
          [x0, y0 + d],
          [x0, y0],
        ]),
      },
      status: 422,
      message: /自相交/,
    },
    spike: {
      body: {
        geometry: ring([
          [x0, y0],
          [x0 + d, y0],
          [x0 + d, y0 + d],
          [x0 + d, y0 + 3 * d],
          [x0 + d, y0 + d],
          [x0, y0 + d],
          [x0, y0],
        ]),
      },
      status: 422,
      message: /自相交|无效/,
    },
    unclosed: {
      body: {
        geometry: ring([
          [x0, y0],
          [x0 + d, y0],
          [x0 + d, y0 + d],
          [x0, y0 + d],
        ]),
      },
      status: 422,
      message: /未闭合/,
    },
    duplicatePoints: {
      body: {
        geometry: ring([
          [x0, y0],
          [x0 + d, y0],
          [x0 + d, y0],
          [x0 + d, y0 + d],
          [x0, y0 + d],
          [x0, y0],
        ]),
      },
      status: 422,
      message: /重复/,
    },
    wrongWinding: {
      body: {
        geometry: ring([
          [x0, y0],
          [x0, y0 + d],
          [x0 + d, y0 + d],
          [x0 + d, y0],
          [x0, y0],
        ]),
      },
      status: 422,
      message: /逆时针/,
    },
    holeOutsideShell: {
      body: {
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [x0, y0],
              [x0 + d, y0],
              [x0 + d, y0 + d],
              [x0, y0 + d],
              [x0, y0],
            ],
            [
              [x0 + 2 * d, y0 + 2 * d],
              [x0 + 2 * d, y0 + 3 * d],
              [x0 + 3 * d, y0 + 3 * d],
              [x0 + 3 * d, y0 + 2 * d],
              [x0 + 2 * d, y0 + 2 * d],
            ],
          ],
        },
      },
      status: 422,
      message: /内环/,
    },
    outOfRange: {
      body: {
        geometry: ring([
          [200, y0],
          [201, y0],
          [201, 95],
          [200, y0],
        ]),
      },
      status: 422,
      message: /超出经纬度范围/,
    },
    hundredThousandVertices: { body: { geometry: ring(big) }, status: 422, message: /顶点过多/ },
    point: { body: { geometry: { type: 'Point', coordinates: [x0, y0] } }, status: 422, message: /Polygon/ },
    multiPolygon: { body: { geometry: { type: 'MultiPolygon', coordinates: [] } }, status: 422, message: /Polygon/ },
    nullGeometry: { body: { geometry: null }, status: 422, message: /Polygon/ },
    stringCoordinates: {
      body: {
        geometry: ring([
          ['121.6', '38.9'],
          [x0 + d, y0],
          [x0, y0 + d],
          ['121.6', '38.9'],
        ] as unknown as number[][]),
      },
      status: 422,
      message: /数字/,
    },
    populationNotANumber: { body: { population: 'many' }, status: 400, message: /population/ },
    negativePopulation: { body: { population: -5 }, status: 400, message: /population/ },
    unknownField: { body: { colour: 'red' }, status: 400, message: /colour/ },
  };

  for (const [name, c] of Object.entries(corpus)) {
    it(name, async () => {
      const [g] = await liveGrids(db, streets[0].code);
      const before = await databaseChecksum(db);
      const r = await app.inject({
        method: 'PATCH',
        url: `/api/grids/${g.id}`,
        headers: { ...bearer(tokens.editor1), 'if-match': String(g.version) },
        payload: c.body as object,
      });
      expect(r.statusCode, r.body).toBe(c.status);
      expect(r.json().message_zh).toMatch(c.message);
      expect(await databaseChecksum(db)).toEqual(before);
    });
  }

  it('malformed JSON', async () => {
    const [g] = await liveGrids(db, streets[0].code);
    const before = await databaseChecksum(db);
    const r = await app.inject({
      method: 'PATCH',
      url: `/api/grids/${g.id}`,
      headers: { ...bearer(tokens.editor1), 'if-match': String(g.version), 'content-type': 'application/json' },
      payload: '{"geometry": {"type": "Polygon", ',
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message_zh).toMatch(/JSON/);
    expect(await databaseChecksum(db)).toEqual(before);
  });

  it('a grid drawn over most of its neighbour, or leaving its street, is refused with the problem and where', async () => {
    const [g] = await liveGrids(db, streets[0].code);
    const huge = await squareInside(g, 5000);
    const r = await app.inject({
      method: 'PATCH',
      url: `/api/grids/${g.id}`,
      headers: { ...bearer(tokens.admin), 'if-match': String(g.version) },
      payload: { geometry: huge },
    });
    expect(r.statusCode).toBe(422);
    const problems = r.json().details.problems as { code: string; location?: number[]; area_m2?: number }[];
    expect(problems.map((p) => p.code)).toContain('outside_street');
    expect(problems.find((p) => p.code === 'outside_street')!.location).toHaveLength(2);
  });
});

describe('after a long run of edits every street is still an exact partition', () => {
  const livePopulation = async () =>
    (await sql<{ p: number }>`SELECT sum(population)::int p FROM grids WHERE deleted_at IS NULL`.execute(db.kysely)).rows[0]!.p;

  it('30 random edits by a street editor and an admin', async () => {
    const populationBefore = await livePopulation();
    expect(populationBefore).toBeGreaterThan(0);
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const street = streets[i % 2];
      const token = i % 2 === 0 ? tokens.editor1 : tokens.admin;
      const grids = await liveGrids(db, street.code);
      const kind = ['bulge', 'bulge', 'bulge', 'split', 'merge', 'create'][Math.floor(rnd() * 6)];
      let r: { statusCode: number; body: string };
      if (kind === 'bulge') {
        const { grid, neighbour, index } = sharedEdge(grids, undefined, Math.floor(rnd() * grids.length));
        const toward = rnd() < 0.5 ? neighbour : grid; // out into the neighbour, or into itself
        r = await app.inject({
          method: 'PATCH',
          url: `/api/grids/${grid.id}`,
          headers: { ...bearer(token), 'if-match': String(grid.version) },
          payload: { geometry: bulgeEdge(grid, index, toward, 0.1 + rnd() * 0.5) },
        });
      } else if (kind === 'split') {
        const g = grids[Math.floor(rnd() * grids.length)];
        r = await app.inject({
          method: 'POST',
          url: `/api/grids/${g.id}/split`,
          headers: { ...bearer(token), 'if-match': String(g.version) },
          payload: { line: await lineAcross(g) },
        });
      } else if (kind === 'merge') {
        const { grid, neighbour } = sharedEdge(grids, undefined, Math.floor(rnd() * grids.length));
        r = await app.inject({
          method: 'POST',
          url: '/api/grids/merge',
          headers: bearer(token),
          payload: {
            grids: [
              { id: grid.id, version: grid.version },
              { id: neighbour.id, version: neighbour.version },
            ],
          },
        });
      } else {
        const g = grids[Math.floor(rnd() * grids.length)];
        const c = await db.kysely.selectFrom('communities').select('code').where('id', '=', g.community_id).executeTakeFirstOrThrow();
        r = await app.inject({
          method: 'POST',
          url: '/api/grids',
          headers: bearer(token),
          payload: { community_code: c.code, name: `新网格${i}`, geometry: await squareInside(g, 30 + rnd() * 100) },
        });
      }
      const key = `${kind}:${r.statusCode}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      // Accepted, or refused with a reason — never a server error.
      expect([200, 422], r.body).toContain(r.statusCode);
      const e = await partitionErrors(db, street.id);
      expect(e.overlapM2, `after edit ${i} (${kind})`).toBeLessThan(0.5);
      expect(e.gapM2, `after edit ${i} (${kind})`).toBeLessThan(1);
      expect(e.outsideM2, `after edit ${i} (${kind})`).toBeLessThan(1);
    }
    // The run must have exercised real edits, not only refusals.
    const accepted = Object.entries(outcomes)
      .filter(([k]) => k.endsWith(':200'))
      .reduce((t, [, n]) => t + n, 0);
    expect(accepted, JSON.stringify(outcomes)).toBeGreaterThanOrEqual(15);
    // Population is conserved by reshapes, splits, merges and creates (it moves with the area):
    // the live grids hold as many people after the run as before it.
    expect(await livePopulation()).toBe(populationBefore);
  });
});
