import { allocate, elementCount, type Tensor, type TensorData } from '../tensor/tensor';
import type { Signature } from '../onnx/signature';
import { holdsRows, unstack } from '../tensor/stack';

/** Inputs of one fixture case, bound to model input names. */
export interface BoundCase {
  id: string;
  feeds: Map<string, Tensor>;
}

/** Several cases stacked along axis 0, with the row count each contributed. */
export interface Batch {
  cases: BoundCase[];
  rows: number[];
  feeds: Record<string, Tensor>;
}

function leadingDimIsFree(dims: (number | string | null)[] | undefined): boolean {
  return !!dims && dims.length > 0 && typeof dims[0] !== 'number';
}

/**
 * Stacking fixtures is only safe when every input and output of both models has a free (symbolic)
 * leading axis: then rows are independent as far as the signature says.
 */
export function signaturesAllowBatching(...sigs: Signature[]): boolean {
  return sigs.every(
    (s) => s.inputs.every((v) => leadingDimIsFree(v.dims)) && s.outputs.every((v) => leadingDimIsFree(v.dims)),
  );
}

function rowsOf(c: BoundCase): number | undefined {
  let rows: number | undefined;
  for (const t of c.feeds.values()) {
    if (t.dims.length === 0) return undefined;
    if (rows === undefined) rows = t.dims[0];
    else if (rows !== t.dims[0]) return undefined;
  }
  return rows;
}

function sameTrailing(a: BoundCase, b: BoundCase): boolean {
  for (const [name, t] of a.feeds) {
    const u = b.feeds.get(name);
    if (!u || u.dtype !== t.dtype || u.dims.length !== t.dims.length) return false;
    for (let i = 1; i < t.dims.length; i++) if (t.dims[i] !== u.dims[i]) return false;
  }
  return true;
}

function concat(tensors: Tensor[]): Tensor {
  const first = tensors[0];
  if (tensors.length === 1) return first;
  const rows = tensors.reduce((n, t) => n + t.dims[0], 0);
  const dims = [rows, ...first.dims.slice(1)];
  if (first.dtype === 'string') {
    return { dtype: first.dtype, dims, data: tensors.flatMap((t) => t.data as string[]) };
  }
  const out = allocate(first.dtype, elementCount(dims)) as Exclude<TensorData, string[]>;
  let offset = 0;
  for (const t of tensors) {
    (out as { set(a: ArrayLike<number | bigint>, o: number): void }).set(t.data as ArrayLike<number | bigint>, offset);
    offset += t.data.length;
  }
  return { dtype: first.dtype, dims, data: out };
}

/** Every case is bound against the same signature, so each has every input; a gap is a bug, not data. */
function feedOf(c: BoundCase, name: string): Tensor {
  const t = c.feeds.get(name);
  if (!t) throw new Error(`case ${c.id} has no tensor for input '${name}'`);
  return t;
}

/**
 * Groups consecutive cases into batches of at most `maxRows` rows. Cases whose trailing dims differ
 * start a new batch; `maxRows` 1 or a non-batchable model gives one case per batch.
 */
export function makeBatches(cases: BoundCase[], maxRows: number, allowed: boolean): Batch[] {
  const batches: Batch[] = [];
  let group: BoundCase[] = [];
  let groupRows: number[] = [];
  let total = 0;
  const flush = (): void => {
    if (group.length === 0) return;
    const feeds: Record<string, Tensor> = {};
    for (const name of group[0].feeds.keys()) feeds[name] = concat(group.map((c) => feedOf(c, name)));
    batches.push({ cases: group, rows: groupRows, feeds });
    group = [];
    groupRows = [];
    total = 0;
  };
  for (const c of cases) {
    const rows = allowed ? rowsOf(c) : undefined;
    if (rows === undefined) {
      flush();
      batches.push({ cases: [c], rows: [-1], feeds: Object.fromEntries(c.feeds) });
      continue;
    }
    if (group.length > 0 && (total + rows > maxRows || !sameTrailing(group[0], c))) flush();
    group.push(c);
    groupRows.push(rows);
    total += rows;
  }
  flush();
  return batches;
}

/**
 * Splits a batched output back into per-case tensors (views, no copy). Returns undefined when the
 * output's leading axis does not match the stacked rows, in which case the caller reruns unbatched.
 */
export function splitOutput(t: Tensor, rows: number[]): Tensor[] | undefined {
  if (rows.length === 1) return [t];
  return holdsRows(t, rows) ? unstack(t, rows) : undefined;
}
