/**
 * Detectors for the common mistakes in files people bring (pure, no I/O):
 *
 *   - latitude and longitude swapped: the point is outside the city, the swapped one inside;
 *   - coordinates in GCJ-02 (Amap/Tencent) or BD-09 (Baidu) declared as WGS84, or the reverse:
 *     stations stand by streets, so the distances from the points to the street network are small
 *     in the right system and like those of any point of the area in a wrong one — weighed as a
 *     likelihood ratio against the area's own street density, so a 4-row file can be decided and
 *     a file that cannot be says "not enough evidence" (checkDeclaredCrs);
 *   - projected metres read as degrees: see ./formats/shapefile.ts and the range check in ./records/geometry.ts.
 *
 * Distances use a local equirectangular approximation (error < 0.5 % over a few km), plenty for
 * telling 20 m from 400 m.
 */
import Flatbush from 'flatbush';
import type { Message } from '../validation/problem.js';
import { convertPosition, CRS_VALUES, type Crs } from './crs.js';
import { metresPerDegree } from '../geo/measure.js';

export type LonLat = readonly [number, number];
export type Bbox = readonly [number, number, number, number];

export const inBbox = (p: LonLat, b: Bbox, marginDeg = 0) =>
  p[0] >= b[0] - marginDeg && p[0] <= b[2] + marginDeg && p[1] >= b[1] - marginDeg && p[1] <= b[3] + marginDeg;

/** True when [lon, lat] is outside the city box but [lat, lon] is inside (margin ≈ 1 km). */
export function looksSwapped(p: LonLat, cityBbox: Bbox, marginDeg = 0.01): boolean {
  return !inBbox(p, cityBbox, marginDeg) && inBbox([p[1], p[0]], cityBbox, marginDeg);
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-distance queries against a set of polylines (street edges). */
export class PolylineIndex {
  private index: Flatbush | null;
  private segs: number[] = []; // x1, y1, x2, y2 per segment

  constructor(lines: readonly (readonly LonLat[])[]) {
    for (const line of lines) {
      for (let i = 0; i + 1 < line.length; i++) this.segs.push(line[i][0], line[i][1], line[i + 1][0], line[i + 1][1]);
    }
    const n = this.segs.length / 4;
    if (n === 0) {
      this.index = null;
      return;
    }
    this.index = new Flatbush(n);
    for (let s = 0; s < n; s++) {
      const [x1, y1, x2, y2] = this.segs.slice(s * 4, s * 4 + 4);
      this.index.add(Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2));
    }
    this.index.finish();
  }

  get size() {
    return this.segs.length / 4;
  }

  /** Distance in metres from p to the nearest segment, or `maxM` when none is within `maxM`. */
  distanceM(p: LonLat, maxM = 1000): number {
    if (!this.index) return maxM;
    const { x: kx, y: ky } = metresPerDegree(p[1]);
    const dx = maxM / kx;
    const dy = maxM / ky;
    let best = maxM;
    for (const s of this.index.search(p[0] - dx, p[1] - dy, p[0] + dx, p[1] + dy)) {
      const ax = (this.segs[s * 4] - p[0]) * kx;
      const ay = (this.segs[s * 4 + 1] - p[1]) * ky;
      const bx = (this.segs[s * 4 + 2] - p[0]) * kx;
      const by = (this.segs[s * 4 + 3] - p[1]) * ky;
      const vx = bx - ax;
      const vy = by - ay;
      const len2 = vx * vx + vy * vy;
      const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * vx + ay * vy) / len2)) : 0;
      const d = Math.hypot(ax + t * vx, ay + t * vy);
      if (d < best) best = d;
    }
    return best;
  }
}

export type CrsVerdict = 'suspected' | 'fits' | 'not_enough_evidence';

export interface CrsCheck {
  /** The system that fits the street network clearly better than the declared one, or null. */
  suspected: Crs | null;
  /** suspected: another system fits clearly better; fits: the declared one fits clearly better than every other; not_enough_evidence: cannot tell (few points, or a network so dense that any reading lands near a street). */
  verdict: CrsVerdict;
  /** log10 of the likelihood ratio "the best other system is right" : "the declared one is right" (≥ 3 → suspected, ≤ −3 → fits). */
  log10Ratio: number;
  /** Mean and median distance (m, capped) of the points to the nearest street, reading the file as each system. */
  meanM: Record<Crs, number>;
  medianM: Record<Crs, number>;
  points: number;
}

