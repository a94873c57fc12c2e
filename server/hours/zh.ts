/**
 * Opening hours as people write them in Chinese station lists → OSM `opening_hours` (pure, no I/O).
 *
 *   "24小时" / "全天" / "7×24小时"               → 24/7
 *   "每天 7:00-21:00"                           → 07:00-21:00
 *   "周一至周五 8:30-17:30；周六 9:00-12:00"     → Mo-Fr 08:30-17:30; Sa 09:00-12:00
 *   "工作日 9:00-17:00，周末休息"                 → Mo-Fr 09:00-17:00; Sa,Su off
 *   "周一至周五 11:00-13:00、17:00-19:00"         → Mo-Fr 11:00-13:00,17:00-19:00
 *   "每天 8:00-20:00，节假日休息"                 → 08:00-20:00; PH off
 *   "上午8点半-11点半 下午2点-5点半"              → 08:30-11:30,14:00-17:30
 *
 * Text is read as a list of tokens: days (周一…周日, 星期/礼拜 …, ranges with 至 / 到 / - / ~,
 * 每天, 工作日, 周末), public holidays (节假日, 法定节假日), time ranges (7:00, 7点, 7点半, 上午 /
 * 下午 / 晚上, 次日), "always" (24小时, 全天), "closed" (休息, 不营业, 闭馆 …; "除外" after days).
 * A day or holiday token after a time starts the next rule. Anything else is not guessed: the
 * reader names where it stopped, in Chinese first.
 *
 * `readOpeningHours` is what the importer calls: text that is already OSM syntax is kept, Chinese
 * text is converted, and the result is checked by the opening_hours library exactly once.
 */
import opening_hours from 'opening_hours';

export interface HoursMessage {
  zh: string;
  en: string;
}

type Token =
  | { t: 'days'; days: number[] } // 0 = Monday … 6 = Sunday
  | { t: 'ph' }
  | { t: 'time'; from: string; to: string }
  | { t: 'always' }
  | { t: 'off' }
  | { t: 'except' }
  | { t: 'open' };

const DAY_OF: Record<string, number> = {
  一: 0,
  二: 1,
  三: 2,
  四: 3,
  五: 4,
  六: 5,
  日: 6,
  天: 6,
  七: 6,
  '1': 0,
  '2': 1,
  '3': 2,
  '4': 3,
  '5': 4,
  '6': 5,
  '7': 6,
};
const OSM_DAY = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];

/** Full-width forms to ASCII (NFKC), dashes and "至 / 到 / ~" to "-", Chinese colons to ":". */
function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[—–－~～〜]|至|到/g, '-')
    .replace(/[：]/g, ':')
    .replace(/\s*-\s*/g, '-')
    .trim();
}

const DAY = '(?:周|星期|礼拜)([一二三四五六日天七1-7])';
const CLOCK = '(上午|早上|早晨|中午|下午|晚上|傍晚)?(次日)?(\\d{1,2})(?:[:.](\\d{2})|点(?:(半)|(\\d{1,2})分?)?|时)?';

const MATCHERS: [RegExp, (m: RegExpExecArray) => Token | Token[] | null][] = [
  [
    /^(?:7[x×*]24(?:小时|h)?|24\/7|24(?:小时|h|hours?)(?:营业|开放|服务|值守)?|全天(?:候)?(?:24小时)?(?:营业|开放|服务)?|全年无休|不打烊)/i,
    () => ({ t: 'always' }),
  ],
  [
    new RegExp(`^${DAY}-(?:周|星期|礼拜)?([一二三四五六日天七1-7])`),
    (m) => {
      const a = DAY_OF[m[1]];
      const b = DAY_OF[m[2]];
      const days: number[] = [];
      for (let d = a; ; d = (d + 1) % 7) {
        days.push(d);
        if (d === b || days.length > 7) break;
      }
      return { t: 'days', days };
    },
  ],
  // "周六日", "周六、日": a day followed by bare day characters.
  [
    new RegExp(`^${DAY}((?:[、,和及]?[一二三四五六日天七])*)`),
    (m) => ({ t: 'days', days: [DAY_OF[m[1]], ...[...m[2]].filter((c) => c in DAY_OF).map((c) => DAY_OF[c])] }),
  ],
  [/^(?:每天|每日|天天|全周|每周7天|周一-周日|全年)/, () => ({ t: 'days', days: [0, 1, 2, 3, 4, 5, 6] })],
  [/^(?:工作日|周一-五)/, () => ({ t: 'days', days: [0, 1, 2, 3, 4] })],
  [/^(?:周末|双休日|公休日)/, () => ({ t: 'days', days: [5, 6] })],
  [/^(?:法定)?(?:节假日|节日|假日|假期)/, () => ({ t: 'ph' })],
  [
    new RegExp(`^${CLOCK}-${CLOCK}`),
    (m) => {
      const start = clock(m[1], m[3], m[4], m[5], m[6], false);
      // "下午2点-5点": the end takes the start's half of the day when it names none.
      const end = clock(m[7] ?? (m[1] && /下午|晚上|傍晚/.test(m[1]) ? m[1] : undefined), m[9], m[10], m[11], m[12], !!m[8]);
      if (!start || !end) return null;
      return { t: 'time', from: start, to: end };
    },
  ],
  [/^(?:休息|休假|不营业|不开放|不对外开放|关闭|闭馆|闭店|停业|歇业|休)/, () => ({ t: 'off' })],
  [/^(?:除外)/, () => ({ t: 'except' })],
  [/^(?:正常营业|照常营业|照常开放|正常开放|照常|营业|开放|服务|对外开放|均|都|为|时间|营业时间|开放时间)/, () => ({ t: 'open' })],
];

