/**
 * Topology-safe grid edits, each in one transaction (the caller opens it).
 *
 * The rule that keeps a street's grids an exact partition: an edit proposes a polygon P for one
 * grid, and the server re-derives every neighbour from the same linework —
 *   - area P takes from a neighbour N is cut out of N (N − P);
 *   - area the grid gives up (old − P) goes, piece by piece, to the neighbour of the same
 *     community sharing the longest border with that piece; a piece nobody borders is a gap and
 *     the edit is refused.
 * So both sides of a moved border change together and nothing overlaps or falls between grids.
 * Geometry work is done by PostGIS (GEOS) inside the transaction; geometries travel between
 * statements as hex EWKB so no precision is lost on the way, and are stored wound as RFC 7946
 * wants (exterior counter-clockwise), whatever orientation GEOS produced.
 *
 * Concurrency: edits in one street are serialised by a transaction-scoped advisory lock on the
 * street (taken before any read, so no deadlocks), and every write states the version it was
 * based on: a stale version is a 409 and nothing is written.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { LineString, Polygon } from 'geojson';
import type { Database, GridOperation } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { canWrite, canWriteSome, type Actor } from '../auth/permissions.js';
import { windingProblems, type Problem } from './geometry-input.js';

export interface EditLimits {
  /** Smallest grid allowed after any edit, m². */
  minAreaM2: number;
  /** Largest grid allowed, m². */
  maxAreaM2: number;
  /** Area a polygon may stick out of its street/community, or leave uncovered, as drawing noise, m². */
  toleranceM2: number;
}

export const DEFAULT_LIMITS: EditLimits = { minAreaM2: 200, maxAreaM2: 20_000_000, toleranceM2: 1 };

/** Attributes an editor may set (geometry aside). */
export interface GridAttributes {
  name?: string;
  leader_name?: string | null;
  leader_phone?: string | null;
  party_branch?: string | null;
  population?: number;
  households?: number;
}

interface GridState {
  id: number;
  code: string;
  name: string;
  community_id: number;
  community_code: string;
  street_id: number;
  leader_name: string | null;
  leader_phone: string | null;
  party_branch: string | null;
  population: number;
  households: number;
  version: number;
  deleted: boolean;
  geom: string; // hex EWKB
  area_m2: number;
}

export type ChangeRole = 'edited' | 'adjusted' | 'created' | 'deleted' | 'restored';

export interface GridChange {
  grid_id: number;
  code: string;
  name: string;
  role: ChangeRole;
  operation: GridOperation;
  version_before: number | null;
  version_after: number;
  area_m2_before: number;
  area_m2_after: number;
  population_before: number;
  population_after: number;
  households_before: number;
  households_after: number;
  stations_before: number;
  stations_after: number;
  /** The grid after the change (null when deleted). */
  geometry: Polygon | null;
  /** Before, for the impact preview (null when created). */
  geometry_before: Polygon | null;
}

export interface EditResult {
  change_id: number;
  operation: GridOperation;
  changes: GridChange[];
  warnings: Problem[];
}

type Tx = Kysely<Database>;

/**
 * Overlays run with GEOS's fixed-precision mode on a 1e-9° grid (≈ 0.1 mm): results are then
 * robust (floating overlays of nearly coincident borders can fail, and under PGlite such a
 * failure came back as an empty result rather than an error), and all vertices of both sides of
 * a border land on the same grid.
 */
const GRID = sql.lit(1e-9);

const rejected = (problems: Problem[]) =>
  new ApiError(
    422,
    'edit_rejected',
    '修改未保存：' + problems.map((p) => p.zh).join('；'),
    'The edit was not saved: ' + problems.map((p) => p.en).join('; '),
    { problems },
  );

const forbidden = (zh: string, en: string, details?: unknown) => new ApiError(403, 'forbidden', zh, en, details);

const geom = (hex: string): RawBuilder<unknown> => sql`ST_GeomFromEWKB(decode(${hex}, 'hex'))`;
const hexOf = (g: RawBuilder<unknown>) => sql<string>`encode(ST_AsEWKB(${g}), 'hex')`;
const fmt = (m2: number) => (m2 >= 10_000 ? `${(m2 / 10_000).toFixed(2)} 公顷` : `${m2.toFixed(1)} m²`);
const fmtEn = (m2: number) => (m2 >= 10_000 ? `${(m2 / 10_000).toFixed(2)} ha` : `${m2.toFixed(1)} m²`);

async function one<T>(tx: Tx, q: RawBuilder<T>): Promise<T> {
  const rows = (await q.execute(tx)).rows;
  // A single-row query that returns nothing means a geometry operation failed inside PostGIS
  // (seen under PGlite, which can lose the GEOS exception): refuse the edit, write nothing.
  if (!rows.length) throw new ApiError(422, 'geometry_error', '几何运算失败，请检查图形（例如极窄的尖角或几乎重合的边）', 'A geometry operation failed; check the shape (e.g. very thin spikes or nearly coincident edges)');
  return rows[0] as T;
}

/** Serialises edits per street for the rest of the transaction (ids sorted: no deadlocks). */
async function lockStreets(tx: Tx, streetIds: number[]): Promise<void> {
  for (const id of [...new Set(streetIds)].sort((a, b) => a - b)) {
    await sql`SELECT pg_advisory_xact_lock(7071, ${id}::int)`.execute(tx);
  }
}

const stateColumns = sql`g.id, g.code, g.name, g.community_id, c.code AS community_code, c.street_id, g.leader_name, g.leader_phone, g.party_branch,
  g.population, g.households, g.version, (g.deleted_at IS NOT NULL) AS deleted,
  encode(ST_AsEWKB(g.boundary), 'hex') AS geom, ST_Area(g.boundary::geography) AS area_m2`;

async function gridState(tx: Tx, id: number, lock: boolean): Promise<GridState | undefined> {
  const r = await sql<GridState>`SELECT ${stateColumns} FROM grids g JOIN communities c ON c.id = g.community_id WHERE g.id = ${id} ${lock ? sql`FOR UPDATE OF g` : sql``}`.execute(tx);
  return r.rows[0];
}

