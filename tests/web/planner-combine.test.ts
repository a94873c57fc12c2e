import { describe, expect, it } from 'vitest';
import { coverageParams, defaultType, type Question } from '../../web/src/planner/question.js';

const q = (over: Partial<Question> = {}): Question => ({
  types: ['a', 'b', 'c'],
  selectedTypes: new Set(['a']),
  openAt: '',
  mode: 'standard',
  radius: 1000,
  minutes: 15,
  ...over,
});
const now = new Date(2024, 0, 5, 12, 0);

describe('planner: one type first, any / all with several', () => {
  it('opens on 党群服务中心 when the city has it, else on its first type', () => {
    expect(defaultType(['courier_station', 'party_service_center'])).toBe('party_service_center');
    expect(defaultType(['kindergarten', 'pharmacy'])).toBe('kindergarten');
    expect(defaultType([])).toBeUndefined();
  });

  it('asks for "all" only with several types (any is the API default)', () => {
    expect(coverageParams(q({ combine: 'all' }), now)).toEqual({ types: ['a'], open_at: undefined });
    expect(coverageParams(q({ selectedTypes: new Set(['a', 'b']), combine: 'any' }), now)).toEqual({ types: ['a', 'b'], open_at: undefined });
    expect(coverageParams(q({ selectedTypes: new Set(['a', 'b']), combine: 'all' }), now)).toEqual({ types: ['a', 'b'], open_at: undefined, combine: 'all' });
    expect(coverageParams(q({ selectedTypes: new Set(['a', 'b', 'c']), combine: 'all' }), now)).toMatchObject({ types: undefined, combine: 'all' });
  });
});
