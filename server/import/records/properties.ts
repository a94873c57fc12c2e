/**
 * Property names of imported features (camelCase as in geodata/types.ts, snake_case / other case
 * variants, or common Chinese keys) resolved to one canonical name each, and a reader that checks
 * each property's type and records a problem per bad one.
 */
import type { ImportKind } from './types.js';
import { P, show, typeName, type RecordProblem as Problem } from './problems.js';

export type Canonical =
  | 'code'
  | 'name'
  | 'parentCode'
  | 'communityCode'
  | 'leaderName'
  | 'leaderPhone'
  | 'partyBranch'
  | 'population'
  | 'households'
  | 'type'
  | 'address'
  | 'amenities'
  | 'openingHours'
  | 'phone'
  | 'operator'
  | 'status';

const CODE_ALIASES = ['code', '编码', '代码', '区划代码', '行政区划代码'];
const NAME_ALIASES = ['name', '名称'];
/** Spreadsheets name the parent column after what it is: 所属区 (a street's), 所属街道 (a community's). */
const PARENT_ALIASES = ['parentCode', '上级编码', '上级代码', '所属区', '所属区县', '所属区编码', '所属街道', '所属街道编码'];

/**
 * Accepted property names per kind (first = canonical). Latin names match case-insensitively and
 * ignoring "_", "-" and spaces, so parentCode, parent_code and PARENT-CODE are the same key.
 */
export const PROPERTY_ALIASES: Record<ImportKind, Partial<Record<Canonical, readonly string[]>>> = {
  districts: { code: CODE_ALIASES, name: NAME_ALIASES, parentCode: PARENT_ALIASES },
  streets: { code: CODE_ALIASES, name: NAME_ALIASES, parentCode: PARENT_ALIASES },
  communities: { code: CODE_ALIASES, name: NAME_ALIASES, parentCode: PARENT_ALIASES },
  grids: {
    code: [...CODE_ALIASES, '网格编码'],
    name: [...NAME_ALIASES, '网格名称'],
    communityCode: ['communityCode', 'communityC', 'comm_code', '社区编码', '社区代码', '所属社区', '所属社区编码'],
    leaderName: ['leaderName', 'leader', '网格长', '网格长姓名'],
    leaderPhone: ['leaderPhone', 'leaderPhon', 'leader_tel', '电话', '联系电话', '网格长电话'],
    partyBranch: ['partyBranch', 'partyBranc', 'party', '党支部'],
    population: ['population', '人口', '人口数'],
    households: ['households', '户数'],
  },
  stations: {
    code: [...CODE_ALIASES, '站点编码'],
    type: ['type', '类型', '站点类型'],
    name: [...NAME_ALIASES, '站点名称'],
    address: ['address', '地址'],
    amenities: ['amenities', '设施', '服务设施'],
    openingHours: ['openingHours', 'openingHou', 'opening_hours', 'hours', '营业时间', '开放时间'],
    phone: ['phone', '电话', '联系电话'],
    operator: ['operator', '运营方', '运营单位'],
    status: ['status', '状态'],
  },
};

const normKey = (k: string) =>
  k
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');

/** Chinese labels used in messages. */
const LABEL_ZH: Record<Canonical, string> = {
  code: '编码',
  name: '名称',
  parentCode: '上级编码',
  communityCode: '社区编码',
  leaderName: '网格长',
  leaderPhone: '网格长电话',
  partyBranch: '党支部',
  population: '人口',
  households: '户数',
  type: '类型',
  address: '地址',
  amenities: '设施',
  openingHours: '营业时间',
  phone: '电话',
  operator: '运营方',
  status: '状态',
};

/** Resolves aliases to canonical names. Problems for conflicting duplicates. */
export function normalizeProperties(raw: Record<string, unknown>, kind: ImportKind): { props: Partial<Record<Canonical, unknown>>; problems: Problem[] } {
  const aliases = PROPERTY_ALIASES[kind];
  const lookup = new Map<string, Canonical>();
  for (const [canonical, names] of Object.entries(aliases) as [Canonical, readonly string[]][]) {
    for (const n of names) lookup.set(normKey(n), canonical);
  }
  const props: Partial<Record<Canonical, unknown>> = {};
  const source: Partial<Record<Canonical, string>> = {};
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const canonical = lookup.get(normKey(key));
    if (!canonical) continue;
    if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) continue;
    if (canonical in props) {
      if (JSON.stringify(props[canonical]) !== JSON.stringify(value)) {
        problems.push(
          P(
            `属性 ${source[canonical]} 与 ${key} 都表示${LABEL_ZH[canonical]}（${canonical}），但取值不同：${show(props[canonical])} ≠ ${show(value)}`,
            `properties ${source[canonical]} and ${key} both mean ${canonical} but differ: ${show(props[canonical])} ≠ ${show(value)}`,
          ),
        );
      }
      continue;
    }
    props[canonical] = value;
    source[canonical] = key;
  }
  return { props, problems };
}

export class PropReader {
  problems: Problem[] = [];
  constructor(private props: Partial<Record<Canonical, unknown>>) {}

  private missing(key: Canonical) {
    this.problems.push(P(`缺少必填属性 ${key}（${LABEL_ZH[key]}）`, `missing required property ${key}`, 'missing_field'));
  }

  private wrongType(key: Canonical, expectZh: string, expectEn: string) {
    const v = this.props[key];
    this.problems.push(
      P(
        `属性 ${key}（${LABEL_ZH[key]}）应为${expectZh}，实际为 ${typeName(v)} ${show(v)}`,
        `property ${key} must be ${expectEn}, got ${typeName(v)} ${show(v)}`,
      ),
    );
  }

  has(key: Canonical): boolean {
    return this.props[key] !== undefined;
  }

  /** A trimmed string; numbers are accepted when `allowNumber` (codes, phones). */
  string(key: Canonical, required: true, allowNumber?: boolean): string | undefined;
  string(key: Canonical, required: false, allowNumber?: boolean): string | null | undefined;
  string(key: Canonical, required: boolean, allowNumber = false): string | null | undefined {
    const v = this.props[key];
    if (v === undefined) {
      if (required) this.missing(key);
      return required ? undefined : null;
    }
    if (typeof v === 'string') {
      // PostgreSQL text cannot hold NUL, and no export may carry control characters: refuse them here, by name.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
      const ctl = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.exec(v);
      if (ctl) {
        this.problems.push(
          P(
            `属性 ${key}（${LABEL_ZH[key]}）含有控制字符 U+${ctl[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
            `property ${key} contains the control character U+${ctl[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
          ),
        );
        return undefined;
      }
      return v.trim();
    }
    if (allowNumber && typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
    this.wrongType(key, '文本', 'a string');
    return undefined;
  }

  code(key: Canonical, digits: number, required: boolean): string | null | undefined {
    const v = required ? this.string(key, true, true) : this.string(key, false, true);
    if (v === undefined || v === null) return v;
    if (!new RegExp(`^\\d{${digits}}$`).test(v)) {
      this.problems.push(P(`${key}（${LABEL_ZH[key]}）应为 ${digits} 位数字，实际为 ${show(v)}`, `${key} must be ${digits} digits, got ${show(v)}`));
      return undefined;
    }
    return v;
  }

  nonNegativeInt(key: Canonical): number | undefined {
    const v = this.props[key];
    if (v === undefined) {
      this.missing(key);
      return undefined;
    }
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) {
      this.wrongType(key, '非负整数', 'a non-negative integer');
      return undefined;
    }
    return n;
  }

  raw(key: Canonical): unknown {
    return this.props[key];
  }

  problem(p: Problem) {
    this.problems.push(p);
  }
}