async function geoJson(tx: Tx, hex: string): Promise<Polygon> {
  return (await one(tx, sql<{ g: Polygon }>`SELECT ST_AsGeoJSON(${geom(hex)}, 9)::json AS g`)).g;
}

async function currentFeature(tx: Tx, s: GridState) {
  return { type: 'Feature', id: s.id, properties: { id: s.id, code: s.code, name: s.name, version: s.version }, geometry: await geoJson(tx, s.geom) };
}

/** 404 / 409 / 403 checks on the grid an edit is about; takes the street lock first. */
async function lockGrid(tx: Tx, actor: Actor, id: number, version: number, opts: { allowDeleted?: boolean } = {}): Promise<GridState> {
  const peek = await gridState(tx, id, false);
  if (!peek) throw new ApiError(404, 'not_found', `网格 ${id} 不存在`, `Grid ${id} not found`);
  await lockStreets(tx, [peek.street_id]);
  const s = (await gridState(tx, id, true))!;
  if (!canWrite(actor, 'grid', [s.street_id])) {
    throw forbidden(`您无权编辑网格 ${s.code}：它不在您负责的街道内`, `You may not edit grid ${s.code}: it is outside the street(s) assigned to you`);
  }
  if (s.deleted && !opts.allowDeleted) throw new ApiError(404, 'not_found', `网格 ${s.code} 已删除（可在历史中恢复）`, `Grid ${s.code} has been deleted (it can be restored from its history)`);
  if (s.version !== version) {
    throw new ApiError(
      409,
      'version_conflict',
      `网格 ${s.code} 已被他人修改（您基于版本 ${version}，当前为版本 ${s.version}），未保存任何内容`,
      `Grid ${s.code} was changed by someone else (you edited version ${version}; it is now version ${s.version}); nothing was saved`,
      { grid_id: s.id, your_version: version, current_version: s.version, current: await currentFeature(tx, s) },
    );
  }
  return s;
}

/** PostGIS validity with the place of the problem (self-intersection, hole outside shell …). */
async function validityProblems(tx: Tx, hex: string): Promise<Problem[]> {
  const r = await one(
    tx,
    sql<{ valid: boolean; reason: string | null; x: number | null; y: number | null }>`
      SELECT (d).valid, (d).reason, ST_X((d).location) AS x, ST_Y((d).location) AS y FROM (SELECT ST_IsValidDetail(${geom(hex)}) AS d) t`,
  );
  if (r.valid) return [];
  const at = r.x !== null && r.y !== null ? ([r.x, r.y] as [number, number]) : undefined;
  const where = at ? `（位置 ${at[0].toFixed(6)}, ${at[1].toFixed(6)}）` : '';
  const whereEn = at ? ` at ${at[0].toFixed(6)}, ${at[1].toFixed(6)}` : '';
  const reason = r.reason ?? 'invalid';
  const zh = /self-intersection/i.test(reason)
    ? '多边形自相交'
    : /hole lies outside shell/i.test(reason)
      ? '内环位于外环之外'
      : /nested holes|holes are nested/i.test(reason)
        ? '内环相互嵌套'
        : /interior is disconnected/i.test(reason)
          ? '内环把多边形分成了几块'
          : /too few points/i.test(reason)
            ? '顶点过少'
            : `几何无效（${reason}）`;
  return [{ code: 'invalid_geometry', zh: zh + where, en: `Invalid polygon: ${reason}${whereEn}`, location: at }];
}

const polygonHex = (polygon: Polygon) => sql<string>`encode(ST_AsEWKB(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(polygon)}), 4326)), 'hex')`;

/**
 * Where P may go: inside its street (a street editor reaching into another street gets 403),
 * by default inside its community, and between the size limits.
 */
async function placementProblems(tx: Tx, actor: Actor, p: string, streetId: number, communityId: number, allowCommunityChange: boolean, limits: EditLimits): Promise<Problem[]> {
  const problems: Problem[] = [];
  const r = await one(
    tx,
    sql<{ area: number; outside_street: number; outside_community: number; sx: number; sy: number; cx: number; cy: number }>`
      WITH p AS (SELECT ${geom(p)} AS g),
           s AS (SELECT boundary FROM streets WHERE id = ${streetId}),
           c AS (SELECT boundary FROM communities WHERE id = ${communityId}),
           ds AS (SELECT ST_Difference(p.g, s.boundary, ${GRID}) AS d FROM p, s),
           dc AS (SELECT ST_Difference(p.g, c.boundary, ${GRID}) AS d FROM p, c)
      SELECT ST_Area(p.g::geography) AS area,
             ST_Area(ds.d::geography) AS outside_street, ST_Area(dc.d::geography) AS outside_community,
             ST_X(ST_PointOnSurface(ds.d)) AS sx, ST_Y(ST_PointOnSurface(ds.d)) AS sy,
             ST_X(ST_PointOnSurface(dc.d)) AS cx, ST_Y(ST_PointOnSurface(dc.d)) AS cy
        FROM p, ds, dc`,
  );
  if (r.outside_street > limits.toleranceM2) {
    const others = (
      await sql<{ id: number; code: string; name: string; area: number }>`
        SELECT s.id, s.code, s.name, ST_Area(ST_Intersection(${geom(p)}, s.boundary, ${GRID})::geography) AS area
          FROM streets s WHERE s.id <> ${streetId} AND ST_Intersects(${geom(p)}, s.boundary)`.execute(tx)
    ).rows.filter((s) => s.area > limits.toleranceM2);
    const foreign = others.filter((s) => !canWrite(actor, 'grid', [s.id]));
    if (foreign.length) {
      throw forbidden(
        `不能把网格画进${foreign.map((s) => `${s.name}（${fmt(s.area)}）`).join('、')}：那不是您负责的街道`,
        `The grid may not reach into ${foreign.map((s) => `${s.code} (${fmtEn(s.area)})`).join(', ')}: not a street assigned to you`,
        { streets: foreign.map((s) => ({ code: s.code, name: s.name, area_m2: s.area })) },
      );
    }
    problems.push({
      code: 'outside_street',
      zh: `网格超出所属街道 ${fmt(r.outside_street)}（网格只能在本街道内）`,
      en: `The grid extends ${fmtEn(r.outside_street)} outside its street (grids must stay inside their street)`,
      area_m2: r.outside_street,
      location: [r.sx, r.sy],
    });
  } else if (!allowCommunityChange && r.outside_community > limits.toleranceM2) {
    problems.push({
      code: 'outside_community',
      zh: `网格超出所属社区 ${fmt(r.outside_community)}；如确需调整社区边界，请勾选“允许改变社区边界”`,
      en: `The grid extends ${fmtEn(r.outside_community)} outside its community; set allow_community_change to move a community border`,
      area_m2: r.outside_community,
      location: [r.cx, r.cy],
    });
  }
  if (r.area < limits.minAreaM2) problems.push({ code: 'too_small', zh: `网格面积 ${fmt(r.area)} 过小（至少 ${fmt(limits.minAreaM2)}）`, en: `Grid area ${fmtEn(r.area)} is too small (at least ${fmtEn(limits.minAreaM2)})`, area_m2: r.area });
  if (r.area > limits.maxAreaM2) problems.push({ code: 'too_large', zh: `网格面积 ${fmt(r.area)} 过大（至多 ${fmt(limits.maxAreaM2)}）`, en: `Grid area ${fmtEn(r.area)} is too large (at most ${fmtEn(limits.maxAreaM2)})`, area_m2: r.area });
  return problems;
}

