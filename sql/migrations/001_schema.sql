-- Core schema: administrative units, grids, station types, stations, street network.
-- Geometry is WGS84 (EPSG:4326); typmods reject other SRIDs and geometry types, CHECKs reject
-- invalid, empty or out-of-range geometries so bad data cannot enter by any path.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE districts (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{12}$'),
  name        text NOT NULL CHECK (length(name) > 0),
  boundary    geometry(MultiPolygon, 4326) NOT NULL,
  CONSTRAINT districts_boundary_valid CHECK (ST_IsValid(boundary) AND NOT ST_IsEmpty(boundary)),
  CONSTRAINT districts_boundary_lonlat CHECK (ST_XMin(boundary) >= -180 AND ST_XMax(boundary) <= 180 AND ST_YMin(boundary) >= -90 AND ST_YMax(boundary) <= 90)
);

CREATE TABLE streets (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{12}$'),
  name        text NOT NULL CHECK (length(name) > 0),
  district_id integer NOT NULL REFERENCES districts(id),
  boundary    geometry(MultiPolygon, 4326) NOT NULL,
  CONSTRAINT streets_boundary_valid CHECK (ST_IsValid(boundary) AND NOT ST_IsEmpty(boundary)),
  CONSTRAINT streets_boundary_lonlat CHECK (ST_XMin(boundary) >= -180 AND ST_XMax(boundary) <= 180 AND ST_YMin(boundary) >= -90 AND ST_YMax(boundary) <= 90)
);

CREATE TABLE communities (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{12}$'),
  name        text NOT NULL CHECK (length(name) > 0),
  street_id   integer NOT NULL REFERENCES streets(id),
  boundary    geometry(MultiPolygon, 4326) NOT NULL,
  CONSTRAINT communities_boundary_valid CHECK (ST_IsValid(boundary) AND NOT ST_IsEmpty(boundary)),
  CONSTRAINT communities_boundary_lonlat CHECK (ST_XMin(boundary) >= -180 AND ST_XMax(boundary) <= 180 AND ST_YMin(boundary) >= -90 AND ST_YMax(boundary) <= 90)
);

-- 网格: the unit a grid leader (网格长) is responsible for. `version` drives optimistic locking.
CREATE TABLE grids (
  id              serial PRIMARY KEY,
  code            text NOT NULL UNIQUE CHECK (code ~ '^[0-9A-Za-z_-]{1,40}$'),
  name            text NOT NULL CHECK (length(name) > 0),
  community_id    integer NOT NULL REFERENCES communities(id),
  boundary        geometry(Polygon, 4326) NOT NULL,
  leader_name     text,
  leader_phone    text,
  party_branch    text,
  population      integer NOT NULL DEFAULT 0 CHECK (population >= 0),
  households      integer NOT NULL DEFAULT 0 CHECK (households >= 0),
  version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  updated_by      text NOT NULL DEFAULT 'system',
  deleted_at      timestamptz,
  CONSTRAINT grids_boundary_valid CHECK (ST_IsValid(boundary) AND NOT ST_IsEmpty(boundary)),
  CONSTRAINT grids_boundary_lonlat CHECK (ST_XMin(boundary) >= -180 AND ST_XMax(boundary) <= 180 AND ST_YMin(boundary) >= -90 AND ST_YMax(boundary) <= 90)
);

CREATE TABLE station_types (
  code               text PRIMARY KEY CHECK (code ~ '^[a-z_]{1,40}$'),
  name_zh            text NOT NULL,
  name_en            text NOT NULL,
  coverage_mode      text NOT NULL CHECK (coverage_mode IN ('radius', 'walk')),
  coverage_radius_m  double precision NOT NULL CHECK (coverage_radius_m > 0),
  coverage_minutes   double precision NOT NULL CHECK (coverage_minutes > 0)
);

CREATE TABLE stations (
  id             serial PRIMARY KEY,
  code           text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
  type_code      text NOT NULL REFERENCES station_types(code),
  name           text NOT NULL CHECK (length(name) > 0),
  address        text,
  geom           geometry(Point, 4326) NOT NULL,
  amenities      text[] NOT NULL DEFAULT '{}' CHECK (amenities <@ ARRAY['water','charging','air_conditioning','heating','seating','microwave','first_aid','repair_tools','umbrella','toilet','wifi','reading']::text[]),
  opening_hours  text NOT NULL DEFAULT '24/7',
  phone          text,
  operator       text,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'temporarily_closed')),
  version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text NOT NULL DEFAULT 'system',
  CONSTRAINT stations_geom_valid CHECK (NOT ST_IsEmpty(geom) AND ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90)
);

-- Street network for walking analysis; edges are split at junctions (see server/import/osm.ts).
CREATE TABLE network_nodes (
  id     bigint PRIMARY KEY,
  geom   geometry(Point, 4326) NOT NULL,
  CONSTRAINT network_nodes_geom_valid CHECK (NOT ST_IsEmpty(geom) AND ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90)
);

CREATE TABLE network_edges (
  id        bigint PRIMARY KEY,
  source    bigint NOT NULL REFERENCES network_nodes(id),
  target    bigint NOT NULL REFERENCES network_nodes(id),
  geom      geometry(LineString, 4326) NOT NULL,
  length_m  double precision NOT NULL CHECK (length_m >= 0),
  highway   text NOT NULL,
  walkable  boolean NOT NULL DEFAULT true,
  name      text,
  osm_way_id bigint,
  -- No ST_IsValid here: real OSM data has zero-length edges (two nodes at one position) that
  -- still connect the graph; they are kept so counts match the source (see server/import/osm.ts).
  CONSTRAINT network_edges_geom_valid CHECK (ST_NPoints(geom) >= 2 AND ST_XMin(geom) >= -180 AND ST_XMax(geom) <= 180 AND ST_YMin(geom) >= -90 AND ST_YMax(geom) <= 90)
);

-- Key/value facts about the loaded data set (sample-city name, seed, data version …).
CREATE TABLE dataset_meta (
  key    text PRIMARY KEY,
  value  jsonb NOT NULL
);

CREATE INDEX districts_boundary_gix   ON districts   USING gist (boundary);
CREATE INDEX streets_boundary_gix     ON streets     USING gist (boundary);
CREATE INDEX communities_boundary_gix ON communities USING gist (boundary);
CREATE INDEX grids_boundary_gix       ON grids       USING gist (boundary);
CREATE INDEX stations_geom_gix        ON stations    USING gist (geom);
-- Geography index so nearest-station KNN (`<->` on geography) orders by true geodesic distance.
CREATE INDEX stations_geog_gix        ON stations    USING gist ((geom::geography));
CREATE INDEX network_nodes_geom_gix   ON network_nodes USING gist (geom);
CREATE INDEX network_edges_geom_gix   ON network_edges USING gist (geom);
CREATE INDEX streets_district_idx     ON streets (district_id);
CREATE INDEX communities_street_idx   ON communities (street_id);
CREATE INDEX grids_community_idx      ON grids (community_id);
CREATE INDEX stations_type_idx        ON stations (type_code);
CREATE INDEX network_edges_source_idx ON network_edges (source);
CREATE INDEX network_edges_target_idx ON network_edges (target);