export interface CrsCheckOptions {
  /** Fewer points than this: no verdict. Default 3. */
  minPoints?: number;
  /** Evidence needed either way, as log10 of the likelihood ratio. Default 3 (1000 : 1). */
  log10Threshold?: number;
  /** Mean distance (m) of a station from its street when the system is right (exponential, plus a 10 % tail anywhere). Default 10 m (the sample city's stations stand 3–22 m off, mean 12 m; no false alarm in any 4-point group of the small and medium cities). */
  setbackM?: number;
  /** Distances are capped here (no street nearby: in the sea, outside the network). Default 1000 m. */
  capM?: number;
}

/** Coordinate systems by how often a file is in them (Amap/Tencent GCJ-02 first). */
const COMMON: Crs[] = ['gcj02', 'wgs84', 'bd09'];

/** Distance bins (m) of the likelihoods: 5 m wide up to 200 m, then one bin up to the cap. */
const BIN_M = 5;
const BINS = 41;
const binOf = (d: number) => Math.min(BINS - 1, Math.floor(d / BIN_M));

/**
 * How far from a street a point lands when its reading is wrong: the distance distribution of a
 * regular lattice of points over the area (the readings' box plus 300 m), smoothed. In a dense
 * network most of the area is near some street and a wrong reading proves little; in a sparse one
 * it proves a lot — the check weighs each file by its own neighbourhood.
 */
function backgroundBins(readings: LonLat[], network: PolylineIndex, capM: number): number[] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of readings) {
    x0 = Math.min(x0, p[0]);
    y0 = Math.min(y0, p[1]);
    x1 = Math.max(x1, p[0]);
    y1 = Math.max(y1, p[1]);
  }
  const lat = (y0 + y1) / 2;
  const k = metresPerDegree(lat);
  const mx = 300 / k.x;
  const my = 300 / k.y;
  const counts = new Array<number>(BINS).fill(0.5); // smoothing: no bin is impossible
  const n = 30;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const p: LonLat = [x0 - mx + ((x1 - x0 + 2 * mx) * (i + 0.5)) / n, y0 - my + ((y1 - y0 + 2 * my) * (j + 0.5)) / n];
      counts[binOf(network.distanceM(p, capM))]++;
    }
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

/** Where a point lands when its reading is right: 90 % an exponential setback from the street, 10 % anywhere (a station in a courtyard, a wrong row). */
function rightBins(background: number[], setbackM: number): number[] {
  return background.map((bg, b) => {
    const lo = b * BIN_M;
    const hi = b === BINS - 1 ? Infinity : lo + BIN_M;
    const exp = Math.exp(-lo / setbackM) - (hi === Infinity ? 0 : Math.exp(-hi / setbackM));
    return 0.9 * exp + 0.1 * bg;
  });
}

/**
 * Reads the file's raw positions as each of WGS84, GCJ-02 and BD-09 (converting to WGS84) and
 * weighs the evidence that another system fits the street network better than the declared one:
 * the likelihood of the distances under "this reading is right" (stations stand near their street)
 * against "this reading is wrong" (distances like those of any point of the area). Small files
 * count: four stations that each sit by a street only after conversion are 1000 : 1 evidence in
 * the sample city; a file that cannot decide it says so (`not_enough_evidence`).
 */
