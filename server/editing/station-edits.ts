/**
 * Station edits (create, update/move, soft delete), one transaction each: planners anywhere, street
 * editors inside their street(s) — where the station is and where it goes — administrators
 * everywhere. Optimistic locking by version, history in station_history.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { canWrite, canWriteSome, type Actor } from '../auth/permissions.js';
import { AMENITIES, AMENITY_NAMES_ZH, STATION_STATUSES } from '../domain/stations.js';
import { openingHoursError } from '../validation/opening-hours.js';
import { editRejected as rejected, type Problem } from '../validation/problem.js';

export interface StationFields {
  type?: string;
  name?: string;
  lon?: number;
  lat?: number;
  address?: string | null;
  amenities?: string[];
  opening_hours?: string;
  phone?: string | null;
  operator?: string | null;
  status?: string;
}

interface StationState {
  id: number;
  code: string;
  type_code: string;
  name: string;
  address: string | null;
  amenities: string[];
  opening_hours: string;
  phone: string | null;
  operator: string | null;
  status: string;
  version: number;
  lon: number;
  lat: number;
  deleted: boolean;
}

async function stationState(tx: Transaction<Database>, id: number, lock: boolean): Promise<StationState | undefined> {
  const r = await sql<StationState>`
    SELECT id, code, type_code, name, address, amenities, opening_hours, phone, operator, status, version,
           ST_X(geom) AS lon, ST_Y(geom) AS lat, (deleted_at IS NOT NULL) AS deleted
      FROM stations WHERE id = ${id} ${lock ? sql`FOR UPDATE` : sql``}`.execute(tx);
  return r.rows[0];
}

/** The street a point lies in (undefined outside every street). */
async function streetAt(tx: Transaction<Database>, lon: number, lat: number): Promise<{ id: number; code: string; name: string } | undefined> {
  const r = await sql<{ id: number; code: string; name: string }>`
    SELECT id, code, name FROM streets WHERE ST_Covers(boundary, ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)) ORDER BY id LIMIT 1`.execute(tx);
  return r.rows[0];
}

async function fieldProblems(tx: Transaction<Database>, f: StationFields, lonLat: [number, number]): Promise<Problem[]> {
  const problems: Problem[] = [];
  if (f.type !== undefined && !(await tx.selectFrom('station_types').select('code').where('code', '=', f.type).executeTakeFirst())) {
    problems.push({ code: 'unknown_type', zh: `未知的站点类型 ${f.type}`, en: `Unknown station type ${f.type}` });
  }
  const unknown = (f.amenities ?? []).filter((a) => !(AMENITIES as readonly string[]).includes(a));
  if (unknown.length) {
    problems.push({
      code: 'unknown_amenity',
      zh: `未知设施 ${unknown.join('、')}，可用：${AMENITIES.map((a) => `${a}（${AMENITY_NAMES_ZH[a]}）`).join('、')}`,
      en: `Unknown amenities ${unknown.join(', ')}; valid: ${AMENITIES.join(', ')}`,
    });
  }
  if (f.opening_hours !== undefined) {
    const e = openingHoursError(f.opening_hours, lonLat);
    if (e)
      problems.push({
        code: 'bad_opening_hours',
        zh: `营业时间格式无法识别（OSM opening_hours 语法，如 “Mo-Fr 08:00-18:00” 或 “24/7”）：${e}`,
        en: `Opening hours not understood (OSM opening_hours syntax): ${e}`,
      });
  }
  if (f.status !== undefined && !(STATION_STATUSES as readonly string[]).includes(f.status)) {
    problems.push({ code: 'bad_status', zh: `状态只能是 ${STATION_STATUSES.join(' / ')}`, en: `status must be one of ${STATION_STATUSES.join(', ')}` });
  }
  return problems;
}

/** Street editors: every street the station is in, before and after, must be theirs. */
async function checkPlace(tx: Transaction<Database>, actor: Actor, points: [number, number][]): Promise<void> {
  const streets = [];
  for (const [lon, lat] of points) {
    const s = await streetAt(tx, lon, lat);
    if (!s)
      throw rejected([
        {
          code: 'outside_city',
          zh: `位置 ${lon.toFixed(6)}, ${lat.toFixed(6)} 不在任何街道内`,
          en: `${lon.toFixed(6)}, ${lat.toFixed(6)} is not inside any street`,
          location: [lon, lat],
        },
      ]);
    streets.push(s);
  }
  if (
    !canWrite(
      actor,
      'station',
      streets.map((s) => s.id),
    )
  ) {
    const foreign = streets.filter((s) => !canWrite(actor, 'station', [s.id]));
    throw new ApiError(
      403,
      'forbidden',
      `您无权编辑${foreign.map((s) => s.name).join('、')}的站点：那不是您负责的街道`,
      `You may not edit stations in ${foreign.map((s) => s.code).join(', ')}: not a street assigned to you`,
    );
  }
}

const propsOf = (s: Omit<StationState, 'deleted' | 'version' | 'id'>) => ({
  code: s.code,
  type: s.type_code,
  name: s.name,
  address: s.address,
  amenities: s.amenities,
  opening_hours: s.opening_hours,
  phone: s.phone,
  operator: s.operator,
  status: s.status,
  lon: s.lon,
  lat: s.lat,
});

