/**
 * OSM tags → station type: the one mapping table for reading stations out of OpenStreetMap data
 * (issue 15). Rules are tried in order; the first whose every tag matches wins (a value list means
 * any of them; `name` is matched as a regular expression on the feature's name). No OSM station
 * import exists yet (server/import/osm.ts reads the street network only): a station import reads
 * this table through {@link stationTypeOfTags}. Pure.
 */

export interface OsmTagRule {
  /** Every key must match: a value, one of several values, or (for `name`) a pattern. */
  match: Record<string, string | readonly string[] | RegExp>;
  type: string;
}

export const OSM_STATION_TAGS: readonly OsmTagRule[] = [
  { match: { amenity: ['kindergarten', 'childcare'] }, type: 'kindergarten' },
  { match: { amenity: 'school', 'isced:level': ['2', '3', '2;3', '2-3'] }, type: 'middle_school' },
  { match: { amenity: 'school', 'isced:level': '1' }, type: 'primary_school' },
  { match: { amenity: 'school', name: /中学|初中|高中|middle school|high school/i }, type: 'middle_school' },
  { match: { amenity: 'school' }, type: 'primary_school' },
  { match: { amenity: ['clinic', 'doctors'], name: /卫生服务中心|health (service )?cent(re|er)/i }, type: 'community_health_center' },
  { match: { healthcare: 'centre' }, type: 'community_health_center' },
  { match: { amenity: ['clinic', 'doctors'] }, type: 'community_health_station' },
  { match: { amenity: 'pharmacy' }, type: 'pharmacy' },
  { match: { healthcare: 'pharmacy' }, type: 'pharmacy' },
  { match: { amenity: 'marketplace' }, type: 'fresh_market' },
  { match: { shop: ['supermarket', 'greengrocer'] }, type: 'fresh_market' },
  { match: { shop: 'convenience' }, type: 'convenience_store' },
  { match: { highway: 'bus_stop' }, type: 'bus_stop' },
  { match: { public_transport: 'platform', bus: 'yes' }, type: 'bus_stop' },
  { match: { amenity: 'social_facility', social_facility: ['nursing_home', 'assisted_living'] }, type: 'elderly_care_center' },
  { match: { amenity: 'social_facility', 'social_facility:for': ['senior', 'elderly'] }, type: 'elderly_service_station' },
  { match: { amenity: ['canteen', 'food_court', 'restaurant'], name: /老年食堂|长者食堂|助餐/ }, type: 'elderly_canteen' },
  { match: { amenity: ['canteen', 'food_court', 'restaurant'], name: /社区食堂/ }, type: 'community_canteen' },
];

/**
 * The station type of an OSM feature, or null when no rule matches.
 * @example stationTypeOfTags({ amenity: 'school', name: '东风中学' }) // 'middle_school'
 */
export function stationTypeOfTags(tags: Readonly<Record<string, string | undefined>>): string | null {
  for (const rule of OSM_STATION_TAGS) {
    let ok = true;
    for (const [k, want] of Object.entries(rule.match)) {
      const v = tags[k];
      if (v === undefined) ok = false;
      else if (want instanceof RegExp) ok = want.test(v);
      else if (typeof want === 'string') ok = v === want;
      else ok = want.includes(v);
      if (!ok) break;
    }
    if (ok) return rule.type;
  }
  return null;
}
