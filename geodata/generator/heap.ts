/** Binary min-heap of (priority, a, b) triples with deterministic tie-breaking on a, then b. */
export class MinHeap {
  private p: number[] = [];
  private a: number[] = [];
  private b: number[] = [];

  get size(): number {
    return this.p.length;
  }

  private less(i: number, j: number): boolean {
    const p = this.p;
    if (p[i] !== p[j]) return p[i]! < p[j]!;
    if (this.a[i] !== this.a[j]) return this.a[i]! < this.a[j]!;
    return this.b[i]! < this.b[j]!;
  }

  private swap(i: number, j: number): void {
    for (const arr of [this.p, this.a, this.b]) {
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t;
    }
  }

  push(priority: number, a: number, b: number): void {
    this.p.push(priority);
    this.a.push(a);
    this.b.push(b);
    let i = this.p.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the minimum; returns [priority, a, b]. */
  pop(): [number, number, number] {
    const top: [number, number, number] = [this.p[0]!, this.a[0]!, this.b[0]!];
    const lastP = this.p.pop()!;
    const lastA = this.a.pop()!;
    const lastB = this.b.pop()!;
    const n = this.p.length;
    if (n > 0) {
      this.p[0] = lastP;
      this.a[0] = lastA;
      this.b[0] = lastB;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < n && this.less(l, m)) m = l;
        if (r < n && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}
