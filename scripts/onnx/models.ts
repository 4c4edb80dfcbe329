import type { DType } from '../../server/src/engine/tensor/tensor';
import { attr, ModelBuilder, type DimSpec } from './graph';
import { mulberry32, uniform } from './prng';

/** Hidden-layer activation of the MLP; LeakyRelu uses alpha 0.01. */
type Activation = 'relu' | 'leakyrelu';

export interface MlpOptions {
  inDim: number;
  /** One hidden width or several. */
  hidden: number | readonly number[];
  outDim: number;
  seed: number;
  /** Gemm per layer instead of MatMul + Add (same weights, numerically equivalent). */
  fused: boolean;
  activation: Activation;
}

const LEAKY_ALPHA = 0.01;

/**
 * A classifier MLP: input `features` [batch, inDim], outputs `probs` (Softmax) and `logits`, both
 * [batch, outDim]. Weights depend only on the seed and the layer sizes, never on `fused` or `activation`,
 * so two variants built with the same seed are the refactor cases the engine compares.
 */
export function mlp(o: MlpOptions): Uint8Array {
  const widths = [o.inDim, ...(typeof o.hidden === 'number' ? [o.hidden] : o.hidden), o.outDim];
  const rng = mulberry32(o.seed);
  const m = new ModelBuilder(`mlp_${o.fused ? 'gemm' : 'matmul_add'}_${o.activation}`);
  m.input('features', 'float32', ['batch', o.inDim]);
  let x = 'features';
  for (let l = 0; l + 1 < widths.length; l++) {
    const [fanIn, fanOut] = [widths[l], widths[l + 1]];
    const limit = Math.sqrt(6 / (fanIn + fanOut)); // Glorot uniform keeps activations O(1)
    m.initializer(`W${l}`, [fanIn, fanOut], uniform(rng, fanIn * fanOut, -limit, limit));
    m.initializer(`b${l}`, [fanOut], uniform(rng, fanOut, -0.1, 0.1));
    const last = l + 2 === widths.length;
    const pre = last ? 'logits' : `h${l}_pre`;
    if (o.fused) {
      m.node('Gemm', [x, `W${l}`, `b${l}`], [pre]);
    } else {
      m.node('MatMul', [x, `W${l}`], [`h${l}_mm`]);
      m.node('Add', [`h${l}_mm`, `b${l}`], [pre]);
    }
    if (!last) {
      if (o.activation === 'relu') m.node('Relu', [pre], [`h${l}`]);
      else m.node('LeakyRelu', [pre], [`h${l}`], { alpha: attr.float(LEAKY_ALPHA) });
      x = `h${l}`;
    }
  }
  m.node('Softmax', ['logits'], ['probs'], { axis: attr.int(1) });
  m.output('probs', 'float32', ['batch', o.outDim]);
  m.output('logits', 'float32', ['batch', o.outDim]);
  return m.toBytes();
}

/** The benchmark MLP: 256 → 512 → 512 → 10. */
export function benchMlp(options: { fused: boolean; seed?: number }): Uint8Array {
  return mlp({
    inDim: 256,
    hidden: [512, 512],
    outDim: 10,
    seed: options.seed ?? 7,
    fused: options.fused,
    activation: 'relu',
  });
}

function int64s(...values: number[]): BigInt64Array {
  return BigInt64Array.from(values.map((v) => BigInt(v)));
}

export interface ReductionOptions {
  n: number;
  /** Sum the two halves separately and add them: same maths, different float rounding. */
  split: boolean;
}

/** Row sums: input `x` [batch, n] → output `sum` [batch, 1] (ReduceSum over axis 1, keepdims). */
export function reduction(o: ReductionOptions): Uint8Array {
  const m = new ModelBuilder(o.split ? 'reduce_split' : 'reduce');
  m.input('x', 'float32', ['batch', o.n]);
  m.initializer('axes', [1], int64s(1));
  if (o.split) {
    const half = Math.floor(o.n / 2);
    m.initializer('start_lo', [1], int64s(0));
    m.initializer('mid', [1], int64s(half));
    m.initializer('end_hi', [1], int64s(o.n));
    m.node('Slice', ['x', 'start_lo', 'mid', 'axes'], ['x_lo']);
    m.node('Slice', ['x', 'mid', 'end_hi', 'axes'], ['x_hi']);
    m.node('ReduceSum', ['x_lo', 'axes'], ['sum_lo'], { keepdims: attr.int(1) });
    m.node('ReduceSum', ['x_hi', 'axes'], ['sum_hi'], { keepdims: attr.int(1) });
    m.node('Add', ['sum_lo', 'sum_hi'], ['sum']);
  } else {
    m.node('ReduceSum', ['x', 'axes'], ['sum'], { keepdims: attr.int(1) });
  }
  m.output('sum', 'float32', ['batch', 1]);
  return m.toBytes();
}

/** The op type used by {@link unsupportedOp}, so tests can look for it in error messages. */
export const UNSUPPORTED_OP = 'NoSuchOp';

