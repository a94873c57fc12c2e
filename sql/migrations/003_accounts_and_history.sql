-- Accounts, sessions and the change history of grids and stations.
-- Passwords are stored as scrypt hashes ("scrypt$N$r$p$salt$hash", base64); session tokens only
-- as SHA-256 hashes so a leaked table cannot be replayed.

CREATE TABLE users (
  id             serial PRIMARY KEY,
  username       text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.-]{2,64}$'),
  display_name   text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  role           text NOT NULL CHECK (role IN ('admin', 'planner', 'street_editor', 'viewer')),
  password_hash  text NOT NULL,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- The street(s) a street editor may edit; other roles ignore it.
CREATE TABLE user_streets (
  user_id    integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  street_id  integer NOT NULL REFERENCES streets(id),
  PRIMARY KEY (user_id, street_id)
);

CREATE TABLE sessions (
  token_hash  text PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- One row per version of a grid: the state after the change (and before it, for review).
-- A split or merge touches several grids in one change; they share change_id.
CREATE TABLE grid_history (
  id             bigserial PRIMARY KEY,
  grid_id        integer NOT NULL REFERENCES grids(id),
  version        integer NOT NULL,
  change_id      bigint NOT NULL,
  operation      text NOT NULL CHECK (operation IN ('create', 'reshape', 'update', 'delete', 'restore', 'split', 'merge', 'revert', 'import')),
  changed_by     text NOT NULL,
  changed_at     timestamptz NOT NULL DEFAULT now(),
  before_geom    geometry(Polygon, 4326),
  after_geom     geometry(Polygon, 4326),
  before_props   jsonb,
  after_props    jsonb,
  note           text,
  UNIQUE (grid_id, version)
);
CREATE SEQUENCE grid_change_seq;
CREATE INDEX grid_history_change_idx ON grid_history (change_id);

-- Station changes (edits by planners/street editors and re-imports by code).
CREATE TABLE station_history (
  id             bigserial PRIMARY KEY,
  station_id     integer NOT NULL REFERENCES stations(id),
  version        integer NOT NULL,
  operation      text NOT NULL CHECK (operation IN ('create', 'update', 'delete', 'restore', 'import')),
  changed_by     text NOT NULL,
  changed_at     timestamptz NOT NULL DEFAULT now(),
  before_props   jsonb,
  after_props    jsonb,
  UNIQUE (station_id, version)
);

-- Stations are soft-deleted like grids, so a deletion can be reviewed and restored.
ALTER TABLE stations ADD COLUMN deleted_at timestamptz;

-- "What changed around here?" (history by place), and the test that every geometry is indexed.
CREATE INDEX grid_history_after_gix  ON grid_history USING gist (after_geom);
CREATE INDEX grid_history_before_gix ON grid_history USING gist (before_geom);
