import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { getStation, listStations, listStationTypes, type StationRow } from '../db/stations.repository.js';
import { ApiError, notFound } from '../errors.js';
import { AMENITIES } from '../domain/stations.js';
import { isAlwaysOpen, isOpenAt } from '../hours/index.js';
import { BboxParam, errorResponses, FeatureCollectionSchema, FeatureSchema, Lat, Lon, parseBbox, parseList, parseOpenAt } from '../schemas/common.js';

export const StationProperties = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  type: Type.String(),
  type_name_zh: Type.String(),
  type_name_en: Type.String(),
  name: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  amenities: Type.Array(Type.String()),
  opening_hours: Type.String({ description: 'OpenStreetMap opening_hours syntax' }),
  always_open: Type.Boolean({ description: '24/7' }),
  open_now: Type.Union([Type.Boolean(), Type.Null()], { description: 'open at the evaluated time (open_at, else now); false when temporarily closed; null if the hours cannot be parsed' }),
  phone: Type.Union([Type.String(), Type.Null()]),
  operator: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ description: 'open | temporarily_closed' }),
  version: Type.Integer(),
  distance_m: Type.Optional(Type.Number({ description: 'by=walk: walking distance door to door along streets; by=straight: geodesic distance; metres' })),
  straight_m: Type.Optional(Type.Number({ description: 'geodesic straight-line distance, metres' })),
  walk_minutes: Type.Optional(Type.Number({ description: 'minutes on foot (WALK_SPEED_KMH)' })),
  ebike_minutes: Type.Optional(Type.Number({ description: 'minutes by e-bike (EBIKE_SPEED_KMH)' })),
  route: Type.Optional(Type.Object({ type: Type.Literal('LineString'), coordinates: Type.Array(Type.Array(Type.Number())) }, { description: 'walking route from the query point to the station' })),
});

/** Open at `at`: temporarily closed stations are never open, whatever their hours say. */
function openAt(r: StationRow, at: Date, timeZone: string): boolean | null {
  if (r.status !== 'open') return false;
  return isOpenAt(r.opening_hours, at, timeZone);
}

function stationFeature(r: StationRow & { distance_m?: number }, at: Date, timeZone: string) {
  const properties = {
    id: r.id,
    code: r.code,
    type: r.type_code,
    type_name_zh: r.type_name_zh,
    type_name_en: r.type_name_en,
    name: r.name,
    address: r.address,
    amenities: r.amenities,
    opening_hours: r.opening_hours,
    always_open: isAlwaysOpen(r.opening_hours),
    open_now: openAt(r, at, timeZone),
    phone: r.phone,
    operator: r.operator,
    status: r.status,
    version: r.version,
    ...(r.distance_m !== undefined ? { distance_m: Math.round(r.distance_m * 10) / 10 } : {}),
  };
  return { type: 'Feature' as const, id: r.id, geometry: r.geometry, properties };
}

/**
 * A station's feature as UTF-8 JSON up to, not including, its time- and place-dependent
 * properties (`open_now`, `distance_m`) and the two closing braces; cached per loaded row (the
 * rows live as long as the in-memory data they came from). Nearest by straight line, the
 * couriers' most frequent request, sends these bytes as they are: serialising five features
 * through the response schema and encoding their Chinese text again on every request was about
 * a fifth of the route's CPU time under load (bench/http.bench.ts). Built with the same
 * `stationFeature`, so the fields are those of the schema (tests/api.test.ts checks the answer
 * against it).
 */
const featureHeads = new WeakMap<StationRow, Buffer>();
function featureHead(r: StationRow, timeZone: string): Buffer {
  let head = featureHeads.get(r);
  if (!head) {
    const f = stationFeature(r, new Date(0), timeZone);
    const { open_now: _dynamic, ...fixed } = f.properties;
    const json = JSON.stringify({ ...f, properties: fixed });
    featureHeads.set(r, (head = Buffer.from(json.slice(0, -2), 'utf8')));
  }
  return head;
}

