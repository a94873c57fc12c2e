import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATION_TYPE_CODES } from '../domain/stations.js';
import { Value } from 'typebox/value';
import { categoriesOfLevel, categoryLimitM, ProfileSchema, validatePack, type RulePack } from './pack.js';
import { metresIn, PROFILE_IDS, WALK_PROFILES } from './profiles.js';

const dir = path.join(import.meta.dirname, 'packs');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const read = (f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8'));

describe('the rule packs in the repository', () => {
  it('are the four of issue 15, each valid, with a source on every level and category', () => {
    expect(files.sort()).toEqual(['gb50180-2018.json', 'mofcom-15min.json', 'project-defaults.json', 'tdt1062-2021.json']);
    for (const f of files) {
      const r = validatePack(read(f), STATION_TYPE_CODES);
      expect(r.ok ? [] : r.problems, f).toEqual([]);
      const p = read(f) as RulePack;
      expect(`${p.id}.json`).toBe(f);
      for (const c of [...p.levels, ...p.categories]) expect(c.source.length).toBeGreaterThan(3);
    }
  });

  it('cite standards.md figures where they give one (GB 50180-93-era radii, Shanghai transit stop)', () => {
    const gb = read('gb50180-2018.json') as RulePack;
    const byId = new Map(gb.categories.map((c) => [c.id, c]));
    expect(byId.get('kindergarten')!.limit).toEqual({ distance_m: 300 });
    expect(byId.get('primary_school')!.limit).toEqual({ distance_m: 500 });
    expect(byId.get('middle_school')!.limit).toEqual({ distance_m: 1000 });
    expect(gb.levels.map((l) => l.minutes)).toEqual([5, 10, 15]);
    // Rules without a figure in standards.md say so.
    expect(byId.get('fresh_market')!.source).toBe('project default');
  });
});

describe('validatePack', () => {
  const good = () => read('mofcom-15min.json');

  it('explains a bad shape with the path', () => {
    const p = good();
    p.version = 'one';
    delete p.categories[0].profile;
    p.categories[1].limit = { minutes: 10, distance_m: 3 };
    p.extra = 1;
    const r = validatePack(p, STATION_TYPE_CODES);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.problems.map((x) => x.path);
    expect(paths).toContain('/version');
    expect(paths).toContain('/categories/0');
    expect(paths.some((x) => x.startsWith('/categories/1/limit'))).toBe(true);
    for (const x of r.problems) expect(x.zh).toMatch(/格式不符/);
  });

  it('refuses duplicates, unknown levels and types, limits beyond the level', () => {
    const p = good();
    p.categories.push({ ...p.categories[0] });
    p.categories[1].level = 10;
    p.categories[2].station_types = ['pharmacy', 'spaceport'];
    p.categories[0].limit = { distance_m: 1500 };
    const r = validatePack(p, STATION_TYPE_CODES);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((x) => x.path).sort()).toEqual(['/categories/0/limit', '/categories/1/level', '/categories/2/station_types/1', '/categories/3/id']);
    expect(r.problems.find((x) => x.path === '/categories/2/station_types/1')!.zh).toContain('spaceport');
  });

  it('refuses what is not a pack at all', () => {
    for (const bad of [null, 3, 'pack', [], {}]) expect(validatePack(bad, STATION_TYPE_CODES).ok).toBe(false);
  });
});

describe('profiles and limits', () => {
  it('the schema accepts exactly the named profiles', () => {
    for (const p of PROFILE_IDS) expect(Value.Check(ProfileSchema, p)).toBe(true);
    expect(Value.Check(ProfileSchema, 'runner')).toBe(false);
  });

  it('walk 80 m a minute at the standard speed, 60 m elderly', () => {
    expect(metresIn(15, 'standard')).toBeCloseTo(1200, 9);
    expect(metresIn(5, 'elderly')).toBeCloseTo(300, 9);
    expect(WALK_PROFILES.elderly.source).toMatch(/project default/);
    expect(categoryLimitM({ limit: { minutes: 10 }, profile: 'elderly' })).toBeCloseTo(600, 9);
    expect(categoryLimitM({ limit: { distance_m: 300 }, profile: 'elderly' })).toBe(300);
  });

  it('a level asks for its categories and those of the smaller circles', () => {
    const gb = read('gb50180-2018.json') as RulePack;
    const n = (l: number) => categoriesOfLevel(gb, l).length;
    expect(n(5)).toBeLessThan(n(10));
    expect(n(10)).toBeLessThan(n(15));
    expect(n(15)).toBe(gb.categories.length);
  });
});
