/** Geometry helpers: a local metric frame for the city and ring utilities. */
import Flatbush from 'flatbush';

export type XY = [number, number];

/** Mean earth radius used by turf (metres). */
export const EARTH_RADIUS_M = 6371008.8;
export const M_PER_DEG_LAT = (EARTH_RADIUS_M * Math.PI) / 180;

/** Round to 7 decimals (≈1 cm); the generator rounds every output coordinate with this. */
export function round7(v: number): number {
  const r = Math.round(v * 1e7) / 1e7;
  return r === 0 ? 0 : r; // no -0
}

/**
 * Local equirectangular frame: x metres east, y metres north of the city's south-west corner.
 * The map to lon/lat is affine, so straight lines stay straight in both frames.
 */
export class Frame {
  readonly lon0: number;
  readonly lat0: number;
  readonly mPerDegLon: number;

  constructor(
    centerLon: number,
    centerLat: number,
    readonly width: number,
    readonly height: number,
  ) {
    this.mPerDegLon = M_PER_DEG_LAT * Math.cos((centerLat * Math.PI) / 180);
    this.lon0 = round7(centerLon - width / 2 / this.mPerDegLon);
    this.lat0 = round7(centerLat - height / 2 / M_PER_DEG_LAT);
  }

  lon(x: number): number {
    return round7(this.lon0 + x / this.mPerDegLon);
  }

  lat(y: number): number {
    return round7(this.lat0 + y / M_PER_DEG_LAT);
  }

  toLonLat(p: XY): XY {
    return [this.lon(p[0]), this.lat(p[1])];
  }

  /** Inverse (unrounded), for lon/lat → metres. */
  toXY(p: readonly number[]): XY {
    return [(p[0]! - this.lon0) * this.mPerDegLon, (p[1]! - this.lat0) * M_PER_DEG_LAT];
  }

  bbox(): [number, number, number, number] {
    return [this.lon(0), this.lat(0), this.lon(this.width), this.lat(this.height)];
  }
}

/** Shoelace signed area of an open or closed ring (positive = counter-clockwise). */
export function signedArea(ring: readonly (readonly number[])[]): number {
  let a = 0;
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    const p = ring[i]!;
    const q = ring[(i + 1) % n]!;
    a += p[0]! * q[1]! - q[0]! * p[1]!;
  }
  return a / 2;
}

/** Area centroid of a closed ring (falls back to the vertex mean for degenerate rings). */
export function ringCentroid(ring: readonly (readonly number[])[]): XY {
  let a = 0;
  let cx = 0;
  let cy = 0;
  // Shift to the first vertex for numerical stability with lon/lat values.
  const ox = ring[0]![0]!;
  const oy = ring[0]![1]!;
  for (let i = 0; i < ring.length - 1; i++) {
    const x0 = ring[i]![0]! - ox;
    const y0 = ring[i]![1]! - oy;
    const x1 = ring[i + 1]![0]! - ox;
    const y1 = ring[i + 1]![1]! - oy;
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (Math.abs(a) < 1e-18) {
    let sx = 0;
    let sy = 0;
    for (const p of ring) {
      sx += p[0]!;
      sy += p[1]!;
    }
    return [sx / ring.length, sy / ring.length];
  }
  return [ox + cx / (3 * a), oy + cy / (3 * a)];
}

/** Ray-casting point-in-ring test (ring closed or open). */
export function pointInRing(x: number, y: number, ring: readonly (readonly number[])[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i]![0]!;
    const yi = ring[i]![1]!;
    const xj = ring[j]![0]!;
    const yj = ring[j]![1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function dist(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
}

/** Jittered lattice of about `count` points over a w×h rectangle. */
export function jitteredLattice(count: number, w: number, h: number, jitter: number, rnd: () => number): XY[] {
  const kx = Math.max(1, Math.round(Math.sqrt((count * w) / h)));
  const ky = Math.max(1, Math.round(count / kx));
  const out: XY[] = [];
  for (let j = 0; j < ky; j++) {
    for (let i = 0; i < kx; i++) {
      const x = ((i + 0.5 + (rnd() * 2 - 1) * jitter) * w) / kx;
      const y = ((j + 0.5 + (rnd() * 2 - 1) * jitter) * h) / ky;
      out.push([x, y]);
    }
  }
  return out;
}

/** A spatial index over rings' bboxes (item i = ring i): which grid a point may lie in. */
export function ringsIndex(rings: readonly (readonly (readonly number[])[])[]): Flatbush {
  const index = new Flatbush(Math.max(1, rings.length));
  for (const ring of rings) {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const p of ring) {
      x0 = Math.min(x0, p[0]!);
      y0 = Math.min(y0, p[1]!);
      x1 = Math.max(x1, p[0]!);
      y1 = Math.max(y1, p[1]!);
    }
    index.add(x0, y0, x1, y1);
  }
  // No rings: one box nothing can meet (Flatbush needs an item).
  if (rings.length === 0) index.add(Infinity, Infinity, Infinity, Infinity);
  index.finish();
  return index;
}
