/**
 * Typed calls to the Lifecircle API (same origin). Errors come back as
 * `{ error, message_zh, message_en, details }`; `ApiError` keeps all of it (both languages, so the
 * UI shows the current one; the machine code and details for the editor and the import page).
 */
import type { LineString, Polygon } from 'geojson';
import type { Static } from 'typebox';
// The answers' types are the server's schemas (server/schemas/, one contract, no copies). Type
// imports only: those modules hold schemas and nothing of the server's runtime.
import type { Boundaries, BoundaryProperties } from '../../../server/schemas/admin.js';
import type { LoggedIn, LoggedOut, Me } from '../../../server/schemas/auth.js';
import type {
  CoverageShares,
  GapsQuery,
  CoverageStats as CoverageStatsSchema,
  GapProperties,
  GridShare as GridShareSchema,
  RankedGaps,
  GridStats as GridStatsSchema,
  UnitStats as UnitStatsSchema,
} from '../../../server/schemas/coverage.js';
import type {
  EditImpact as EditImpactSchema,
  EditResponse as EditResponseSchema,
  GridAttributes as GridAttributesSchema,
  GridChange as GridChangeSchema,
  GridConflict,
  GridHistory,
  GridHistoryEntry,
  Problem,
  TypeImpact as TypeImpactSchema,
} from '../../../server/schemas/grid-edits.js';
import type { GridCollection as GridCollectionSchema, GridProperties as GridPropertiesSchema } from '../../../server/schemas/grids.js';
import type { Health as HealthSchema } from '../../../server/schemas/health.js';
import type { Network } from '../../../server/schemas/network.js';
import type {
  NearestStations,
  StationCollection as StationCollectionSchema,
  StationFeature as StationFeatureSchema,
  StationProperties as StationPropertiesSchema,
  StationType as StationTypeSchema,
  StationTypes,
} from '../../../server/schemas/stations.js';

/** The one error of the web client: any refused request, network failure or aborted upload. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly zh: string,
    readonly en: string,
    /** The server's machine code (`version_conflict`, `import_rejected`, …), else the status. */
    readonly code: string = String(status),
    /** Problems, conflict versions, rejected rows: whatever the server sent along. */
    readonly details: unknown = undefined,
  ) {
    super(`${zh} / ${en}`);
  }
}

/** The error for a failed answer with status `status` and JSON body `body` (if any). */
export function apiErrorOf(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as { message_zh?: string; message_en?: string; error?: string; details?: unknown };
  return new ApiError(status, b.message_zh ?? `请求失败（${status}）`, b.message_en ?? `Request failed (${status})`, b.error ?? String(status), b.details);
}

/** The JSON body of a response, or undefined when it has none. */
const jsonOf = (res: Response): Promise<unknown> => res.json().catch(() => undefined);

export type Bbox = [number, number, number, number];

export type Health = Static<typeof HealthSchema>;

export type StationType = Static<typeof StationTypeSchema>;

export type GridProps = Static<typeof GridPropertiesSchema>;

export type StationProps = Static<typeof StationPropertiesSchema>;

export type GridStats = Static<typeof GridStatsSchema>;

/** A grid's covered share and uncovered people (`format=shares`): what the map colours by. */
export type GridShare = Static<typeof GridShareSchema>;

export type UnitStats = Static<typeof UnitStatsSchema>;

export type CoverageStats = Static<typeof CoverageStatsSchema>;

export type GapProps = Static<typeof GapProperties>;

export type GridCollection = Static<typeof GridCollectionSchema>;
export type BoundaryProps = Static<typeof BoundaryProperties>;
export type StationCollection = Static<typeof StationCollectionSchema>;
export type StationFeature = Static<typeof StationFeatureSchema>;
export type GapCollection = Static<typeof RankedGaps>;

/** Query parameters shared by /api/coverage and /api/coverage/gaps (`types` as a list; sent comma-separated). */
export type CoverageParams = Pick<Static<typeof GapsQuery>, 'mode' | 'radius' | 'minutes' | 'open_at' | 'combine'> & { types?: string[] };

