import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getStation, listStations, listStationTypes, nearestStations, type StationRow } from '../db/stations.repository.js';
import { notFound } from '../errors.js';
import { AMENITIES } from '../domain/stations.js';
import { isAlwaysOpen, isOpenAt } from '../analysis/hours/index.js';
import { BboxParam, errorResponses, FeatureCollectionSchema, FeatureSchema, Lat, Lon, parseBbox, parseList, parseOpenAt } from '../schemas/common.js';

const StationProperties = Type.Object({
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
  distance_m: Type.Optional(Type.Number({ description: 'geodesic distance, metres' })),
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

const BoolParam = Type.Boolean({ description: 'true/false' });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const typeCodes = async () => (await listStationTypes(app.db.kysely)).map((t) => t.code);

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
        summary: '最近的站点（直线测地距离）/ Nearest stations by geodesic straight-line distance',
        querystring: Type.Object(
          {
            lon: Lon,
            lat: Lat,
            type: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated type codes' })),
            amenity: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated; all required' })),
            open_now: Type.Optional(BoolParam),
            open_at: Type.Optional(Type.String({ maxLength: 40 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: FeatureCollectionSchema(StationProperties, { evaluated_at: Type.String(), by: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const tz = app.config.timeZone;
      const types = parseList(q.type, await typeCodes(), 'types');
      const amenities = parseList(q.amenity, AMENITIES, 'amenities');
      const at = parseOpenAt(q.open_at, tz) ?? new Date();
      const onlyOpen = q.open_at !== undefined || q.open_now === true;
      const limit = q.limit ?? 5;
      const found: ReturnType<typeof stationFeature>[] = [];
      // Opening hours are evaluated here, not in SQL: page through the KNN order until enough
      // stations are open (bounded: the candidate set is finite and pages grow).
      for (let offset = 0, page = limit * 4 + 16; found.length < limit; offset += page, page *= 2) {
        const rows = await nearestStations(app.db.kysely, q.lon, q.lat, { types, amenities, operatingOnly: onlyOpen }, page, offset);
        for (const r of rows) {
          const f = stationFeature(r, at, tz);
          if (!onlyOpen || f.properties.open_now === true) found.push(f);
          if (found.length === limit) break;
        }
        if (rows.length < page) break;
      }
      return { type: 'FeatureCollection' as const, by: 'geodesic', evaluated_at: at.toISOString(), features: found };
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
