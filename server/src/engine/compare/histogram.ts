import type { Histogram } from './types';

/**
 * Lower edges of the |diff| histogram bins (see `Histogram`): exact zeros, then (0, 1e-12), then one bin
 * per decade from 1e-12 to 1e3, then an open-ended overflow bin [1e3, ∞] that also holds non-finite
 * mismatches (NaN or Inf on one side). The last bin has no upper edge so the JSON stays finite.
 */
export const DIFF_BIN_EDGES: readonly number[] = Object.freeze([
  0,
  Number.MIN_VALUE,
  ...Array.from({ length: 16 }, (_, i) => Number(`1e${i - 12}`)),
]);

export const DIFF_BIN_COUNT = DIFF_BIN_EDGES.length;
/** Index of the overflow bin. */
export const OVERFLOW_BIN = DIFF_BIN_COUNT - 1;

/**
 * Bin of a |diff| value >= 0 by binary search over the edges (exact at the decade boundaries,
 * unlike Math.log10); NaN and Infinity land in the overflow bin.
 */
export function diffBin(v: number): number {
  if (!(v < Infinity)) return OVERFLOW_BIN;
  let lo = 0;
  let hi = OVERFLOW_BIN;
  // invariant: EDGES[lo] <= v, and v < EDGES[hi + 1] (or hi is the overflow bin)
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (v >= DIFF_BIN_EDGES[mid]) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function toHistogram(counts: ArrayLike<number>): Histogram {
  return { edges: [...DIFF_BIN_EDGES], counts: Array.from(counts) };
}

/** Fine log-spaced bins used to estimate a quantile once too many values were seen to keep them all. */
const FINE_PER_DECADE = 200;
const FINE_MIN_EXP = -45; // below float32 denormals
const FINE_MAX_EXP = 309; // above float64 max
const FINE_BINS = (FINE_MAX_EXP - FINE_MIN_EXP) * FINE_PER_DECADE;

/**
 * Streaming quantile estimate for values > 0 (zeros are counted by the caller): log-spaced bins with
 * 200 per decade, so the estimate is within ~1.2% of the exact value; memory is fixed (~570 KB).
 */
export class FineHistogram {
  private readonly counts = new Float64Array(FINE_BINS + 1);
  total = 0;

  add(v: number): void {
    let i = Math.floor((Math.log10(v) - FINE_MIN_EXP) * FINE_PER_DECADE);
    if (i < 0) i = 0;
    else if (!(i < FINE_BINS)) i = FINE_BINS; // Infinity or beyond
    this.counts[i]++;
    this.total++;
  }

  addAll(values: Float64Array): void {
    for (let i = 0; i < values.length; i++) this.add(values[i]);
  }

  /** Value of 0-based rank k among the values added: the geometric middle of the bin holding it. */
  valueAtRank(k: number): number {
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen > k) {
        if (i === FINE_BINS) return Infinity;
        return 10 ** (FINE_MIN_EXP + (i + 0.5) / FINE_PER_DECADE);
      }
    }
    return NaN;
  }
}