export function query(params: Record<string, string | number | boolean | string[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw apiErrorOf(res.status, await jsonOf(res));
  return (await res.json()) as T;
}

export const bboxParam = (b: Bbox): string => b.map((n) => n.toFixed(5)).join(',');

export const api = {
  health: () => getJson<Health>('/api/health'),
  stationTypes: () => getJson<Static<typeof StationTypes>>('/api/station-types'),
  grids: (bbox: Bbox, simplify: number | undefined, signal?: AbortSignal) =>
    getJson<GridCollection>(`/api/grids${query({ bbox: bboxParam(bbox), simplify })}`, signal),
  boundaries: (level: 'district' | 'street' | 'community', simplify?: number) =>
    getJson<Static<typeof Boundaries>>(`/api/admin/boundaries${query({ level, simplify })}`),
  /** Grids whose name contains `q` or whose code starts with it (search box), simplified. */
  searchGrids: (q: string, signal?: AbortSignal) => getJson<GridCollection>(`/api/grids${query({ q, limit: 8, simplify: 10 })}`, signal),
  gridsOf: (unit: { street?: string; community?: string }) => getJson<GridCollection>(`/api/grids${query({ ...unit, simplify: 10 })}`),
  /** Streets for the view: `overview` merges each major road into one simplified line (city zooms). */
  network: (bbox: Bbox, detail: 'overview' | 'major' | 'all', signal?: AbortSignal) =>
    getJson<Static<typeof Network>>(
      `/api/network${query({ bbox: bboxParam(bbox), overview: detail === 'overview' || undefined, major: detail === 'major' || undefined, simplify: detail === 'major' ? 5 : undefined })}`,
      signal,
    ),
  stations: (bbox: Bbox, signal?: AbortSignal) => getJson<StationCollection>(`/api/stations${query({ bbox: bboxParam(bbox) })}`, signal),
  coverageStats: (p: CoverageParams, signal?: AbortSignal) => getJson<CoverageStats>(`/api/coverage${coverageQuery(p, { format: 'stats' })}`, signal),
  /** The roll-ups (city, districts, streets, communities) without the grids. */
  coverageUnits: (p: CoverageParams, signal?: AbortSignal) =>
    getJson<CoverageStats>(`/api/coverage${coverageQuery(p, { format: 'stats', level: 'community' })}`, signal),
  /** Covered share and uncovered people of the grids meeting `bbox`, and their gap polygons. */
  coverageShares: (p: CoverageParams, bbox: Bbox, signal?: AbortSignal) =>
    getJson<Static<typeof CoverageShares>>(`/api/coverage${coverageQuery(p, { format: 'shares', bbox: bboxParam(bbox) })}`, signal),
  /** Gaps ranked city-wide; with `bbox`, only those meeting it (ranks kept). */
  gaps: (p: CoverageParams, limit: number, signal?: AbortSignal, bbox?: Bbox) =>
    getJson<GapCollection>(`/api/coverage/gaps${coverageQuery(p, bbox ? { limit, bbox: bboxParam(bbox) } : { limit })}`, signal),
  nearest: (p: { lon: number; lat: number; type?: string; amenity?: string[]; open_now?: boolean; limit?: number }, signal?: AbortSignal) =>
    getJson<Static<typeof NearestStations>>(
      `/api/stations/nearest${query({ ...p, lon: p.lon.toFixed(6), lat: p.lat.toFixed(6), open_now: p.open_now || undefined })}`,
      signal,
    ),
};

/** The query string for a coverage request (also used for the CSV and GeoJSON download links). */
export function coverageQuery(p: CoverageParams, extra: Record<string, string | number> = {}): string {
  return query({ types: p.types, mode: p.mode, radius: p.radius, minutes: p.minutes, open_at: p.open_at, combine: p.combine, ...extra });
}

// ---------------------------------------------------------------------------------------------
// Accounts and grid edits (the street-office editor, /editor/). Writes send the edited version
// as `If-Match`; the session cookie travels with same-origin requests.

export type AuthUser = Static<typeof Me>;

/** A problem found by validation: where it is (`location`) and which grid, when known. */
export type EditProblem = Static<typeof Problem>;

/** One grid touched by an edit, as the server reports it (its `before` geometry stays on the server). */
export type GridChange = Static<typeof GridChangeSchema>;
export type TypeImpact = Static<typeof TypeImpactSchema>;
export type EditImpact = Static<typeof EditImpactSchema>;

export type EditResponse = Static<typeof EditResponseSchema>;

/** `details` of a 409 version_conflict. */
export type ConflictDetails = Static<typeof GridConflict>;

/** One version of a grid; `changed_at` is null for the synthetic 'original' entry (the state before the first recorded change). */
export type HistoryEntry = Static<typeof GridHistoryEntry>;

/** Editable attributes of a grid (PATCH body; an empty optional text is sent as null). */
export type GridAttributes = Static<typeof GridAttributesSchema>;

/** A JSON request with a body and/or If-Match; failures become `ApiError` (code + details kept). */
export async function sendJson<T>(method: string, path: string, body?: unknown, ifMatch?: number): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifMatch !== undefined) headers['if-match'] = `"${ifMatch}"`;
  return answer<T>(await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' }));
}

