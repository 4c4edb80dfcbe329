import type { FloatView } from './numericView';

/**
 * Number of rows (of `rows` rows by `cols` columns, row-major) whose argmax is the same in both.
 * Ties go to the first maximum; NaN never wins (a row of only NaNs has argmax 0).
 */
export function countTop1Agreement(base: FloatView, cand: FloatView, rows: number, cols: number): number {
  let agree = 0;
  for (let r = 0, off = 0; r < rows; r++, off += cols) {
    if (argmax(base, off, cols) === argmax(cand, off, cols)) agree++;
  }
  return agree;
}

/** Index (relative to off) of the first largest of a[off, off + n). */
export function argmax(a: FloatView, off: number, n: number): number {
  let best = 0;
  let bestValue = a[off];
  for (let j = 1; j < n; j++) {
    const v = a[off + j];
    // the second test lets the first real number replace a leading NaN
    if (v > bestValue || (bestValue !== bestValue && v === v)) {
      best = j;
      bestValue = v;
    }
  }
  return best;
}
