import type { DType } from '../tensor/tensor';

/** A dim is a fixed size, a symbolic name (e.g. 'batch'), or null when the model leaves it unnamed. */
export type Dim = number | string | null;

export interface ValueInfo {
  name: string;
  dtype: DType;
  /** Undefined when the model does not declare a shape (rank unknown). */
  dims?: Dim[];
}

/** What a model takes and returns, as onnxruntime reports it. */
export interface Signature {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

type SignatureDifferenceKind =
  | 'missing-input'
  | 'extra-input'
  | 'missing-output'
  | 'extra-output'
  | 'dtype'
  | 'rank'
  | 'static-dim'
  | 'symbolic-dim';

export interface SignatureDifference {
  kind: SignatureDifferenceKind;
  side: 'input' | 'output';
  /** Name on the baseline side (or the candidate's for extra-*). */
  name: string;
  baseline?: string;
  candidate?: string;
  message: string;
}
