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

/** Bin of v >= 0 by binary search over the edges; builds the lookup tables below, and is their test oracle. */
export function binBySearch(v: number): number {
  if (!(v < Infinity)) return OVERFLOW_BIN;
  let lo = 0;
  let hi = OVERFLOW_BIN;
  // invariant: EDGES[lo] <= v < EDGES[hi + 1] (no upper edge past the overflow bin)
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (v >= DIFF_BIN_EDGES[mid]) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the high (sign/exponent) word of a double in `u32`, whatever the platform's endianness. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

// A binary octave [2^e, 2^(e+1)) holds at most one decade edge, so per biased exponent the bin is either
// BIN_LO[e] or the next one, decided by one comparison with BIN_UPPER[e] (NaN: never the next one).
const BIN_LO = new Uint8Array(2048);
const BIN_UPPER = new Float64Array(2048);
for (let e = 0; e < 2048; e++) {
  const low = e === 0 ? 0 : e === 2047 ? Infinity : 2 ** (e - 1023);
  const bin = binBySearch(low);
  BIN_LO[e] = bin;
  BIN_UPPER[e] = bin < OVERFLOW_BIN ? DIFF_BIN_EDGES[bin + 1] : NaN;
}

/** Bin of a |diff| value >= 0 from its exponent bits: O(1), exact at the decade edges; NaN and Infinity overflow. */
export function diffBin(v: number): number {
  f64[0] = v;
  const e = u32[HI] >>> 20;
  return v >= BIN_UPPER[e] ? BIN_LO[e] + 1 : BIN_LO[e];
}

export function toHistogram(counts: ArrayLike<number>): Histogram {
  return { edges: [...DIFF_BIN_EDGES], counts: Array.from(counts) };
}
