import { Scratch, toFloatView } from '../compare/numericView';
import { resolveTolerance } from '../compare/tolerance';
import type { Tolerance } from '../compare/types';
import type { DType, Tensor } from '../tensor/tensor';

/** One matched pair of intermediate tensors on one fixture. */
export interface PairComparison {
  /** False when the shapes differ: the pair cannot be compared elementwise (likely a wrong match). */
  comparable: boolean;
  /** Largest finite |cand − base| (Infinity for a NaN/Inf mismatch), in float64. */
  maxAbs: number;
  /** Some element falls outside the tolerance. */
  diverges: boolean;
}

/** The pair's tolerance: float16 on either side means float16 tolerances, else the baseline's dtype. */
export function pairTolerance(base: DType, cand: DType, caseTolerance?: Partial<Tolerance>): Tolerance {
  const dtype = base === 'float16' || cand === 'float16' ? 'float16' : base;
  return resolveTolerance(dtype, caseTolerance);
}

const scratchA = new Scratch();
const scratchB = new Scratch();

/** Compares two tensors elementwise in float64: pass iff |c − b| ≤ atol + rtol·|b| (NaN = NaN only with equalNan). */
export function compareTensors(base: Tensor, cand: Tensor, tol: Tolerance): PairComparison {
  if (base.dims.length !== cand.dims.length || base.dims.some((d, i) => d !== cand.dims[i])) {
    return { comparable: false, maxAbs: NaN, diverges: false };
  }
  if (base.dtype === 'string' || cand.dtype === 'string') {
    const a = base.data as string[];
    const b = cand.data as string[];
    const differs = a.some((v, i) => v !== b[i]);
    return { comparable: true, maxAbs: differs ? 1 : 0, diverges: differs };
  }
  const a = toFloatView(base, scratchA);
  const b = toFloatView(cand, scratchB);
  let maxAbs = 0;
  let diverges = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x !== x || y !== y) {
      if (x !== x && y !== y && tol.equalNan) continue;
      maxAbs = Infinity;
      diverges = true;
      continue;
    }
    const d = Math.abs(y - x);
    if (d > maxAbs) maxAbs = d;
    if (!(d <= tol.atol + tol.rtol * Math.abs(x))) diverges = true;
  }
  return { comparable: true, maxAbs, diverges };
}