async function writeHistory(tx: Transaction<Database>, actor: Actor, id: number, operation: 'create' | 'update' | 'delete', before: StationState | null) {
  const after = (await stationState(tx, id, false))!;
  await tx
    .insertInto('station_history')
    .values({
      station_id: id,
      version: after.version,
      operation,
      changed_by: actor.username,
      before_props: before ? JSON.stringify(propsOf(before)) : null,
      after_props: JSON.stringify(propsOf(after)),
    })
    .execute();
  return after;
}

function requireStationWriter(actor: Actor) {
  if (!canWriteSome(actor, 'station')) throw new ApiError(403, 'forbidden', '您的账号没有编辑站点的权限', 'Your account may not edit stations');
}

async function lockStation(tx: Transaction<Database>, actor: Actor, id: number, version: number): Promise<StationState> {
  const s = await stationState(tx, id, true);
  if (!s || s.deleted) throw new ApiError(404, 'not_found', `站点 ${id} 不存在`, `Station ${id} not found`);
  await checkPlace(tx, actor, [[s.lon, s.lat]]);
  if (s.version !== version) {
    throw new ApiError(
      409,
      'version_conflict',
      `站点 ${s.code} 已被他人修改（您基于版本 ${version}，当前为版本 ${s.version}），未保存任何内容`,
      `Station ${s.code} was changed by someone else (you edited version ${version}; it is now version ${s.version}); nothing was saved`,
      {
        station_id: s.id,
        your_version: version,
        current_version: s.version,
        current: propsOf(s),
      },
    );
  }
  return s;
}

export async function createStation(
  tx: Transaction<Database>,
  actor: Actor,
  f: Required<Pick<StationFields, 'type' | 'name' | 'lon' | 'lat'>> & StationFields & { code?: string },
) {
  requireStationWriter(actor);
  await checkPlace(tx, actor, [[f.lon, f.lat]]);
  const problems = await fieldProblems(tx, f, [f.lon, f.lat]);
  if (problems.length) throw rejected(problems);
  const code =
    f.code ??
    `ST${String((await sql<{ n: number }>`SELECT coalesce(max(substr(code, 3)::int), 0) + 1 AS n FROM stations WHERE code ~ '^ST[0-9]{1,9}$'`.execute(tx)).rows[0].n).padStart(5, '0')}`;
  if (await tx.selectFrom('stations').select('id').where('code', '=', code).executeTakeFirst())
    throw rejected([{ code: 'duplicate_code', zh: `站点编码 ${code} 已存在`, en: `Station code ${code} already exists` }]);
  const r = await sql<{ id: number }>`
    INSERT INTO stations (code, type_code, name, address, geom, amenities, opening_hours, phone, operator, status, updated_by)
    VALUES (${code}, ${f.type}, ${f.name}, ${f.address ?? null}, ST_SetSRID(ST_MakePoint(${f.lon}, ${f.lat}), 4326), ${f.amenities ?? []}::text[],
            ${f.opening_hours ?? '24/7'}, ${f.phone ?? null}, ${f.operator ?? null}, ${f.status ?? 'open'}, ${actor.username})
    RETURNING id`.execute(tx);
  return writeHistory(tx, actor, r.rows[0].id, 'create', null);
}

export async function updateStation(tx: Transaction<Database>, actor: Actor, id: number, version: number, f: StationFields) {
  requireStationWriter(actor);
  const s = await lockStation(tx, actor, id, version);
  const lon = f.lon ?? s.lon;
  const lat = f.lat ?? s.lat;
  if (lon !== s.lon || lat !== s.lat) await checkPlace(tx, actor, [[lon, lat]]);
  const problems = await fieldProblems(tx, f, [lon, lat]);
  if (problems.length) throw rejected(problems);
  await sql`
    UPDATE stations SET type_code = ${f.type ?? s.type_code}, name = ${f.name ?? s.name},
      address = ${f.address !== undefined ? f.address : s.address}, geom = ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326),
      amenities = ${f.amenities ?? s.amenities}::text[], opening_hours = ${f.opening_hours ?? s.opening_hours},
      opening_hours_text = CASE WHEN ${f.opening_hours ?? null}::text IS NULL OR ${f.opening_hours ?? null}::text = opening_hours THEN opening_hours_text END,
      phone = ${f.phone !== undefined ? f.phone : s.phone}, operator = ${f.operator !== undefined ? f.operator : s.operator},
      status = ${f.status ?? s.status}, version = version + 1, updated_at = now(), updated_by = ${actor.username}
    WHERE id = ${id} AND version = ${version}`.execute(tx);
  return writeHistory(tx, actor, id, 'update', s);
}

export async function deleteStation(tx: Transaction<Database>, actor: Actor, id: number, version: number) {
  requireStationWriter(actor);
  const s = await lockStation(tx, actor, id, version);
  await sql`UPDATE stations SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = ${actor.username} WHERE id = ${id}`.execute(tx);
  return writeHistory(tx, actor, id, 'delete', s);
}

export async function stationHistory(db: Kysely<Database>, id: number) {
  return db
    .selectFrom('station_history')
    .select(['version', 'operation', 'changed_by', 'changed_at', 'before_props', 'after_props'])
    .where('station_id', '=', id)
    .orderBy('version', 'desc')
    .execute();
}
