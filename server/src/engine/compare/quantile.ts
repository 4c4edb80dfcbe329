/**
 * 0-based rank of the nearest-rank quantile q (0 < q <= 1) among n values: the smallest value with
 * at least q·n values at or below it. E.g. p99 of 200 values is the 198th smallest (rank 197).
 */
export function nearestRank(q: number, n: number): number {
  return Math.max(0, Math.min(n - 1, Math.ceil(q * n - 1e-9) - 1));
}

/**
 * The k-th smallest (0-based) of values[0, n): Hoare quickselect with median-of-three pivots, O(n) on
 * average, in place (reorders the array). Values must not be NaN.
 */
export function selectKth(values: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three into values[mid] so the partition is balanced on sorted input
    if (values[mid] < values[lo]) swap(values, mid, lo);
    if (values[hi] < values[lo]) swap(values, hi, lo);
    if (values[hi] < values[mid]) swap(values, hi, mid);
    const pivot = values[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    // now [lo, j] <= pivot <= [i, hi], and anything strictly between j and i equals pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
