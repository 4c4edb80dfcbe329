import { attr, ModelBuilder, type DimSpec } from './graph';

function int64s(...values: number[]): BigInt64Array {
  return BigInt64Array.from(values.map((v) => BigInt(v)));
}

/**
 * Pools a sequence: `x` [batch, time, 4] → `y` [batch, 4], summing over time (baseline) or taking its
 * maximum (candidate). With one time step the two agree exactly; with more they differ: the model pair that
 * shows a symbolic dim silently fed as 1 hiding a real difference. `time` may be a name or null (unnamed).
 */
export function sequencePool(o: { reduce: 'sum' | 'max'; time?: DimSpec }): Uint8Array {
  const m = new ModelBuilder(`pool_${o.reduce}`);
  m.input('x', 'float32', ['batch', o.time === undefined ? 'time' : o.time, 4]);
  m.initializer('axes', [1], int64s(1));
  if (o.reduce === 'sum') m.node('ReduceSum', ['x', 'axes'], ['y'], { keepdims: attr.int(0) });
  else m.node('ReduceMax', ['x'], ['y'], { keepdims: attr.int(0), axes: attr.ints([1]) });
  m.output('y', 'float32', ['batch', 4]);
  return m.toBytes();
}

/**
 * An audio-style model with a sample-rate input: `y = x * gain * (sr == 16000)`, for `x` [1, samples] float32
 * and `sr` int64 scalar. Unless sr is 16000 the output is all zeros, so two models with different `gain`
 * look equal on random sample rates: what `--value sr=16000` is for.
 */
export function sampleRateGain(gain: number): Uint8Array {
  const m = new ModelBuilder('sample_rate_gain');
  m.input('x', 'float32', [1, 'samples']);
  m.input('sr', 'int64', []);
  m.initializer('sr16k', [], int64s(16000));
  m.initializer('gain', [], new Float32Array([gain]));
  m.node('Equal', ['sr', 'sr16k'], ['is16k']);
  m.node('Cast', ['is16k'], ['on'], { to: attr.int(1) });
  m.node('Mul', ['x', 'gain'], ['scaled']);
  m.node('Mul', ['scaled', 'on'], ['y']);
  m.output('y', 'float32', [1, 'samples']);
  return m.toBytes();
}

/**
 * Per-step class scores: `x` [batch, time, classes] → `logits` = x + bias, where bias adds `boost` to class 0
 * only. With boost 0 it is the identity; a small boost moves the argmax of some steps, as a refactor that
 * shifts one class's score would in CTC logits.
 */
export function sequenceLogits(boost: number, classes = 8): Uint8Array {
  const m = new ModelBuilder('sequence_logits');
  m.input('x', 'float32', ['batch', 'time', classes]);
  const bias = new Float32Array(classes);
  bias[0] = boost;
  m.initializer('bias', [classes], bias);
  m.node('Add', ['x', 'bias'], ['logits']);
  m.output('logits', 'float32', ['batch', 'time', classes]);
  return m.toBytes();
}

/**
 * `y = 3x + 0.1` over `x` [batch, 6] in float32 inside, with float32 or float16 I/O (Cast nodes at both ends),
 * like a float16 conversion that changed the model's input and output types.
 */
export function affineIo(io: 'float32' | 'float16'): Uint8Array {
  const m = new ModelBuilder(`affine_${io}`);
  m.input('x', io, ['batch', 6]);
  m.initializer('a', [], new Float32Array([3]));
  m.initializer('b', [], new Float32Array([0.1]));
  let x = 'x';
  if (io === 'float16') {
    m.node('Cast', ['x'], ['x32'], { to: attr.int(1) });
    x = 'x32';
  }
  m.node('Mul', [x, 'a'], ['ax']);
  m.node('Add', ['ax', 'b'], [io === 'float16' ? 'y32' : 'y']);
  if (io === 'float16') m.node('Cast', ['y32'], ['y'], { to: attr.int(10) });
  m.output('y', io, ['batch', 6]);
  return m.toBytes();
}

/**
 * A leaky accumulator, the smallest stateful model: `x` [1, 4] and `state` [1, 4] → `y` = x + decay·state, and
 * `stateN` = y. Run as a sequence with stateN carried into state, a decay that differs in the 6th decimal gives
 * differences that start at zero and grow step by step, as drift does in a streaming model.
 */
export function leakyState(decay: number): Uint8Array {
  const m = new ModelBuilder('leaky_state');
  m.input('x', 'float32', [1, 4]);
  m.input('state', 'float32', [1, 4]);
  m.initializer('decay', [], new Float32Array([decay]));
  m.node('Mul', ['state', 'decay'], ['kept']);
  m.node('Add', ['x', 'kept'], ['y']);
  m.node('Identity', ['y'], ['stateN']);
  m.output('y', 'float32', [1, 4]);
  m.output('stateN', 'float32', [1, 4]);
  return m.toBytes();
}