/** A polygon without interior rings smaller than `minHoleM2` (floating-point slivers of a union). */
const dropTinyHoles = (g: RawBuilder<unknown>, minHoleM2: number) => sql`(
  SELECT CASE WHEN ST_NumInteriorRings(x.g) = 0 THEN x.g ELSE ST_MakePolygon(ST_ExteriorRing(x.g),
    ARRAY(SELECT ST_InteriorRingN(x.g, n) FROM generate_series(1, ST_NumInteriorRings(x.g)) n
           WHERE ST_Area(ST_MakePolygon(ST_InteriorRingN(x.g, n))::geography) >= ${minHoleM2})) END
  FROM (SELECT ${g} AS g) x)`;

/**
 * The one polygon of `hex` after an overlay, or a problem: overlays can leave crumbs of a few
 * square centimetres, which are dropped; anything larger means the grid would fall apart.
 */
async function singlePolygon(tx: Tx, hex: string, limits: EditLimits): Promise<{ hex: string | null; parts: number; area: number }> {
  const r = await one(
    tx,
    sql<{ hex: string | null; parts: number; area: number }>`
      WITH parts AS (
        SELECT (ST_Dump(ST_CollectionExtract(ST_MakeValid(${geom(hex)}), 3))).geom AS g),
      kept AS (SELECT g FROM parts WHERE ST_Area(g::geography) >= ${limits.toleranceM2 / 10})
      SELECT (SELECT count(*)::int FROM kept) AS parts,
             (SELECT coalesce(sum(ST_Area(g::geography)), 0) FROM kept) AS area,
             (SELECT encode(ST_AsEWKB(${dropTinyHoles(sql`(SELECT g FROM kept LIMIT 1)`, limits.toleranceM2 / 10)}), 'hex') WHERE (SELECT count(*) FROM kept) = 1) AS hex`,
  );
  return r;
}

interface Neighbour extends GridState {
  newGeom: string;
  takenM2: number;
  givenM2: number;
}

/**
 * Re-derives the neighbours of a grid whose polygon becomes `p` (was `old`, or nothing for a new
 * grid). Returns the changed neighbours, or problems.
 */
