import { availableParallelism } from 'node:os';
/**
 * Typed configuration: defaults overridden by environment variables. The only place that reads
 * process.env, so every other module receives what it needs explicitly.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './import/formats/limits.js';

export type SampleSize = 'small' | 'medium' | 'dalian';

export interface Config {
  port: number;
  host: string;
  /** Unset → embedded PGlite + PostGIS under `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  /** Sample city seeded into an empty database on first start. */
  sampleSize: SampleSize;
  sampleSeed: number;
  /** Seed the sample city into an empty database at start (default on). */
  seedOnStart: boolean;
  /** IANA zone in which opening hours are read (the city's local time). */
  timeZone: string;
  logLevel: string;
  /** Maximum request body in bytes. */
  bodyLimit: number;
  /** Walking speed for walk coverage and courier minutes, km/h. */
  walkSpeedKmh: number;
  /** E-bike speed for courier minutes, km/h. */
  ebikeSpeedKmh: number;
  /** Buffer around reached streets in walk coverage, metres. */
  walkBufferM: number;
  /** In-memory analysis data is re-checked against the database at most this often (ms). */
  dataStalenessMs: number;
  /** Worker threads for heavy analysis (coverage, isochrones); 0 = compute on the main thread. */
  computeThreads: number;
  /** Heavy requests admitted at once (computing or waiting); one more is a 503 with Retry-After. */
  heavyQueue: number;
  /**
   * Heap of the process that reads uploaded files, MB (0 = read in the server process). A file
   * that needs more is answered 413 and the server lives on.
   */
  importHeapMb: number;
  /**
   * Upload limits (server/import/formats/limits.ts): bytes a zip (KMZ, Shapefile zip, XLSX) may
   * inflate to in total, the inflated : compressed ratio per entry, table rows, columns and cell
   * bytes. Past one → 413 naming it.
   */
  uploadLimits: UploadLimits;
  /** Uploads (imports and previews) per user and minute; one at a time per user in any case. */
  importRatePerMinute: number;
  /** Heavy requests (coverage, gaps, isochrones, coverage exports) one anonymous client may have in flight. */
  heavyPerClient: number;
  /** Login session lifetime, hours. */
  sessionTtlHours: number;
  /** Send the session cookie only over HTTPS (set 1 behind a TLS proxy). */
  cookieSecure: boolean;
  /** Login attempts allowed per client address and minute. */
  loginRatePerMinute: number;
  /** Writes (edits) allowed per user and minute. */
  writeRatePerMinute: number;
  /**
   * Which proxies to believe about the client address (`X-Forwarded-For`), so per-address limits
   * key on the client rather than the proxy: false (default, the socket's address), a hop count,
   * or proxy addresses / CIDRs (Fastify `trustProxy`).
   */
  trustProxy: false | number | string[];
  /**
   * Optional raster basemap under the project's own street network: XYZ URL templates in Web
   * Mercator / WGS84 (OSM, Tianditu with a key). Null → the offline basemap only.
   */
  basemap: { tiles: string[]; attribution: string; maxzoom: number } | null;
}

/**
 * BASEMAP_TILES: comma-separated `http(s)://…{z}…{x}…{y}…` templates. Amap/Baidu/Tencent tiles are
 * refused: they are drawn in GCJ-02/BD-09 and would sit 100–600 m off the WGS84 data.
 */
function basemap(env: NodeJS.ProcessEnv): Config['basemap'] {
  const raw = env.BASEMAP_TILES?.trim();
  if (!raw) return null;
  const tiles = raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of tiles) {
    if (!/^https?:\/\//.test(t) || !t.includes('{z}') || !t.includes('{x}') || !t.includes('{y}')) {
      throw new Error(`BASEMAP_TILES 必须是含 {z}/{x}/{y} 的 http(s) 地址 / BASEMAP_TILES must be http(s) URL templates with {z}, {x} and {y} (got "${t}")`);
    }
    if (/autonavi|amap\.com|bdimg|baidu|map\.qq\.com|gtimg/i.test(t)) {
      throw new Error(
        `BASEMAP_TILES：高德/百度/腾讯瓦片使用 GCJ-02/BD-09 坐标，会与 WGS84 数据错位 / Amap, Baidu and Tencent tiles are in GCJ-02/BD-09 and would not line up with WGS84 data (got "${t}")`,
      );
    }
  }
  const attribution = env.BASEMAP_ATTRIBUTION?.trim();
  if (!attribution)
    throw new Error('设置 BASEMAP_TILES 时必须同时设置 BASEMAP_ATTRIBUTION（底图版权说明）/ BASEMAP_ATTRIBUTION is required with BASEMAP_TILES');
  return { tiles, attribution, maxzoom: int('BASEMAP_MAXZOOM', env.BASEMAP_MAXZOOM, 18) };
}

