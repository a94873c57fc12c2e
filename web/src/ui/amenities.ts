/** Amenity codes (see server/domain/stations.ts) → icon and labels. */
import { lang } from '../i18n/index.js';

export const AMENITY: Record<string, { zh: string; en: string }> = {
  water: { zh: '饮水', en: 'Water' },
  charging: { zh: '充电', en: 'Charging' },
  air_conditioning: { zh: '空调', en: 'Air conditioning' },
  heating: { zh: '取暖', en: 'Heating' },
  seating: { zh: '座椅', en: 'Seating' },
  microwave: { zh: '微波炉', en: 'Microwave' },
  first_aid: { zh: '急救包', en: 'First aid' },
  repair_tools: { zh: '修车工具', en: 'Repair tools' },
  umbrella: { zh: '雨伞', en: 'Umbrella' },
  toilet: { zh: '卫生间', en: 'Toilet' },
  wifi: { zh: '无线网络', en: 'Wi-Fi' },
  reading: { zh: '阅读', en: 'Reading' },
};

export const amenityLabel = (code: string): string => {
  const a = AMENITY[code];
  return a ? (lang() === 'zh' ? a.zh : a.en) : code;
};
