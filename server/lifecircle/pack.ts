/**
 * Life-circle rule packs: a standard (GB 50180-2018, TD/T 1062-2021, 商务部 一刻钟便民生活圈, the
 * project's defaults) as data. A pack names its levels (5 / 10 / 15 minutes …) and its categories;
 * each category maps to station types and says its level, its limit (minutes at a walking profile,
 * or metres along the streets) and where the rule comes from (source + clause, or "project
 * default"). The packs live as JSON in ./packs; {@link validatePack} checks one (TypeBox schema,
 * then the rules a schema cannot say) and explains every problem in Chinese and English. Pure.
 */
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { metresIn, type ProfileId } from './profiles.js';

const Text = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, description });

/** A walking profile id (./profiles.ts). */
export const ProfileSchema = Type.Union([Type.Literal('standard'), Type.Literal('elderly'), Type.Literal('ebike')], {
  description: 'walking profile: standard 4.8 km/h, elderly 3.6 km/h, ebike 15 km/h',
});

export const PackLevel = Type.Object(
  {
    minutes: Type.Integer({ minimum: 1, maximum: 60, description: 'the life circle, minutes on foot' }),
    name_zh: Text(40),
    name_en: Text(80),
    source: Text(300),
    clause: Type.Union([Text(300), Type.Null()], { description: 'clause or table of the source; null when the source gives none' }),
    note: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
);

export const PackLimit = Type.Union([
  Type.Object({ minutes: Type.Number({ exclusiveMinimum: 0, maximum: 60 }) }, { additionalProperties: false }),
  Type.Object({ distance_m: Type.Number({ exclusiveMinimum: 0, maximum: 5000 }) }, { additionalProperties: false }),
]);

export const PackCategory = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'category code' }),
    name_zh: Text(40),
    name_en: Text(80),
    station_types: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), { minItems: 1, maxItems: 20, uniqueItems: true }),
    level: Type.Integer({ minimum: 1, maximum: 60, description: 'minutes of the level (one of the pack’s levels) the category belongs to' }),
    limit: PackLimit,
    profile: ProfileSchema,
    source: Text(300),
    clause: Type.Union([Text(300), Type.Null()]),
    note: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
);

export const RulePack = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,59}$' }),
    version: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+$' }),
    name_zh: Text(80),
    name_en: Text(160),
    source: Text(300),
    levels: Type.Array(PackLevel, { minItems: 1, maxItems: 6 }),
    categories: Type.Array(PackCategory, { minItems: 1, maxItems: 60 }),
  },
  { additionalProperties: false },
);

export type RulePack = Static<typeof RulePack>;
export type PackCategory = Static<typeof PackCategory>;

export interface PackProblem {
  /** JSON pointer into the pack, e.g. /categories/3/level. */
  path: string;
  zh: string;
  en: string;
}

export type PackCheck = { ok: true; pack: RulePack } | { ok: false; problems: PackProblem[] };

/**
 * Checks a pack: its shape (TypeBox), then unique level minutes and category ids, every
 * category's level among the pack's levels, every station type known, and a category's limit not
 * beyond its level (a 5-minute facility must be reachable within 5 minutes at its own profile).
 *
 * @param raw the parsed JSON
 * @param knownTypes station type codes that exist
 * @example validatePack(JSON.parse(text), ['kindergarten', …]) // { ok: false, problems: [{ path: '/categories/0/level', zh, en }] }
 */
export function validatePack(raw: unknown, knownTypes: readonly string[]): PackCheck {
  if (!Value.Check(RulePack, raw)) {
    const problems: PackProblem[] = [];
    const seen = new Set<string>();
    for (const e of Value.Errors(RulePack, raw)) {
      const key = `${e.instancePath}|${e.message}`;
      if (seen.has(key) || e.keyword === 'boolean') continue;
      seen.add(key);
      problems.push({ path: e.instancePath || '/', zh: `格式不符：${e.message}`, en: `invalid: ${e.message}` });
      if (problems.length >= 50) break;
    }
    return { ok: false, problems };
  }
  const pack = raw;
  const problems: PackProblem[] = [];
  const levels = new Set<number>();
  pack.levels.forEach((l, i) => {
    if (levels.has(l.minutes)) problems.push({ path: `/levels/${i}/minutes`, zh: `层级 ${l.minutes} 分钟重复`, en: `level ${l.minutes} min is listed twice` });
    levels.add(l.minutes);
  });
  const known = new Set(knownTypes);
  const ids = new Set<string>();
  pack.categories.forEach((c, i) => {
    const at = `/categories/${i}`;
    if (ids.has(c.id)) problems.push({ path: `${at}/id`, zh: `类别 ${c.id} 重复`, en: `category ${c.id} is listed twice` });
    ids.add(c.id);
    if (!levels.has(c.level))
      problems.push({
        path: `${at}/level`,
        zh: `类别 ${c.id} 的层级 ${c.level} 分钟不在本规则包的层级中（${[...levels].join('/')}）`,
        en: `category ${c.id}: level ${c.level} min is not one of the pack's levels (${[...levels].join('/')})`,
      });
    c.station_types.forEach((t, k) => {
      if (!known.has(t)) problems.push({ path: `${at}/station_types/${k}`, zh: `未知的站点类型 ${t}`, en: `unknown station type ${t}` });
    });
    const m = categoryLimitM(c);
    const levelM = metresIn(c.level, c.profile);
    if (levels.has(c.level) && m > levelM + 1e-9)
      problems.push({
        path: `${at}/limit`,
        zh: `类别 ${c.id} 的限值 ${Math.round(m)} 米超出其 ${c.level} 分钟层级（${c.profile} 速度下 ${Math.round(levelM)} 米）`,
        en: `category ${c.id}: limit ${Math.round(m)} m exceeds its ${c.level}-minute level (${Math.round(levelM)} m at the ${c.profile} speed)`,
      });
  });
  return problems.length ? { ok: false, problems } : { ok: true, pack };
}

/** A category's limit in metres along the streets (minutes × its profile's speed, or the distance). */
export function categoryLimitM(c: { limit: { minutes: number } | { distance_m: number }; profile: ProfileId }): number {
  return 'minutes' in c.limit ? metresIn(c.limit.minutes, c.profile) : c.limit.distance_m;
}

/** The categories a level's circle asks for: every category of that level and of the smaller levels (circles nest). */
export function categoriesOfLevel(pack: RulePack, level: number): PackCategory[] {
  return pack.categories.filter((c) => c.level <= level);
}
