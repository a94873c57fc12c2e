/**
 * Life-circle facilities (issue 15): schools, clinics, markets, shops, bus stops … placed after the
 * service stations with a random stream of their own, so the service stations stay exactly as
 * before. Per community a type gets `perCommunity` facilities on average (health centres: one per
 * street), each beside a named street (6–22 m off it) inside a populated grid of that community, on land.
 */
import type { Feature, Point } from 'geojson';
import { STATION_TYPES, type StationStatus } from '../../server/domain/stations.js';
import type { StationProps } from '../types.js';
import type { Admin } from './admin.js';
import { dist, pointInRing, ringsIndex, type Frame, type XY } from './geo.js';
import { CITY_SHORT } from './names.js';
import type { BuiltNetwork } from './network.js';
import type { River } from './river.js';
import { Rng } from './rng.js';

interface Plan {
  type: string;
  /** Facilities per community on average; per street when `perStreet`. */
  rate: number;
  perStreet?: boolean;
  name: (community: string, street: string) => string;
  hours: string[];
  operator: string | null;
}

const PLANS: Plan[] = [
  { type: 'kindergarten', rate: 0.7, name: (c) => `${c}幼儿园`, hours: ['Mo-Fr 07:30-17:30'], operator: '区教育局' },
  { type: 'primary_school', rate: 0.35, name: (c) => `${c}小学`, hours: ['Mo-Fr 07:30-17:00'], operator: '区教育局' },
  { type: 'middle_school', rate: 0.18, name: (c) => `${c}中学`, hours: ['Mo-Fr 07:00-18:00'], operator: '区教育局' },
  { type: 'community_health_station', rate: 0.5, name: (c) => `${c}社区卫生服务站`, hours: ['Mo-Su 08:00-17:00'], operator: '区卫生健康局' },
  {
    type: 'community_health_center',
    rate: 1,
    perStreet: true,
    name: (_, s) => `${s}社区卫生服务中心`,
    hours: ['Mo-Su 08:00-20:00', '24/7'],
    operator: '区卫生健康局',
  },
  { type: 'fresh_market', rate: 0.5, name: (c) => `${c}菜市场`, hours: ['Mo-Su 06:00-19:00'], operator: null },
  { type: 'convenience_store', rate: 1.2, name: (c) => `${c}便利店`, hours: ['24/7', 'Mo-Su 07:00-23:00'], operator: null },
  { type: 'pharmacy', rate: 0.6, name: (c) => `益民大药房${c}店`, hours: ['Mo-Su 08:00-21:00', '24/7'], operator: '益民大药房' },
  { type: 'bus_stop', rate: 1.2, name: (c) => `${c}公交站`, hours: ['24/7'], operator: '市公交集团' },
  { type: 'community_canteen', rate: 0.35, name: (c) => `${c}社区食堂`, hours: ['Mo-Su 06:30-19:00'], operator: '社区居委会' },
  { type: 'elderly_service_station', rate: 0.45, name: (c) => `${c}养老服务站`, hours: ['Mo-Su 08:00-18:00'], operator: '社区居委会' },
];

/**
 * @param firstCode number of the first station code (after the service stations)
 * @param names names already used (kept unique across all stations)
 */
