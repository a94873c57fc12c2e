/** The river barrier: an east–west band with a gentle meander, defined analytically in the metric frame. */
import type { Frame, XY } from './geo.js';
import type { Rng } from './rng.js';

export class River {
  private readonly y0: number;
  private readonly a1: number;
  private readonly k1: number;
  private readonly p1: number;
  private readonly a2: number;
  private readonly k2: number;
  private readonly p2: number;
  private readonly kw: number;
  private readonly pw: number;
  /** x spacing of the polygon's vertices (metres). */
  readonly step = 20;

  constructor(
    rng: Rng,
    readonly width: number,
    readonly height: number,
  ) {
    this.y0 = height * rng.range(0.42, 0.56);
    const l1 = Math.min(6000, Math.max(2200, width * 0.7)) * rng.range(0.85, 1.15);
    this.k1 = (2 * Math.PI) / l1;
    this.a1 = l1 * 0.045;
    this.p1 = rng.range(0, 2 * Math.PI);
    const l2 = l1 * 0.37;
    this.k2 = (2 * Math.PI) / l2;
    this.a2 = l2 * 0.02;
    this.p2 = rng.range(0, 2 * Math.PI);
    this.kw = (2 * Math.PI) / (l1 * 0.8);
    this.pw = rng.range(0, 2 * Math.PI);
  }

  center(x: number): number {
    return this.y0 + this.a1 * Math.sin(this.k1 * x + this.p1) + this.a2 * Math.sin(this.k2 * x + this.p2);
  }

  slope(x: number): number {
    return this.a1 * this.k1 * Math.cos(this.k1 * x + this.p1) + this.a2 * this.k2 * Math.cos(this.k2 * x + this.p2);
  }

  /** Half the (perpendicular) width: 41–69 m, i.e. the river is ~82–138 m wide. */
  halfWidth(x: number): number {
    return 55 + 14 * Math.sin(this.kw * x + this.pw);
  }

  /** Vertical half-extent of the band at x. */
  private halfExtent(x: number): number {
    const s = this.slope(x);
    return this.halfWidth(x) * Math.sqrt(1 + s * s);
  }

  top(x: number): number {
    return this.center(x) + this.halfExtent(x);
  }

  bottom(x: number): number {
    return this.center(x) - this.halfExtent(x);
  }

  /** Whether (x, y) is in the river band widened by `margin` metres (vertically). */
  contains(x: number, y: number, margin = 0): boolean {
    const c = this.center(x);
    const h = this.halfExtent(x) + margin;
    return y >= c - h && y <= c + h;
  }

  /** North (true) or south (false) of the centre line. */
  isNorth(x: number, y: number): boolean {
    return y > this.center(x);
  }

  /** x positions of the polygon vertices, 0..width inclusive. */
  sampleXs(): number[] {
    const n = Math.max(2, Math.ceil(this.width / this.step));
    const xs: number[] = [];
    for (let i = 0; i <= n; i++) xs.push(i === n ? this.width : (i * this.width) / n);
    return xs;
  }

  /** Counter-clockwise closed ring in lon/lat, clipped to the city's west and east edges. */
  polygon(frame: Frame): XY[] {
    const xs = this.sampleXs();
    const ring: XY[] = [];
    for (const x of xs) ring.push(frame.toLonLat([x, this.bottom(x)]));
    for (let i = xs.length - 1; i >= 0; i--) ring.push(frame.toLonLat([xs[i]!, this.top(xs[i]!)]));
    ring.push([ring[0]![0], ring[0]![1]]);
    return ring;
  }
}
