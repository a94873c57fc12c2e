import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError, badRequest } from '../errors.js';
import { errorResponses, Lat, Lon, parseBbox, parseList, parseOpenAt, type Bbox } from '../schemas/common.js';
import type { CoverageQuery, CoverageResult } from '../coverage/service.js';
import { toCsv } from '../coverage/csv.js';
import { coverageWorkbookOn } from '../compute/runners.js';
import { GridProperties } from './grids.js';

const CoverageQuerySchema = {
  types: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated station type codes (default: all)' })),
  mode: Type.Optional(Type.Union([Type.Literal('radius'), Type.Literal('walk')], { description: 'override every type’s own standard' })),
  radius: Type.Optional(Type.Number({ minimum: 10, maximum: 20000, description: 'radius in metres (radius mode)' })),
  minutes: Type.Optional(Type.Number({ minimum: 1, maximum: 120, description: 'walking minutes (walk mode)' })),
  open_at: Type.Optional(Type.String({ maxLength: 40, description: 'only stations open then; ISO 8601, without offset = city time' })),
  bbox: Type.Optional(
    Type.String({ maxLength: 200, description: 'minLon,minLat,maxLon,maxLat (WGS84): list only the grids (gaps) whose bounding box meets it — the map view. Roll-ups (`units`) stay city-wide.', examples: ['121.58,38.89,121.62,38.93'] }),
  ),
};

type Box = [number, number, number, number];
const boxOfGrid = new WeakMap<object, Box>();

/** Bounding box of polygon coordinates (one ring level deeper for a MultiPolygon's parts). */
function boxOf(rings: number[][][], into: Box = [Infinity, Infinity, -Infinity, -Infinity]): Box {
  for (const ring of rings)
    for (const [x, y] of ring) {
      if (x < into[0]) into[0] = x;
      if (y < into[1]) into[1] = y;
      if (x > into[2]) into[2] = x;
      if (y > into[3]) into[3] = y;
    }
  return into;
}

const meets = (a: Box, b: Bbox) => a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];

/**
 * The grids whose bounding box meets `bbox` (all when none) — the same test as `&&` in
 * GET /api/grids?bbox=, so the map gets shares for exactly the grids it loaded. Grid boxes are
 * cached per grid object (the coverage service keeps them until the grids change).
 */
function gridsIn<T extends { grid: { polygon: { coordinates: number[][][] } } }>(rows: T[], bbox: Bbox | undefined): T[] {
  if (!bbox) return rows;
  return rows.filter((r) => {
    let b = boxOfGrid.get(r.grid);
    if (!b) boxOfGrid.set(r.grid, (b = boxOf(r.grid.polygon.coordinates)));
    return meets(b, bbox);
  });
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const r4 = (n: number) => Math.round(n * 10000) / 10000;

// The grid's identity and contact fields as the grids API describes them, plus coverage figures.
export const GridStats = Type.Object({
  ...Type.Pick(GridProperties, ['id', 'code', 'name', 'community_code', 'community_name', 'street_code', 'street_name', 'district_code', 'leader_name', 'leader_phone']).properties,
  area_m2: Type.Number(),
  covered_m2: Type.Number(),
  gap_area_m2: Type.Number(),
  covered_share: Type.Number({ description: 'by area, 0..1' }),
  population: Type.Integer(),
  covered_population: Type.Number(),
  uncovered_population: Type.Number(),
});
export const UnitStats = Type.Object({
  level: Type.String({ description: 'community | street | district | city' }),
  code: Type.String(),
  name: Type.String(),
  grids: Type.Integer(),
  area_m2: Type.Number(),
  gap_area_m2: Type.Number(),
  covered_share_by_area: Type.Number(),
  population: Type.Integer(),
  uncovered_population: Type.Number(),
  covered_share_by_population: Type.Number(),
});
/** The least the map needs to colour a grid and fill its popup (`format=shares`, with the gaps). */
export const GridShare = Type.Object({
  id: Type.Integer(),
  covered_share: Type.Number({ description: 'by area, 0..1' }),
  uncovered_population: Type.Number(),
});
const Meta = Type.Object({
  types: Type.Array(Type.String()),
  mode: Type.String({ description: 'radius | walk | standard (each type its own)' }),
  open_at: Type.Union([Type.String(), Type.Null()]),
  stations_used: Type.Integer(),
  stations_unsnapped: Type.Array(Type.String()),
  recomputed_grids: Type.Integer(),
  compute_ms: Type.Number(),
});
const Geometry = Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) });
/** Each listed grid's uncovered parts as one MultiPolygon feature. */
const GapPolygons = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(Type.Object({ type: Type.Literal('Feature'), geometry: Geometry, properties: Type.Object({ grid_id: Type.Integer(), grid_code: Type.String() }) })),
});

