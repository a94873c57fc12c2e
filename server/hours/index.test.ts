import { describe, expect, it } from 'vitest';
import { isAlwaysOpen, isOpenAt, nextChangeAt, parseLocalTime, validateOpeningHours, wallClockDate } from './index.js';

// 2026-11-23 is a Monday. 02:00 in Shanghai is 18:00 UTC the day before.
const at = (iso: string) => new Date(iso);

describe('opening hours', () => {
  it('accepts OSM syntax and rejects nonsense', () => {
    expect(validateOpeningHours('24/7')).toBeNull();
    expect(validateOpeningHours('Mo-Fr 08:00-18:00')).toBeNull();
    expect(validateOpeningHours('Mo-Sa 08:00-20:00; Su 09:00-17:00')).toBeNull();
    expect(validateOpeningHours('whenever we feel like it')).toMatch(/./);
    expect(validateOpeningHours('')).toMatch(/empty/);
  });

  it('evaluates in the city time zone, not the server one', () => {
    // Monday 09:00 in Shanghai = Monday 01:00 UTC.
    expect(isOpenAt('Mo-Fr 08:00-18:00', at('2026-11-23T01:00:00Z'), 'Asia/Shanghai')).toBe(true);
    // Monday 02:00 in Shanghai = Sunday 18:00 UTC: closed although 18:00 UTC Sunday is not a weekday.
    expect(isOpenAt('Mo-Fr 08:00-18:00', at('2026-11-22T18:00:00Z'), 'Asia/Shanghai')).toBe(false);
    // Same instant read in UTC is Sunday 18:00 → closed for weekday hours, open for Su rules.
    expect(isOpenAt('Su 17:00-19:00', at('2026-11-22T18:00:00Z'), 'UTC')).toBe(true);
    expect(isOpenAt('Su 17:00-19:00', at('2026-11-22T18:00:00Z'), 'Asia/Shanghai')).toBe(false);
  });

  it('24/7 is open at 02:00 and marked always open', () => {
    expect(isOpenAt('24/7', at('2026-11-22T18:00:00Z'))).toBe(true);
    expect(isAlwaysOpen('24/7')).toBe(true);
    expect(isAlwaysOpen('Mo-Fr 08:00-18:00')).toBe(false);
  });

  it('split shifts close between the two', () => {
    const h = 'Mo-Su 10:30-13:00,16:30-18:30';
    expect(isOpenAt(h, at('2026-11-23T03:00:00Z'))).toBe(true); // 11:00 local
    expect(isOpenAt(h, at('2026-11-23T06:00:00Z'))).toBe(false); // 14:00 local
    expect(isOpenAt(h, at('2026-11-23T09:00:00Z'))).toBe(true); // 17:00 local
  });

  it('unparsable hours give null, not a guess', () => {
    expect(isOpenAt('nonsense', new Date())).toBeNull();
  });

  it('wallClockDate reproduces the zone wall clock', () => {
    const d = wallClockDate(at('2026-11-22T18:30:00Z'), 'Asia/Shanghai');
    expect([d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()]).toEqual([2026, 11, 23, 2, 30]);
  });
});

describe('parseLocalTime', () => {
  it('reads a time without offset as the city wall clock', () => {
    expect(parseLocalTime('2026-11-23T02:00', 'Asia/Shanghai')?.toISOString()).toBe('2026-11-22T18:00:00.000Z');
    expect(parseLocalTime('2026-11-23T02:00:00', 'UTC')?.toISOString()).toBe('2026-11-23T02:00:00.000Z');
  });
  it('keeps an explicit offset', () => {
    expect(parseLocalTime('2026-11-23T02:00:00+08:00')?.toISOString()).toBe('2026-11-22T18:00:00.000Z');
    expect(parseLocalTime('2026-11-23T02:00:00Z')?.toISOString()).toBe('2026-11-23T02:00:00.000Z');
  });
  it('rejects malformed input', () => {
    expect(parseLocalTime('tomorrow')).toBeNull();
    expect(parseLocalTime('2026-13-01T00:00')).toBeNull();
    expect(parseLocalTime('2026-11-23T25:00')).toBeNull();
  });

  it('next change: the closing time while open, the next opening while closed, in the city wall clock', () => {
    // Monday 2026-11-23 12:00 in Shanghai = 04:00 UTC.
    const noon = at('2026-11-23T04:00:00Z');
    expect(nextChangeAt('Mo-Su 07:00-21:00', noon, 'Asia/Shanghai')).toBe('2026-11-23T21:00+08:00');
    expect(nextChangeAt('Mo-Fr 11:00-13:00', noon, 'Asia/Shanghai')).toBe('2026-11-23T13:00+08:00');
    // Open past midnight: closed at noon, opens at 22:00.
    expect(nextChangeAt('Mo-Su 22:00-02:00', noon, 'Asia/Shanghai')).toBe('2026-11-23T22:00+08:00');
    // Friday 2026-11-27 20:00 in Shanghai (12:00 UTC): weekday hours open again on Monday.
    expect(nextChangeAt('Mo-Fr 08:30-17:30', at('2026-11-27T12:00:00Z'), 'Asia/Shanghai')).toBe('2026-11-30T08:30+08:00');
    // The same instant read in UTC is Friday 12:00: still open until 17:30 that day.
    expect(nextChangeAt('Mo-Fr 08:30-17:30', at('2026-11-27T12:00:00Z'), 'UTC')).toBe('2026-11-27T17:30+00:00');
    // Never changes, or unreadable: null.
    // Across a DST change the offset is the one at the change: Berlin opens Monday 30 March 2026 in summer time.
    expect(nextChangeAt('Mo-Fr 08:00-18:00', at('2026-03-27T18:00:00Z'), 'Europe/Berlin')).toBe('2026-03-30T08:00+02:00');
    expect(nextChangeAt('24/7', noon)).toBeNull();
    expect(nextChangeAt('off', noon)).toBeNull();
    expect(nextChangeAt('whenever we feel like it', noon)).toBeNull();
  });
});
