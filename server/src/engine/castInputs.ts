import type { InputObserver } from './fixtures/inputUsage';
import type { CastPlan } from './inference/messages';
import type { Signature, SignatureDifference } from './onnx/signature';
import { isCastable } from './tensor/cast';
import { isFloat, type DType } from './tensor/tensor';

/** An input dtype difference `--cast-inputs` can bridge: both sides are numbers (not bool or string). */
export function isCastableInputDifference(d: SignatureDifference): boolean {
  return (
    d.side === 'input' &&
    d.kind === 'dtype' &&
    !!d.baseline &&
    !!d.candidate &&
    isCastable(d.baseline as DType) &&
    isCastable(d.candidate as DType)
  );
}

/** The hint appended to a signature mismatch that only differs in castable input dtypes. */
export const CAST_HINT =
  '; pass --cast-inputs (config castInputs: true) to feed each model its own input dtype, as a float16 conversion with float16 I/O needs';

/**
 * With `--cast-inputs`, fixtures are bound to the reference model's inputs (the baseline's, or the candidate's in
 * golden mode) and each other model gets the inputs whose dtype differs cast to its own dtype in the worker.
 */
export function inputCastPlan(reference: Signature, sessions: Record<string, Signature>): CastPlan {
  const plan: CastPlan = {};
  const refDtype = new Map(reference.inputs.map((i) => [i.name, i.dtype]));
  for (const [key, sig] of Object.entries(sessions)) {
    for (const input of sig.inputs) {
      const from = refDtype.get(input.name);
      if (from && from !== input.dtype && isCastable(from) && isCastable(input.dtype))
        (plan[key] ??= {})[input.name] = input.dtype;
    }
  }
  return plan;
}

/** Records in the inputs report what each side was cast to. */
export function noteCasts(observer: InputObserver, plan: CastPlan): void {
  for (const side of ['baseline', 'candidate'] as const) {
    for (const [name, to] of Object.entries(plan[side] ?? {})) observer.noteCast(name, side, to);
  }
}

/**
 * The dtype whose default tolerance applies when two float outputs differ in dtype (a float16 conversion): the
 * less precise one, since that is the precision the refactor chose. Undefined when they cannot be compared.
 */
export function comparisonDtype(base: DType, cand: DType): DType | undefined {
  if (base === cand) return base;
  if (!isFloat(base) || !isFloat(cand)) return undefined;
  return base === 'float16' || cand === 'float16' ? 'float16' : 'float32';
}