/** The nearest-by-straight-line answer as JSON bytes (same fields as the schema's), in one buffer. */
function straightAnswerJson(found: { item: StationRow; distanceM: number }[], at: Date, timeZone: string): Buffer {
  const heads = found.map(({ item }) => featureHead(item, timeZone));
  // The per-request parts are ASCII: one byte per character.
  const tails = found.map(({ item, distanceM }, i) => `,"open_now":${openAt(item, at, timeZone)},"distance_m":${Math.round(distanceM * 10) / 10}}}${i < found.length - 1 ? ',' : ''}`);
  const start = `{"type":"FeatureCollection","by":"straight","evaluated_at":"${at.toISOString()}","features":[`;
  let size = start.length + 2;
  for (let i = 0; i < heads.length; i++) size += heads[i].length + tails[i].length;
  const out = Buffer.allocUnsafe(size);
  let offset = out.write(start, 0, 'latin1');
  for (let i = 0; i < heads.length; i++) {
    offset += heads[i].copy(out, offset);
    offset += out.write(tails[i], offset, 'latin1');
  }
  out.write(']}', offset, 'latin1');
  return out;
}

const BoolParam = Type.Boolean({ description: 'true/false' });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const typeCodes = () => app.city.stationTypeCodes();

  app.get(
    '/station-types',
    {
      schema: {
        tags: ['stations'],
        summary: '站点类型及服务标准 / Station types and coverage standards',
        response: {
          200: Type.Object({
            types: Type.Array(
              Type.Object({
                code: Type.String(),
                name_zh: Type.String(),
                name_en: Type.String(),
                coverage_mode: Type.String(),
                coverage_radius_m: Type.Number(),
                coverage_minutes: Type.Number(),
              }),
            ),
            amenities: Type.Array(Type.String()),
          }),
        },
      },
    },
    async () => ({ types: await listStationTypes(app.db.kysely), amenities: [...AMENITIES] }),
  );

  app.get(
    '/stations',
    {
      schema: {
        tags: ['stations'],
        summary: '服务站点（GeoJSON）/ Stations as GeoJSON',
        querystring: Type.Object(
          {
            types: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated type codes' })),
            amenities: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated; stations having all of them' })),
            bbox: Type.Optional(BboxParam),
            open_at: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601; without offset = city local time. Only stations open then.' })),
            open_now: Type.Optional(BoolParam),
          },
          { additionalProperties: false },
        ),
        response: { 200: FeatureCollectionSchema(StationProperties, { evaluated_at: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const tz = app.config.timeZone;
      const types = parseList(q.types, await typeCodes(), 'types');
      const amenities = parseList(q.amenities, AMENITIES, 'amenities');
      const bbox = parseBbox(q.bbox);
      const at = parseOpenAt(q.open_at, tz) ?? new Date();
      const onlyOpen = q.open_at !== undefined || q.open_now === true;
      const rows = await listStations(app.db.kysely, { types, amenities, bbox, operatingOnly: onlyOpen });
      const features = rows.map((r) => stationFeature(r, at, tz)).filter((f) => !onlyOpen || f.properties.open_now === true);
      return { type: 'FeatureCollection' as const, evaluated_at: at.toISOString(), features };
    },
  );

  app.get(
    '/stations/nearest',
    {
      schema: {
        tags: ['stations'],
        summary: '最近的站点：沿街道步行距离（默认）或直线距离，附步行/电动车分钟数与路线 / Nearest stations by walking distance along streets (default) or straight line, with minutes on foot / e-bike and the route',
        querystring: Type.Object(
          {
            lon: Lon,
            lat: Lat,
            type: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated type codes' })),
            amenity: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated; all required' })),
            open_now: Type.Optional(BoolParam),
            open_at: Type.Optional(Type.String({ maxLength: 40 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5 })),
            by: Type.Optional(Type.Union([Type.Literal('walk'), Type.Literal('straight')], { description: 'walk (default when a street network exists): along streets; straight: geodesic' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: FeatureCollectionSchema(StationProperties, { evaluated_at: Type.String(), by: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const tz = app.config.timeZone;
      const types = parseList(q.type, await typeCodes(), 'types');
      const amenities = parseList(q.amenity, AMENITIES, 'amenities');
      const at = parseOpenAt(q.open_at, tz) ?? new Date();
      const onlyOpen = q.open_at !== undefined || q.open_now === true;
      const limit = q.limit ?? 5;
      /** The `want` nearest matching stations by geodesic distance, from the in-memory index. */
      const candidates = async (want: number) => {
        const matches = (r: StationRow) =>
          (!types || types.includes(r.type_code)) &&
          (!amenities || amenities.every((a) => r.amenities.includes(a))) &&
          (!onlyOpen || openAt(r, at, tz) === true);
        return app.nearest.nearestStations(q.lon, q.lat, matches, want);
      };
      const byWalk = q.by === 'walk' || (q.by === undefined && (await app.city.hasNetwork()));
      if (!byWalk) {
        // Bytes, not an object: the response schema's serialiser is skipped on purpose (see featureHead).
        return (reply as FastifyReply).type('application/json; charset=utf-8').send(straightAnswerJson(await candidates(limit), at, tz));
      }
      if (!(await app.city.hasNetwork())) throw new ApiError(409, 'no_network', '尚未导入街道路网，无法按步行距离排序；可用 by=straight', 'No street network is loaded; use by=straight');
      const walkPerMin = (app.config.walkSpeedKmh * 1000) / 60;
      const ebikePerMin = (app.config.ebikeSpeedKmh * 1000) / 60;
      // Walking distance is never shorter than the straight line, so ranking the K nearest by
      // straight line is exact once the K-th straight distance exceeds the limit-th walk distance.
      for (let k = Math.max(limit * 4, 24); ; k *= 4) {
        const cands = await candidates(k);
        const walk = await app.nearest.walkingDistances(q.lon, q.lat, cands.map((c) => c.item.id), limit);
        if (!walk) throw new ApiError(422, 'not_on_network', '该位置距离最近的可步行道路超过 500 米', 'This position is more than 500 m from any walkable street');
        const byId = new Map(cands.map((c) => [c.item.id, c]));
        // Features only for the answer (not for every candidate).
        const ranked = walk.results.map((w) => {
          const c = byId.get(w.id)!;
          const f = stationFeature({ ...c.item, distance_m: c.distanceM }, at, tz);
          return {
            ...f,
            properties: {
              ...f.properties,
              straight_m: f.properties.distance_m!,
              distance_m: Math.round(w.totalM * 10) / 10,
              walk_minutes: Math.round((w.totalM / walkPerMin) * 10) / 10,
              ebike_minutes: Math.round((w.totalM / ebikePerMin) * 10) / 10,
              route: { type: 'LineString' as const, coordinates: w.route },
            },
          };
        });
        const kthStraight = cands.length ? Math.round(cands[cands.length - 1].distanceM * 10) / 10 : Infinity;
        const limitthWalk = ranked.length >= limit ? ranked[limit - 1].properties.distance_m : Infinity;
        if (cands.length < k || kthStraight >= limitthWalk) {
          return { type: 'FeatureCollection' as const, by: 'walk', evaluated_at: at.toISOString(), features: ranked };
        }
      }
    },
  );

  app.get(
    '/stations/:id',
    {
      schema: {
        tags: ['stations'],
        summary: '单个站点（按 id 或编码）/ One station by id or code',
        params: Type.Object({ id: Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$' }) }),
        response: { 200: FeatureSchema(StationProperties), ...errorResponses },
      },
    },
    async (req) => {
      const row = await getStation(app.db.kysely, req.params.id);
      if (!row) throw notFound(`站点 ${req.params.id} 不存在`, `Station ${req.params.id} not found`);
      return stationFeature(row, new Date(), app.config.timeZone);
    },
  );
};
export default routes;