/** A raw body (a file) POSTed as `contentType`; failures become `ApiError`. */
export async function postBody<T>(path: string, body: Blob, contentType: string): Promise<T> {
  return answer<T>(
    await fetch(path, { method: 'POST', body, headers: { 'content-type': contentType, accept: 'application/json' }, credentials: 'same-origin' }),
  );
}

async function answer<T>(res: Response): Promise<T> {
  const json = await jsonOf(res);
  if (!res.ok) throw apiErrorOf(res.status, json);
  return json as T;
}

const dry = (dryRun: boolean) => (dryRun ? '?dry_run=true' : '');

export const editApi = {
  me: () => sendJson<AuthUser>('GET', '/api/auth/me'),
  login: (username: string, password: string) => sendJson<Static<typeof LoggedIn>>('POST', '/api/auth/login', { username, password }),
  logout: () => sendJson<Static<typeof LoggedOut>>('POST', '/api/auth/logout'),
  /** Full-detail grids (no simplification: the editor sends these coordinates back). */
  gridsOfStreet: (street: string) => getJson<GridCollection>(`/api/grids${query({ street })}`),
  gridsInBbox: (bbox: Bbox) => getJson<GridCollection>(`/api/grids${query({ bbox: bboxParam(bbox) })}`),
  history: (id: number) => getJson<Static<typeof GridHistory>>(`/api/grids/${id}/history`),
  /** Reshape and/or edit attributes (PATCH /api/grids/:id). */
  reshape: (id: number, version: number, body: { geometry?: Polygon; allow_community_change?: boolean } & GridAttributes, dryRun: boolean) =>
    sendJson<EditResponse>('PATCH', `/api/grids/${id}${dry(dryRun)}`, body, version),
  create: (body: { community_code: string; name: string; geometry: Polygon; allow_community_change?: boolean }, dryRun: boolean) =>
    sendJson<EditResponse>('POST', `/api/grids${dry(dryRun)}`, body),
  /** Soft delete; the area goes to neighbour `into` (same community, adjacent). */
  remove: (id: number, version: number, into: number, dryRun: boolean) =>
    sendJson<EditResponse>('DELETE', `/api/grids/${id}${query({ into, dry_run: dryRun || undefined })}`, undefined, version),
  split: (id: number, version: number, line: LineString, dryRun: boolean) =>
    sendJson<EditResponse>('POST', `/api/grids/${id}/split${dry(dryRun)}`, { line }, version),
  merge: (grids: { id: number; version: number }[], dryRun: boolean) => sendJson<EditResponse>('POST', `/api/grids/merge${dry(dryRun)}`, { grids }),
  restore: (id: number, version: number, toVersion: number, dryRun: boolean) =>
    sendJson<EditResponse>('POST', `/api/grids/${id}/restore${dry(dryRun)}`, { to_version: toVersion }, version),
};
