/**
 * Opening hours in OpenStreetMap `opening_hours` syntax, evaluated in the city's time zone.
 * Pure: no I/O; parsed rules are memoised because stations share a handful of patterns.
 */
import opening_hours from 'opening_hours';

const parsed = new Map<string, opening_hours | Error>();

function parse(value: string): opening_hours | Error {
  let oh = parsed.get(value);
  if (!oh) {
    try {
      // No nominatim object: public-holiday (PH) rules are then not evaluated; Chinese holidays
      // are not in the library's data for our purposes anyway.
      oh = new opening_hours(value, null, { mode: 0, tag_key: 'opening_hours', map_value: false, warnings_severity: 4, locale: 'en' });
    } catch (err) {
      oh = err instanceof Error ? err : new Error(String(err));
    }
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(value, oh);
  }
  return oh;
}

/**
 * Checks `value` is valid opening_hours syntax.
 * @returns null when valid, else the library's message.
 * @example validateOpeningHours('Mo-Fr 08:00-18:00') // null
 */
export function validateOpeningHours(value: string): string | null {
  if (typeof value !== 'string' || value.trim() === '') return 'empty opening_hours';
  const oh = parse(value);
  return oh instanceof Error ? oh.message.split('\n')[0] : null;
}

/**
 * The library reads a Date through its local-time getters; hand it a Date whose local fields
 * equal the wall clock in `timeZone`, so evaluation does not depend on the server's TZ.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

let last: { sec: number; zone: string; wallMs: number } | null = null;

/**
 * The wall clock of `instant` in `timeZone`, as the time value of a Date whose local fields show it
 * (whole seconds). Memoised per second: the formatted fields depend only on the whole second, and a
 * request (or a whole second of requests) evaluates many stations at one instant.
 */
function wallClockMs(instant: Date, timeZone: string): number {
  const sec = Math.floor(instant.getTime() / 1000);
  if (last && last.sec === sec && last.zone === timeZone) return last.wallMs;
  // Constructing an Intl.DateTimeFormat costs far more than using one: keep one per zone.
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, fmt);
  }
  const parts = fmt.formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const wallMs = new Date(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')).getTime();
  last = { sec, zone: timeZone, wallMs };
  return wallMs;
}

export function wallClockDate(instant: Date, timeZone: string): Date {
  return new Date(wallClockMs(instant, timeZone));
}

/**
 * Last answer per hours string: the library reads only the local fields of the Date it is given,
 * so the same wall-clock time value always gives the same state. Stations share a handful of
 * patterns and a request (or a second of requests) asks at one instant, so this is nearly always
 * a hit; the library's getState walks its rule iterator and costs tens of microseconds.
 */
const lastState = new Map<string, { wallMs: number; state: boolean }>();

/**
 * Is a place with these hours open at `instant` (wall clock in `timeZone`)?
 * @returns true/false, or null when the hours cannot be parsed.
 * @example isOpenAt('24/7', new Date(), 'Asia/Shanghai') // true
 */
export function isOpenAt(value: string, instant: Date, timeZone = 'Asia/Shanghai'): boolean | null {
  const oh = parse(value);
  if (oh instanceof Error) return null;
  const wallMs = wallClockMs(instant, timeZone);
  const hit = lastState.get(value);
  if (hit && hit.wallMs === wallMs) return hit.state;
  const state = oh.getState(new Date(wallMs));
  if (lastState.size > 10_000) lastState.clear();
  lastState.set(value, { wallMs, state });
  return state;
}

const lastChange = new Map<string, { wallMs: number; next: string | null }>();

const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');

/**
 * When the open/closed state next flips after `instant`, looking at most 8 days ahead, as ISO 8601
 * in the city's wall clock with its offset ("2026-12-03T21:00+08:00"): a courier card says
 * "营业至 21:00" or "明天 08:30 开门" from it without knowing the time zone.
 * @returns null when the hours never change in that window (24/7, always closed) or cannot be parsed.
 * @example nextChangeAt('Mo-Su 07:00-21:00', new Date('2026-12-03T04:00:00Z'), 'Asia/Shanghai') // '2026-12-03T21:00+08:00'
 */
export function nextChangeAt(value: string, instant: Date, timeZone = 'Asia/Shanghai'): string | null {
  const oh = parse(value);
  if (oh instanceof Error) return null;
  const wallMs = wallClockMs(instant, timeZone);
  const key = `${timeZone}|${value}`;
  const hit = lastChange.get(key);
  if (hit && hit.wallMs === wallMs) return hit.next;
  const d = oh.getNextChange(new Date(wallMs), new Date(wallMs + 8 * 86_400_000));
  let next: string | null = null;
  if (d) {
    const wall = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const offsetMin = Math.round(zoneOffsetMs(parseLocalTime(wall, timeZone)!, timeZone) / 60_000);
    next = `${wall}${offsetMin < 0 ? '-' : '+'}${pad(Math.trunc(offsetMin / 60))}:${pad(offsetMin % 60)}`;
  }
  if (lastChange.size > 10_000) lastChange.clear();
  lastChange.set(key, { wallMs, next });
  return next;
}

/** True when the hours say always open ("24/7"), for a 24h badge. */
export function isAlwaysOpen(value: string): boolean {
  return value.trim() === '24/7';
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds. */
function zoneOffsetMs(instant: Date, timeZone: string): number {
  const wall = wallClockDate(instant, timeZone);
  const wallAsUtc = Date.UTC(wall.getFullYear(), wall.getMonth(), wall.getDate(), wall.getHours(), wall.getMinutes(), wall.getSeconds());
  return wallAsUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * Reads an ISO 8601 time. With an offset or Z it is that instant; without one
 * ("2026-11-23T02:00") it is the wall clock in `timeZone` — what a planner means by "at 02:00".
 * @returns the instant, or null when malformed.
 */
export function parseLocalTime(value: string, timeZone = 'Asia/Shanghai'): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, zone] = m;
  if (zone) {
    const t = new Date(value.trim());
    return Number.isNaN(t.getTime()) ? null : t;
  }
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)] as const;
  if (fields[1] > 11 || fields[2] < 1 || fields[2] > 31 || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) return null;
  const guess = Date.UTC(...fields);
  // Two passes settle the offset even across a DST change.
  let t = guess - zoneOffsetMs(new Date(guess), timeZone);
  t = guess - zoneOffsetMs(new Date(t), timeZone);
  return new Date(t);
}
