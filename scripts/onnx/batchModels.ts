import { attr, ModelBuilder } from './graph';
import { mulberry32, uniform } from './prng';

/** Input and output names of the models below: `x` [batch, width] → `y`. */
const WIDTH = 8;
const OUT = 3;

function weights(seed: number): Float32Array {
  return uniform(mulberry32(seed), WIDTH * OUT, -1, 1);
}

/** `y = x · W`: the float reference the quantised model approximates. */
export function floatMatMul(seed = 5): Uint8Array {
  const m = new ModelBuilder('float_matmul');
  m.input('x', 'float32', ['batch', WIDTH]);
  m.initializer('W', [WIDTH, OUT], weights(seed));
  m.node('MatMul', ['x', 'W'], ['y']);
  m.output('y', 'float32', ['batch', OUT]);
  return m.toBytes();
}

/**
 * The same product with `x` quantised the way onnxruntime's dynamic int8 quantisation does it:
 * DynamicQuantizeLinear takes one scale and zero point over the whole tensor, so a row's result depends on
 * the rows stacked with it.
 */
export function dynamicQuantMatMul(seed = 5): Uint8Array {
  const m = new ModelBuilder('dynamic_quant_matmul');
  m.input('x', 'float32', ['batch', WIDTH]);
  m.initializer('W', [WIDTH, OUT], weights(seed));
  m.node('DynamicQuantizeLinear', ['x'], ['xq', 'xs', 'xz']);
  m.node('DequantizeLinear', ['xq', 'xs', 'xz'], ['xd']);
  m.node('MatMul', ['xd', 'W'], ['y']);
  m.output('y', 'float32', ['batch', OUT]);
  return m.toBytes();
}

/**
 * A model that mixes rows in a way no op list names: transpose, softmax along what is now the batch axis,
 * transpose back. Only the run-time probe can see it.
 */
export function transposedSoftmax(): Uint8Array {
  const m = new ModelBuilder('transposed_softmax');
  m.input('x', 'float32', ['batch', WIDTH]);
  m.node('Transpose', ['x'], ['xt'], { perm: attr.ints([1, 0]) });
  m.node('Softmax', ['xt'], ['st'], { axis: attr.int(-1) });
  m.node('Transpose', ['st'], ['y'], { perm: attr.ints([1, 0]) });
  m.output('y', 'float32', ['batch', WIDTH]);
  return m.toBytes();
}

/** `y = x / N` with N the batch size read by Shape: the batch size feeds the computation. */
export function divideByBatchSize(): Uint8Array {
  const m = new ModelBuilder('divide_by_batch');
  m.input('x', 'float32', ['batch', WIDTH]);
  m.initializer('zero', [1], BigInt64Array.from([0n]));
  m.node('Shape', ['x'], ['shape']);
  m.node('Gather', ['shape', 'zero'], ['n64']);
  m.node('Cast', ['n64'], ['n'], { to: attr.int(1) });
  m.node('Div', ['x', 'n'], ['y']);
  m.output('y', 'float32', ['batch', WIDTH]);
  return m.toBytes();
}

/** `y = reshape(x, concat(shape(x)[0:1], [WIDTH]))`: reads the batch size only to shape its output. */
export function reshapeByShape(): Uint8Array {
  const m = new ModelBuilder('reshape_by_shape');
  m.input('x', 'float32', ['batch', WIDTH]);
  m.initializer('s0', [1], BigInt64Array.from([0n]));
  m.initializer('s1', [1], BigInt64Array.from([1n]));
  m.initializer('width', [1], BigInt64Array.from([BigInt(WIDTH)]));
  m.node('Shape', ['x'], ['shape']);
  m.node('Slice', ['shape', 's0', 's1'], ['n']);
  m.node('Concat', ['n', 'width'], ['target'], { axis: attr.int(0) });
  m.node('Reshape', ['x', 'target'], ['y']);
  m.output('y', 'float32', ['batch', WIDTH]);
  return m.toBytes();
}

/** `y = x − mean over the batch axis`: a reduction over axis 0, which the static check names. */
export function centreOverBatch(): Uint8Array {
  const m = new ModelBuilder('centre_over_batch');
  m.input('x', 'float32', ['batch', WIDTH]);
  m.initializer('axes', [1], BigInt64Array.from([0n]));
  m.node('ReduceMean', ['x', 'axes'], ['mean'], { keepdims: attr.int(1) });
  m.node('Sub', ['x', 'mean'], ['y']);
  m.output('y', 'float32', ['batch', WIDTH]);
  return m.toBytes();
}
