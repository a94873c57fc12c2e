import { describe, expect, it } from 'vitest';
import { isOpenAt, parseLocalTime } from './index.js';
import { chineseHoursToOsm, readOpeningHours } from './zh.js';

// 2026-12-02 is a Wednesday, 12-05 a Saturday, 12-06 a Sunday (checked below with getUTCDay).
const WED = '2026-12-02';
const SAT = '2026-12-05';
const SUN = '2026-12-06';
const at = (day: string, hm: string) => parseLocalTime(`${day}T${hm}`, 'Asia/Shanghai')!;

/** Text → open/closed at wall-clock times a reader of the Chinese text expects (not derived from the converter). */
const CASES: [string, [string, string, boolean][]][] = [
  [
    '24小时',
    [
      [WED, '03:00', true],
      [SUN, '23:59', true],
    ],
  ],
  ['全天', [[SAT, '02:00', true]]],
  ['7×24小时', [[WED, '04:00', true]]],
  [
    '每天 7:00-21:00',
    [
      [WED, '06:59', false],
      [WED, '07:00', true],
      [SUN, '20:59', true],
      [SUN, '21:00', false],
    ],
  ],
  [
    '周一至周五 8:30-17:30',
    [
      [WED, '08:29', false],
      [WED, '08:30', true],
      [WED, '17:29', true],
      [WED, '17:30', false],
      [SAT, '10:00', false],
    ],
  ],
  [
    '周一至周五 11:00-13:00',
    [
      [WED, '12:00', true],
      [WED, '13:30', false],
      [SUN, '12:00', false],
    ],
  ],
  [
    '工作日 9:00-17:00，周末休息',
    [
      [WED, '10:00', true],
      [SAT, '10:00', false],
      [SUN, '10:00', false],
    ],
  ],
  [
    '周末 10:00-16:00',
    [
      [WED, '11:00', false],
      [SAT, '11:00', true],
      [SUN, '15:59', true],
    ],
  ],
  [
    '周一至周五 8:30-17:30；周六 9:00-12:00',
    [
      [SAT, '09:30', true],
      [SAT, '12:30', false],
      [SUN, '09:30', false],
      [WED, '17:00', true],
    ],
  ],
  [
    '上午8点半-11点半 下午2点-5点半',
    [
      [WED, '08:30', true],
      [WED, '12:00', false],
      [WED, '14:00', true],
      [WED, '17:29', true],
      [WED, '17:30', false],
    ],
  ],
  [
    '周一至周五 11:00-13:00、17:00-19:00',
    [
      [WED, '12:00', true],
      [WED, '15:00', false],
      [WED, '18:00', true],
      [SAT, '18:00', false],
    ],
  ],
  [
    '9:00-17:00（周一至周五）',
    [
      [WED, '10:00', true],
      [SAT, '10:00', false],
    ],
  ],
  [
    '星期一到星期六 08：00—18：00',
    [
      [SAT, '08:00', true],
      [SUN, '08:00', false],
    ],
  ],
  [
    '18:00-次日2:00',
    [
      [WED, '23:00', true],
      [WED, '01:00', true],
      [WED, '03:00', false],
    ],
  ],
  [
    '每日8:00至20:00',
    [
      [SUN, '19:00', true],
      [SUN, '07:00', false],
    ],
  ],
];

describe('Chinese opening hours → OSM opening_hours', () => {
  it('the calendar days used below are what the test says they are', () => {
    expect([WED, SAT, SUN].map((d) => new Date(`${d}T12:00:00Z`).getUTCDay())).toEqual([3, 6, 0]);
  });

  it.each(CASES)('%s opens and closes when the text says', (text, checks) => {
    const r = readOpeningHours(text);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    for (const [day, hm, open] of checks) expect(isOpenAt(r.osm, at(day, hm)), `${text} → ${r.osm} at ${day} ${hm}`).toBe(open);
  });

  it('writes the stored form in plain OSM syntax', () => {
    const osm = (t: string) => (readOpeningHours(t) as { osm: string }).osm;
    expect(osm('24小时')).toBe('24/7');
    expect(osm('全天')).toBe('24/7');
    expect(osm('每天 7:00-21:00')).toBe('07:00-21:00');
    expect(osm('周一至周五 8:30-17:30')).toBe('Mo-Fr 08:30-17:30');
    expect(osm('工作日 9:00-17:00')).toBe('Mo-Fr 09:00-17:00');
    expect(osm('周末 10:00-16:00')).toBe('Sa,Su 10:00-16:00');
    expect(osm('节假日休息')).toBe('PH off');
    expect(osm('每天 8:00-20:00，节假日休息')).toBe('08:00-20:00; PH off');
    expect(osm('周一至周五 11:00-13:00')).toBe('Mo-Fr 11:00-13:00');
  });

  it('keeps text that is already OSM syntax, unconverted', () => {
    expect(readOpeningHours('Mo-Fr 08:00-18:00')).toEqual({ ok: true, osm: 'Mo-Fr 08:00-18:00', converted: false });
    expect(readOpeningHours('24/7')).toEqual({ ok: true, osm: '24/7', converted: false });
    expect(readOpeningHours('Mo-Fr 08:00-12:00 "by appointment"; PH off')).toEqual({
      ok: true,
      osm: 'Mo-Fr 08:00-12:00 "by appointment"; PH off',
      converted: false,
    });
    expect(readOpeningHours('24h')).toEqual({ ok: true, osm: '24/7', converted: true });
  });

  it('refuses what it cannot read with a Chinese-first message naming the place, not the parser’s English alone', () => {
    for (const t of ['看心情', '工作日', '周一至周五 25:00-26:00', 'Mo-Fr 8-', '   ']) {
      const r = readOpeningHours(t);
      expect(r.ok, t).toBe(false);
      if (r.ok) continue;
      expect(r.zh).toMatch(/^营业时间/);
      expect(r.zh).not.toMatch(/[A-Za-z]{6,}/); // no English sentence in the Chinese message
      expect(r.en.length).toBeGreaterThan(0);
    }
    expect((chineseHoursToOsm('每天 看心情') as { error: { zh: string } }).error.zh).toContain('看心情');
  });
});
