/**
 * What the web map needs to know before it draws anything beyond its own layers: an optional
 * raster basemap (BASEMAP_TILES) and the attributions the data requires — an OSM-derived street
 * network must show "© OpenStreetMap contributors" (ODbL).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getMeta } from '../db/dataset.repository.js';
import { MapConfig } from '../schemas/map-config.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/map/config',
    {
      schema: {
        tags: ['meta'],
        summary: '地图配置：可选栅格底图与数据版权说明 / Map configuration: optional raster basemap and data attributions',
        response: { 200: MapConfig },
      },
    },
    async () => {
      const network = await getMeta<{ attribution?: string }>(app.db.kysely, 'network');
      const basemap = app.config.basemap;
      return {
        basemap: basemap ? { ...basemap, tileSize: 256 } : null,
        attributions: network?.attribution ? [network.attribution] : [],
      };
    },
  );
};
export default routes;