export function checkDeclaredCrs(raw: readonly LonLat[], declared: Crs, network: PolylineIndex, opts: CrsCheckOptions = {}): CrsCheck {
  const { minPoints = 3, log10Threshold = 3, setbackM = 10, capM = 1000 } = opts;
  const meanM = {} as Record<Crs, number>;
  const medianM = {} as Record<Crs, number>;
  const dist = {} as Record<Crs, number[]>;
  const readings = {} as Record<Crs, LonLat[]>;
  for (const crs of CRS_VALUES) {
    readings[crs] = raw.map((p) => convertPosition([p[0], p[1]], crs, 'wgs84') as unknown as LonLat);
    const d = readings[crs].map((p) => network.distanceM(p, capM));
    dist[crs] = d;
    meanM[crs] = d.length ? d.reduce((a, b) => a + b, 0) / d.length : NaN;
    medianM[crs] = median(d);
  }
  const none = { suspected: null, verdict: 'not_enough_evidence' as const, log10Ratio: 0, meanM, medianM, points: raw.length };
  if (raw.length < minPoints || network.size === 0) return none;

  const bg = backgroundBins(
    CRS_VALUES.flatMap((c) => readings[c]),
    network,
    capM,
  );
  const right = rightBins(bg, setbackM);
  // log10 P(distances | `alt` right, `declared` wrong) / P(distances | `declared` right, `alt` wrong)
  const ratio = (alt: Crs) =>
    raw.reduce((sum, _, i) => {
      const a = binOf(dist[alt][i]);
      const d = binOf(dist[declared][i]);
      return sum + Math.log10((right[a] * bg[d]) / (right[d] * bg[a]));
    }, 0);
  const others = CRS_VALUES.filter((c) => c !== declared).map((c) => ({ c, r: ratio(c) }));
  // In a dense network a second wrong reading can land near streets by chance as well: between
  // readings within 10 : 1 of the best, the more common mistake is named (GCJ-02 files are far more
  // common than BD-09 ones).
  const top = Math.max(...others.map((o) => o.r));
  const best = [...others].sort((a, b) => COMMON.indexOf(a.c) - COMMON.indexOf(b.c)).find((o) => o.r >= top - 1)!;
  const log10Ratio = Math.round(best.r * 100) / 100;
  if (best.r >= log10Threshold) return { ...none, suspected: best.c, verdict: 'suspected', log10Ratio };
  if (others.every((o) => o.r <= -log10Threshold)) return { ...none, verdict: 'fits', log10Ratio };
  return { ...none, log10Ratio };
}

/** "Not enough evidence" in words, for the report's warnings. */
export function crsNotEnoughEvidenceMessage(check: CrsCheck, declared: Crs): Message {
  return {
    zh: `坐标系检查：证据不足，无法判断 ${check.points} 个点是否确为 ${CRS_NAMES[declared].zh}（点太少，或道路太密，任何读法都靠近道路）。请确认坐标来源（高德/腾讯为 GCJ-02，百度为 BD-09，GPS/天地图为 WGS84）`,
    en: `coordinate-system check: not enough evidence to tell whether the ${check.points} points are really ${CRS_NAMES[declared].en} (too few points, or streets so dense that any reading lands near one). Check where the coordinates came from (Amap/Tencent: GCJ-02, Baidu: BD-09, GPS/Tianditu: WGS84)`,
  };
}

export const CRS_NAMES: Record<Crs, Message> = {
  wgs84: { zh: 'WGS84（GPS / 天地图 / CGCS2000）', en: 'WGS84 (GPS / Tianditu / CGCS2000)' },
  gcj02: { zh: 'GCJ-02（火星坐标，高德 / 腾讯）', en: 'GCJ-02 ("Mars" coordinates, Amap / Tencent)' },
  bd09: { zh: 'BD-09（百度坐标）', en: 'BD-09 (Baidu)' },
};

/** The bilingual message for a suspected CRS. */
export function crsSuspicionMessage(check: CrsCheck, declared: Crs): Message {
  const s = check.suspected!;
  const m = (c: Crs) => `${Math.round(check.meanM[c])}`;
  const md = (c: Crs) => `${Math.round(check.medianM[c])}`;
  return {
    zh: `坐标疑似为 ${CRS_NAMES[s].zh}，却声明为 ${CRS_NAMES[declared].zh}：按声明读取时 ${check.points} 个点距最近道路平均 ${m(declared)} 米（中位 ${md(declared)} 米），按 ${s} 读取时平均 ${m(s)} 米（中位 ${md(s)} 米）。请用 --crs ${s}（或在页面中选择 ${s}）重新导入`,
    en: `coordinates look like ${CRS_NAMES[s].en} but were declared ${CRS_NAMES[declared].en}: read as declared, ${check.points} points are on average ${m(declared)} m (median ${md(declared)} m) from the nearest street; read as ${s}, ${m(s)} m (median ${md(s)} m). Import again with --crs ${s}`,
  };
}
