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
  {
    code: 'party_service_center',
    nameZh: '党群服务中心',
    nameEn: 'Party–mass service centre',
    coverageMode: 'radius',
    coverageRadiusM: 1000,
    coverageMinutes: 15,
  },
  // Configurable per city; 1 km is the default used by the sample city.
  { code: 'courier_station', nameZh: '爱心驿站', nameEn: 'Courier & rider rest station', coverageMode: 'radius', coverageRadiusM: 1000, coverageMinutes: 10 },
  // Daily services belong to the 15-minute convenience circle (一刻钟便民生活圈).
  { code: 'elderly_canteen', nameZh: '老年食堂', nameEn: 'Elderly canteen', coverageMode: 'walk', coverageRadiusM: 1000, coverageMinutes: 15 },
  {
    code: 'elderly_care_center',
    nameZh: '社区养老服务中心',
    nameEn: 'Community elderly-care centre',
    coverageMode: 'walk',
    coverageRadiusM: 1000,
    coverageMinutes: 15,
  },
  { code: 'after_school_room', nameZh: '三点半学堂', nameEn: 'After-school room', coverageMode: 'walk', coverageRadiusM: 1000, coverageMinutes: 15 },
  {
    code: 'vegetable_pickup',
    nameZh: '放心菜自提点',
    nameEn: 'Fresh-vegetable pick-up point',
    coverageMode: 'walk',
    coverageRadiusM: 1000,
    coverageMinutes: 15,
  },
  // Life-circle facilities (issue 15; migration 006): the categories of the rule packs in
  // server/lifecircle/packs. Default standards: the 5/10/15-minute level a pack gives them.
  ...lifeCircleTypes([
    ['community_health_station', '社区卫生服务站', 'Community health station', 800, 10],
    ['community_health_center', '社区卫生服务中心', 'Community health centre', 1000, 15],
    ['kindergarten', '幼儿园', 'Kindergarten', 300, 5],
    ['primary_school', '小学', 'Primary school', 500, 10],
    ['middle_school', '中学', 'Middle school', 1000, 15],
    ['fresh_market', '菜市场/生鲜超市', 'Food market / fresh supermarket', 800, 10],
    ['convenience_store', '便利店', 'Convenience store', 400, 5],
    ['pharmacy', '药店', 'Pharmacy', 1000, 15],
    ['bus_stop', '公交站', 'Bus stop', 300, 5],
    ['community_canteen', '社区食堂', 'Community canteen', 500, 10],
    ['elderly_service_station', '养老服务站', 'Elderly service station', 400, 5],
  ]),
] as const;

/** The six station types the project began with (the sample city's service stations). */
export const SERVICE_STATION_TYPES = [
  'party_service_center',
  'courier_station',
  'elderly_canteen',
  'elderly_care_center',
  'after_school_room',
  'vegetable_pickup',
] as const;

function lifeCircleTypes(rows: [string, string, string, number, number][]): StationTypeDef[] {
  return rows.map(([code, nameZh, nameEn, coverageRadiusM, coverageMinutes]) => ({
    code,
    nameZh,
    nameEn,
    coverageMode: 'walk',
    coverageRadiusM,
    coverageMinutes,
  }));
}

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

/**
 * Every word a station list may use for an amenity → its code: the code, the names above, the
 * labels the web pages show (web/src/ui/amenities.ts, zh and en — a test keeps them in this table)
 * and common synonyms. The one table the importer reads (server/import/records/stations.ts).
 * Matching ignores case, width, spaces, "_" and "-" (normAmenityWord).
 */
export const AMENITY_WORDS: Record<Amenity, readonly string[]> = {
  water: ['water', 'drinking water', '饮用水', '饮水', '热水', '开水', '饮水机', '直饮水', '喝水', '茶水', '免费饮水', '冷热水'],
  charging: ['charging', 'charge', 'charger', 'phone charging', '手机充电', '充电', '充电宝', '充电器', '充电设备', '电动车充电'],
  air_conditioning: ['air_conditioning', 'air conditioning', 'aircon', 'AC', '空调', '冷气', '避暑', '纳凉'],
  heating: ['heating', 'heater', '暖气', '取暖', '供暖', '暖风', '避寒', '御寒'],
  seating: ['seating', 'seats', 'seat', 'rest', '休息座椅', '座椅', '座位', '椅子', '休息', '休息区', '休息处', '歇脚', '桌椅'],
  microwave: ['microwave', '微波炉', '热饭', '加热饭菜'],
  first_aid: ['first_aid', 'first aid', 'first aid kit', 'medicine', '急救药箱', '急救箱', '急救包', '药箱', '医药箱', '应急药箱', '常用药品', '常用药'],
  repair_tools: ['repair_tools', 'repair tools', 'repair', 'tools', 'pump', '维修工具', '修车工具', '打气筒', '充气', '打气', '工具箱', '维修'],
  umbrella: ['umbrella', '爱心雨伞', '雨伞', '借伞', '共享雨伞'],
  toilet: ['toilet', 'toilets', 'wc', 'restroom', '卫生间', '厕所', '洗手间', '公厕', '如厕'],
  wifi: ['wifi', 'wi-fi', 'wlan', 'wireless', '无线网络', '无线网', '免费WiFi', '网络'],
  reading: ['reading', 'books', '图书阅读', '阅读', '图书', '书报', '书屋', '书籍', '报刊'],
};

/** How amenity words are compared: NFKC (full-width → ASCII), lower case, no spaces, "_" or "-". */
export const normAmenityWord = (w: string) =>
  w
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_-]/g, '');

const AMENITY_BY_WORD = new Map<string, Amenity>();
for (const a of AMENITIES) {
  for (const w of [a, AMENITY_NAMES_ZH[a], ...AMENITY_WORDS[a]]) {
    const k = normAmenityWord(w);
    const prev = AMENITY_BY_WORD.get(k);
    if (prev && prev !== a) throw new Error(`amenity word ${w} means both ${prev} and ${a}`);
    AMENITY_BY_WORD.set(k, a);
  }
}

/** The amenity a word names, or undefined. @example amenityOfWord('开水') // 'water' */
export const amenityOfWord = (word: string): Amenity | undefined => AMENITY_BY_WORD.get(normAmenityWord(word));

export const STATION_STATUSES = ['open', 'temporarily_closed'] as const;
export type StationStatus = (typeof STATION_STATUSES)[number];
