/**
 * Service stations placed along named streets (6–22 m off the centre line), on land, with more of them in
 * dense grids and a few "gap zones" left almost unserved so coverage analyses have something to find.
 */
import type { Feature, Point } from 'geojson';
import { AMENITIES, SERVICE_STATION_TYPES, type Amenity, type StationStatus } from '../../server/domain/stations.js';
import type { StationProps } from '../types.js';
import type { Admin } from './admin.js';
import { dist, pointInRing, ringsIndex, type Frame, type XY } from './geo.js';
import { chineseNumber, CITY_SHORT } from './names.js';
import type { BuiltNetwork } from './network.js';
import type { River } from './river.js';
import { Rng } from './rng.js';

export interface StationConfig {
  count: number;
  /** Number of under-served zones and their radius range (m). */
  gapZones: number;
  gapRadius: [number, number];
}

/** Share of each type; courier stations get the remainder (~40 %). */
const SHARES: Record<string, number> = {
  party_service_center: 0.14,
  elderly_canteen: 0.1,
  elderly_care_center: 0.1,
  after_school_room: 0.12,
  vegetable_pickup: 0.14,
};

const COURIER_HOURS = ['Mo-Su 07:00-21:00', 'Mo-Sa 08:00-20:00; Su 09:00-17:00', 'Mo-Fr 08:30-17:30'];

type Probs = Partial<Record<Amenity, number>>;
const AMENITY_PROBS: Record<string, Probs> = {
  courier_station: {
    water: 0.97,
    charging: 0.92,
    seating: 0.9,
    first_aid: 0.45,
    repair_tools: 0.35,
    umbrella: 0.4,
    microwave: 0.35,
    heating: 0.5,
    air_conditioning: 0.55,
    toilet: 0.3,
    wifi: 0.4,
    reading: 0.2,
  },
  party_service_center: {
    water: 0.9,
    charging: 0.7,
    seating: 0.95,
    first_aid: 0.5,
    umbrella: 0.4,
    heating: 0.8,
    air_conditioning: 0.8,
    toilet: 0.9,
    wifi: 0.85,
    reading: 0.9,
  },
  elderly_canteen: { water: 0.8, seating: 1, toilet: 0.7, heating: 0.7, air_conditioning: 0.6, microwave: 0.3 },
  elderly_care_center: { water: 0.9, seating: 1, first_aid: 0.8, toilet: 0.9, heating: 0.8, air_conditioning: 0.7, reading: 0.6, wifi: 0.4 },
  after_school_room: { water: 0.9, seating: 1, wifi: 0.7, reading: 0.95, toilet: 0.7, heating: 0.6, air_conditioning: 0.6, first_aid: 0.3 },
  vegetable_pickup: { umbrella: 0.2, charging: 0.1, seating: 0.2 },
};

