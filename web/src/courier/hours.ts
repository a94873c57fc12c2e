/**
 * The hours line of a courier card: "营业至 21:00", "明天 08:30 开门", "24小时". Pure: reads the
 * station's `next_change` (ISO 8601 in the city's wall clock with its offset, server/hours) and the
 * answer's `evaluated_at`, so the day words are the city's, whatever the phone's time zone.
 */
import type { MessageKey } from '../i18n/messages.js';

export interface HoursInput {
  status: string;
  always_open: boolean;
  open_now: boolean | null;
  next_change: string | null;
}

export interface HoursLine {
  key: MessageKey;
  /** The time, and the day when it is not today: 'tomorrow' or a weekday 0 (Sunday) … 6. */
  time?: string;
  day?: 'today' | 'tomorrow' | number;
}

const NEXT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})([+-])(\d{2}):(\d{2})$/;

/**
 * @example hoursLine({ status: 'open', always_open: false, open_now: true, next_change: '2026-12-03T21:00+08:00' }, '2026-12-03T04:00:00Z')
 *   // { key: 'courier.until', time: '21:00', day: 'today' }
 */
export function hoursLine(p: HoursInput, evaluatedAt: string): HoursLine | null {
  if (p.status !== 'open') return null;
  // 24/7: the card's badge already says 24小时.
  if (p.always_open) return null;
  if (p.open_now === null) return null;
  const m = p.next_change ? NEXT.exec(p.next_change) : null;
  if (!m) return p.open_now ? null : { key: 'courier.closedWeek' };
  const [, y, mo, d, time, sign, oh, om] = m;
  const offsetMs = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  // The city's calendar day at evaluation and at the change, as days since the epoch.
  const evalDay = Math.floor((Date.parse(evaluatedAt) + offsetMs) / 86_400_000);
  const nextDay = Math.floor(Date.UTC(Number(y), Number(mo) - 1, Number(d)) / 86_400_000);
  const diff = nextDay - evalDay;
  const day = diff <= 0 ? 'today' : diff === 1 ? 'tomorrow' : new Date(nextDay * 86_400_000).getUTCDay();
  return { key: p.open_now ? 'courier.until' : 'courier.opens', time, day };
}