/**
 * A model onnxruntime refuses: `x` [batch, 4] → NoSuchOp → `y`. With `domain` the op lives in that custom
 * domain (declared as an opset import) instead of the default one.
 */
export function unsupportedOp(options: { domain?: string } = {}): Uint8Array {
  const domain = options.domain ?? '';
  const m = new ModelBuilder('unsupported_op', { extraOpsets: domain ? [{ domain, version: 1 }] : [] });
  m.input('x', 'float32', ['batch', 4]);
  m.node(UNSUPPORTED_OP, ['x'], ['y'], {}, { domain });
  m.output('y', 'float32', ['batch', 4]);
  return m.toBytes();
}

/** Trip count of {@link hangingModel}: at well under a billion iterations a second this runs for days. */
const HANGING_TRIP_COUNT = 1e15;

/**
 * A model whose inference never finishes in practice: a Loop adding 1 to `x` [1] a quadrillion times.
 * Loading it is quick; running it is only for timeout tests that kill the worker.
 */
export function hangingModel(): Uint8Array {
  const body = new ModelBuilder('loop_body');
  body.input('iter', 'int64', []);
  body.input('cond_in', 'bool', []);
  body.input('v_in', 'float32', [1]);
  body.initializer('one', [1], new Float32Array([1]));
  body.node('Identity', ['cond_in'], ['cond_out']);
  body.node('Add', ['v_in', 'one'], ['v_out']);
  body.output('cond_out', 'bool', []);
  body.output('v_out', 'float32', [1]);

  const m = new ModelBuilder('hanging_loop');
  m.input('x', 'float32', [1]);
  m.initializer('trip_count', [], int64s(HANGING_TRIP_COUNT));
  m.initializer('keep_going', [], new Uint8Array([1]), true);
  m.node('Loop', ['trip_count', 'keep_going', 'x'], ['y'], { body: attr.graph(body) });
  m.output('y', 'float32', [1]);
  return m.toBytes();
}

/** Knobs for the signature tests: each option changes exactly one thing about the model's signature. */
export interface TwoInputsOptions {
  /** Order of the declared graph inputs; the maths is the same. Default 'ab'. */
  order?: 'ab' | 'ba';
  /** Input and output names; defaults a, b, y. */
  aName?: string;
  bName?: string;
  outputName?: string;
  /** dtype of input b; float64 is cast to float32 inside, so only the signature changes. */
  bDtype?: 'float32' | 'float64';
  /** The static feature width of both inputs and the output; default 4. */
  width?: number;
  /** The leading dim: symbolic name or fixed size; default 'batch'. */
  batch?: DimSpec;
}

/** `y = a * 2 + b` over inputs a, b [batch, width] float32. */
export function twoInputs(o: TwoInputsOptions = {}): Uint8Array {
  const a = o.aName ?? 'a';
  const b = o.bName ?? 'b';
  const y = o.outputName ?? 'y';
  const bDtype = o.bDtype ?? 'float32';
  const dims: DimSpec[] = [o.batch ?? 'batch', o.width ?? 4];
  const m = new ModelBuilder('two_inputs');
  const declare = { a: () => m.input(a, 'float32', dims), b: () => m.input(b, bDtype, dims) };
  if (o.order === 'ba') {
    declare.b();
    declare.a();
  } else {
    declare.a();
    declare.b();
  }
  m.initializer('two', [], new Float32Array([2]));
  let bf = b;
  if (bDtype === 'float64') {
    m.node('Cast', [b], ['b_f32'], { to: attr.int(1) });
    bf = 'b_f32';
  }
  m.node('Mul', [a, 'two'], ['a2']);
  m.node('Add', ['a2', bf], [y]);
  m.output(y, 'float32', dims);
  return m.toBytes();
}

/** Every dtype the engine supports; onnxruntime-node runs Identity on all of them. */
export const IDENTITY_DTYPES: readonly DType[] = [
  'float32',
  'float16',
  'float64',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'bool',
  'string',
];

/** `y = Identity(x)` for x [batch, 3] of the given dtype. */
export function identity(dtype: DType): Uint8Array {
  const m = new ModelBuilder(`identity_${dtype}`);
  m.input('x', dtype, ['batch', 3]);
  m.node('Identity', ['x'], ['y']);
  m.output('y', dtype, ['batch', 3]);
  return m.toBytes();
}

/** Ready-made one-change variants of {@link twoInputs} for signature tests (baseline: `twoInputs()`). */
export const TWO_INPUT_VARIANTS: Readonly<
  Record<'inputRenamed' | 'inputFloat64' | 'staticDim' | 'fixedBatch' | 'outputRenamed', TwoInputsOptions>
> = {
  inputRenamed: { bName: 'bias' },
  inputFloat64: { bDtype: 'float64' },
  staticDim: { width: 5 },
  fixedBatch: { batch: 2 },
  outputRenamed: { outputName: 'z' },
};
