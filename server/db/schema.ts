/**
 * The one Kysely `Database` interface. Geometry columns are opaque here: they are always read
 * and written through the ST_* helpers in ./st.ts.
 */
import type { ColumnType, Generated } from 'kysely';

type Geometry = ColumnType<unknown, unknown, unknown>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface DistrictTable {
  id: Generated<number>;
  code: string;
  name: string;
  boundary: Geometry;
}

export interface StreetTable {
  id: Generated<number>;
  code: string;
  name: string;
  district_id: number;
  boundary: Geometry;
}

export interface CommunityTable {
  id: Generated<number>;
  code: string;
  name: string;
  street_id: number;
  boundary: Geometry;
}

export interface GridTable {
  id: Generated<number>;
  code: string;
  name: string;
  community_id: number;
  boundary: Geometry;
  leader_name: string | null;
  leader_phone: string | null;
  party_branch: string | null;
  population: Generated<number>;
  households: Generated<number>;
  version: Generated<number>;
  updated_at: Timestamp;
  updated_by: Generated<string>;
  deleted_at: Timestamp | null;
}

export interface StationTypeTable {
  code: string;
  name_zh: string;
  name_en: string;
  coverage_mode: 'radius' | 'walk';
  coverage_radius_m: number;
  coverage_minutes: number;
}

export interface StationTable {
  id: Generated<number>;
  code: string;
  type_code: string;
  name: string;
  address: string | null;
  geom: Geometry;
  amenities: ColumnType<string[], string[] | undefined, string[]>;
  opening_hours: Generated<string>;
  /** The hours as an imported list wrote them, when converted to `opening_hours` (migration 004). */
  opening_hours_text: Generated<string | null>;
  phone: string | null;
  operator: string | null;
  status: Generated<'open' | 'temporarily_closed'>;
  version: Generated<number>;
  updated_at: Timestamp;
  updated_by: Generated<string>;
  deleted_at: Timestamp | null;
}

export interface NetworkNodeTable {
  id: number;
  geom: Geometry;
}

export interface NetworkEdgeTable {
  id: number;
  source: number;
  target: number;
  geom: Geometry;
  length_m: number;
  highway: string;
  walkable: boolean;
  name: string | null;
  osm_way_id: number | null;
}

export interface DatasetMetaTable {
  key: string;
  value: ColumnType<unknown, string, string>;
}

export interface SchemaMigrationTable {
  name: string;
  checksum: string;
  applied_at: Timestamp;
}

export type Role = 'admin' | 'planner' | 'street_editor' | 'viewer';

export interface UserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  disabled: Generated<boolean>;
  created_at: Timestamp;
}

export interface UserStreetTable {
  user_id: number;
  street_id: number;
}

export interface SessionTable {
  token_hash: string;
  user_id: number;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export type GridOperation = 'create' | 'reshape' | 'update' | 'delete' | 'restore' | 'split' | 'merge' | 'revert' | 'import';

export interface GridHistoryTable {
  id: Generated<number>;
  grid_id: number;
  version: number;
  change_id: number;
  operation: GridOperation;
  changed_by: string;
  changed_at: Timestamp;
  before_geom: Geometry;
  after_geom: Geometry;
  before_props: ColumnType<unknown, string | null, string | null>;
  after_props: ColumnType<unknown, string | null, string | null>;
  note: string | null;
}

export interface StationHistoryTable {
  id: Generated<number>;
  station_id: number;
  version: number;
  operation: 'create' | 'update' | 'delete' | 'restore' | 'import';
  changed_by: string;
  changed_at: Timestamp;
  before_props: ColumnType<unknown, string | null, string | null>;
  after_props: ColumnType<unknown, string | null, string | null>;
}

export interface Database {
  districts: DistrictTable;
  streets: StreetTable;
  communities: CommunityTable;
  grids: GridTable;
  station_types: StationTypeTable;
  stations: StationTable;
  network_nodes: NetworkNodeTable;
  network_edges: NetworkEdgeTable;
  dataset_meta: DatasetMetaTable;
  schema_migrations: SchemaMigrationTable;
  users: UserTable;
  user_streets: UserStreetTable;
  sessions: SessionTable;
  grid_history: GridHistoryTable;
  station_history: StationHistoryTable;
}
