/**
 * The coverage standard the planner asks for (pure): each type's own, a custom radius in metres
 * or custom walking minutes. Browser-side validation mirrors the API's limits
 * (server/routes/coverage.ts: radius 10–20000 m, minutes 1–120) with whole numbers only, so a
 * wrong entry gets a clear message instead of a 400. The choice is kept in the URL hash
 * (`#mode=radius&radius=500`, `#mode=walk&minutes=10`) so a view can be shared or reloaded.
 */
import type { CoverageParams } from '../api/client.js';

export type Mode = 'standard' | 'radius' | 'walk';

export const RADIUS_LIMITS = { min: 10, max: 20000, default: 1000 } as const;
export const MINUTES_LIMITS = { min: 1, max: 120, default: 15 } as const;

export interface Standard {
  mode: Mode;
  radius: number;
  minutes: number;
}

export const DEFAULT_STANDARD: Standard = { mode: 'standard', radius: RADIUS_LIMITS.default, minutes: MINUTES_LIMITS.default };

/**
 * A whole number within [min, max] from what the user typed (spaces and full-width digits
 * allowed, as a Chinese IME may produce them), else null.
 * @example parseWhole(' ５００ ', 10, 20000) === 500
 */
export function parseWhole(text: string, min: number, max: number): number | null {
  const s = text.trim().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48));
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
}

export type FieldCheck = { ok: true; value: number } | { ok: false; key: 'custom.radiusInvalid' | 'custom.minutesInvalid'; vars: { min: number; max: number } };

export function checkRadius(text: string): FieldCheck {
  const v = parseWhole(text, RADIUS_LIMITS.min, RADIUS_LIMITS.max);
  return v === null ? { ok: false, key: 'custom.radiusInvalid', vars: { min: RADIUS_LIMITS.min, max: RADIUS_LIMITS.max } } : { ok: true, value: v };
}

export function checkMinutes(text: string): FieldCheck {
  const v = parseWhole(text, MINUTES_LIMITS.min, MINUTES_LIMITS.max);
  return v === null ? { ok: false, key: 'custom.minutesInvalid', vars: { min: MINUTES_LIMITS.min, max: MINUTES_LIMITS.max } } : { ok: true, value: v };
}

/** The API's mode parameters for a standard (nothing for each type's own). */
export function standardParams(s: Standard): Pick<CoverageParams, 'mode' | 'radius' | 'minutes'> {
  if (s.mode === 'radius') return { mode: 'radius', radius: s.radius };
  if (s.mode === 'walk') return { mode: 'walk', minutes: s.minutes };
  return {};
}

/** The URL hash for a standard ('' for the default, each type's own). */
export function formatHash(s: Standard): string {
  const p = new URLSearchParams();
  if (s.mode === 'radius') p.set('radius', String(s.radius));
  if (s.mode === 'walk') p.set('minutes', String(s.minutes));
  if (s.mode !== 'standard') return `#mode=${s.mode}&${p}`;
  return '';
}

/** The standard named by a URL hash; anything missing or out of range falls back to the defaults. */
export function parseHash(hash: string): Standard {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const mode = p.get('mode');
  const radius = parseWhole(p.get('radius') ?? '', RADIUS_LIMITS.min, RADIUS_LIMITS.max) ?? RADIUS_LIMITS.default;
  const minutes = parseWhole(p.get('minutes') ?? '', MINUTES_LIMITS.min, MINUTES_LIMITS.max) ?? MINUTES_LIMITS.default;
  return { mode: mode === 'radius' || mode === 'walk' ? mode : 'standard', radius, minutes };
}