async function adjustNeighbours(
  tx: Tx,
  args: { gridId: number | null; p: string | null; old: string | null; streetId: number; communityId: number; allowCommunityChange: boolean; exclude: number[]; limits: EditLimits },
): Promise<{ neighbours: Neighbour[]; problems: Problem[]; warnings: Problem[] }> {
  const { p, old, limits } = args;
  const area = p && old ? sql`ST_Collect(${geom(p)}, ${geom(old)})` : p ? geom(p) : geom(old!);
  const excluded = [args.gridId ?? -1, ...args.exclude];
  const rows = (
    await sql<GridState>`
      SELECT ${stateColumns} FROM grids g JOIN communities c ON c.id = g.community_id
       WHERE g.deleted_at IS NULL AND c.street_id = ${args.streetId} AND NOT (g.id = ANY(${excluded}::int[]))
         AND g.boundary && ST_Expand(${area}, 1e-6) AND ST_DWithin(g.boundary, ${area}, 1e-7)
       ORDER BY g.id FOR UPDATE OF g`.execute(tx)
  ).rows;
  const nbs: Neighbour[] = rows.map((r) => ({ ...r, newGeom: r.geom, takenM2: 0, givenM2: 0 }));
  const problems: Problem[] = [];
  const warnings: Problem[] = [];

  // 1. What P takes from each neighbour.
  if (p) {
    for (const n of nbs) {
      const r = await one(
        tx,
        sql<{ taken: number; hex: string }>`SELECT ST_Area(ST_Intersection(${geom(n.geom)}, ${geom(p)}, ${GRID})::geography) AS taken, ${hexOf(sql`ST_Difference(${geom(n.geom)}, ${geom(p)}, ${GRID})`)} AS hex`,
      );
      // Overlaps of a few cm² are floating-point noise along a shared border, not a change.
      if (r.taken > limits.toleranceM2 / 100) {
        n.takenM2 = r.taken;
        n.newGeom = r.hex;
      }
    }
  }

  // 2. What the grid gives up goes to the neighbour sharing the longest border with each piece.
  if (old) {
    const lost = (
      await sql<{ hex: string; area: number; x: number; y: number }>`
        SELECT ${hexOf(sql`d.geom`)} AS hex, ST_Area(d.geom::geography) AS area, ST_X(ST_PointOnSurface(d.geom)) AS x, ST_Y(ST_PointOnSurface(d.geom)) AS y
          FROM ST_Dump(ST_CollectionExtract(${p ? sql`ST_Difference(${geom(old)}, ${geom(p)}, ${GRID})` : geom(old)}, 3)) d`.execute(tx)
    ).rows.filter((c) => c.area > limits.toleranceM2 / 100);
    for (const c of lost) {
      let best: Neighbour | null = null;
      let bestLen = 0;
      for (const n of nbs) {
        if (!args.allowCommunityChange && n.community_id !== args.communityId) continue;
        const r = await one(tx, sql<{ len: number }>`SELECT ST_Length(ST_Intersection(ST_Boundary(${geom(c.hex)}), ST_Boundary(${geom(n.newGeom)}), ${GRID})::geography) AS len`);
        if (r.len > bestLen) {
          bestLen = r.len;
          best = n;
        }
      }
      if (best && bestLen > 0.05) {
        best.newGeom = (await one(tx, sql<{ hex: string }>`SELECT ${hexOf(sql`ST_Union(${geom(best.newGeom)}, ${geom(c.hex)}, ${GRID})`)} AS hex`)).hex;
        best.givenM2 += c.area;
      } else if (c.area <= limits.toleranceM2) {
        warnings.push({ code: 'tiny_gap', zh: `留下 ${fmt(c.area)} 的微小空隙（容差内，已忽略）`, en: `A ${fmtEn(c.area)} sliver is left uncovered (within tolerance, ignored)`, area_m2: c.area, location: [c.x, c.y] });
      } else {
        problems.push({
          code: 'gap',
          zh: `会留下 ${fmt(c.area)} 无网格负责的空隙（没有同社区的相邻网格可以接收这块区域）`,
          en: `This would leave a ${fmtEn(c.area)} gap that no grid covers (no neighbouring grid of the same community borders it)`,
          area_m2: c.area,
          location: [c.x, c.y],
        });
      }
    }
  }

  // 3. Every changed neighbour must still be one polygon of a reasonable size.
  const changed: Neighbour[] = [];
  for (const n of nbs) {
    if (n.newGeom === n.geom) continue;
    const single = await singlePolygon(tx, n.newGeom, limits);
    const grid = { id: n.id, code: n.code };
    if (single.parts === 0) {
      problems.push({ code: 'swallows_neighbour', zh: `会完全覆盖相邻网格 ${n.code}（${n.name}）；如要合并请使用“合并”`, en: `This would swallow neighbouring grid ${n.code} entirely; use merge instead`, grid });
    } else if (single.parts > 1) {
      problems.push({ code: 'splits_neighbour', zh: `会把相邻网格 ${n.code}（${n.name}）切成 ${single.parts} 块`, en: `This would cut neighbouring grid ${n.code} into ${single.parts} pieces`, grid });
    } else if (single.area < limits.minAreaM2) {
      problems.push({ code: 'neighbour_too_small', zh: `相邻网格 ${n.code}（${n.name}）将只剩 ${fmt(single.area)}（至少 ${fmt(limits.minAreaM2)}）`, en: `Neighbouring grid ${n.code} would shrink to ${fmtEn(single.area)} (at least ${fmtEn(limits.minAreaM2)})`, grid, area_m2: single.area });
    } else {
      n.newGeom = single.hex!;
      changed.push(n);
    }
  }
  return { neighbours: changed, problems, warnings };
}

interface PlannedWrite {
  before: GridState | null;
  role: ChangeRole;
  operation: GridOperation;
  geom: string | null; // null: unchanged geometry
  deleted?: boolean;
  restore?: boolean;
  attrs: GridAttributes & { community_id?: number; code?: string };
  note?: string;
}

const propsOf = (s: { code: string; name: string; community_id: number; leader_name: string | null; leader_phone: string | null; party_branch: string | null; population: number; households: number }) => ({
  code: s.code,
  name: s.name,
  community_id: s.community_id,
  leader_name: s.leader_name,
  leader_phone: s.leader_phone,
  party_branch: s.party_branch,
  population: s.population,
  households: s.households,
});

async function stationsIn(tx: Tx, hex: string | null): Promise<number> {
  if (!hex) return 0;
  return (await one(tx, sql<{ n: number }>`SELECT count(*)::int AS n FROM stations WHERE deleted_at IS NULL AND ST_Covers(${geom(hex)}, geom)`)).n;
}

