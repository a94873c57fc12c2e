/** Station styling shared by both views: one colour per station type, open-now badges. */
import type { ExpressionSpecification } from 'maplibre-gl';
import type { StationProps } from '../api/client.js';
import { pick, t } from '../i18n/index.js';
import { h, telLink } from '../ui/dom.js';
import { amenityLabel } from '../ui/amenities.js';
import { icon, iconMarkup } from '../ui/icons.js';
import type { Map as MapLibreMap } from 'maplibre-gl';

const KNOWN: Record<string, { color: string; icon?: string }> = {
  courier_station: { color: '#dc6b19', icon: 'ebike' },
  elderly_canteen: { color: '#2563eb', icon: 'canteen' },
  elderly_care_center: { color: '#7c3aed', icon: 'care' },
  party_service_center: { color: '#be123c', icon: 'party' },
  vegetable_pickup: { color: '#15803d', icon: 'leaf' },
  after_school_room: { color: '#0891b2', icon: 'reading' },
};
const SPARE = ['#a16207', '#db2777', '#4d7c0f', '#1d4ed8', '#9333ea'];

/** Colour for a type code (unknown codes get a spare colour, stable by order seen). */
export function typeStyle(code: string): { color: string; icon?: string } {
  if (!KNOWN[code]) KNOWN[code] = { color: SPARE[Object.keys(KNOWN).length % SPARE.length] };
  return KNOWN[code];
}

export function typeColorExpression(codes: string[]): ExpressionSpecification {
  const pairs = codes.flatMap((c) => [c, typeStyle(c).color]);
  return pairs.length
    ? (['match', ['get', 'type'], ...pairs, '#6b7280'] as unknown as ExpressionSpecification)
    : (['literal', '#6b7280'] as unknown as ExpressionSpecification);
}

/** "营业中" / "24小时" / "已休息" badge for a station. */
export function openBadge(p: Pick<StationProps, 'open_now' | 'always_open' | 'status'>): HTMLElement {
  if (p.status !== 'open') return h('span', { class: 'badge closed' }, t('badge.suspended'));
  if (p.always_open) return h('span', { class: 'badge open' }, t('badge.24h'));
  if (p.open_now === true) return h('span', { class: 'badge open' }, t('badge.open'));
  if (p.open_now === false) return h('span', { class: 'badge closed' }, t('badge.closed'));
  return h('span', { class: 'badge unknown' }, t('badge.unknown'));
}

export function amenityIcons(codes: string[], withLabels = false): HTMLElement {
  return h(
    'span',
    { class: 'amenities' },
    codes.map((c) =>
      h('span', { class: 'amenity', title: amenityLabel(c), 'aria-label': amenityLabel(c) }, icon(c), withLabels ? h('small', {}, amenityLabel(c)) : null),
    ),
  );
}

/** The popup body for a station. */
export function stationPopup(p: StationProps, extra?: Node): HTMLElement {
  const style = typeStyle(p.type);
  // Properties of rendered features come back JSON-encoded when they are arrays.
  const amenities: string[] = typeof p.amenities === 'string' ? JSON.parse(p.amenities) : p.amenities;
  return h(
    'div',
    { class: 'popup station-popup' },
    h(
      'div',
      { class: 'popup-kind', style: `color:${style.color}` },
      h('span', { class: 'dot', style: `background:${style.color}` }),
      pick(p.type_name_zh, p.type_name_en),
    ),
    h('h3', {}, p.name),
    h('div', { class: 'popup-row' }, openBadge(p), ' ', h('span', { class: 'hours' }, p.opening_hours)),
    p.address ? h('div', { class: 'popup-row muted' }, p.address) : null,
    amenities.length ? h('div', { class: 'popup-row' }, amenityIcons(amenities, true)) : null,
    p.phone ? h('div', { class: 'popup-row' }, `${t('popup.phone')}：`, telLink(p.phone)) : null,
    p.operator ? h('div', { class: 'popup-row muted' }, `${t('popup.operator')}：${p.operator}`) : null,
    extra ?? null,
  );
}

/** Map image id of a station type's symbol. */
export const stationImageId = (code: string) => `station-${code}`;

/**
 * One symbol image per station type — its glyph in white on a disc of its colour — so types differ
 * by shape as well as colour (colour-blind readers, grey-scale prints). Drawn from the inline SVG
 * icons: no sprite file, nothing fetched.
 */
export async function addStationTypeImages(map: MapLibreMap, codes: string[], sizePx = 26): Promise<void> {
  const ratio = 2;
  const px = sizePx * ratio;
  await Promise.all(
    codes.map(async (code) => {
      const id = stationImageId(code);
      if (map.hasImage(id)) return;
      const { color, icon: glyph } = typeStyle(code);
      const svg =
        `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="0 0 24 24">` +
        `<circle cx="12" cy="12" r="11" fill="${color}" stroke="#ffffff" stroke-width="1.5"/>` +
        `<g transform="translate(5.4 5.4) scale(0.55)" fill="none" stroke="#ffffff" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round">${iconMarkup(glyph ?? 'pin')}</g></svg>`;
      const img = new Image(px, px);
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
      await img.decode();
      if (!map.hasImage(id)) map.addImage(id, img, { pixelRatio: ratio });
    }),
  );
}
