import { describe, expect, it } from 'vitest';
import { checkMinutes, checkRadius, DEFAULT_STANDARD, formatHash, parseHash, parseWhole, standardParams } from '../../web/src/planner/standard.js';
import { messages } from '../../web/src/i18n/messages.js';

describe('custom coverage standard', () => {
  it('accepts whole numbers within the API limits (full-width digits too)', () => {
    expect(parseWhole('500', 10, 20000)).toBe(500);
    expect(parseWhole(' ５００ ', 10, 20000)).toBe(500);
    for (const bad of ['', 'abc', '1.5', '-5', '9', '20001', '1e3', '500米']) expect(parseWhole(bad, 10, 20000)).toBeNull();
    expect(checkRadius('10')).toEqual({ ok: true, value: 10 });
    expect(checkRadius('20000')).toEqual({ ok: true, value: 20000 });
    expect(checkMinutes('120')).toEqual({ ok: true, value: 120 });
    expect(checkMinutes('0')).toMatchObject({ ok: false, key: 'custom.minutesInvalid', vars: { min: 1, max: 120 } });
    expect(checkRadius('5')).toMatchObject({ ok: false, key: 'custom.radiusInvalid', vars: { min: 10, max: 20000 } });
  });

  it('has a Chinese and an English message for each error', () => {
    expect(messages['custom.radiusInvalid'].zh).toContain('{min}–{max}');
    expect(messages['custom.minutesInvalid'].zh).toContain('分钟');
    expect(messages['custom.radiusInvalid'].en).toContain('metres');
  });

  it('maps to the API parameters', () => {
    expect(standardParams(DEFAULT_STANDARD)).toEqual({});
    expect(standardParams({ mode: 'radius', radius: 500, minutes: 15 })).toEqual({ mode: 'radius', radius: 500 });
    expect(standardParams({ mode: 'walk', radius: 500, minutes: 10 })).toEqual({ mode: 'walk', minutes: 10 });
  });

  it('round-trips through the URL hash; bad hashes fall back to the defaults', () => {
    expect(formatHash(DEFAULT_STANDARD)).toBe('');
    expect(formatHash({ mode: 'radius', radius: 500, minutes: 15 })).toBe('#mode=radius&radius=500');
    expect(formatHash({ mode: 'walk', radius: 500, minutes: 10 })).toBe('#mode=walk&minutes=10');
    for (const s of [DEFAULT_STANDARD, { mode: 'radius' as const, radius: 750, minutes: 15 }, { mode: 'walk' as const, radius: 1000, minutes: 7 }])
      expect(parseHash(formatHash(s))).toEqual(s);
    expect(parseHash('#mode=radius&radius=99999')).toEqual({ mode: 'radius', radius: 1000, minutes: 15 });
    expect(parseHash('#mode=bogus')).toEqual(DEFAULT_STANDARD);
    expect(parseHash('')).toEqual(DEFAULT_STANDARD);
  });
});