/** Writes the planned changes and their history under one change id. */
async function commitPlan(tx: Tx, actor: Actor, operation: GridOperation, plan: PlannedWrite[], warnings: Problem[]): Promise<EditResult> {
  const changeId = Number((await one(tx, sql<{ id: string }>`SELECT nextval('grid_change_seq')::text AS id`)).id);
  const changes: GridChange[] = [];
  const communities = new Set<number>();
  for (const w of plan) {
    const b = w.before;
    let id: number;
    if (b) {
      id = b.id;
      const r = await sql<{ version: number }>`
        UPDATE grids SET
          boundary = ${w.geom ? sql`ST_ForcePolygonCCW(${geom(w.geom)})` : sql`boundary`},
          name = ${w.attrs.name ?? b.name},
          community_id = ${w.attrs.community_id ?? b.community_id},
          leader_name = ${w.attrs.leader_name !== undefined ? w.attrs.leader_name : b.leader_name},
          leader_phone = ${w.attrs.leader_phone !== undefined ? w.attrs.leader_phone : b.leader_phone},
          party_branch = ${w.attrs.party_branch !== undefined ? w.attrs.party_branch : b.party_branch},
          population = ${w.attrs.population ?? b.population},
          households = ${w.attrs.households ?? b.households},
          deleted_at = ${w.deleted ? sql`now()` : w.restore ? sql`NULL` : sql`deleted_at`},
          version = version + 1, updated_at = now(), updated_by = ${actor.username}
        WHERE id = ${b.id} AND version = ${b.version}
        RETURNING version`.execute(tx);
      // The row is locked, so this only fails if the plan itself is stale (a bug): never overwrite.
      if (!r.rows.length) throw new ApiError(409, 'version_conflict', `网格 ${b.code} 已被他人修改`, `Grid ${b.code} was changed meanwhile`);
      communities.add(b.community_id);
      if (w.attrs.community_id) communities.add(w.attrs.community_id);
    } else {
      const r = await sql<{ id: number }>`
        INSERT INTO grids (code, name, community_id, boundary, leader_name, leader_phone, party_branch, population, households, updated_by)
        VALUES (${w.attrs.code!}, ${w.attrs.name!}, ${w.attrs.community_id!}, ST_ForcePolygonCCW(${geom(w.geom!)}), ${w.attrs.leader_name ?? null}, ${w.attrs.leader_phone ?? null},
                ${w.attrs.party_branch ?? null}, ${w.attrs.population ?? 0}, ${w.attrs.households ?? 0}, ${actor.username})
        RETURNING id`.execute(tx);
      id = r.rows[0].id;
      communities.add(w.attrs.community_id!);
    }
    const after = (await gridState(tx, id, false))!;
    const afterGeom = w.deleted ? null : after.geom;
    await sql`
      INSERT INTO grid_history (grid_id, version, change_id, operation, changed_by, before_geom, after_geom, before_props, after_props, note)
      VALUES (${id}, ${after.version}, ${changeId}, ${w.operation}, ${actor.username},
              ${b && !b.deleted ? geom(b.geom) : null}, ${afterGeom ? geom(afterGeom) : null},
              ${b ? JSON.stringify(propsOf(b)) : null}::jsonb, ${JSON.stringify(propsOf(after))}::jsonb, ${w.note ?? null})`.execute(tx);
    changes.push({
      grid_id: id,
      code: after.code,
      name: after.name,
      role: w.role,
      operation: w.operation,
      version_before: b?.version ?? null,
      version_after: after.version,
      area_m2_before: b && !b.deleted ? b.area_m2 : 0,
      area_m2_after: afterGeom ? after.area_m2 : 0,
      population_before: b && !b.deleted ? b.population : 0,
      population_after: w.deleted ? 0 : after.population,
      households_before: b && !b.deleted ? b.households : 0,
      households_after: w.deleted ? 0 : after.households,
      stations_before: b && !b.deleted ? await stationsIn(tx, b.geom) : 0,
      stations_after: await stationsIn(tx, afterGeom),
      geometry: afterGeom ? await geoJson(tx, afterGeom) : null,
      geometry_before: b && !b.deleted ? await geoJson(tx, b.geom) : null,
    });
  }
  // Communities are the union of their grids: when grids moved between communities, follow them.
  if (plan.some((w) => w.attrs.community_id !== undefined && w.before && w.attrs.community_id !== w.before.community_id) || plan.some((w) => w.note === 'community_change')) {
    for (const c of communities) {
      await sql`UPDATE communities SET boundary = u.g FROM (SELECT ST_Multi(ST_Union(boundary, ${GRID})) AS g FROM grids WHERE community_id = ${c} AND deleted_at IS NULL) u
                 WHERE id = ${c} AND u.g IS NOT NULL`.execute(tx);
    }
  }
  return { change_id: changeId, operation, changes, warnings };
}

/** Shares population/households of a grid and its neighbours by area moved, keeping the total. */
/**
 * Population (or households) after an edit. By default people move with the area, at the density
 * of the grid they lived in, and the total is kept. An explicit value for the grid (new census
 * figures) is taken as given; with `conserve` (a restore) the neighbours give up the difference in
 * proportion to the area they exchanged, so the total is still kept.
 */
function apportion(
  grid: { population: number; households: number; area_m2: number } | null,
  nbs: Neighbour[],
  field: 'population' | 'households',
  explicit: number | undefined,
  conserve = false,
): { grid: number; nbs: number[] } {
  const gd = grid && grid.area_m2 > 0 ? grid[field] / grid.area_m2 : 0;
  if (explicit !== undefined && conserve && nbs.length) {
    const delta = explicit - (grid?.[field] ?? 0);
    const w = nbs.map((n) => n.takenM2 + n.givenM2);
    const wSum = w.reduce((a, b) => a + b, 0) || 1;
    const out = nbs.map((n, i) => Math.max(0, Math.round(n[field] - (delta * w[i]) / wSum)));
    const available = nbs.reduce((t, n) => t + n[field], 0) + (grid?.[field] ?? 0);
    return { grid: Math.max(0, Math.min(explicit, available - out.reduce((a, b) => a + b, 0))), nbs: out };
  }
  const nbNew = nbs.map((n) => Math.max(0, Math.round(n[field] - (n.area_m2 > 0 ? (n[field] / n.area_m2) * n.takenM2 : 0) + gd * n.givenM2)));
  if (explicit !== undefined) return { grid: explicit, nbs: nbNew };
  const total = (grid?.[field] ?? 0) + nbs.reduce((s, n) => s + n[field], 0);
  return { grid: Math.max(0, total - nbNew.reduce((s, v) => s + v, 0)), nbs: nbNew };
}

function neighbourWrites(nbs: Neighbour[], pop: number[], hh: number[], note: string): PlannedWrite[] {
  return nbs.map((n, i) => ({ before: n, role: 'adjusted' as const, operation: 'reshape' as const, geom: n.newGeom, attrs: { population: pop[i], households: hh[i] }, note }));
}

function requireGridWriter(actor: Actor) {
  if (!canWriteSome(actor, 'grid')) throw forbidden('您的账号没有编辑网格的权限', 'Your account may not edit grids');
}

async function communityByCode(tx: Tx, code: string) {
  const c = await tx.selectFrom('communities').select(['id', 'code', 'street_id']).where('code', '=', code).executeTakeFirst();
  if (!c) throw rejected([{ code: 'unknown_community', zh: `社区编码 ${code} 不存在`, en: `No community with code ${code}` }]);
  return c;
}

