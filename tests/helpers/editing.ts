/** Shared pieces of the editing tests: logins, a shared-border move, and the partition check (checksums: ./checksum.ts) in PostGIS. */
import { sql, type RawBuilder } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Polygon, Position } from 'geojson';
import type { Db } from '../../server/db/connect.js';
import { DEMO_PASSWORD } from '../../server/db/demo-accounts.js';

export async function login(app: FastifyInstance, username: string): Promise<string> {
  const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD } });
  if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
  return r.json().token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface GridInfo {
  id: number;
  code: string;
  version: number;
  community_id: number;
  street_id: number;
  street_code: string;
  geometry: Polygon;
}

export async function liveGrids(db: Db, streetCode?: string): Promise<GridInfo[]> {
  const r = await sql<GridInfo>`
    SELECT g.id, g.code, g.version, g.community_id, c.street_id, s.code AS street_code, ST_AsGeoJSON(g.boundary, 15)::json AS geometry
      FROM grids g JOIN communities c ON c.id = g.community_id JOIN streets s ON s.id = c.street_id
     WHERE g.deleted_at IS NULL ${streetCode ? sql`AND s.code = ${streetCode}` : sql``} ORDER BY g.id`.execute(db.kysely);
  return r.rows;
}

const key = (p: Position) => `${p[0]},${p[1]}`;

/**
 * A grid, a neighbour (of the same community unless `accept` says otherwise), and an edge of the grid's
 * ring (index → index + 1) that lies on their common border. `start` rotates where the search begins.
 */
export function sharedEdge(grids: GridInfo[], accept: (g: GridInfo, n: GridInfo) => boolean = (g, n) => g.community_id === n.community_id, start = 0) {
  const owners = new Map<string, Set<number>>();
  for (const g of grids) for (const p of g.geometry.coordinates[0]) (owners.get(key(p)) ?? owners.set(key(p), new Set()).get(key(p))!).add(g.id);
  for (let k = 0; k < grids.length; k++) {
    const g = grids[(k + start) % grids.length];
    const ring = g.geometry.coordinates[0];
    for (let i = 0; i < ring.length - 1; i++) {
      const a = owners.get(key(ring[i]))!;
      const b = owners.get(key(ring[i + 1]))!;
      for (const otherId of a) {
        if (otherId === g.id || !b.has(otherId)) continue;
        const other = grids.find((x) => x.id === otherId)!;
        const ro = other.geometry.coordinates[0].map(key);
        const j = ro.indexOf(key(ring[i]));
        // Consecutive in the neighbour's ring too (the other way round): a real common edge.
        if (ro[j - 1] !== key(ring[i + 1]) && ro[j + 1] !== key(ring[i + 1])) continue;
        if (!accept(g, other)) continue;
        return { grid: g, neighbour: other, index: i };
      }
    }
  }
  throw new Error('no shared edge found');
}

const centroid = (ring: Position[]) => {
  let x = 0;
  let y = 0;
  for (const p of ring.slice(0, -1)) {
    x += p[0];
    y += p[1];
  }
  return [x / (ring.length - 1), y / (ring.length - 1)];
};

/**
 * The grid's polygon with a new vertex in the middle of edge `index`, pulled a fraction of the
 * way toward `target`'s centroid — what dragging the midpoint handle of a border does.
 */
export function bulgeEdge(grid: GridInfo, index: number, target: GridInfo, fraction: number): Polygon {
  const ring = grid.geometry.coordinates[0].map((p) => [p[0], p[1]]);
  const a = ring[index];
  const b = ring[index + 1];
  const m = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const c = centroid(target.geometry.coordinates[0]);
  ring.splice(index + 1, 0, [m[0] + (c[0] - m[0]) * fraction, m[1] + (c[1] - m[1]) * fraction]);
  return { type: 'Polygon', coordinates: [ring, ...grid.geometry.coordinates.slice(1)] };
}

/** Overlap between grids and area of the street not covered by any grid, m² (PostGIS, geodesic). */
export async function partitionErrors(db: Db, streetId: number): Promise<{ overlapM2: number; gapM2: number; outsideM2: number }> {
  const live = sql`SELECT g.id, g.boundary FROM grids g JOIN communities c ON c.id = g.community_id WHERE c.street_id = ${streetId} AND g.deleted_at IS NULL`;
  // Under PGlite 0.5.8 (PostGIS 3.6 / GEOS 3.14 in WASM) an overlay that fails inside GEOS can come
  // back as "no row" instead of an error. Each measure is tried with fixed precision (1e-9°) and
  // then floating; PostgreSQL always answers the first.
  const value = async (what: string, build: (grid: RawBuilder<unknown>) => RawBuilder<{ v: number }>) => {
    for (const grid of [sql`, 1e-9`, sql``]) {
      const r = await build(grid).execute(db.kysely);
      if (r.rows.length) return Number(r.rows[0].v);
    }
    throw new Error(`partition check (${what}) returned no row`);
  };
  const areaOf = (d: RawBuilder<unknown>) => sql`CASE WHEN ST_IsEmpty(${d}) THEN 0 ELSE ST_Area((${d})::geography) END`;
  return {
    overlapM2: await value(
      'overlap',
      (grid) =>
        sql<{
          v: number;
        }>`WITH g AS (${live}) SELECT coalesce(sum(ST_Area(ST_Intersection(a.boundary, b.boundary ${grid})::geography)), 0) AS v FROM g a JOIN g b ON a.id < b.id AND ST_Intersects(a.boundary, b.boundary)`,
    ),
    gapM2: await value(
      'gap',
      (grid) =>
        sql<{
          v: number;
        }>`SELECT ${areaOf(sql`x.d`)} AS v FROM (SELECT ST_Difference(s.boundary, (SELECT ST_Union(l.boundary ${grid}) FROM (${live}) l) ${grid}) AS d FROM streets s WHERE s.id = ${streetId}) x`,
    ),
    outsideM2: await value(
      'outside',
      (grid) =>
        sql<{
          v: number;
        }>`SELECT ${areaOf(sql`x.d`)} AS v FROM (SELECT ST_Difference((SELECT ST_Union(l.boundary ${grid}) FROM (${live}) l), s.boundary ${grid}) AS d FROM streets s WHERE s.id = ${streetId}) x`,
    ),
  };
}
