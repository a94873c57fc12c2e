import { describe, expect, it } from 'vitest';
import { AMENITY } from '../../web/src/ui/amenities.js';
import { AMENITIES, AMENITY_NAMES_ZH, amenityOfWord } from './stations.js';

describe('amenity words', () => {
  it('every label the web pages show (zh and en) and every Chinese name maps to its code', () => {
    for (const [code, label] of Object.entries(AMENITY)) {
      expect(amenityOfWord(label.zh), label.zh).toBe(code);
      expect(amenityOfWord(label.en), label.en).toBe(code);
    }
    for (const a of AMENITIES) {
      expect(amenityOfWord(a)).toBe(a);
      expect(amenityOfWord(AMENITY_NAMES_ZH[a])).toBe(a);
    }
  });

  it('the synonyms of issue 13 map to the codes a reader expects', () => {
    const expected: [string, string][] = [
      ['饮水', 'water'],
      ['热水', 'water'],
      ['开水', 'water'],
      ['充电', 'charging'],
      ['座椅', 'seating'],
      ['休息', 'seating'],
      ['空调', 'air_conditioning'],
      ['暖气', 'heating'],
      ['卫生间', 'toilet'],
      ['厕所', 'toilet'],
      ['急救箱', 'first_aid'],
      ['药箱', 'first_aid'],
      ['雨伞', 'umbrella'],
      ['微波炉', 'microwave'],
      ['维修工具', 'repair_tools'],
      ['打气筒', 'repair_tools'],
      ['WiFi', 'wifi'],
      ['Wi-Fi', 'wifi'],
      ['ＷＩＦＩ', 'wifi'],
      ['wifi', 'wifi'],
      ['First Aid', 'first_aid'],
      ['air conditioning', 'air_conditioning'],
    ];
    for (const [word, code] of expected) expect(amenityOfWord(word), word).toBe(code);
    expect(amenityOfWord('按摩')).toBeUndefined();
  });
});