export function buildStations(frame: Frame, river: River, admin: Admin, net: BuiltNetwork, cfg: StationConfig, seed: number): Feature<Point, StationProps>[] {
  const rng = Rng.derive(seed, 'stations');
  const W = frame.width;
  const H = frame.height;

  // Grid lookup (lon/lat).
  const index = ringsIndex(admin.grids.map((g) => g.ring));
  const gridAt = (ll: XY): number => {
    for (const i of index.search(ll[0], ll[1], ll[0], ll[1])) if (pointInRing(ll[0], ll[1], admin.grids[i]!.ring)) return i;
    return -1;
  };

  // Candidate streets: named, not bridges, weighted by length.
  const edges = net.network.edges;
  const cand: number[] = [];
  const cum: number[] = [];
  let total = 0;
  edges.forEach((e, i) => {
    if (!e.name || e.name.includes('桥') || !['primary', 'secondary', 'tertiary', 'residential'].includes(e.highway)) return;
    total += e.lengthM;
    cand.push(i);
    cum.push(total);
  });
  const pickEdge = (): number => {
    const r = rng.next() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return cand[lo]!;
  };

  const gaps: { c: XY; r: number }[] = [];
  for (let k = 0; k < cfg.gapZones; k++) {
    gaps.push({ c: [W * rng.range(0.1, 0.9), H * rng.range(0.1, 0.9)], r: rng.range(cfg.gapRadius[0], cfg.gapRadius[1]) });
  }

  // Types, shuffled.
  const types: string[] = [];
  let others = 0;
  for (const code of SERVICE_STATION_TYPES) {
    if (code === 'courier_station') continue;
    const n = Math.max(1, Math.round(cfg.count * (SHARES[code] ?? 0.1)));
    others += n;
    for (let i = 0; i < n; i++) types.push(code);
  }
  for (let i = 0; i < Math.max(1, cfg.count - others); i++) types.push('courier_station');
  const order = rng.shuffle(types);
  // Exact quotas: half of the courier stations are open 24/7, ~5 % of all stations are temporarily closed.
  const nCourier = order.filter((t) => t === 'courier_station').length;
  const allDay = rng.shuffle(Array.from({ length: nCourier }, (_, i) => i < Math.round(nCourier / 2)));
  const closed = rng.shuffle(Array.from({ length: order.length }, (_, i) => i < Math.max(1, Math.round(order.length * 0.05))));
  let courierIdx = 0;

  const placed: XY[] = [];
  const names = new Set<string>();
  const streetHasCentre = new Set<number>();
  const unique = (base: string): string => {
    if (!names.has(base)) {
      names.add(base);
      return base;
    }
    for (let n = 2; ; n++) {
      const s = `${base}（${chineseNumber(Math.min(n, 99))}${n > 99 ? n : ''}号点）`;
      if (!names.has(s)) {
        names.add(s);
        return s;
      }
    }
  };

  const out: Feature<Point, StationProps>[] = [];
  for (const type of order) {
    let result: { ll: XY; grid: number; road: string; side: number } | null = null;
    for (let attempt = 0; attempt < 400 && !result; attempt++) {
      const relax = attempt > 300;
      const ei = pickEdge();
      const pts = net.edgeXY[ei]!;
      const k = rng.int(0, pts.length - 2);
      const p = pts[k]!;
      const q = pts[k + 1]!;
      const len = dist(p, q);
      if (len < 1) continue;
      const f = rng.range(0.1, 0.9);
      const side = rng.chance(0.5) ? 1 : -1;
      const off = rng.range(6, 22);
      const nx = (-(q[1] - p[1]) / len) * side;
      const ny = ((q[0] - p[0]) / len) * side;
      const xy: XY = [p[0] + f * (q[0] - p[0]) + nx * off, p[1] + f * (q[1] - p[1]) + ny * off];
      if (xy[0] < 10 || xy[0] > W - 10 || xy[1] < 10 || xy[1] > H - 10) continue;
      if (river.contains(xy[0], xy[1], 5)) continue;
      if (placed.some((o) => Math.abs(o[0] - xy[0]) < 60 && dist(o, xy) < 60)) continue;
      const inGap = gaps.some((g) => dist(g.c, xy) < g.r);
      if (inGap && !rng.chance(relax ? 0.2 : 0.01)) continue;
      const ll = frame.toLonLat(xy);
      const grid = gridAt(ll);
      if (grid < 0) continue;
      const pop = admin.grids[grid]!.props.population;
      if (!relax && !rng.chance(0.15 + (0.85 * pop) / 3000)) continue;
      result = { ll, grid, road: edges[ei]!.name!, side };
      placed.push(xy);
    }
    if (!result) throw new Error(`could not place a ${type} station`);

    const g = admin.grids[result.grid]!;
    const comm = admin.communities[g.community]!;
    const streetIdx = comm.parent;
    const street = admin.streets[streetIdx]!;
    const district = admin.districts[street.parent]!;
    const stem = comm.name.replace(/社区$/, '');
    let name: string;
    let operator: string | null;
    let hours: string;
    switch (type) {
      case 'courier_station': {
        const r = rng.next();
        if (r < 0.4) {
          name = `${street.name}环卫之家爱心驿站`;
          operator = '市环卫处';
        } else if (r < 0.7) {
          name = `益民大药房${stem}店爱心驿站`;
          operator = '益民大药房';
        } else if (r < 0.85) {
          name = `${street.name}职工之家爱心驿站`;
          operator = '区总工会';
        } else {
          name = `${comm.name}党群服务站爱心驿站`;
          operator = '社区居委会';
        }
        hours = allDay[courierIdx++] ? '24/7' : rng.pick(COURIER_HOURS);
        break;
      }
      case 'party_service_center':
        if (!streetHasCentre.has(streetIdx)) {
          streetHasCentre.add(streetIdx);
          name = `${street.name}党群服务中心`;
          operator = '街道办事处';
        } else {
          name = `${comm.name}党群服务中心`;
          operator = '社区居委会';
        }
        hours = rng.chance(0.7) ? 'Mo-Fr 08:30-17:30' : 'Mo-Sa 08:00-20:00; Su 09:00-17:00';
        break;
      case 'elderly_canteen':
        name = `${comm.name}老年食堂`;
        operator = rng.chance(0.6) ? '社区居委会' : '颐和餐饮服务有限公司';
        hours = 'Mo-Su 10:30-13:00,16:30-18:30';
        break;
      case 'elderly_care_center':
        name = `${comm.name}养老服务中心`;
        operator = rng.chance(0.5) ? '社区居委会' : '康乐养老服务有限公司';
        hours = rng.chance(0.6) ? 'Mo-Su 07:00-21:00' : 'Mo-Fr 08:30-17:30';
        break;
      case 'after_school_room':
        name = `${comm.name}三点半学堂`;
        operator = rng.chance(0.7) ? '社区居委会' : '区关工委';
        hours = 'Mo-Fr 15:30-18:30';
        break;
      default:
        name = `${comm.name}放心菜自提点`;
        operator = rng.chance(0.8) ? '鲜达农产品有限公司' : null;
        hours = rng.chance(0.5) ? 'Mo-Su 07:00-21:00' : 'Mo-Sa 08:00-20:00; Su 09:00-17:00';
    }
    const probs = AMENITY_PROBS[type] ?? {};
    const amenities = AMENITIES.filter((a) => rng.chance(probs[a] ?? 0));
    const num = 2 * rng.int(1, 200) - (result.side > 0 ? 1 : 0);
    const status: StationStatus = closed[out.length] ? 'temporarily_closed' : 'open';
    const phone = rng.chance(0.92) ? `0411-8${rng.digits(7)}` : null;
    out.push({
      type: 'Feature',
      properties: {
        code: `ST${String(out.length + 1).padStart(5, '0')}`,
        type,
        name: unique(name),
        address: `${CITY_SHORT}${district.name}${result.road}${num}号`,
        amenities,
        openingHours: hours,
        phone,
        operator,
        status,
      },
      geometry: { type: 'Point', coordinates: [result.ll[0], result.ll[1]] },
    });
  }
  return out;
}
