import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listEdges, listRoadOverview } from '../db/network.repository.js';
import { errorResponses } from '../schemas/common.js';
import { Network, NetworkQuery } from '../schemas/network.js';
import { parseBbox } from './params.js';
import { badRequest } from '../errors.js';
import { getMeta } from '../db/dataset.repository.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/network',
    {
      schema: {
        tags: ['admin'],
        summary: '街道路网（GeoJSON，按范围），用作离线底图 / Street network in a bbox as GeoJSON (the offline basemap)',
        querystring: NetworkQuery,
        response: {
          200: Network,
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const bbox = parseBbox(req.query.bbox)!;
      const area = (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]);
      // A whole-city request at full detail is what the bbox, `major` and `overview` exist to avoid.
      if (area > (req.query.overview ? 25 : 1)) {
        throw req.query.overview
          ? badRequest('bbox_too_large', 'bbox 过大（概览超过 25 平方度），请缩小范围', 'bbox too large (over 25 square degrees for the overview); zoom in')
          : badRequest(
              'bbox_too_large',
              'bbox 过大（超过 1 平方度），请缩小范围或使用 overview=true',
              'bbox too large (over 1 square degree); zoom in or use overview=true',
            );
      }
      const meta = await getMeta<{ attribution?: string }>(app.db.kysely, 'network');
      const m = (x: number) => Math.round(x * 10) / 10;
      if (req.query.overview) {
        const roads = await listRoadOverview(app.db.kysely, bbox, req.query.simplify ?? 20);
        return {
          type: 'FeatureCollection' as const,
          attribution: meta?.attribution ?? null,
          features: roads.map(({ geometry, ...p }, i) => ({ type: 'Feature' as const, id: i + 1, geometry, properties: { ...p, length_m: m(p.length_m) } })),
        };
      }
      const rows = await listEdges(app.db.kysely, bbox, { majorOnly: req.query.major, simplifyM: req.query.simplify });
      return {
        type: 'FeatureCollection' as const,
        attribution: meta?.attribution ?? null,
        features: rows.map(({ geometry, ...p }) => ({ type: 'Feature' as const, id: p.id, geometry, properties: { ...p, length_m: m(p.length_m) } })),
      };
    },
  );
};
export default routes;
