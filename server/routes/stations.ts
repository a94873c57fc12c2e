import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { getStation, listStations, listStationTypes, type StationRow } from '../db/stations.repository.js';
import { ApiError, notFound } from '../errors.js';
import { AMENITIES } from '../domain/stations.js';
import { errorResponses } from '../schemas/common.js';
import { NearestQuery, NearestStations, StationCollection, StationFeature, StationRef, StationsQuery, StationTypes } from '../schemas/stations.js';
import { m1, openAt, stationFeature } from '../stations/present.js';
import { straightAnswerJson, walkFeature } from '../nearest/present.js';
import { parseBbox, parseList, parseOpenAt } from './params.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const typeCodes = () => app.city.stationTypeCodes();

  app.get(
    '/station-types',
    { schema: { tags: ['stations'], summary: '站点类型及服务标准 / Station types and coverage standards', response: { 200: StationTypes } } },
    async () => ({ types: await listStationTypes(app.db.kysely), amenities: [...AMENITIES] }),
  );

  app.get(
    '/stations',
    {
      schema: {
        tags: ['stations'],
        summary: '服务站点（GeoJSON）/ Stations as GeoJSON',
        querystring: StationsQuery,
        response: { 200: StationCollection, ...errorResponses },
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
        summary:
          '最近的站点：沿街道步行距离（默认）或直线距离，附步行/电动车分钟数与路线 / Nearest stations by walking distance along streets (default) or straight line, with minutes on foot / e-bike and the route',
        querystring: NearestQuery,
        response: { 200: NearestStations, ...errorResponses },
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
      if (!(await app.city.hasNetwork()))
        throw new ApiError(409, 'no_network', '尚未导入街道路网，无法按步行距离排序；可用 by=straight', 'No street network is loaded; use by=straight');
      const speeds = { walkPerMin: (app.config.walkSpeedKmh * 1000) / 60, ebikePerMin: (app.config.ebikeSpeedKmh * 1000) / 60 };
      // Walking distance is never shorter than the straight line, so ranking the K nearest by
      // straight line is exact once the K-th straight distance exceeds the limit-th walk distance.
      for (let k = Math.max(limit * 4, 24); ; k *= 4) {
        const cands = await candidates(k);
        const walk = await app.nearest.walkingDistances(
          q.lon,
          q.lat,
          cands.map((c) => c.item.id),
          limit,
        );
        if (!walk)
          throw new ApiError(422, 'not_on_network', '该位置距离最近的可步行道路超过 500 米', 'This position is more than 500 m from any walkable street');
        const byId = new Map(cands.map((c) => [c.item.id, c]));
        // Features only for the answer (not for every candidate).
        const ranked = walk.results.map((w) => walkFeature(byId.get(w.id)!, w, speeds, at, tz));
        const kthStraight = cands.length ? m1(cands[cands.length - 1].distanceM) : Infinity;
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
        params: StationRef,
        response: { 200: StationFeature, ...errorResponses },
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