export interface ReshapeInput {
  id: number;
  version: number;
  polygon?: Polygon;
  attrs?: GridAttributes;
  /** Move the grid to another community (by code). */
  communityCode?: string;
  allowCommunityChange?: boolean;
  operation?: GridOperation;
}

/** Reshape and/or edit attributes of one grid; neighbours follow the new border. */
export async function reshapeGrid(tx: Tx, actor: Actor, input: ReshapeInput, limits = DEFAULT_LIMITS, restoreFrom?: { deleted: boolean }): Promise<EditResult> {
  requireGridWriter(actor);
  const s = await lockGrid(tx, actor, input.id, input.version, { allowDeleted: !!restoreFrom });
  let target = { id: s.community_id, street_id: s.street_id };
  if (input.communityCode && input.communityCode !== s.community_code) {
    const c = await communityByCode(tx, input.communityCode);
    if (!canWrite(actor, 'grid', [c.street_id])) throw forbidden(`不能把网格移到社区 ${c.code}：它不在您负责的街道内`, `You may not move the grid to community ${c.code}: it is outside your street(s)`);
    await lockStreets(tx, [s.street_id, c.street_id]);
    target = { id: c.id, street_id: c.street_id };
  }
  const moving = target.id !== s.community_id;
  const p = input.polygon ? (await one(tx, sql<{ hex: string }>`SELECT ${polygonHex(input.polygon)} AS hex`)).hex : s.deleted ? s.geom : null;
  const problems: Problem[] = [];
  if (p) {
    problems.push(...(await validityProblems(tx, p)));
    if (!problems.length && input.polygon) problems.push(...windingProblems(input.polygon));
    if (problems.length) throw rejected(problems);
    problems.push(...(await placementProblems(tx, actor, p, target.street_id, target.id, !!input.allowCommunityChange || moving, limits)));
  } else if (moving) {
    problems.push(...(await placementProblems(tx, actor, s.geom, target.street_id, target.id, true, limits)));
  }
  if (problems.length) throw rejected(problems);
  const old = s.deleted ? null : s.geom;
  const adj = p
    ? await adjustNeighbours(tx, { gridId: s.id, p, old, streetId: target.street_id, communityId: target.id, allowCommunityChange: !!input.allowCommunityChange || moving, exclude: [], limits })
    : { neighbours: [], problems: [], warnings: [] };
  if (adj.problems.length) throw rejected(adj.problems);
  const pop = apportion(s.deleted ? null : s, adj.neighbours, 'population', input.attrs?.population, !!restoreFrom || input.operation === 'revert');
  const hh = apportion(s.deleted ? null : s, adj.neighbours, 'households', input.attrs?.households, !!restoreFrom || input.operation === 'revert');
  const operation = input.operation ?? (restoreFrom ? 'restore' : p ? 'reshape' : 'update');
  const note = input.allowCommunityChange || moving ? 'community_change' : undefined;
  const plan: PlannedWrite[] = [
    {
      before: s,
      role: restoreFrom?.deleted ? 'restored' : 'edited',
      operation,
      geom: p,
      restore: !!restoreFrom?.deleted,
      attrs: { ...input.attrs, population: pop.grid, households: hh.grid, ...(moving ? { community_id: target.id } : {}) },
      note,
    },
    ...neighbourWrites(adj.neighbours, pop.nbs, hh.nbs, note ?? `adjusted_by:${s.code}`),
  ];
  return commitPlan(tx, actor, operation, plan, adj.warnings);
}

/** Next free grid code in a community: community code + 3-digit sequence (deleted codes stay taken). */
async function nextGridCode(tx: Tx, communityCode: string): Promise<string> {
  const r = await one(
    tx,
    sql<{ n: number }>`SELECT coalesce(max(substr(code, 13)::int), 0) + 1 AS n FROM grids WHERE code ~ ${'^' + communityCode + '[0-9]{3}$'}`,
  );
  if (r.n > 999) throw rejected([{ code: 'codes_exhausted', zh: `社区 ${communityCode} 的网格编码已用完`, en: `No grid codes left in community ${communityCode}` }]);
  return communityCode + String(r.n).padStart(3, '0');
}

export interface CreateInput {
  communityCode: string;
  polygon: Polygon;
  name: string;
  code?: string;
  attrs?: GridAttributes;
  allowCommunityChange?: boolean;
}

/** A new grid drawn inside a community; the area it covers is taken from the grids there. */
export async function createGrid(tx: Tx, actor: Actor, input: CreateInput, limits = DEFAULT_LIMITS): Promise<EditResult> {
  requireGridWriter(actor);
  const c = await communityByCode(tx, input.communityCode);
  if (!canWrite(actor, 'grid', [c.street_id])) throw forbidden(`您无权在社区 ${c.code} 新建网格：它不在您负责的街道内`, `You may not create grids in community ${c.code}: it is outside your street(s)`);
  await lockStreets(tx, [c.street_id]);
  const code = input.code ?? (await nextGridCode(tx, c.code));
  if (await tx.selectFrom('grids').select('id').where('code', '=', code).executeTakeFirst()) {
    throw rejected([{ code: 'duplicate_code', zh: `网格编码 ${code} 已存在`, en: `Grid code ${code} already exists` }]);
  }
  const p = (await one(tx, sql<{ hex: string }>`SELECT ${polygonHex(input.polygon)} AS hex`)).hex;
  const invalid = await validityProblems(tx, p);
  if (!invalid.length) invalid.push(...windingProblems(input.polygon));
  if (invalid.length) throw rejected(invalid);
  const placement = await placementProblems(tx, actor, p, c.street_id, c.id, !!input.allowCommunityChange, limits);
  if (placement.length) throw rejected(placement);
  const adj = await adjustNeighbours(tx, { gridId: null, p, old: null, streetId: c.street_id, communityId: c.id, allowCommunityChange: !!input.allowCommunityChange, exclude: [], limits });
  if (adj.problems.length) throw rejected(adj.problems);
  const pop = apportion(null, adj.neighbours, 'population', input.attrs?.population);
  const hh = apportion(null, adj.neighbours, 'households', input.attrs?.households);
  const note = input.allowCommunityChange ? 'community_change' : undefined;
  return commitPlan(
    tx,
    actor,
    'create',
    [
      { before: null, role: 'created', operation: 'create', geom: p, attrs: { ...input.attrs, name: input.name, code, community_id: c.id, population: pop.grid, households: hh.grid }, note },
      ...neighbourWrites(adj.neighbours, pop.nbs, hh.nbs, note ?? `adjusted_by:${code}`),
    ],
    adj.warnings,
  );
}

