/**
 * The coverage question the planner asks the API (pure): which station types, which standard
 * (standard.ts) and, optionally, at what time of day the stations must be open.
 */
import type { CoverageParams } from '../api/client.js';
import { type Standard, standardParams } from './standard.js';

export interface Question extends Standard {
  /** All types the city has (none left out means: no `types` parameter). */
  types: readonly unknown[];
  selectedTypes: ReadonlySet<string>;
  /** 'HH:MM', or '' for any time. */
  openAt: string;
  /** With several types: covered by any of them (任一类型, the default) or by all of them (全部齐全). */
  combine?: 'any' | 'all';
}

/**
 * The type the planner opens on: 党群服务中心 when the city has it, else its first type (the list
 * comes from the API).
 */
export function defaultType(codes: readonly string[]): string | undefined {
  return codes.includes('party_service_center') ? 'party_service_center' : codes[0];
}

/**
 * The date of `now` (browser-local) plus the chosen time: the API reads it as city-local time.
 * @example openAtParam('08:30', new Date(2024, 0, 5)) === '2024-01-05T08:30'
 */
export function openAtParam(openAt: string, now: Date): string | undefined {
  if (!openAt) return undefined;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${openAt}`;
}

/** The API parameters of a question; the types only when some are left out, `combine` only for 'all'. */
export function coverageParams(q: Question, now: Date): CoverageParams {
  const types = [...q.selectedTypes];
  const p: CoverageParams = { types: types.length === q.types.length ? undefined : types, open_at: openAtParam(q.openAt, now) };
  // 'any' is the API's default: sent only for 'all' with several types.
  if (types.length > 1 && q.combine === 'all') p.combine = 'all';
  return { ...p, ...standardParams(q) };
}
