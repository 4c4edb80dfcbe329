import { elementCount, type Tensor, type TensorData } from './tensor';

/** Consecutive fixture cases stacked along axis 0 of one batched run: case `ids[j]` holds `rows[j]` rows. */
export interface Stack {
  ids: readonly string[];
  rows: readonly number[];
}

/** Whether `t`'s leading axis holds exactly the stacked rows (an output that keeps one row per input row). */
export function holdsRows(t: Tensor, rows: readonly number[]): boolean {
  let total = 0;
  for (const r of rows) total += r;
  return t.dims.length > 0 && t.dims[0] === total;
}

/** Each case's part of a stacked tensor (views, no copy); `t` must hold the rows (see holdsRows). */
export function unstack(t: Tensor, rows: readonly number[]): Tensor[] {
  const rowSize = elementCount(t.dims.slice(1));
  const parts: Tensor[] = [];
  let start = 0;
  for (const r of rows) {
    const end = start + r * rowSize;
    const data =
      t.dtype === 'string'
        ? (t.data as string[]).slice(start, end)
        : (t.data as Exclude<TensorData, string[]>).subarray(start, end);
    parts.push({ dtype: t.dtype, dims: [r, ...t.dims.slice(1)], data });
    start = end;
  }
  return parts;
}
