import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listEdges } from '../db/network.repository.js';
import { BboxParam, errorResponses, FeatureCollectionSchema, parseBbox } from '../schemas/common.js';
import { badRequest } from '../errors.js';
import { getMeta } from '../db/dataset.repository.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/network',
    {
      schema: {
        tags: ['admin'],
        summary: '街道路网（GeoJSON，按范围），用作离线底图 / Street network in a bbox as GeoJSON (the offline basemap)',
        querystring: Type.Object(
          {
            bbox: BboxParam,
            major: Type.Optional(Type.Boolean({ description: 'only primary/secondary/tertiary roads (low zooms)' })),
            simplify: Type.Optional(Type.Number({ minimum: 0, maximum: 1000, description: 'tolerance in metres' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: FeatureCollectionSchema(
            Type.Object({ id: Type.Integer(), highway: Type.String(), name: Type.Union([Type.String(), Type.Null()]), length_m: Type.Number() }),
            { attribution: Type.Union([Type.String(), Type.Null()]) },
          ),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const bbox = parseBbox(req.query.bbox)!;
      // A whole-city request at full detail is what the bbox and `major` exist to avoid.
      if ((bbox[2] - bbox[0]) * (bbox[3] - bbox[1]) > 1) {
        throw badRequest('bbox_too_large', 'bbox 过大（超过 1 平方度），请缩小范围', 'bbox too large (over 1 square degree); zoom in');
      }
      const rows = await listEdges(app.db.kysely, bbox, { majorOnly: req.query.major, simplifyM: req.query.simplify });
      const meta = await getMeta<{ attribution?: string }>(app.db.kysely, 'network');
      return {
        type: 'FeatureCollection' as const,
        attribution: meta?.attribution ?? null,
        features: rows.map(({ geometry, ...p }) => ({ type: 'Feature' as const, id: p.id, geometry, properties: { ...p, length_m: Math.round(p.length_m * 10) / 10 } })),
      };
    },
  );
};
export default routes;
