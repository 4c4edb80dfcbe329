import type { FloatView } from './numericView';

/** Rows (of `cols` values each, row-major) whose top-1 agrees, and whose baseline top-1 is in the candidate's top 5. */
export interface TopKCounts {
  top1: number;
  top5: number;
}

/**
 * Top-k agreement along the last axis: `base` and `cand` hold `rows` rows of `cols` scores (any tensor of rank
 * >= 2 read as [elements / lastDim, lastDim], so `[N, T, C]` sequence logits give one row per time step).
 * top1: rows whose argmax is the same in both. top5: rows whose baseline argmax is among the candidate's five
 * largest (ranked by value, ties to the lower index, NaN last), i.e. top-5 accuracy with the baseline as label.
 * Ties go to the first maximum; NaN never wins (a row of only NaNs has argmax 0).
 */
export function countTopK(base: FloatView, cand: FloatView, rows: number, cols: number): TopKCounts {
  let top1 = 0;
  let top5 = 0;
  for (let r = 0, off = 0; r < rows; r++, off += cols) {
    const b = argmax(base, off, cols);
    if (b === argmax(cand, off, cols)) {
      top1++;
      top5++;
    } else if (rankOf(cand, off, cols, b) < 5) {
      top5++;
    }
  }
  return { top1, top5 };
}

/** Number of top-1 agreeing rows (see countTopK). */
export function countTop1Agreement(base: FloatView, cand: FloatView, rows: number, cols: number): number {
  return countTopK(base, cand, rows, cols).top1;
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

/** 0-based rank of element k in its row when sorted descending (ties: lower index first; NaN after every number). */
export function rankOf(a: FloatView, off: number, n: number, k: number): number {
  const v = a[off + k];
  let rank = 0;
  if (v !== v) {
    for (let j = 0; j < n; j++) {
      const u = a[off + j];
      if (u === u || j < k) rank++;
    }
    return rank;
  }
  for (let j = 0; j < n; j++) {
    const u = a[off + j];
    if (u > v || (u === v && j < k)) rank++;
  }
  return rank;
}