export function buildLifecircleStations(
  frame: Frame,
  river: River,
  admin: Admin,
  net: BuiltNetwork,
  seed: number,
  firstCode: number,
  names: Set<string>,
): Feature<Point, StationProps>[] {
  const rng = Rng.derive(seed, 'lifecircle-stations');
  // Each street edge's midpoint, by the grid it lies in (on land only).
  const index = ringsIndex(admin.grids.map((g) => g.ring));
  const edgesByGrid = new Map<number, number[]>();
  net.edgeXY.forEach((pts, ei) => {
    const e = net.network.edges[ei]!;
    if (!e.walkable || !e.name || e.name.includes('桥') || pts.length < 2) return;
    const mid = pts[Math.floor(pts.length / 2)]!;
    const ll = frame.toLonLat(mid);
    for (const gi of index.search(ll[0], ll[1], ll[0], ll[1]).sort((a, b) => a - b)) {
      if (pointInRing(ll[0], ll[1], admin.grids[gi]!.ring)) {
        const list = edgesByGrid.get(gi);
        if (list) list.push(ei);
        else edgesByGrid.set(gi, [ei]);
        break;
      }
    }
  });
  const gridsOf = admin.communities.map(() => [] as number[]);
  admin.grids.forEach((g, gi) => {
    if (g.props.population > 0 && edgesByGrid.has(gi)) gridsOf[g.community]!.push(gi);
  });
  const communitiesOf = admin.streets.map(() => [] as number[]);
  admin.communities.forEach((c, ci) => communitiesOf[c.parent]!.push(ci));
  const unique = (base: string) => {
    let s = base;
    for (let n = 2; names.has(s); n++) s = `${base}（${n}号）`;
    names.add(s);
    return s;
  };

  const out: Feature<Point, StationProps>[] = [];
  for (const plan of PLANS) {
    if (!STATION_TYPES.some((t) => t.code === plan.type)) throw new Error(`unknown station type ${plan.type}`);
    // Which communities get one: every street once (perStreet), or communities in turn with probability `rate` (integer part always).
    const targets: number[] = [];
    if (plan.perStreet) {
      communitiesOf.forEach((cs) => {
        const withGrids = cs.filter((c) => gridsOf[c]!.length);
        if (withGrids.length) targets.push(rng.pick(withGrids));
      });
    } else {
      admin.communities.forEach((_, ci) => {
        if (!gridsOf[ci]!.length) return;
        const n = Math.floor(plan.rate) + (rng.chance(plan.rate % 1) ? 1 : 0);
        for (let k = 0; k < n; k++) targets.push(ci);
      });
    }
    for (const ci of targets) {
      let placed: { xy: XY; ll: [number, number]; road: string } | null = null;
      for (let attempt = 0; attempt < 50 && !placed; attempt++) {
        const gi = rng.pick(gridsOf[ci]!);
        const ei = rng.pick(edgesByGrid.get(gi)!);
        const pts = net.edgeXY[ei]!;
        const k = rng.int(0, pts.length - 2);
        const p = pts[k]!;
        const q = pts[k + 1]!;
        const len = dist(p, q);
        if (len < 1) continue;
        const f = rng.range(0.1, 0.9);
        const side = rng.chance(0.5) ? 1 : -1;
        const off = rng.range(6, 22);
        const xy: XY = [p[0] + f * (q[0] - p[0]) - ((q[1] - p[1]) / len) * off * side, p[1] + f * (q[1] - p[1]) + ((q[0] - p[0]) / len) * off * side];
        if (xy[0] < 10 || xy[0] > frame.width - 10 || xy[1] < 10 || xy[1] > frame.height - 10) continue;
        if (river.contains(xy[0], xy[1], 5)) continue;
        const ll = frame.toLonLat(xy);
        if (!pointInRing(ll[0], ll[1], admin.grids[gi]!.ring)) continue;
        placed = { xy, ll: [ll[0], ll[1]], road: net.network.edges[ei]!.name! };
      }
      if (!placed) continue;
      const comm = admin.communities[ci]!;
      const street = admin.streets[comm.parent]!;
      const district = admin.districts[street.parent]!;
      const stem = comm.name.replace(/社区$/, '');
      const status: StationStatus = rng.chance(0.03) ? 'temporarily_closed' : 'open';
      out.push({
        type: 'Feature',
        properties: {
          code: `ST${String(firstCode + out.length).padStart(5, '0')}`,
          type: plan.type,
          name: unique(plan.name(stem, street.name)),
          address: `${CITY_SHORT}${district.name}${placed.road}${2 * rng.int(1, 200) - 1}号`,
          amenities: [],
          openingHours: rng.pick(plan.hours),
          phone: rng.chance(0.8) ? `0411-8${rng.digits(7)}` : null,
          operator: plan.operator,
          status,
        },
        geometry: { type: 'Point', coordinates: placed.ll },
      });
    }
  }
  return out;
}