/** TRUST_PROXY: unset/0/false → off; `1` → one hop (the proxy in front); `127.0.0.1,10.0.0.0/8` → those proxies. */
export function trustProxy(raw: string | undefined): Config['trustProxy'] {
  const v = raw?.trim() ?? '';
  if (v === '' || v === '0' || /^(false|off|no)$/i.test(v)) return false;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  const items = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const item of items) {
    const [addr, bits, extra] = item.split('/');
    const family = isIP(addr);
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(item);
    const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!named && (!family || !okBits || extra !== undefined)) {
      throw new Error(
        `TRUST_PROXY 应为代理的跳数（如 1）或代理地址/网段列表（如 127.0.0.1,10.0.0.0/8） / TRUST_PROXY must be a hop count (e.g. 1) or proxy addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8) (got "${item}")`,
      );
    }
  }
  return items;
}

function num(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`环境变量 ${name} 必须是正数 / ${name} must be a positive number (got "${value}")`);
  return n;
}

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`环境变量 ${name} 必须是非负整数 / ${name} must be a non-negative integer (got "${value}")`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const size = (env.SAMPLE_SIZE ?? 'small') as SampleSize;
  if (!['small', 'medium', 'dalian'].includes(size)) {
    throw new Error(`SAMPLE_SIZE 只能是 small|medium|dalian / SAMPLE_SIZE must be small|medium|dalian (got "${size}")`);
  }
  const timeZone = env.TIMEZONE || 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`TIMEZONE 不是有效的时区 / TIMEZONE is not a valid IANA time zone (got "${timeZone}")`);
  }
  return {
    port: int('PORT', env.PORT, 3000),
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || null,
    dataDir: path.resolve(env.DATA_DIR || 'data/pglite'),
    sampleSize: size,
    sampleSeed: int('SAMPLE_SEED', env.SAMPLE_SEED, 1),
    seedOnStart: env.SEED_ON_START !== '0',
    timeZone,
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimit: int('BODY_LIMIT', env.BODY_LIMIT, 5 * 1024 * 1024),
    walkSpeedKmh: num('WALK_SPEED_KMH', env.WALK_SPEED_KMH, 4.8),
    ebikeSpeedKmh: num('EBIKE_SPEED_KMH', env.EBIKE_SPEED_KMH, 15),
    walkBufferM: num('WALK_BUFFER_M', env.WALK_BUFFER_M, 50),
    dataStalenessMs: int('DATA_STALENESS_MS', env.DATA_STALENESS_MS, 2000),
    computeThreads: int('COMPUTE_THREADS', env.COMPUTE_THREADS, Math.min(4, availableParallelism())),
    heavyQueue: int('HEAVY_QUEUE', env.HEAVY_QUEUE, 32),
    importHeapMb: int('IMPORT_HEAP_MB', env.IMPORT_HEAP_MB, 1024),
    uploadLimits: {
      ...DEFAULT_UPLOAD_LIMITS,
      maxUnzippedBytes: num('IMPORT_MAX_UNZIPPED_MB', env.IMPORT_MAX_UNZIPPED_MB, DEFAULT_UPLOAD_LIMITS.maxUnzippedBytes / 1024 / 1024) * 1024 * 1024,
      maxZipRatio: num('IMPORT_MAX_ZIP_RATIO', env.IMPORT_MAX_ZIP_RATIO, DEFAULT_UPLOAD_LIMITS.maxZipRatio),
      maxRows: num('IMPORT_MAX_ROWS', env.IMPORT_MAX_ROWS, DEFAULT_UPLOAD_LIMITS.maxRows),
      maxColumns: num('IMPORT_MAX_COLUMNS', env.IMPORT_MAX_COLUMNS, DEFAULT_UPLOAD_LIMITS.maxColumns),
      maxCellBytes: num('IMPORT_MAX_CELL_KB', env.IMPORT_MAX_CELL_KB, DEFAULT_UPLOAD_LIMITS.maxCellBytes / 1024) * 1024,
    },
    importRatePerMinute: num('IMPORT_RATE_PER_MINUTE', env.IMPORT_RATE_PER_MINUTE, 60),
    heavyPerClient: int('HEAVY_PER_CLIENT', env.HEAVY_PER_CLIENT, 2),
    sessionTtlHours: num('SESSION_TTL_HOURS', env.SESSION_TTL_HOURS, 12),
    cookieSecure: env.COOKIE_SECURE === '1',
    loginRatePerMinute: num('LOGIN_RATE_PER_MINUTE', env.LOGIN_RATE_PER_MINUTE, 10),
    writeRatePerMinute: num('WRITE_RATE_PER_MINUTE', env.WRITE_RATE_PER_MINUTE, 120),
    trustProxy: trustProxy(env.TRUST_PROXY),
    basemap: basemap(env),
  };
}
