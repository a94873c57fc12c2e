/**
 * isOpenAt and wallClockDate remember their last answers (per second, per hours string). These
 * tests compare them with a plain evaluation that shares no state with the module: its own
 * opening_hours objects (parsed once per string here; getState keeps no state between calls) and
 * its own Intl conversion on every call.
 */
import { describe, expect, it } from 'vitest';
import opening_hours from 'opening_hours';
import { isOpenAt, wallClockDate } from './index.js';

const OPTIONS = { mode: 0, tag_key: 'opening_hours', map_value: false, warnings_severity: 4, locale: 'en' } as const;

const fmts = new Map<string, Intl.DateTimeFormat>();
function referenceWall(instant: Date, timeZone: string): Date {
  if (!fmts.has(timeZone))
    fmts.set(
      timeZone,
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
    );
  const parts = fmts.get(timeZone)!.formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return new Date(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

const refParsed = new Map<string, opening_hours | null>();
function referenceOpen(value: string, instant: Date, timeZone: string): boolean | null | 'threw' {
  if (!refParsed.has(value)) {
    try {
      refParsed.set(value, new opening_hours(value, null, OPTIONS));
    } catch {
      refParsed.set(value, null);
    }
  }
  const oh = refParsed.get(value);
  if (!oh) return null;
  try {
    return oh.getState(referenceWall(instant, timeZone));
  } catch {
    return 'threw';
  }
}

function memoOpen(value: string, instant: Date, timeZone: string): boolean | null | 'threw' {
  try {
    return isOpenAt(value, instant, timeZone);
  } catch {
    return 'threw';
  }
}

const HOURS = [
  '24/7',
  'Mo-Su 07:00-21:00',
  'Mo-Sa 08:00-20:00; Su 09:00-17:00',
  'Mo-Fr 08:30-17:30',
  'Mo-Fr 08:00-18:00',
  'Mo-Su 10:30-13:00,16:30-18:30',
  'Mo-Fr 22:00-06:00',
  'Mo-Su 00:00-24:00',
  'Tu,Th 10:00-14:00; We off',
  'Mo-Fr 08:00-12:00,13:00-17:30; Sa 09:00-12:00; PH off',
  'Mo-Fr 08:00-18:00; Dec 24-26 off',
  'Jan-Mar Mo-Fr 09:00-16:00; Apr-Dec Mo-Fr 08:00-18:00',
  'week 1-53/2 Mo 10:00-12:00',
  'Mo-Fr 06:00-23:59:00',
  'Sa-Su 11:00+',
  'Mo 08:00-08:01',
  'nonsense',
  '',
];
const ZONES = ['Asia/Shanghai', 'UTC', 'Europe/Berlin', 'America/New_York'];

describe('memoised opening hours', () => {
  it('give the same open/closed answers as a fresh evaluation, over many hours strings, instants and zones', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const base = Date.UTC(2025, 0, 1);
    const seen = { true: 0, false: 0, null: 0, threw: 0 };
    for (let i = 0; i < 400; i++) {
      // Random instants over two years, and runs of nearby instants: the same second with other
      // milliseconds, the next millisecond across a second, a minute or an hour boundary.
      const t0 = base + Math.floor(rnd() * 2 * 365 * 86_400_000);
      const roundHour = Math.floor(t0 / 3_600_000) * 3_600_000;
      const instants = [t0, t0 + 1, t0 + 999, roundHour - 1, roundHour, roundHour + 1, roundHour + 59_999, roundHour + 60_000, t0];
      const zone = ZONES[Math.floor(rnd() * ZONES.length)]!;
      for (const t of instants) {
        // Alternate zones within a run too, so the per-zone memo is exercised.
        const z = rnd() < 0.2 ? ZONES[Math.floor(rnd() * ZONES.length)]! : zone;
        for (const h of i % 5 === 0 ? HOURS : [HOURS[Math.floor(rnd() * HOURS.length)]!]) {
          const want = referenceOpen(h, new Date(t), z);
          expect(memoOpen(h, new Date(t), z), `${h} at ${new Date(t).toISOString()} in ${z}`).toBe(want);
          seen[String(want) as keyof typeof seen]++;
        }
      }
    }
    expect(seen.true).toBeGreaterThan(1000);
    expect(seen.false).toBeGreaterThan(1000);
    expect(seen.null).toBeGreaterThan(100);
  });

  it('wallClockDate equals a fresh Intl conversion and returns a new Date each time', () => {
    for (const t of [
      0,
      1,
      999,
      1000,
      -1,
      -1001,
      Date.UTC(2026, 2, 29, 0, 59, 59, 999),
      Date.UTC(2026, 2, 29, 1, 0, 0, 0),
      Date.UTC(2026, 9, 25, 0, 30, 0, 500),
    ]) {
      for (const z of ZONES) {
        const a = wallClockDate(new Date(t), z);
        const b = wallClockDate(new Date(t), z);
        expect(a.getTime()).toBe(referenceWall(new Date(t), z).getTime());
        expect(a).not.toBe(b);
        a.setFullYear(1999); // a caller mutating its copy does not change the memo
        expect(wallClockDate(new Date(t), z).getTime()).toBe(b.getTime());
      }
    }
  });

  it('an invalid instant still throws', () => {
    expect(() => wallClockDate(new Date(NaN), 'UTC')).toThrow(RangeError);
  });
});
