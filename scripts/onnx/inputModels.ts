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
