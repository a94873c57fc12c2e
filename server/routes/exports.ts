/**
 * Downloads for GIS users and Chinese map apps: grids, stations and coverage gap polygons as
 * GeoJSON, zipped Shapefile or KML, with coordinates optionally converted to GCJ-02 (Amap/Tencent)
 * or BD-09 (Baidu). Properties use the importer's names, so a download can be imported again.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest } from '../errors.js';
import { errorResponses } from '../schemas/common.js';
import { ExportFile, ExportParams, ExportQuery } from '../schemas/exports.js';
import { parseCoverageQuery, parseList } from './params.js';
import { listGrids } from '../db/grids.repository.js';
import { listStations, listStationTypes } from '../db/stations.repository.js';
import { featureCollection, gapFeatures, gridFeatures, shapefileLayer, stationFeatures } from '../export/layers.js';
import { writeShapefileZip } from '../export/shapefile.js';
import { writeKml } from '../export/kml.js';
import { gapExportRows } from '../coverage/present.js';
import type { Feature, MultiPolygon, Point, Polygon } from 'geojson';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/export/:layer',
    {
      config: { heavy: true },
      schema: {
        tags: ['coverage'],
        summary:
          '下载网格、站点或覆盖缺口（GeoJSON / Shapefile / KML，可转 GCJ-02、BD-09）/ Download grids, stations or coverage gaps (GeoJSON, zipped Shapefile, KML; optionally GCJ-02 / BD-09)',
        description:
          'Shapefile: a zip with .shp/.shx/.dbf/.prj/.cpg, attributes UTF-8 (or `encoding=gbk` for old ArcGIS/MapGIS). The .prj says WGS84 even for gcj02/bd09 (they have no EPSG code). Gaps take the coverage parameters of `/api/coverage`.',
        params: ExportParams,
        querystring: ExportQuery,
        response: { 200: ExportFile, ...errorResponses },
      },
    },
    async (req, reply) => {
      const layer = req.params.layer;
      const q = req.query;
      const crs = q.crs ?? 'wgs84';
      const format = q.format ?? 'geojson';
      let features: Feature<Polygon | MultiPolygon | Point>[];
      if (layer === 'grids') {
        features = gridFeatures(await listGrids(app.db.kysely, { streetCode: q.street, communityCode: q.community, limit: 1_000_000 }), crs);
      } else if (layer === 'stations') {
        const all = await app.city.stationTypeCodes();
        features = stationFeatures(await listStations(app.db.kysely, { types: parseList(q.types, all, 'types') }), crs);
      } else {
        const res = await app.coverage.coverage(parseCoverageQuery(q, await app.city.stationTypeCodes(), app.config.timeZone));
        const names = new Map((await listStationTypes(app.db.kysely)).map((t) => [t.code, { zh: t.name_zh, en: t.name_en }]));
        features = gapFeatures(gapExportRows(res, { street: q.street, community: q.community }, names), crs);
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