/** "下午", "2", "30" … → "14:30"; null when out of range. `nextDay` allows up to 24:00 plus "次日" hours (OSM wraps past midnight). */
function clock(
  half: string | undefined,
  h: string,
  mm: string | undefined,
  halfHour: string | undefined,
  min: string | undefined,
  nextDay: boolean,
): string | null {
  let hour = Number(h);
  const minute = mm !== undefined ? Number(mm) : halfHour ? 30 : min !== undefined ? Number(min) : 0;
  if (half && /下午|晚上|傍晚/.test(half) && hour < 12) hour += 12;
  if (half === '中午' && hour < 6) hour += 12;
  if (hour > 24 || minute > 59 || (hour === 24 && minute > 0)) return null;
  void nextDay; // "次日2:00" is written 02:00: an end before the start already means "after midnight" in OSM.
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** Day numbers → OSM selector, runs of three or more as ranges: [0,1,2,3,4] → "Mo-Fr", [5,6] → "Sa,Su". */
function daySelector(days: number[]): string {
  const set = [...new Set(days)].sort((a, b) => a - b);
  if (set.length === 7) return '';
  const parts: string[] = [];
  for (let i = 0; i < set.length; ) {
    let j = i;
    while (j + 1 < set.length && set[j + 1] === set[j] + 1) j++;
    if (j - i >= 2) parts.push(`${OSM_DAY[set[i]]}-${OSM_DAY[set[j]]}`);
    else for (let k = i; k <= j; k++) parts.push(OSM_DAY[set[k]]);
    i = j + 1;
  }
  return parts.join(',');
}

const SEPARATORS = /^[\s,，、;；/|。.:()[\]【】]+/;

/**
 * Converts Chinese opening-hours text to OSM `opening_hours` syntax (not yet checked by the library).
 * @returns `{ osm }`, or `{ error }` naming where the text stopped making sense.
 * @example chineseHoursToOsm('周一至周五 8:30-17:30') // { osm: 'Mo-Fr 08:30-17:30' }
 */
export function chineseHoursToOsm(text: string): { osm: string } | { error: HoursMessage } {
  const s = normalise(text);
  const tokens: Token[] = [];
  let rest = s;
  while (rest.length > 0) {
    const sep = SEPARATORS.exec(rest);
    if (sep) {
      rest = rest.slice(sep[0].length);
      continue;
    }
    let matched = false;
    for (const [re, make] of MATCHERS) {
      const m = re.exec(rest);
      if (!m) continue;
      const tok = make(m);
      if (!tok) {
        return { error: { zh: `时间“${m[0]}”超出范围（小时 0–24，分钟 0–59）`, en: `time "${m[0]}" is out of range (hours 0–24, minutes 0–59)` } };
      }
      tokens.push(...(Array.isArray(tok) ? tok : [tok]));
      rest = rest.slice(m[0].length);
      matched = true;
      break;
    }
    if (!matched) {
      const at = rest.slice(0, 12);
      return {
        error: {
          zh: `从“${at}”起（第 ${s.length - rest.length + 1} 个字符）不是日期、时间段或“休息”等词`,
          en: `from "${at}" (character ${s.length - rest.length + 1}) there is no day, time range or word such as 休息 (closed)`,
        },
      };
    }
  }

  interface Rule {
    days: number[];
    ph: boolean;
    times: string[];
    always: boolean;
    off: boolean;
  }
  const rules: Rule[] = [];
  let cur: Rule = { days: [], ph: false, times: [], always: false, off: false };
  const hasContent = (r: Rule) => r.times.length > 0 || r.always || r.off;
  const flush = () => {
    if (cur.days.length || cur.ph || hasContent(cur)) rules.push(cur);
    cur = { days: [], ph: false, times: [], always: false, off: false };
  };
  for (const tok of tokens) {
    switch (tok.t) {
      case 'days':
      case 'ph':
        if (hasContent(cur)) flush();
        if (tok.t === 'days') cur.days.push(...tok.days);
        else cur.ph = true;
        break;
      case 'time':
        cur.times.push(`${tok.from}-${tok.to}`);
        break;
      case 'always':
        cur.always = true;
        break;
      case 'off':
      case 'except':
        cur.off = true;
        break;
      case 'open':
        break;
    }
  }
  flush();
  // "9:00-17:00（周一至周五）": days written after their times belong to the rule before.
  for (let i = rules.length - 1; i > 0; i--) {
    const r = rules[i];
    const prev = rules[i - 1];
    if (!hasContent(r) && !prev.days.length && !prev.ph && hasContent(prev)) {
      prev.days = r.days;
      prev.ph = r.ph;
      rules.splice(i, 1);
    }
  }
  if (rules.length === 0) return { error: { zh: '没有日期或时间', en: 'no days or times' } };

  const out: string[] = [];
  for (const r of rules) {
    const sel = [daySelector(r.days), r.ph ? 'PH' : ''].filter(Boolean).join(',');
    if (r.off) {
      if (r.times.length || r.always) return { error: { zh: '同一条规则既有营业时间又写了“休息”', en: 'one rule has both opening times and "closed"' } };
      out.push(`${sel || 'Mo-Su'} off`);
    } else if (r.times.length) out.push(`${sel ? `${sel} ` : ''}${r.times.join(',')}`);
    else if (r.always) out.push(sel ? `${sel} 00:00-24:00` : '24/7');
    else return { error: { zh: `“${sel}”后没有时间段（如 8:30-17:30）`, en: `no time range after "${sel}" (e.g. 8:30-17:30)` } };
  }
  return { osm: out.join('; ') };
}

export type HoursReading =
  | { ok: true; osm: string /** True when the text was converted (not already OSM syntax). */; converted: boolean }
  | { ok: false; zh: string; en: string };

const CJK = /[\u3400-\u9fff\uff00-\uffef]/;
const EXAMPLES_ZH = '可写“24小时”“每天 7:00-21:00”“周一至周五 8:30-17:30；周六 9:00-12:00”“工作日 9:00-17:00，节假日休息”，或 OSM 格式（如 Mo-Fr 08:30-17:30）';
const EXAMPLES_EN = 'write e.g. "24小时", "每天 7:00-21:00", "周一至周五 8:30-17:30；周六 9:00-12:00", or OSM syntax such as "Mo-Fr 08:30-17:30"';

/** The library's check, once: null when valid, else its first line. PH rules need a country (China). */
function osmError(value: string, lonLat: readonly [number, number]): string | null {
  try {
    new opening_hours(value, { lat: lonLat[1], lon: lonLat[0], address: { country_code: 'cn', state: '' } });
    return null;
  } catch (e) {
    return String(e instanceof Error ? e.message : e)
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 160);
  }
}

