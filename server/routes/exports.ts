/**
 * Downloads for GIS users and Chinese map apps: grids, stations and coverage gap polygons as
 * GeoJSON, zipped Shapefile or KML, with coordinates optionally converted to GCJ-02 (Amap/Tencent)
 * or BD-09 (Baidu). Properties use the importer's names, so a download can be imported again.
 */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest } from '../errors.js';
import { errorResponses, parseList, parseOpenAt } from '../schemas/common.js';
import { listGrids } from '../db/grids.repository.js';
import { listStations } from '../db/stations.repository.js';
import type { Crs } from '../import/crs.js';
import { featureCollection, gapFeatures, gridFeatures, shapefileLayer, stationFeatures, type ExportLayer } from '../export/layers.js';
import { writeShapefileZip } from '../export/shapefile.js';
import { writeKml } from '../export/kml.js';
import type { Feature, MultiPolygon, Point, Polygon } from 'geojson';

const CrsParam = Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')], { default: 'wgs84', description: 'coordinates of the file: wgs84 (GPS, GIS), gcj02 (Amap/Tencent), bd09 (Baidu)' });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/export/:layer',
    {
      config: { heavy: true },
      schema: {
        tags: ['coverage'],
        summary: '下载网格、站点或覆盖缺口（GeoJSON / Shapefile / KML，可转 GCJ-02、BD-09）/ Download grids, stations or coverage gaps (GeoJSON, zipped Shapefile, KML; optionally GCJ-02 / BD-09)',
        description:
          'Shapefile: a zip with .shp/.shx/.dbf/.prj/.cpg, attributes UTF-8 (or `encoding=gbk` for old ArcGIS/MapGIS). The .prj says WGS84 even for gcj02/bd09 (they have no EPSG code). Gaps take the coverage parameters of `/api/coverage`.',
        params: Type.Object({ layer: Type.Union([Type.Literal('grids'), Type.Literal('stations'), Type.Literal('gaps')]) }),
        querystring: Type.Object(
          {
            format: Type.Optional(Type.Union([Type.Literal('geojson'), Type.Literal('shapefile'), Type.Literal('kml')], { default: 'geojson' })),
            crs: Type.Optional(CrsParam),
            encoding: Type.Optional(Type.Union([Type.Literal('utf-8'), Type.Literal('gbk')], { default: 'utf-8', description: 'Shapefile attribute encoding' })),
            street: Type.Optional(Type.String({ pattern: '^[0-9]{12}$', description: 'grids/gaps: only this street' })),
            community: Type.Optional(Type.String({ pattern: '^[0-9]{12}$', description: 'grids/gaps: only this community' })),
            types: Type.Optional(Type.String({ maxLength: 500, description: 'stations: these types; gaps: coverage by these types' })),
            mode: Type.Optional(Type.Union([Type.Literal('radius'), Type.Literal('walk')])),
            radius: Type.Optional(Type.Number({ minimum: 10, maximum: 20000 })),
            minutes: Type.Optional(Type.Number({ minimum: 1, maximum: 120 })),
            open_at: Type.Optional(Type.String({ maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Unknown({ description: 'GeoJSON, zip or KML' }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const layer = req.params.layer as ExportLayer;
      const q = req.query;
      const crs = (q.crs ?? 'wgs84') as Crs;
      const format = q.format ?? 'geojson';
      let features: Feature<Polygon | MultiPolygon | Point>[];
      if (layer === 'grids') {
        features = gridFeatures(await listGrids(app.db.kysely, { streetCode: q.street, communityCode: q.community, limit: 1_000_000 }), crs);
      } else if (layer === 'stations') {
        const all = await app.city.stationTypeCodes();
        features = stationFeatures(await listStations(app.db.kysely, { types: parseList(q.types, all, 'types') }), crs);
      } else {
        const all = await app.city.stationTypeCodes();
        const types = parseList(q.types, all, 'types') ?? all;
        if (q.radius !== undefined && q.mode === 'walk') throw badRequest('invalid_mode', 'radius 只能用于 radius 模式', 'radius applies to mode=radius only');
        if (q.minutes !== undefined && q.mode === 'radius') throw badRequest('invalid_mode', 'minutes 只能用于 walk 模式', 'minutes applies to mode=walk only');
        const res = await app.coverage.coverage({ types, mode: q.mode, radiusM: q.radius, minutes: q.minutes, openAt: parseOpenAt(q.open_at, app.config.timeZone) });
        features = gapFeatures(
          res.grids
            .filter((r) => (!q.street || r.grid.street_code === q.street) && (!q.community || r.grid.community_code === q.community))
            .map((r) => ({
              gridCode: r.grid.code,
              gridName: r.grid.name,
              communityName: r.grid.community_name,
              streetName: r.grid.street_name,
              leaderName: r.grid.leader_name,
              leaderPhone: r.grid.leader_phone,
              gapAreaM2: r.areaM2 - r.coveredM2,
              uncoveredPopulation: r.uncoveredPopulation,
              parts: r.gaps,
            })),
          crs,
        );
      }
      const base = `${layer}-${crs}`;
      if (format === 'shapefile') {
        if (features.length === 0) throw badRequest('empty_layer', '没有可导出的要素', 'Nothing to export');
        const zip = await writeShapefileZip([shapefileLayer(layer, features)], { encoding: q.encoding ?? 'utf-8' });
        reply.header('content-disposition', `attachment; filename="${base}.shp.zip"`);
        return reply.type('application/zip').send(Buffer.from(zip));
      }
      if (format === 'kml') {
        reply.header('content-disposition', `attachment; filename="${base}.kml"`);
        return reply.type('application/vnd.google-earth.kml+xml; charset=utf-8').send(writeKml(features, `生活圈 ${layer} (${crs})`));
      }
      reply.header('content-disposition', `attachment; filename="${base}.geojson"`);
      return reply.type('application/geo+json; charset=utf-8').send(JSON.stringify(featureCollection(features, crs)));
    },
  );
};
export default routes;
