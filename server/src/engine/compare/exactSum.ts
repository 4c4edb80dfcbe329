/**
 * A floating-point sum with no rounding error until the end (Shewchuk's non-overlapping partials, as in
 * Python's math.fsum): the result is the exact sum rounded once, whatever the order of the terms. That is
 * what lets sharded runs merge to exactly the unsharded mean. Terms must be finite.
 */
export class ExactSum {
  private partials: number[] = [];

  constructor(initial: readonly number[] = []) {
    for (const x of initial) this.add(x);
  }

  add(x: number): void {
    const p = this.partials;
    let i = 0;
    for (let j = 0; j < p.length; j++) {
      let y = p[j];
      if (Math.abs(x) < Math.abs(y)) {
        // a swap without a destructuring array, which this hot loop would allocate per term
        const s = x;
        x = y;
        y = s;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    p.push(x);
  }

  /** The terms that sum exactly to the total: what a shard writes so a merge can continue the sum. */
  parts(): number[] {
    return [...this.partials];
  }

  /** The exact sum, correctly rounded (ties to even). */
  value(): number {
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n];
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    // round half even: if the rest has the same sign as lo, hi + 2lo decides
    if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}
