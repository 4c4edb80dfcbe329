import { nearestRank, selectKth } from './quantile';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the high (sign/exponent) word of a double in `u32`, whatever the platform's endianness. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Fine bins of the discarded values: exponent + 7 mantissa bits, so each bin spans < 0.8%. */
const FINE_SHIFT = 13;
const FINE_BINS = 1 << (32 - FINE_SHIFT - 1); // positive doubles only: sign bit is 0

/** The top of one stream's values (see TailQuantile.snapshot). */
export interface TailSnapshot {
  /** Values seen, zeros included. */
  count: number;
  zeros: number;
  /** The largest values, exactly, in descending order. */
  top: number[];
  /** Every value not in `top` and not zero is <= floor (0 when `top` holds all of them). */
  floor: number;
  /** The values not in `top` (and not zero) by fine bin (see fineBin): index, count, index, count, ... */
  bins?: number[];
}

/** Fine bin of a value > 0: its exponent and top 7 mantissa bits, so a bin spans < 0.8% (width / lower edge). */
export function fineBin(v: number): number {
  f64[0] = v;
  return u32[HI] >>> FINE_SHIFT;
}

/** [lower, upper) edges of a fine bin. */
export function fineBinEdges(i: number): [number, number] {
  u32[1 - HI] = 0;
  u32[HI] = i << FINE_SHIFT;
  const lo = f64[0];
  u32[HI] = (i + 1) << FINE_SHIFT;
  return [lo, f64[0]];
}

/**
 * A high quantile (p99) of a stream of values > 0 plus a count of zeros, exact in bounded memory.
 *
 * Only the top of the distribution matters for a high quantile, so the buffer keeps the values above a
 * threshold and, when it fills, raises the threshold so that about twice the needed tail stays
 * (about 2% of all values for p99): memory follows the tail, not the stream. Discarded values are
 * counted, and binned finely as a fallback: if the stream later shifts so far down that the quantile
 * falls among discarded values, the result is an estimate within 0.4% (the middle of its fine bin).
 */
export class TailQuantile {
  private buf: Float64Array;
  private kept = 0;
  private threshold = 0;
  private below = 0;
  private zeros = 0;
  private fine: Uint32Array | undefined;

  constructor(
    private readonly q = 0.99,
    initialCapacity = 4096,
  ) {
    this.buf = new Float64Array(Math.max(16, initialCapacity));
  }

  /** Values seen so far, zeros included. */
  get count(): number {
    return this.zeros + this.below + this.kept;
  }

  addZeros(n: number): void {
    this.zeros += n;
  }

  /** Adds a value > 0 (Infinity allowed, NaN not). */
  add(v: number): void {
    if (v > this.threshold) {
      if (this.kept === this.buf.length) this.makeRoom();
      if (v > this.threshold) {
        this.buf[this.kept++] = v;
        return;
      }
    }
    this.discard(v);
  }

  /**
   * What a merge needs to find the quantile of several streams: the counts, every kept value (largest first),
   * and a floor that no other non-zero value exceeds.
   */
  snapshot(): TailSnapshot {
    const top = Array.from(this.buf.subarray(0, this.kept)).sort((a, b) => b - a);
    const bins: number[] = [];
    if (this.fine)
      this.fine.forEach((n, i) => {
        if (n > 0) bins.push(i, n);
      });
    return { count: this.count, zeros: this.zeros, top, floor: this.below > 0 ? this.threshold : 0, bins };
  }

  /** The nearest-rank q-quantile of everything added (0 when empty). */
  quantile(): number {
    const n = this.count;
    if (n === 0) return 0;
    const k = nearestRank(this.q, n);
    if (k < this.zeros) return 0;
    const rank = k - this.zeros;
    if (rank >= this.below) return selectKth(this.buf, this.kept, rank - this.below);
    return this.estimateBelow(rank);
  }

  private discard(v: number): void {
    this.below++;
    this.fine ??= new Uint32Array(FINE_BINS);
    this.fine[fineBin(v)]++;
  }

  /** Raises the threshold so only about twice the needed tail stays, or grows the buffer if it cannot. */
  private makeRoom(): void {
    const n = this.count + 1;
    const need = n - nearestRank(this.q, n) + 1;
    const keep = 2 * need + 64;
    if (keep > this.buf.length >> 1) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
      return;
    }
    // partition so that buf[0, cut) <= t <= buf[cut, kept); values equal to t may sit on both sides,
    // which keeps the invariant "every discarded value <= every kept value"
    const cut = this.kept - keep;
    const t = selectKth(this.buf, this.kept, cut);
    for (let i = 0; i < cut; i++) this.discard(this.buf[i]);
    this.buf.copyWithin(0, cut, this.kept);
    this.kept = keep;
    this.threshold = t;
  }

  /** Middle of the fine bin holding the discarded value of this rank. */
  private estimateBelow(rank: number): number {
    const fine = this.fine;
    if (!fine) return this.threshold;
    let seen = 0;
    for (let i = 0; i < fine.length; i++) {
      seen += fine[i];
      if (seen > rank) {
        u32[HI] = i << FINE_SHIFT;
        u32[1 - HI] = 0;
        const lo = f64[0];
        u32[HI] = (i + 1) << FINE_SHIFT;
        return (lo + f64[0]) / 2;
      }
    }
    return this.threshold;
  }
}
