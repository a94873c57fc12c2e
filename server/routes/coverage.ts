import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas/common.js';
import { CoverageAnswer, CoverageQuery, GapsQuery, Isochrone, IsochroneQuery, RankedGaps } from '../schemas/coverage.js';
import { parseBbox, parseCoverageQuery } from './params.js';
import { toCsv } from '../coverage/csv.js';
import {
  combineLabel,
  coverageCsv,
  coverageMeta,
  gapPolygons,
  gridShare,
  gridsIn,
  gridStats,
  namesZh,
  rankedGaps,
  unitsDownTo,
  unitStats,
  type TypeNames,
} from '../coverage/present.js';
import { listStationTypes } from '../db/stations.repository.js';
import { coverageWorkbookOn } from '../compute/runners.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const typeNames = async (): Promise<TypeNames> => new Map((await listStationTypes(app.db.kysely)).map((t) => [t.code, { zh: t.name_zh, en: t.name_en }]));

  async function runQuery(q: Parameters<typeof parseCoverageQuery>[0] & { bbox?: string }) {
    const bbox = parseBbox(q.bbox); // checked before the (possibly long) computation
    const query = parseCoverageQuery(q, await app.city.stationTypeCodes(), app.config.timeZone);
    const res = await app.coverage.coverage(query);
    const names = await typeNames();
    return { res, meta: coverageMeta(query, res, names), bbox, names };
  }

  app.get(
    '/coverage',
    {
      config: { heavy: true },
      schema: {
        tags: ['coverage'],
        summary: '每个网格的覆盖率（按面积、按人口）、缺口与逐级汇总 / Per-grid coverage by area and population, gaps, roll-ups',
        description:
          'Each station serves its type’s standard area (radius: geodesic circle; walk: streets reached on foot within N minutes, buffered) unless `mode` overrides. `format=geojson` (default): grids as features with stats, plus gap polygons; `format=stats`: JSON only — `level=community|street|district` lists the roll-ups down to that level and no grids (the map’s city view); `format=shares`: per grid only id, covered share and uncovered people, plus the gap polygons of those grids (the map’s grid view, with `bbox`); `format=csv&level=grid|community|street|district`: a CSV (UTF-8 with BOM); `format=xlsx`: an Excel workbook with sheets 街道 / 社区 / 网格 (Chinese headers, numbers formatted). `bbox` limits the grids listed (grid rows, features, gaps, shares) to those meeting it; roll-ups stay city-wide.',
        querystring: CoverageQuery,
        response: { 200: CoverageAnswer, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { res, meta, bbox, names } = await runQuery(req.query);
      const format = req.query.format ?? 'geojson';
      const level = req.query.level ?? 'grid';
      const grids = gridsIn(res.grids, bbox);
      if (format === 'shares') return { meta, grids: grids.map((r) => gridShare(r, res)), gaps: gapPolygons(grids) };
      if (format === 'xlsx') {
        const basis = combineLabel(res, names);
        const units = unitStats(res).map((u) => ({ ...u, missing_types_zh: namesZh(u.missing_types, names), basis }));
        const xlsx = await coverageWorkbookOn(
          app.compute,
          units.filter((u) => u.level === 'street'),
          units.filter((u) => u.level === 'community'),
          grids.map((r) => {
            const s = gridStats(r, res);
            return { ...s, missing_types_zh: namesZh(s.missing_types, names), basis };
          }),
        );
        reply.header('content-disposition', `attachment; filename="coverage.xlsx"`);
        return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(Buffer.from(xlsx));
      }
      if (format === 'csv') {
        const { headers, rows } = coverageCsv(res, grids, level, names);
        reply.header('content-disposition', `attachment; filename="coverage-${level}.csv"`);
        return reply.type('text/csv; charset=utf-8').send(toCsv(headers, rows));
      }
      const units = unitStats(res);
      if (format === 'stats') {
        if (level === 'grid') return { meta, units, grids: grids.map((r) => gridStats(r, res)) };
        return { meta, units: unitsDownTo(units, level), grids: [] };
      }
      return {
        type: 'FeatureCollection' as const,
        meta,
        units,
        features: grids.map((r) => ({ type: 'Feature' as const, id: r.id, geometry: r.grid.polygon, properties: gridStats(r, res) })),
        gaps: gapPolygons(grids),
      };
    },
  );

  app.get(
    '/coverage/gaps',
    {
      config: { heavy: true },
      schema: {
        tags: ['coverage'],
        summary: '未覆盖区域，按未覆盖人口排序，附责任网格与网格长 / Uncovered areas ranked by uncovered population, with the responsible grid and leader',
        description:
          '`rank` is the place in the whole city’s ranking; with `bbox`, only the gaps whose bounding box meets it are listed (still in rank order, `limit` counted after the filter).',
        querystring: GapsQuery,
        response: { 200: RankedGaps, ...errorResponses },
      },
    },
    async (req) => {
      const { res, meta, bbox, names } = await runQuery(req.query);
      return rankedGaps(res, meta, bbox, req.query.limit ?? 100, names);
    },
  );

  app.get(
    '/isochrone',
    {
      config: { heavy: true },
      schema: {
        tags: ['coverage'],
        summary: '任一点出发的步行可达范围（沿街道）/ Walking area from any point, along the streets',
        querystring: IsochroneQuery,
        response: { 200: Isochrone, ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(await app.city.hasNetwork()))
        throw new ApiError(409, 'no_network', '尚未导入街道路网，无法计算步行范围', 'No street network is loaded; walking areas need one');
      const json = await app.isochrones.isochroneJson(req.query.lon, req.query.lat, req.query.minutes ?? 15);
      if (!json) throw new ApiError(422, 'not_on_network', '该点距离最近的可步行道路超过 500 米', 'The point is more than 500 m from any walkable street');
      // Built and serialised where it was computed (see IsochroneService); sent as is.
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );
};
export default routes;
