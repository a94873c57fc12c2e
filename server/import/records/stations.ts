/**
 * Stations: a type (code or Chinese name), amenities (array or a comma-separated list, English or
 * Chinese), opening hours in OSM syntax, and a status (English or Chinese).
 */
import { AMENITIES, AMENITY_NAMES_ZH, STATION_STATUSES, STATION_TYPES, STATION_TYPE_CODES, type Amenity, type StationStatus } from '../../domain/stations.js';
import { openingHoursError } from '../../validation/opening-hours.js';
import { P, show, typeName } from './problems.js';
import type { PropReader } from './properties.js';

const TYPE_BY_NAME = new Map<string, string>();
for (const t of STATION_TYPES) {
  TYPE_BY_NAME.set(t.code.toLowerCase(), t.code);
  TYPE_BY_NAME.set(t.nameZh, t.code);
}
const AMENITY_BY_NAME = new Map<string, Amenity>();
for (const a of AMENITIES) {
  AMENITY_BY_NAME.set(a, a);
  AMENITY_BY_NAME.set(AMENITY_NAMES_ZH[a], a);
}
const STATUS_BY_NAME = new Map<string, StationStatus>([
  ['open', 'open'],
  ['temporarily_closed', 'temporarily_closed'],
  ['开放', 'open'],
  ['营业', 'open'],
  ['正常', 'open'],
  ['暂停', 'temporarily_closed'],
  ['暂停营业', 'temporarily_closed'],
  ['暂时关闭', 'temporarily_closed'],
  ['临时关闭', 'temporarily_closed'],
]);
const VALID_TYPES_ZH = STATION_TYPES.map((t) => `${t.code}（${t.nameZh}）`).join('、');
const VALID_TYPES_EN = STATION_TYPE_CODES.join(', ');

export function readStation(r: PropReader, lonLat: readonly [number, number] | null) {
  const code = r.string('code', true, true);
  let type: string | undefined;
  const rawType = r.string('type', true);
  if (rawType !== undefined) {
    type = TYPE_BY_NAME.get(rawType) ?? TYPE_BY_NAME.get(rawType.toLowerCase());
    if (!type) r.problem(P(`站点类型 ${show(rawType)} 无效，应为以下之一：${VALID_TYPES_ZH}`, `unknown station type ${show(rawType)}; valid types: ${VALID_TYPES_EN}`, 'unknown_type'));
  }

  let amenities: Amenity[] | undefined = [];
  const rawAm = r.raw('amenities');
  if (rawAm !== undefined) {
    const items = Array.isArray(rawAm) ? rawAm : typeof rawAm === 'string' ? rawAm.split(/[,，、;；]+/) : null;
    if (!items) {
      r.problem(P(`属性 amenities（设施）应为数组或逗号分隔的文本，实际为 ${typeName(rawAm)}`, `property amenities must be an array or a comma-separated string, got ${typeName(rawAm)}`));
      amenities = undefined;
    } else {
      const unknown: string[] = [];
      const set = new Set<Amenity>();
      for (const item of items) {
        const s = typeof item === 'string' ? item.trim() : show(item);
        if (s === '') continue;
        const a = AMENITY_BY_NAME.get(s) ?? AMENITY_BY_NAME.get(s.toLowerCase());
        if (a) set.add(a);
        else unknown.push(s);
      }
      if (unknown.length > 0) {
        r.problem(
          P(
            `未知设施 ${unknown.map((u) => show(u)).join('、')}，可用：${AMENITIES.map((a) => `${a}（${AMENITY_NAMES_ZH[a]}）`).join('、')}`,
            `unknown amenities ${unknown.map((u) => show(u)).join(', ')}; valid: ${AMENITIES.join(', ')}`,
          ),
        );
        amenities = undefined;
      } else {
        amenities = AMENITIES.filter((a) => set.has(a)); // canonical order
      }
    }
  }

  const openingHours = r.string('openingHours', true);
  if (openingHours !== undefined) {
    const err = openingHoursError(openingHours, lonLat ?? undefined);
    if (err) r.problem(P(`营业时间 ${show(openingHours)} 不符合 OSM opening_hours 语法（如 "Mo-Fr 08:00-18:00" 或 "24/7"）：${err}`, `openingHours ${show(openingHours)} is not valid OSM opening_hours syntax (e.g. "Mo-Fr 08:00-18:00" or "24/7"): ${err}`));
  }

  let status: StationStatus | undefined = 'open';
  const rawStatus = r.string('status', false);
  if (rawStatus) {
    status = STATUS_BY_NAME.get(rawStatus) ?? STATUS_BY_NAME.get(rawStatus.toLowerCase());
    if (!status) r.problem(P(`状态 ${show(rawStatus)} 无效，应为 ${STATION_STATUSES.join(' 或 ')}（或 开放 / 暂停营业）`, `invalid status ${show(rawStatus)}; expected ${STATION_STATUSES.join(' or ')}`));
  }

  return {
    code,
    type,
    name: r.string('name', true),
    address: r.string('address', true),
    amenities,
    openingHours,
    phone: r.string('phone', false, true),
    operator: r.string('operator', false),
    status,
  };
}
