import { describe, expect, it } from 'vitest';
import { OSM_STATION_TAGS, stationTypeOfTags } from './osm-station-tags.js';
import { STATION_TYPE_CODES } from './stations.js';

describe('OSM tags → station type', () => {
  it('maps the tags named in issue 15', () => {
    const cases: [Record<string, string>, string | null][] = [
      [{ amenity: 'kindergarten' }, 'kindergarten'],
      [{ amenity: 'school' }, 'primary_school'],
      [{ amenity: 'school', 'isced:level': '1' }, 'primary_school'],
      [{ amenity: 'school', 'isced:level': '2;3' }, 'middle_school'],
      [{ amenity: 'school', name: '大连市第二十四中学' }, 'middle_school'],
      [{ amenity: 'clinic' }, 'community_health_station'],
      [{ amenity: 'doctors', name: '春柳社区卫生服务站' }, 'community_health_station'],
      [{ amenity: 'clinic', name: '春柳街道社区卫生服务中心' }, 'community_health_center'],
      [{ amenity: 'pharmacy' }, 'pharmacy'],
      [{ amenity: 'marketplace' }, 'fresh_market'],
      [{ shop: 'supermarket' }, 'fresh_market'],
      [{ shop: 'greengrocer' }, 'fresh_market'],
      [{ shop: 'convenience' }, 'convenience_store'],
      [{ highway: 'bus_stop' }, 'bus_stop'],
      [{ public_transport: 'platform', bus: 'yes' }, 'bus_stop'],
      [{ amenity: 'social_facility', 'social_facility:for': 'senior' }, 'elderly_service_station'],
      [{ amenity: 'restaurant', name: '幸福里老年食堂' }, 'elderly_canteen'],
      [{ amenity: 'restaurant', name: '川菜馆' }, null],
      [{ shop: 'clothes' }, null],
      [{ public_transport: 'platform' }, null],
      [{}, null],
    ];
    for (const [tags, type] of cases) expect(stationTypeOfTags(tags), JSON.stringify(tags)).toBe(type);
  });

  it('names only station types that exist', () => {
    for (const r of OSM_STATION_TAGS) expect(STATION_TYPE_CODES).toContain(r.type);
  });
});
