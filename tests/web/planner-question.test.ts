import { describe, expect, it } from 'vitest';
import { coverageParams, openAtParam, type Question } from '../../web/src/planner/question.js';

const q = (over: Partial<Question> = {}): Question => ({
  types: ['a', 'b', 'c'],
  selectedTypes: new Set(['a', 'b', 'c']),
  openAt: '',
  mode: 'standard',
  radius: 1000,
  minutes: 15,
  ...over,
});
const now = new Date(2024, 0, 5, 23, 59);

describe('planner coverage question', () => {
  it('names the types only when some are left out', () => {
    expect(coverageParams(q(), now)).toEqual({ types: undefined, open_at: undefined });
    expect(coverageParams(q({ selectedTypes: new Set(['b']) }), now).types).toEqual(['b']);
  });

  it("asks for today's date (browser-local) at the chosen time", () => {
    expect(openAtParam('', now)).toBeUndefined();
    expect(openAtParam('08:30', now)).toBe('2024-01-05T08:30');
    expect(coverageParams(q({ openAt: '19:00' }), now).open_at).toBe('2024-01-05T19:00');
  });

  it('adds the custom standard', () => {
    expect(coverageParams(q({ mode: 'radius', radius: 500 }), now)).toEqual({ types: undefined, open_at: undefined, mode: 'radius', radius: 500 });
    expect(coverageParams(q({ mode: 'walk', minutes: 10 }), now)).toMatchObject({ mode: 'walk', minutes: 10 });
    expect(coverageParams(q({ radius: 500 }), now)).not.toHaveProperty('radius');
  });
});