/**
 * Reads opening hours as a station list gives them: OSM syntax kept, Chinese converted; the result
 * is checked by the opening_hours library once. Messages are Chinese first and never only the
 * library's English.
 * @example readOpeningHours('24小时') // { ok: true, osm: '24/7', converted: true }
 */
export function readOpeningHours(text: string, lonLat: readonly [number, number] = [121.6, 38.91]): HoursReading {
  const value = text.trim();
  if (value === '') return { ok: false, zh: '营业时间为空', en: 'opening hours are empty' };
  // Text without Chinese is tried as OSM syntax first (comments, week numbers and the rest of the
  // syntax stay as written); Chinese text, or what the library refuses, goes to the converter.
  const cjk = CJK.test(value);
  const osmErr = cjk ? null : osmError(value, lonLat);
  if (!cjk && osmErr === null) return { ok: true, osm: value, converted: false };
  const c = chineseHoursToOsm(value);
  if ('error' in c || c.osm === value) {
    const why = 'error' in c ? c.error : { zh: '不是可识别的写法', en: osmErr ?? 'not readable' };
    return {
      ok: false,
      zh: `营业时间“${value}”无法识别：${why.zh}。${EXAMPLES_ZH}`,
      en: `opening hours "${value}" cannot be read: ${why.en}${osmErr && 'error' in c ? ` (as OSM syntax: ${osmErr})` : ''}; ${EXAMPLES_EN}`,
    };
  }
  const err = osmError(c.osm, lonLat);
  if (err)
    return {
      ok: false,
      zh: `营业时间“${value}”转换为“${c.osm}”后仍无效。${EXAMPLES_ZH}`,
      en: `opening hours "${value}" (read as "${c.osm}") are not valid: ${err}; ${EXAMPLES_EN}`,
    };
  return { ok: true, osm: c.osm, converted: true };
}
