import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminBoundaries, adminTree } from '../db/admin.repository.js';
import { errorResponses, GeometrySchema, Lat, Lon } from '../schemas/common.js';

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
      return app.locate.locate(req.query.lon, req.query.lat);
    },
  );
};
export default routes;