export interface SplitInput {
  id: number;
  version: number;
  line: LineString;
  /** Names for the new pieces (default: the grid's name with a suffix). */
  names?: string[];
}

/** Split one grid by a line: the largest piece keeps the grid, the others become new grids. */
export async function splitGrid(tx: Tx, actor: Actor, input: SplitInput, limits = DEFAULT_LIMITS): Promise<EditResult> {
  requireGridWriter(actor);
  const s = await lockGrid(tx, actor, input.id, input.version);
  const pieces = (
    await sql<{ hex: string; area: number }>`
      SELECT ${hexOf(sql`d.geom`)} AS hex, ST_Area(d.geom::geography) AS area
        FROM ST_Dump(ST_Split(${geom(s.geom)}, ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(input.line)}), 4326))) d
       ORDER BY ST_Area(d.geom::geography) DESC`.execute(tx)
  ).rows;
  if (pieces.length < 2) {
    throw rejected([{ code: 'line_does_not_split', zh: '分割线没有完整穿过网格（两端都应画到网格外）', en: 'The line does not cut across the grid (both ends must lie outside it)' }]);
  }
  const small = pieces.filter((x) => x.area < limits.minAreaM2);
  if (small.length) {
    throw rejected(small.map((x) => ({ code: 'too_small', zh: `分割后有一块只有 ${fmt(x.area)}（至少 ${fmt(limits.minAreaM2)}）`, en: `One piece would be only ${fmtEn(x.area)} (at least ${fmtEn(limits.minAreaM2)})`, area_m2: x.area })));
  }
  const total = pieces.reduce((t, x) => t + x.area, 0);
  const share = (v: number) => {
    const parts = pieces.map((x) => Math.floor((v * x.area) / total));
    parts[0] += v - parts.reduce((a, b) => a + b, 0);
    return parts;
  };
  const pop = share(s.population);
  const hh = share(s.households);
  const plan: PlannedWrite[] = [{ before: s, role: 'edited', operation: 'split', geom: pieces[0].hex, attrs: { population: pop[0], households: hh[0] } }];
  for (let i = 1; i < pieces.length; i++) {
    const code = await nextGridCodeAfter(tx, s.community_code, plan);
    plan.push({
      before: null,
      role: 'created',
      operation: 'split',
      geom: pieces[i].hex,
      attrs: { code, name: input.names?.[i - 1] ?? `${s.name}（分${i}）`, community_id: s.community_id, population: pop[i], households: hh[i], leader_name: null, leader_phone: null, party_branch: s.party_branch },
      note: `split_from:${s.code}`,
    });
  }
  return commitPlan(tx, actor, 'split', plan, []);
}

/** nextGridCode, also skipping codes already planned in this change. */
async function nextGridCodeAfter(tx: Tx, communityCode: string, plan: PlannedWrite[]): Promise<string> {
  const base = await nextGridCode(tx, communityCode);
  const planned = plan.filter((w) => w.attrs.code).length;
  const n = Number(base.slice(12)) + planned;
  return communityCode + String(n).padStart(3, '0');
}

export interface MergeInput {
  /** The first grid keeps its identity; the others are deleted into it. */
  grids: { id: number; version: number }[];
  name?: string;
  operation?: 'merge' | 'delete';
}

/** Merge adjacent grids of one community into the first of them. */
export async function mergeGrids(tx: Tx, actor: Actor, input: MergeInput, limits = DEFAULT_LIMITS): Promise<EditResult> {
  requireGridWriter(actor);
  const ids = input.grids.map((g) => g.id);
  if (new Set(ids).size !== ids.length || ids.length < 2) throw rejected([{ code: 'need_two_grids', zh: '合并至少需要两个不同的网格', en: 'A merge needs at least two different grids' }]);
  // Street locks for all grids first (sorted), then each grid with its version check.
  const peeks = await Promise.all(ids.map((id) => gridState(tx, id, false)));
  const missing = ids.filter((_, i) => !peeks[i]);
  if (missing.length) throw new ApiError(404, 'not_found', `网格 ${missing.join(', ')} 不存在`, `Grid(s) ${missing.join(', ')} not found`);
  await lockStreets(tx, peeks.map((p) => p!.street_id));
  const states: GridState[] = [];
  for (const g of [...input.grids].sort((a, b) => a.id - b.id)) states.push(await lockGrid(tx, actor, g.id, g.version));
  const ordered = ids.map((id) => states.find((s) => s.id === id)!);
  const keep = ordered[0];
  if (ordered.some((s) => s.community_id !== keep.community_id)) {
    throw rejected([{ code: 'different_communities', zh: '只能合并同一社区的网格', en: 'Only grids of the same community can be merged' }]);
  }
  const union = await one(
    tx,
    sql<{ parts: number; hex: string; area: number }>`
      WITH u AS (SELECT ST_UnaryUnion(ST_Collect(ARRAY[${sql.join(ordered.map((s) => geom(s.geom)))}]), ${GRID}) AS g)
      SELECT ST_NumGeometries(ST_CollectionExtract(u.g, 3)) AS parts, ${hexOf(sql`ST_GeometryN(ST_CollectionExtract(u.g, 3), 1)`)} AS hex, ST_Area(u.g::geography) AS area FROM u`,
  );
  if (union.parts !== 1) {
    throw rejected([{ code: 'not_adjacent', zh: '这些网格不相邻，合并后会是分离的几块', en: 'The grids are not adjacent; merged they would be separate pieces' }]);
  }
  if (union.area > limits.maxAreaM2) throw rejected([{ code: 'too_large', zh: `合并后面积 ${fmt(union.area)} 过大`, en: `Merged area ${fmtEn(union.area)} is too large` }]);
  const merged = (await one(tx, sql<{ hex: string }>`SELECT ${hexOf(dropTinyHoles(geom(union.hex), limits.toleranceM2 / 10))} AS hex`)).hex;
  const sum = (f: 'population' | 'households') => ordered.reduce((t, s) => t + s[f], 0);
  const operation = input.operation ?? 'merge';
  const plan: PlannedWrite[] = [
    { before: keep, role: 'edited', operation: operation === 'delete' ? 'reshape' : 'merge', geom: merged, attrs: { name: input.name, population: sum('population'), households: sum('households') }, note: operation === 'delete' ? `absorbed:${ordered.slice(1).map((s) => s.code).join(',')}` : undefined },
    ...ordered.slice(1).map((s) => ({ before: s, role: 'deleted' as const, operation, geom: null, deleted: true, attrs: {}, note: `merged_into:${keep.code}` })),
  ];
  return commitPlan(tx, actor, operation, plan, []);
}

