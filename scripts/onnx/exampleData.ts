import type { Tensor } from '../../server/src/engine/tensor/tensor';
import { mlp, reduction, type MlpOptions } from './models';
import { mulberry32, uniform, type Rng } from './prng';

/** The example classifier: 4 engineered features → 16 hidden → 3 classes. */
const EXAMPLE_CLASSIFIER: MlpOptions = {
  inDim: 4,
  hidden: 16,
  outDim: 3,
  seed: 20240,
  fused: false,
  activation: 'relu',
};

/** Row width of the reduction case: long enough that summation order changes the float32 result. */
const REDUCE_N = 4096;

/** How many `test_data_set_N` folders each fixture set gets, and rows per batch. */
const FIXTURE_SETS = 5;
const CLASSIFIER_ROWS = 6;
const REDUCE_ROWS = 4;

/** A model file of the example workspace, path relative to the workspace root. */
export interface ExampleModel {
  file: string;
  bytes: Uint8Array;
}

export function exampleModels(): ExampleModel[] {
  return [
    { file: 'models/classifier.onnx', bytes: mlp(EXAMPLE_CLASSIFIER) },
    { file: 'models/classifier_fused.onnx', bytes: mlp({ ...EXAMPLE_CLASSIFIER, fused: true }) },
    { file: 'models/classifier_leaky.onnx', bytes: mlp({ ...EXAMPLE_CLASSIFIER, activation: 'leakyrelu' }) },
    { file: 'models/reduce.onnx', bytes: reduction({ n: REDUCE_N, split: false }) },
    { file: 'models/reduce_split.onnx', bytes: reduction({ n: REDUCE_N, split: true }) },
  ];
}

/** z-scored-looking feature rows, as the pipeline's featurize stage produces them. */
export function classifierInputs(): Tensor[] {
  const rng = mulberry32(101);
  return Array.from({ length: FIXTURE_SETS }, () => ({
    dtype: 'float32' as const,
    dims: [CLASSIFIER_ROWS, EXAMPLE_CLASSIFIER.inDim],
    data: uniform(rng, CLASSIFIER_ROWS * EXAMPLE_CLASSIFIER.inDim, -2.5, 2.5),
  }));
}

/**
 * Rows of mean-centred readings in about [-5, 5): each row sums to nearly zero, so the rounding error of
 * the large partial sums dominates the result. That is what makes the split reduction differ by more than
 * the float32 default tolerance (atol 1e-5 + rtol 1.3e-6·|x|) while staying far below 1e-3.
 */
function centeredRows(rng: Rng, rows: number, n: number, scale: number): Float32Array {
  const x = uniform(rng, rows * n, 0, scale);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * n, (r + 1) * n);
    const mean = row.reduce((a, b) => a + b, 0) / n;
    for (let j = 0; j < n; j++) row[j] -= mean;
  }
  return x;
}

export function reduceInputs(): Tensor[] {
  const rng = mulberry32(202);
  return Array.from({ length: FIXTURE_SETS }, () => ({
    dtype: 'float32' as const,
    dims: [REDUCE_ROWS, REDUCE_N],
    data: centeredRows(rng, REDUCE_ROWS, REDUCE_N, 10),
  }));
}
