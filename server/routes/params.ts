/** Query values the schemas cannot check alone (bbox, lists of known codes, local times), parsed for the routes. */
import { badRequest } from '../errors.js';
import { parseLocalTime } from '../hours/index.js';
import type { Bbox } from '../schemas/common.js';
import type { CoverageQuery } from '../coverage/service.js';

/**
 * A grid or station named in a path (schemas/common.ts IdOrCode): 1–9 digits are an id, anything
 * else a code — the one rule every route uses, so a 15-digit grid code never reaches an integer column.
 * @example parseRef('17') // { id: 17 }   parseRef('210291001001001') // { code: '210291001001001' }
 */
export function parseRef(value: string): { id: number } | { code: string } {
  return /^\d{1,9}$/.test(value) && Number(value) >= 1 ? { id: Number(value) } : { code: value };
}

/** Parses and checks a bbox query value. */
export function parseBbox(value: string | undefined): Bbox | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length !== 4 || parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n))) {
    throw badRequest(
      'invalid_bbox',
      `bbox 格式错误：应为“最小经度,最小纬度,最大经度,最大纬度”四个数字，收到“${value}”`,
      `Malformed bbox: expected minLon,minLat,maxLon,maxLat, got "${value}"`,
    );
  }
  const [a, b, c, d] = nums;
  if (a < -180 || c > 180 || b < -90 || d > 90) {
    throw badRequest('invalid_bbox', 'bbox 超出经纬度范围（经度 -180~180，纬度 -90~90）', 'bbox out of range (lon -180..180, lat -90..90)');
  }
  if (a > c || b > d) {
    throw badRequest('invalid_bbox', 'bbox 的最小值大于最大值', 'bbox minimum is greater than its maximum');
  }
  return [a, b, c, d];
}

/** Splits a comma-separated list and checks every item against `allowed`. */
export function parseList(value: string | undefined, allowed: readonly string[], name: string): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const items = [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = items.filter((i) => !allowed.includes(i));
  if (unknown.length) {
    throw badRequest(
      `invalid_${name}`,
      `未知的 ${name}：${unknown.join(', ')}；可选：${allowed.join(', ')}`,
      `Unknown ${name}: ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`,
    );
  }
  return items;
}

/** Parses `open_at`: ISO 8601; without an offset it is the wall clock in the city's zone. */
export function parseOpenAt(value: string | undefined, timeZone: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = parseLocalTime(value, timeZone);
  if (!d) {
    throw badRequest(
      'invalid_open_at',
      `open_at 应为 ISO 8601 时间，例如 2026-11-23T02:00 或 2026-11-23T02:00:00+08:00，收到“${value}”`,
      `open_at must be an ISO 8601 time, e.g. 2026-11-23T02:00 or 2026-11-23T02:00:00+08:00, got "${value}"`,
    );
  }
  return d;
}

/** The coverage question of /api/coverage, /api/coverage/gaps and the gap export: types (default all), standard override, opening time. */
export function parseCoverageQuery(
  q: { types?: string; mode?: 'radius' | 'walk'; radius?: number; minutes?: number; open_at?: string; combine?: 'any' | 'all' },
  allTypes: readonly string[],
  timeZone: string,
): CoverageQuery {
  const types = parseList(q.types, allTypes, 'types') ?? [...allTypes];
  if (q.radius !== undefined && q.mode === 'walk') throw badRequest('invalid_mode', 'radius 只能用于 radius 模式', 'radius applies to mode=radius only');
  if (q.minutes !== undefined && q.mode === 'radius') throw badRequest('invalid_mode', 'minutes 只能用于 walk 模式', 'minutes applies to mode=walk only');
  return { types, mode: q.mode, radiusM: q.radius, minutes: q.minutes, openAt: parseOpenAt(q.open_at, timeZone), combine: q.combine };
}