/** Soft-delete a grid, giving its area to a neighbour of the same community. */
export async function deleteGrid(tx: Tx, actor: Actor, input: { id: number; version: number; into?: number }, limits = DEFAULT_LIMITS): Promise<EditResult> {
  requireGridWriter(actor);
  if (input.into === undefined) {
    throw rejected([
      {
        code: 'into_required',
        zh: '删除网格会留下无人负责的区域：请用 into 指定并入哪个相邻网格',
        en: 'Deleting a grid would leave its area unassigned: name the neighbouring grid that takes it over with `into`',
      },
    ]);
  }
  const into = await gridState(tx, input.into, false);
  if (!into || into.deleted) throw rejected([{ code: 'unknown_grid', zh: `要并入的网格 ${input.into} 不存在`, en: `Grid ${input.into} to merge into does not exist` }]);
  return mergeGrids(tx, actor, { grids: [{ id: into.id, version: into.version }, { id: input.id, version: input.version }], operation: 'delete' }, limits);
}

/** Bring back an earlier version (geometry and attributes) as a new change; undeletes a deleted grid. */
export async function restoreGrid(tx: Tx, actor: Actor, input: { id: number; version: number; toVersion: number }, limits = DEFAULT_LIMITS): Promise<EditResult> {
  requireGridWriter(actor);
  // Permission before anything else, so an outsider learns nothing about the grid's versions.
  const peek = await gridState(tx, input.id, false);
  if (!peek) throw new ApiError(404, 'not_found', `网格 ${input.id} 不存在`, `Grid ${input.id} not found`);
  if (!canWrite(actor, 'grid', [peek.street_id])) {
    throw forbidden(`您无权编辑网格 ${peek.code}：它不在您负责的街道内`, `You may not edit grid ${peek.code}: it is outside the street(s) assigned to you`);
  }
  const h = await tx
    .selectFrom('grid_history')
    .select([sql<string | null>`encode(ST_AsEWKB(after_geom), 'hex')`.as('hex'), 'after_props'])
    .where('grid_id', '=', input.id)
    .where('version', '=', input.toVersion)
    .executeTakeFirst();
  // Version 1 of a seeded grid has no history row: it is the `before` of the first change.
  const first = h
    ? null
    : await tx
        .selectFrom('grid_history')
        .select([sql<string | null>`encode(ST_AsEWKB(before_geom), 'hex')`.as('hex'), 'before_props'])
        .where('grid_id', '=', input.id)
        .where('version', '=', input.toVersion + 1)
        .executeTakeFirst();
  const hex = h?.hex ?? first?.hex ?? null;
  const props = (h?.after_props ?? first?.before_props) as ReturnType<typeof propsOf> | undefined;
  if (!hex || !props) {
    throw rejected([{ code: 'no_such_version', zh: `网格 ${input.id} 没有可恢复的版本 ${input.toVersion}`, en: `Grid ${input.id} has no restorable version ${input.toVersion}` }]);
  }
  const current = await gridState(tx, input.id, false);
  const polygon = (await one(tx, sql<{ g: Polygon }>`SELECT ST_AsGeoJSON(ST_ForcePolygonCCW(${geom(hex)}), 15)::json AS g`)).g;
  const communityCode = current && props.community_id !== current.community_id
    ? (await tx.selectFrom('communities').select('code').where('id', '=', props.community_id).executeTakeFirstOrThrow()).code
    : undefined;
  return reshapeGrid(
    tx,
    actor,
    {
      id: input.id,
      version: input.version,
      polygon,
      communityCode,
      operation: current?.deleted ? 'restore' : 'revert',
      // The recorded people come back too; neighbours give them up (the city total is kept).
      attrs: { name: props.name, leader_name: props.leader_name, leader_phone: props.leader_phone, party_branch: props.party_branch, population: props.population, households: props.households },
    },
    limits,
    { deleted: !!current?.deleted },
  );
}

/** A grid's history, newest first. */
export async function gridHistory(db: Kysely<Database>, id: number) {
  return db
    .selectFrom('grid_history')
    .select([
      'version',
      'change_id',
      'operation',
      'changed_by',
      'changed_at',
      'note',
      'before_props',
      'after_props',
      sql<Polygon | null>`ST_AsGeoJSON(before_geom, 7)::json`.as('before_geometry'),
      sql<Polygon | null>`ST_AsGeoJSON(after_geom, 7)::json`.as('after_geometry'),
      sql<number | null>`ST_Area(after_geom::geography)`.as('area_m2'),
    ])
    .where('grid_id', '=', id)
    .orderBy('version', 'desc')
    .execute();
}
