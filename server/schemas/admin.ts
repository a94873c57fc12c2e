/** Administrative units (区、街道、社区): the tree, outlines, who is responsible for a point. */
import { Type } from 'typebox';
import { AreaSchema, Lat, Lon, Nullable } from './common.js';

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
export const AdminTree = Type.Object({ districts: Type.Array(District) });

export const AdminLevel = Type.Union([Type.Literal('district'), Type.Literal('street'), Type.Literal('community')]);
export const BoundariesQuery = Type.Object(
  {
    level: AdminLevel,
    simplify: Type.Optional(Type.Number({ minimum: 0, maximum: 1000, description: 'simplification tolerance in metres' })),
  },
  { additionalProperties: false },
);
export const BoundaryProperties = Type.Object({ code: Type.String(), name: Type.String(), level: AdminLevel });
export const Boundaries = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(Type.Object({ type: Type.Literal('Feature'), geometry: AreaSchema, properties: BoundaryProperties })),
});

const Unit = Nullable(Type.Object({ code: Type.String(), name: Type.String() }));
export const LocateQuery = Type.Object({ lon: Lon, lat: Lat }, { additionalProperties: false });
export const Located = Type.Object({
  lon: Type.Number(),
  lat: Type.Number(),
  found: Type.Boolean({ description: 'true when a grid contains the point' }),
  grid: Nullable(
    Type.Object({
      id: Type.Integer(),
      code: Type.String(),
      name: Type.String(),
      leader_name: Nullable(Type.String()),
      leader_phone: Nullable(Type.String()),
      party_branch: Nullable(Type.String()),
    }),
  ),
  community: Unit,
  street: Unit,
  district: Unit,
});
