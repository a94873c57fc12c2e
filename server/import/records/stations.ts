/**
 * Stations: a code (optional — a stable one is generated from type, name and position when the
 * list has none), a type (code or Chinese name), amenities (array or a list separated by commas,
 * 、, ; / or spaces, in any word of the one table server/domain/stations.ts AMENITY_WORDS), opening
 * hours (OSM syntax kept, common Chinese text converted by server/hours/zh.ts — the original text
 * is kept beside the OSM form), and a status (English or Chinese).
 */
import { createHash } from 'node:crypto';
import {
  AMENITIES,
  AMENITY_NAMES_ZH,
  amenityOfWord,
  STATION_STATUSES,
  STATION_TYPES,
  STATION_TYPE_CODES,
  type Amenity,
  type StationStatus,
} from '../../domain/stations.js';
import { readOpeningHours } from '../../hours/zh.js';
import { P, show, typeName } from './problems.js';
import type { PropReader } from './properties.js';

const TYPE_BY_NAME = new Map<string, string>();
for (const t of STATION_TYPES) {
  TYPE_BY_NAME.set(t.code.toLowerCase(), t.code);
  TYPE_BY_NAME.set(t.nameZh, t.code);
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

/**
 * The code of a station listed without one: "G" + 11 characters of a hash of type, name and
 * position (WGS84, 5 decimals ≈ 1 m) — the same row gives the same code on every import. A
 * re-import of a moved or renamed station is matched by name and position first
 * (../pipeline/station-match.ts), so the code only has to be stable for unchanged rows.
 * @example generatedStationCode('courier_station', '爱心驿站', [121.6, 38.91]) // 'G' + 11 base-32 characters
 */
export function generatedStationCode(type: string, name: string, lonLat: readonly [number, number]): string {
  const h = createHash('sha256')
    .update(`${type}|${name}|${lonLat[0].toFixed(5)}|${lonLat[1].toFixed(5)}`)
    .digest();
  const A = 'abcdefghijkmnpqrstuvwxyz23456789'; // no 0/o, 1/l
  let out = 'G';
  for (let i = 0; i < 11; i++) out += A[h[i] % 32];
  return out;
}

export function readStation(r: PropReader, lonLat: readonly [number, number] | null) {
  let code = r.has('code') ? r.string('code', true, true) : undefined;
  let type: string | undefined;
  const rawType = r.string('type', true);
  if (rawType !== undefined) {
    type = TYPE_BY_NAME.get(rawType) ?? TYPE_BY_NAME.get(rawType.toLowerCase());
    if (!type)
      r.problem(
        P(
          `站点类型 ${show(rawType)} 无效，应为以下之一：${VALID_TYPES_ZH}`,
          `unknown station type ${show(rawType)}; valid types: ${VALID_TYPES_EN}`,
          'unknown_type',
        ),
      );
  }

  let amenities: Amenity[] | undefined = [];
  const rawAm = r.raw('amenities');
  if (rawAm !== undefined) {
    const items = Array.isArray(rawAm) ? rawAm : typeof rawAm === 'string' ? rawAm.replace(/等$/, '').split(/[,，、;；/|\n]+/) : null;
    if (!items) {
      r.problem(
        P(
          `属性 amenities（设施）应为数组或逗号分隔的文本，实际为 ${typeName(rawAm)}`,
          `property amenities must be an array or a comma-separated string, got ${typeName(rawAm)}`,
        ),
      );
      amenities = undefined;
    } else {
      const unknown: string[] = [];
      const set = new Set<Amenity>();
      for (const item of items) {
        const s = typeof item === 'string' ? item.trim() : show(item);
        if (s === '') continue;
        const a = amenityOfWord(s);
        if (a) set.add(a);
        else {
          // "饮水 充电 座椅": words separated by spaces (multi-word English names matched above first).
          const words = s.split(/\s+/);
          const each = words.map(amenityOfWord);
          if (words.length > 1 && each.every(Boolean)) for (const w of each) set.add(w!);
          else unknown.push(s);
        }
      }
      if (unknown.length > 0) {
        r.problem(
          P(
            `未知设施 ${unknown.map((u) => show(u)).join('、')}，可用：${AMENITIES.map((a) => AMENITY_NAMES_ZH[a]).join('、')}（及同义词，如 热水/开水、厕所、药箱、打气筒、WiFi）`,
            `unknown amenities ${unknown.map((u) => show(u)).join(', ')}; valid: ${AMENITIES.join(', ')} (or their Chinese names and synonyms)`,
          ),
        );
        amenities = undefined;
      } else {
        amenities = AMENITIES.filter((a) => set.has(a)); // canonical order
      }
    }
  }

  let openingHours = r.string('openingHours', true);
  let openingHoursText: string | undefined;
  if (openingHours !== undefined) {
    // Parsed once: Chinese text is converted, the OSM form checked by the library, once per row.
    const h = readOpeningHours(openingHours, lonLat ?? undefined);
    if (!h.ok) {
      r.problem(P(h.zh, h.en));
      openingHours = undefined;
    } else if (h.converted) {
      openingHoursText = openingHours;
      openingHours = h.osm;
    }
  }

  let status: StationStatus | undefined = 'open';
  const rawStatus = r.string('status', false);
  if (rawStatus) {
    status = STATUS_BY_NAME.get(rawStatus) ?? STATUS_BY_NAME.get(rawStatus.toLowerCase());
    if (!status)
      r.problem(
        P(
          `状态 ${show(rawStatus)} 无效，应为 ${STATION_STATUSES.join(' 或 ')}（或 开放 / 暂停营业）`,
          `invalid status ${show(rawStatus)}; expected ${STATION_STATUSES.join(' or ')}`,
        ),
      );
  }

  const name = r.string('name', true);
  let codeGenerated = false;
  if (!r.has('code') && type !== undefined && name !== undefined && lonLat) {
    code = generatedStationCode(type, name, lonLat);
    codeGenerated = true;
  }
  if (code !== undefined && code.length > 40) {
    r.problem(P(`编码过长（最多 40 个字符）：${show(code)}`, `code is too long (at most 40 characters): ${show(code)}`));
    code = undefined;
  }

  return {
    code,
    ...(codeGenerated ? { codeGenerated: true as const } : {}),
    type,
    name,
    address: r.string('address', true),
    amenities,
    openingHours,
    ...(openingHoursText !== undefined ? { openingHoursText } : {}),
    phone: r.string('phone', false, true),
    operator: r.string('operator', false),
    status,
  };
}