function gapPolygons(rows: CoverageResult['grids']) {
  return {
    type: 'FeatureCollection' as const,
    features: rows
      .filter((r) => r.gaps.length)
      .map((r) => ({ type: 'Feature' as const, geometry: { type: 'MultiPolygon', coordinates: r.gaps }, properties: { grid_id: r.id, grid_code: r.grid.code } })),
  };
}

function gridStats(r: CoverageResult['grids'][number]) {
  const g = r.grid;
  return {
    id: g.id,
    code: g.code,
    name: g.name,
    community_code: g.community_code,
    community_name: g.community_name,
    street_code: g.street_code,
    street_name: g.street_name,
    district_code: g.district_code,
    leader_name: g.leader_name,
    leader_phone: g.leader_phone,
    area_m2: r2(r.areaM2),
    covered_m2: r2(r.coveredM2),
    gap_area_m2: r2(r.areaM2 - r.coveredM2),
    covered_share: r4(r.coveredShare),
    population: r.population,
    covered_population: r2(r.coveredPopulation),
    uncovered_population: r2(r.uncoveredPopulation),
  };
}

function unitStats(res: CoverageResult) {
  const names = new Map<string, string>();
  for (const { grid: g } of res.grids) {
    names.set(`community:${g.community_code}`, g.community_name);
    names.set(`street:${g.street_code}`, g.street_name);
    names.set(`district:${g.district_code}`, g.district_name);
  }
  names.set('city:city', '全市 / city');
  const order = { city: 0, district: 1, street: 2, community: 3 } as Record<string, number>;
  return res.units
    .map((u) => ({
      level: u.level,
      code: u.code,
      name: names.get(`${u.level}:${u.code}`) ?? u.code,
      grids: u.grids,
      area_m2: r2(u.areaM2),
      gap_area_m2: r2(u.gapAreaM2),
      covered_share_by_area: r4(u.coveredShareByArea),
      population: u.population,
      uncovered_population: r2(u.uncoveredPopulation),
      covered_share_by_population: r4(u.coveredShareByPopulation),
    }))
    .sort((a, b) => order[a.level] - order[b.level] || a.code.localeCompare(b.code));
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  async function runQuery(q: { types?: string; mode?: 'radius' | 'walk'; radius?: number; minutes?: number; open_at?: string; bbox?: string }) {
    const bbox = parseBbox(q.bbox); // checked before the (possibly long) computation
    const all = await app.city.stationTypeCodes();
    const types = parseList(q.types, all, 'types') ?? all;
    if (q.radius !== undefined && q.mode === 'walk') throw badRequest('invalid_mode', 'radius 只能用于 radius 模式', 'radius applies to mode=radius only');
    if (q.minutes !== undefined && q.mode === 'radius') throw badRequest('invalid_mode', 'minutes 只能用于 walk 模式', 'minutes applies to mode=walk only');
    const query: CoverageQuery = { types, mode: q.mode, radiusM: q.radius, minutes: q.minutes, openAt: parseOpenAt(q.open_at, app.config.timeZone) };
    const res = await app.coverage.coverage(query);
    const meta = {
      types,
      mode: q.mode ?? 'standard',
      open_at: query.openAt?.toISOString() ?? null,
      stations_used: res.stationsUsed,
      stations_unsnapped: res.stationsUnsnapped,
      recomputed_grids: res.recomputedGrids,
      compute_ms: r2(res.computeMs),
    };
    return { res, meta, bbox };
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
        querystring: Type.Object(
          {
            ...CoverageQuerySchema,
            format: Type.Optional(Type.Union([Type.Literal('geojson'), Type.Literal('stats'), Type.Literal('shares'), Type.Literal('csv'), Type.Literal('xlsx')], { default: 'geojson' })),
            level: Type.Optional(Type.Union([Type.Literal('grid'), Type.Literal('community'), Type.Literal('street'), Type.Literal('district')], { default: 'grid' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Union([
            Type.Object({
              type: Type.Literal('FeatureCollection'),
              meta: Meta,
              units: Type.Array(UnitStats),
              features: Type.Array(Type.Object({ type: Type.Literal('Feature'), id: Type.Integer(), geometry: Geometry, properties: GridStats })),
              gaps: GapPolygons,
            }),
            Type.Object({ meta: Meta, units: Type.Array(UnitStats), grids: Type.Array(GridStats) }),
            // After the stats answer: a stats answer would also pass this schema and lose fields.
            Type.Object({ meta: Meta, grids: Type.Array(GridShare), gaps: GapPolygons }),
            Type.String({ description: 'CSV' }),
            Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'Excel workbook (format=xlsx)' }),
          ]),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { res, meta, bbox } = await runQuery(req.query);
      const format = req.query.format ?? 'geojson';
      const grids = gridsIn(res.grids, bbox);
      if (format === 'shares') return { meta, grids: grids.map((r) => ({ id: r.id, covered_share: r4(r.coveredShare), uncovered_population: r2(r.uncoveredPopulation) })), gaps: gapPolygons(grids) };
      if (format === 'xlsx') {
        const units = unitStats(res);
        const xlsx = await coverageWorkbookOn(app.compute,
          units.filter((u) => u.level === 'street'),
          units.filter((u) => u.level === 'community'),
          grids.map(gridStats),
        );
        reply.header('content-disposition', `attachment; filename="coverage.xlsx"`);
        return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(Buffer.from(xlsx));
      }
      if (format === 'csv') {
        const level = req.query.level ?? 'grid';
        let csv: string;
        if (level === 'grid') {
          csv = toCsv(
            ['网格编码 grid code', '网格 grid', '社区 community', '街道 street', '网格长 leader', '电话 phone', '面积 area m²', '缺口面积 gap m²', '覆盖率(面积) covered share by area', '人口 population', '未覆盖人口 uncovered population'],
            grids.map((r) => {
              const s = gridStats(r);
              return [s.code, s.name, s.community_name, s.street_name, s.leader_name, s.leader_phone, s.area_m2, s.gap_area_m2, s.covered_share, s.population, s.uncovered_population];
            }),
          );
        } else {
          csv = toCsv(
            ['层级 level', '编码 code', '名称 name', '网格数 grids', '面积 area m²', '缺口面积 gap m²', '覆盖率(面积) by area', '人口 population', '未覆盖人口 uncovered', '覆盖率(人口) by population'],
            unitStats(res)
              .filter((u) => u.level === level)
              .map((u) => [u.level, u.code, u.name, u.grids, u.area_m2, u.gap_area_m2, u.covered_share_by_area, u.population, u.uncovered_population, u.covered_share_by_population]),
          );
        }
        reply.header('content-disposition', `attachment; filename="coverage-${level}.csv"`);
        return reply.type('text/csv; charset=utf-8').send(csv);
      }
      const units = unitStats(res);
      if (format === 'stats') {
        const level = req.query.level ?? 'grid';
        if (level === 'grid') return { meta, units, grids: grids.map(gridStats) };
        const depth = { district: 1, street: 2, community: 3 }[level];
        const rank = { city: 0, district: 1, street: 2, community: 3 } as Record<string, number>;
        return { meta, units: units.filter((u) => rank[u.level] <= depth), grids: [] };
      }
      return {
        type: 'FeatureCollection' as const,
        meta,
        units,
        features: grids.map((r) => ({ type: 'Feature' as const, id: r.id, geometry: r.grid.polygon, properties: gridStats(r) })),
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
        description: '`rank` is the place in the whole city’s ranking; with `bbox`, only the gaps whose bounding box meets it are listed (still in rank order, `limit` counted after the filter).',
        querystring: Type.Object({ ...CoverageQuerySchema, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20000, default: 100 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            type: Type.Literal('FeatureCollection'),
            meta: Meta,
            features: Type.Array(
              Type.Object({
                type: Type.Literal('Feature'),
                geometry: Geometry,
                properties: Type.Object({
                  rank: Type.Integer(),
                  gap_area_m2: Type.Number(),
                  uncovered_population: Type.Number(),
                  grid_id: Type.Integer(),
                  grid_code: Type.String(),
                  grid_name: Type.String(),
                  community_code: Type.String(),
                  community_name: Type.String(),
                  street_code: Type.String(),
                  street_name: Type.String(),
                  district_name: Type.String(),
                  leader_name: Type.Union([Type.String(), Type.Null()]),
                  leader_phone: Type.Union([Type.String(), Type.Null()]),
                }),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { res, meta, bbox } = await runQuery(req.query);
      // One feature per grid with a gap (its gap parts as a MultiPolygon): the grid is the unit a
      // leader answers for. Ranked city-wide first, so a rank means the same in every view.
      const ranked = res.grids
        .filter((r) => r.gaps.length > 0 && r.uncoveredPopulation > 0)
        .sort((a, b) => b.uncoveredPopulation - a.uncoveredPopulation || b.areaM2 - b.coveredM2 - (a.areaM2 - a.coveredM2))
        .map((r, i) => ({ r, rank: i + 1 }))
        .filter(({ r }) => !bbox || r.gaps.some((part) => meets(boxOf(part), bbox)))
        .slice(0, req.query.limit ?? 100);
      return {
        type: 'FeatureCollection' as const,
        meta,
        features: ranked.map(({ r, rank }) => ({
          type: 'Feature' as const,
          geometry: { type: 'MultiPolygon', coordinates: r.gaps },
          properties: {
            rank,
            gap_area_m2: r2(r.areaM2 - r.coveredM2),
            uncovered_population: r2(r.uncoveredPopulation),
            grid_id: r.id,
            grid_code: r.grid.code,
            grid_name: r.grid.name,
            community_code: r.grid.community_code,
            community_name: r.grid.community_name,
            street_code: r.grid.street_code,
            street_name: r.grid.street_name,
            district_name: r.grid.district_name,
            leader_name: r.grid.leader_name,
            leader_phone: r.grid.leader_phone,
          },
        })),
      };
    },
  );

  app.get(
    '/isochrone',
    {
      config: { heavy: true },
      schema: {
        tags: ['coverage'],
        summary: '任一点出发的步行可达范围（沿街道）/ Walking area from any point, along the streets',
        querystring: Type.Object({ lon: Lon, lat: Lat, minutes: Type.Optional(Type.Number({ minimum: 1, maximum: 60, default: 15 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            type: Type.Literal('Feature'),
            geometry: Geometry,
            properties: Type.Object({
              minutes: Type.Number(),
              limit_m: Type.Number(),
              walk_speed_kmh: Type.Number(),
              buffer_m: Type.Number(),
              reached_nodes: Type.Integer(),
              snap_distance_m: Type.Number(),
              area_m2: Type.Number(),
              lines: Geometry,
            }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      if (!(await app.city.hasNetwork())) throw new ApiError(409, 'no_network', '尚未导入街道路网，无法计算步行范围', 'No street network is loaded; walking areas need one');
      const json = await app.isochrones.isochroneJson(req.query.lon, req.query.lat, req.query.minutes ?? 15);
      if (!json) throw new ApiError(422, 'not_on_network', '该点距离最近的可步行道路超过 500 米', 'The point is more than 500 m from any walkable street');
      // Built and serialised where it was computed (see IsochroneService); sent as is.
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );
};
export default routes;
