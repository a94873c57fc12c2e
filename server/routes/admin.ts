import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminBoundaries, adminTree, locate } from '../db/admin.repository.js';
import { errorResponses, GeometrySchema, Lat, Lon } from '../schemas/common.js';
import type { AnalysisGrid } from '../db/analysis.repository.js';
import { GridLocator } from '../locate/locator.js';

const Counts = {
  grids: Type.Integer(),
  population: Type.Integer(),
  households: Type.Integer(),
  stations: Type.Integer({ description: 'stations inside the unit' }),
  area_m2: Type.Number({ description: 'geodesic area, m²' }),
};
const Community = Type.Object({ code: Type.String(), name: Type.String(), ...Counts });
const Street = Type.Object({ code: Type.String(), name: Type.String(), ...Counts, communities: Type.Array(Community) });
const District = Type.Object({ code: Type.String(), name: Type.String(), ...Counts, streets: Type.Array(Street) });

const Unit = Type.Union([Type.Null(), Type.Object({ code: Type.String(), name: Type.String() })]);
const Located = Type.Object({
  lon: Type.Number(),
  lat: Type.Number(),
  found: Type.Boolean({ description: 'true when a grid contains the point' }),
  grid: Type.Union([
    Type.Null(),
    Type.Object({
      id: Type.Integer(),
      code: Type.String(),
      name: Type.String(),
      leader_name: Type.Union([Type.String(), Type.Null()]),
      leader_phone: Type.Union([Type.String(), Type.Null()]),
      party_branch: Type.Union([Type.String(), Type.Null()]),
    }),
  ]),
  community: Unit,
  street: Unit,
  district: Unit,
});

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/admin/tree',
    { schema: { tags: ['admin'], summary: '区 → 街道 → 社区 树及统计 / District → street → community tree with counts', response: { 200: Type.Object({ districts: Type.Array(District) }) } } },
    async () => ({ districts: await adminTree(app.db.kysely) }),
  );

  app.get(
    '/admin/boundaries',
    {
      schema: {
        tags: ['admin'],
        summary: '区、街道或社区的边界（GeoJSON）/ District, street or community outlines as GeoJSON',
        querystring: Type.Object(
          {
            level: Type.Union([Type.Literal('district'), Type.Literal('street'), Type.Literal('community')]),
            simplify: Type.Optional(Type.Number({ minimum: 0, maximum: 1000, description: 'simplification tolerance in metres' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            type: Type.Literal('FeatureCollection'),
            features: Type.Array(Type.Object({ type: Type.Literal('Feature'), geometry: GeometrySchema, properties: Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() }) })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({ type: 'FeatureCollection' as const, features: await adminBoundaries(app.db.kysely, req.query.level, req.query.simplify) }),
  );

  /** Grid locator and party branches (not in the snapshot) per loaded grids array. */
  const locators = new WeakMap<readonly AnalysisGrid[], Promise<{ locator: GridLocator<AnalysisGrid>; partyBranch: Map<number, string | null> }>>();
  const loadLocator = async (grids: readonly AnalysisGrid[]) => {
    const rows = await app.db.kysely.selectFrom('grids').select(['id', 'party_branch']).where('deleted_at', 'is', null).execute();
    return { locator: new GridLocator(grids), partyBranch: new Map(rows.map((r) => [r.id, r.party_branch])) };
  };

  app.get(
    '/locate',
    {
      schema: {
        tags: ['admin'],
        summary: '此处归谁管：所在网格、社区、街道、区及网格长 / Who is responsible here: grid, community, street, district and grid leader',
        querystring: Type.Object({ lon: Lon, lat: Lat }, { additionalProperties: false }),
        response: { 200: Located, ...errorResponses },
      },
    },
    async (req) => {
      const { lon, lat } = req.query;
      // In memory when a grid clearly contains the point (the coverage snapshot's grids, same
      // freshness as nearest); on a border, outside every grid or for a grid loaded since, PostGIS.
      const d = await app.coverage.data();
      let mem = locators.get(d.grids);
      if (!mem) {
        const grids = d.grids;
        locators.set(grids, (mem = loadLocator(grids)));
        mem.catch(() => locators.delete(grids)); // a failed load is retried by the next request
      }
      const { locator, partyBranch } = await mem;
      const hit = locator.locate(lon, lat);
      if (hit && hit !== 'unsure' && partyBranch.has(hit.id)) {
        return {
          lon,
          lat,
          found: true,
          grid: { id: hit.id, code: hit.code, name: hit.name, leader_name: hit.leader_name, leader_phone: hit.leader_phone, party_branch: partyBranch.get(hit.id)! },
          community: { code: hit.community_code, name: hit.community_name },
          street: { code: hit.street_code, name: hit.street_name },
          district: { code: hit.district_code, name: hit.district_name },
        };
      }
      const r = await locate(app.db.kysely, lon, lat);
      const unit = (code: string | null, name: string | null) => (code ? { code, name: name! } : null);
      return {
        lon,
        lat,
        found: r.grid_id !== null,
        grid: r.grid_id !== null ? { id: r.grid_id, code: r.grid_code!, name: r.grid_name!, leader_name: r.leader_name, leader_phone: r.leader_phone, party_branch: r.party_branch } : null,
        community: unit(r.community_code, r.community_name),
        street: unit(r.street_code, r.street_name),
        district: unit(r.district_code, r.district_name),
      };
    },
  );
};
export default routes;
