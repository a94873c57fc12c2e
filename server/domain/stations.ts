/**
 * Station types and amenities: the vocabulary shared by the database seed (sql/migrations/002),
 * the sample-city generator, importers and API schemas. A test checks the SQL seed agrees.
 */

export type CoverageMode = 'radius' | 'walk';

export interface StationTypeDef {
  code: string;
  nameZh: string;
  nameEn: string;
  /** How the type's service area is measured by default (planners can change it per request). */
  coverageMode: CoverageMode;
  /** Radius in metres for `radius` mode. */
  coverageRadiusM: number;
  /** Walking minutes for `walk` mode. */
  coverageMinutes: number;
}

export const STATION_TYPES: readonly StationTypeDef[] = [
  // "party members and residents find a place within a 1-km radius"
  { code: 'party_service_center', nameZh: '党群服务中心', nameEn: 'Party–mass service centre', coverageMode: 'radius', coverageRadiusM: 1000, coverageMinutes: 15 },
  // Configurable per city; 1 km is the default used by the sample city.
  { code: 'courier_station', nameZh: '爱心驿站', nameEn: 'Courier & rider rest station', coverageMode: 'radius', coverageRadiusM: 1000, coverageMinutes: 10 },
  // Daily services belong to the 15-minute convenience circle (一刻钟便民生活圈).
  { code: 'elderly_canteen', nameZh: '老年食堂', nameEn: 'Elderly canteen', coverageMode: 'walk', coverageRadiusM: 1000, coverageMinutes: 15 },
  { code: 'elderly_care_center', nameZh: '社区养老服务中心', nameEn: 'Community elderly-care centre', coverageMode: 'walk', coverageRadiusM: 1000, coverageMinutes: 15 },
  { code: 'after_school_room', nameZh: '三点半学堂', nameEn: 'After-school room', coverageMode: 'walk', coverageRadiusM: 1000, coverageMinutes: 15 },
  { code: 'vegetable_pickup', nameZh: '放心菜自提点', nameEn: 'Fresh-vegetable pick-up point', coverageMode: 'walk', coverageRadiusM: 1000, coverageMinutes: 15 },
] as const;

export const STATION_TYPE_CODES = STATION_TYPES.map((t) => t.code);

/** Amenities a station may offer (爱心驿站 standard list plus common extras). */
export const AMENITIES = [
  'water', // 饮用水
  'charging', // 手机充电
  'air_conditioning', // 空调（夏季）
  'heating', // 暖气（冬季）
  'seating', // 休息座椅
  'microwave', // 微波炉
  'first_aid', // 急救药箱
  'repair_tools', // 维修工具
  'umbrella', // 爱心雨伞
  'toilet', // 卫生间
  'wifi', // 无线网络
  'reading', // 图书阅读
] as const;

export type Amenity = (typeof AMENITIES)[number];

export const AMENITY_NAMES_ZH: Record<Amenity, string> = {
  water: '饮用水',
  charging: '手机充电',
  air_conditioning: '空调',
  heating: '暖气',
  seating: '休息座椅',
  microwave: '微波炉',
  first_aid: '急救药箱',
  repair_tools: '维修工具',
  umbrella: '爱心雨伞',
  toilet: '卫生间',
  wifi: '无线网络',
  reading: '图书阅读',
};

export const STATION_STATUSES = ['open', 'temporarily_closed'] as const;
export type StationStatus = (typeof STATION_STATUSES)[number];
