/** The courier card's hours line: closing time while open, next opening while closed, day words in the city's calendar. */
import { describe, expect, it } from 'vitest';
import { hoursLine } from '../../web/src/courier/hours.js';

const open = (next_change: string | null) => ({ status: 'open', always_open: false, open_now: true, next_change });
const closed = (next_change: string | null) => ({ status: 'open', always_open: false, open_now: false, next_change });

describe('hoursLine', () => {
  // 2026-12-03 is a Thursday; 04:00 UTC is 12:00 in Dalian (+08:00).
  const noon = '2026-12-03T04:00:00Z';

  it('open: until the closing time today', () => {
    expect(hoursLine(open('2026-12-03T21:00+08:00'), noon)).toEqual({ key: 'courier.until', time: '21:00', day: 'today' });
  });

  it('open past midnight: until tomorrow 02:00', () => {
    expect(hoursLine(open('2026-12-04T02:00+08:00'), noon)).toEqual({ key: 'courier.until', time: '02:00', day: 'tomorrow' });
  });

  it("uses the city's calendar, not UTC's: 23:30 UTC on the 2nd is already the 3rd in Dalian", () => {
    // Evaluated at 07:30 on Thursday 3 December in Dalian; opens 08:30 the same day.
    expect(hoursLine(closed('2026-12-03T08:30+08:00'), '2026-12-02T23:30:00Z')).toEqual({ key: 'courier.opens', time: '08:30', day: 'today' });
  });

  it('closed for the weekend: opens on Monday (weekday 1)', () => {
    // Friday 4 December 20:00 in Dalian.
    expect(hoursLine(closed('2026-12-07T08:30+08:00'), '2026-12-04T12:00:00Z')).toEqual({ key: 'courier.opens', time: '08:30', day: 1 });
  });

  it('24 h (the badge says it), temporarily closed, unknown hours, never opening', () => {
    expect(hoursLine({ status: 'open', always_open: true, open_now: true, next_change: null }, noon)).toBeNull();
    expect(hoursLine({ status: 'temporarily_closed', always_open: false, open_now: false, next_change: null }, noon)).toBeNull();
    expect(hoursLine({ status: 'open', always_open: false, open_now: null, next_change: null }, noon)).toBeNull();
    expect(hoursLine(closed(null), noon)).toEqual({ key: 'courier.closedWeek' });
  });
});
