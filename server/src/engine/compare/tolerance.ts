import { EngineError } from '../errors';
import type { DType } from '../tensor/tensor';
import type { Tolerance } from './types';

const EXACT: Tolerance = Object.freeze({ atol: 0, rtol: 0, equalNan: false });

/**
 * Defaults per dtype. Float tolerances follow the usual float32/float16/float64 round-off scale
 * (float32 rtol ~ 10 ulp); integers, bool and string compare exactly.
 */
export const DEFAULT_TOLERANCES: Readonly<Record<DType, Readonly<Tolerance>>> = Object.freeze({
  float32: Object.freeze({ atol: 1e-5, rtol: 1.3e-6, equalNan: false }),
  float16: Object.freeze({ atol: 1e-5, rtol: 1e-3, equalNan: false }),
  float64: Object.freeze({ atol: 1e-7, rtol: 1e-7, equalNan: false }),
  int8: EXACT,
  int16: EXACT,
  int32: EXACT,
  int64: EXACT,
  uint8: EXACT,
  uint16: EXACT,
  uint32: EXACT,
  uint64: EXACT,
  bool: EXACT,
  string: EXACT,
});

/** A fresh copy of the default tolerance for a dtype. */
export function defaultTolerance(dtype: DType): Tolerance {
  return { ...DEFAULT_TOLERANCES[dtype] };
}

/**
 * The tolerance for one output: per-output settings beat case defaults, which beat the dtype defaults.
 * Keys that are absent or `undefined` fall through to the next level.
 * @throws EngineError('config-invalid') when atol or rtol is negative or NaN.
 */
export function resolveTolerance(
  dtype: DType,
  caseDefaults?: Partial<Tolerance>,
  perOutput?: Partial<Tolerance>,
): Tolerance {
  const t = defaultTolerance(dtype);
  for (const layer of [caseDefaults, perOutput]) {
    if (!layer) continue;
    if (layer.atol !== undefined) t.atol = layer.atol;
    if (layer.rtol !== undefined) t.rtol = layer.rtol;
    if (layer.equalNan !== undefined) t.equalNan = layer.equalNan;
  }
  validateTolerance(t);
  return t;
}

/** @throws EngineError('config-invalid') unless atol and rtol are numbers >= 0 (Infinity allowed). */
export function validateTolerance(t: Tolerance): void {
  for (const key of ['atol', 'rtol'] as const) {
    const v = t[key];
    if (typeof v !== 'number' || !(v >= 0)) {
      throw new EngineError('config-invalid', `tolerance ${key} must be a number >= 0, got ${String(v)}`);
    }
  }
  if (typeof t.equalNan !== 'boolean') {
    throw new EngineError('config-invalid', `tolerance equalNan must be true or false, got ${String(t.equalNan)}`);
  }
}
