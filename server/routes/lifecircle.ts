import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../schemas/common.js';
import { LifecircleAnswer, LifecircleQuery, PackList } from '../schemas/lifecircle.js';
import { DEFAULT_PACK, rulePacks } from '../lifecircle/registry.js';
import { WALK_PROFILES } from '../lifecircle/profiles.js';
import { lifecircleCsv, lifecircleMeta, lifecircleRows, lifecircleSheets } from '../lifecircle/present.js';
import { toCsv } from '../coverage/csv.js';
import { workbookOn } from '../compute/runners.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/lifecircle/packs',
    {
      schema: {
        tags: ['coverage'],
        summary: '生活圈规则包（标准、层级、类别、出处）/ Life-circle rule packs (standards, levels, categories, sources)',
        response: { 200: PackList },
      },
    },
    async () => ({
      default: DEFAULT_PACK,
      profiles: Object.values(WALK_PROFILES).map((p) => ({ id: p.id, name_zh: p.nameZh, name_en: p.nameEn, speed_kmh: p.speedKmh, source: p.source })),
      packs: [...rulePacks().values()],
    }),
  );

  app.get(
    '/lifecircle',
    {
      config: { heavy: true },
      schema: {
        tags: ['coverage'],
        summary:
          '生活圈评估：各单位居民生活圈齐全率、各类设施可达率、最缺类别 / Life-circle assessment: complete circles, per-category shares, most-missing category',
        description:
          'For every population point, the network distance along the streets to the nearest open station of each category of the rule pack (one search per category); a category counts when reached within its limit (minutes at its walking profile, or metres). `complete_share`: residents with every category of the level (and of the smaller levels) within its limit; `categories`: share per category; `within`: share per category within each level’s minutes (nested). `unit` rolls up to grid, community, street or district; `format=csv|xlsx` gives the same figures. The answer names the pack, its version and the population source (`even`: each grid’s population spread evenly).',
        querystring: LifecircleQuery,
        response: { 200: LifecircleAnswer, ...errorResponses },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const unit = q.unit ?? 'grid';
      app.lifecircle.resolve({ packId: q.pack, level: q.level }); // a 400 before any work
      const res = await app.lifecircle.assess({ packId: q.pack, level: q.level, profile: q.profile });
      const name = `lifecircle-${res.pack.id}-${res.level}min`;
      if (q.format === 'xlsx') {
        const xlsx = await workbookOn(app.compute, lifecircleSheets(res));
        reply.header('content-disposition', `attachment; filename="${name}.xlsx"`);
        return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(Buffer.from(xlsx));
      }
      const rows = lifecircleRows(res, unit);
      if (q.format === 'csv') {
        const { headers, rows: cells } = lifecircleCsv(res, rows);
        reply.header('content-disposition', `attachment; filename="${name}-${unit}.csv"`);
        return reply.type('text/csv; charset=utf-8').send(toCsv(headers, cells));
      }
      return { ...lifecircleMeta(res, unit), city: lifecircleRows(res, 'city')[0]!, units: rows };
    },
  );
};

export default routes;
