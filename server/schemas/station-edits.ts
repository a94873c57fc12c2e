/** Station edits (站点编辑): bodies, the saved answer and the history. */
import { Type } from 'typebox';
import { DbId, Nullable } from './common.js';

const TypeCode = Type.String({ pattern: '^[a-z_]{1,40}$', description: 'station type code' });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const EditLon = Type.Number({ minimum: -180, maximum: 180 });
const EditLat = Type.Number({ minimum: -90, maximum: 90 });
const Fields = {
  type: Type.Optional(TypeCode),
  name: Type.Optional(Name),
  lon: Type.Optional(EditLon),
  lat: Type.Optional(EditLat),
  address: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  amenities: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
  opening_hours: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 30, pattern: '^[0-9+() -]*$' }))),
  operator: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  status: Type.Optional(Type.String({ description: 'open | temporarily_closed' })),
};
export const CreateStationBody = Type.Object(
  {
    ...Fields,
    type: Type.String({ pattern: '^[a-z_]{1,40}$' }),
    name: Name,
    lon: EditLon,
    lat: EditLat,
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  { additionalProperties: false },
);
export const UpdateStationBody = Type.Object({ ...Fields, version: Type.Optional(DbId()) }, { additionalProperties: false });
export const StationId = Type.Object({ id: DbId() });
export const VersionQuery = Type.Object({ version: Type.Optional(DbId()) }, { additionalProperties: false });
export const SavedStation = Type.Object({ id: Type.Integer(), code: Type.String(), version: Type.Integer(), deleted: Type.Boolean() });

/**
 * A station's properties as a history row records them: edits (server/editing/station-edits.ts)
 * name the type `type`, imports (server/db/dataset.repository.ts) `type_code`.
 */
export const RecordedStationProps = Type.Object({
  code: Type.String(),
  type: Type.Optional(Type.String()),
  type_code: Type.Optional(Type.String()),
  name: Type.String(),
  address: Nullable(Type.String()),
  amenities: Type.Array(Type.String()),
  opening_hours: Type.String(),
  phone: Nullable(Type.String()),
  operator: Nullable(Type.String()),
  status: Type.String(),
  lon: Type.Number(),
  lat: Type.Number(),
});
export const StationHistoryEntry = Type.Object({
  version: Type.Integer(),
  operation: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete'), Type.Literal('restore'), Type.Literal('import')]),
  changed_by: Type.String(),
  changed_at: Type.String({ format: 'date-time' }),
  before_props: Nullable(RecordedStationProps),
  after_props: Nullable(RecordedStationProps),
});
export const StationHistory = Type.Object({ station_id: Type.Integer(), entries: Type.Array(StationHistoryEntry) });
