import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import {
  benchMlp,
  hangingModel,
  identity,
  IDENTITY_DTYPES,
  mlp,
  reduction,
  TWO_INPUT_VARIANTS,
  twoInputs,
  UNSUPPORTED_OP,
  unsupportedOp,
  type MlpOptions,
} from '../../scripts/onnx/models';
import { mulberry32, uniform } from '../../scripts/onnx/prng';
import type { DType } from '../../server/src/engine/tensor/tensor';

const BASE: MlpOptions = { inDim: 4, hidden: 16, outDim: 3, seed: 1, fused: false, activation: 'relu' };

async function run(
  bytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function floats(t: ort.Tensor): Float32Array {
  assert.equal(t.type, 'float32');
  return t.data as Float32Array;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

function features(rows: number, cols: number, seed: number): ort.Tensor {
  return new ort.Tensor('float32', uniform(mulberry32(seed), rows * cols, -3, 3), [rows, cols]);
}

describe('scripts/onnx models on real onnxruntime', () => {
  it('builds byte-identical models for the same arguments', () => {
    assert.deepEqual(mlp(BASE), mlp(BASE));
    assert.deepEqual(reduction({ n: 64, split: true }), reduction({ n: 64, split: true }));
    assert.deepEqual(hangingModel(), hangingModel());
    assert.notDeepEqual(mlp(BASE), mlp({ ...BASE, seed: 2 }));
  });

  it('mlp: fused Gemm matches MatMul+Add within 1e-5, LeakyRelu does not', async () => {
    const feeds = { features: features(16, 4, 11) };
    const plain = await run(mlp(BASE), feeds);
    const fused = await run(mlp({ ...BASE, fused: true }), feeds);
    const leaky = await run(mlp({ ...BASE, activation: 'leakyrelu' }), feeds);
    assert.deepEqual(plain.probs.dims, [16, 3]);
    assert.deepEqual(plain.logits.dims, [16, 3]);
    assert.ok(maxAbsDiff(floats(plain.probs), floats(fused.probs)) <= 1e-5);
    assert.ok(maxAbsDiff(floats(plain.logits), floats(fused.logits)) <= 1e-5);
    assert.ok(maxAbsDiff(floats(plain.probs), floats(leaky.probs)) > 1e-4);
    // Softmax rows sum to one.
    const p = floats(plain.probs);
    for (let r = 0; r < 16; r++) assert.ok(Math.abs(p[r * 3] + p[r * 3 + 1] + p[r * 3 + 2] - 1) < 1e-5);
  });

  it('benchMlp: 256 -> 512 -> 512 -> 10, fused and unfused agree', async () => {
    const feeds = { features: features(8, 256, 5) };
    const plain = await run(benchMlp({ fused: false }), feeds);
    const fused = await run(benchMlp({ fused: true }), feeds);
    assert.deepEqual(plain.probs.dims, [8, 10]);
    assert.ok(maxAbsDiff(floats(plain.probs), floats(fused.probs)) <= 1e-5);
  });

  it('reduction: split sums equal the plain sum only within float tolerance', async () => {
    const n = 4096;
    const x = uniform(mulberry32(3), 4 * n, -5, 5);
    const feeds = { x: new ort.Tensor('float32', x, [4, n]) };
    const plain = floats((await run(reduction({ n, split: false }), feeds)).sum);
    const split = floats((await run(reduction({ n, split: true }), feeds)).sum);
    assert.equal(plain.length, 4);
    const diff = maxAbsDiff(plain, split);
    assert.ok(diff > 0, 'different summation order should round differently');
    assert.ok(diff < 1e-2, `diff ${diff}`);
    let exact = 0;
    for (let r = 0; r < 4; r++) for (let j = 0; j < n; j++) exact += x[r * n + j];
    assert.ok(Math.abs(plain.reduce((a, b) => a + b, 0) - exact) < 1e-1);
  });

  it('twoInputs computes a*2+b whatever the declared input order', async () => {
    const a = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 4]);
    const b = new ort.Tensor('float32', Float32Array.from([10, 20, 30, 40]), [1, 4]);
    for (const order of ['ab', 'ba'] as const) {
      const session = await ort.InferenceSession.create(twoInputs({ order }));
      assert.deepEqual(session.inputNames, order === 'ab' ? ['a', 'b'] : ['b', 'a']);
      const out = await session.run({ a, b });
      assert.deepEqual(Array.from(floats(out.y)), [12, 24, 36, 48]);
      await session.release();
    }
  });

  it('twoInputs variants change exactly one signature detail', async () => {
    const meta = async (bytes: Uint8Array) => {
      const s = await ort.InferenceSession.create(bytes);
      const result = { inputs: s.inputMetadata, outputs: s.outputNames };
      await s.release();
      return result;
    };
    const base = await meta(twoInputs());
    const v = TWO_INPUT_VARIANTS;
    const renamed = await meta(twoInputs(v.inputRenamed));
    assert.deepEqual(
      renamed.inputs.map((i) => i.name),
      ['a', 'bias'],
    );
    const f64 = await meta(twoInputs(v.inputFloat64));
    assert.deepEqual(
      f64.inputs.map((i) => i.isTensor && i.type),
      ['float32', 'float64'],
    );
    const wide = await meta(twoInputs(v.staticDim));
    assert.deepEqual(
      wide.inputs.map((i) => i.isTensor && i.shape),
      [
        ['batch', 5],
        ['batch', 5],
      ],
    );
    const fixed = await meta(twoInputs(v.fixedBatch));
    assert.deepEqual(
      fixed.inputs.map((i) => i.isTensor && i.shape),
      [
        [2, 4],
        [2, 4],
      ],
    );
    const out = await meta(twoInputs(v.outputRenamed));
    assert.deepEqual(out.outputs, ['z']);
    assert.deepEqual(base.outputs, ['y']);
    assert.deepEqual(base.inputs, [
      { name: 'a', isTensor: true, type: 'float32', shape: ['batch', 4] },
      { name: 'b', isTensor: true, type: 'float32', shape: ['batch', 4] },
    ]);
    // The float64 variant still computes the same thing.
    const y = await run(twoInputs({ bDtype: 'float64' }), {
      a: new ort.Tensor('float32', Float32Array.from([1, 1, 1, 1]), [1, 4]),
      b: new ort.Tensor('float64', Float64Array.from([0.5, 1, 1.5, 2]), [1, 4]),
    });
    assert.deepEqual(Array.from(floats(y.y)), [2.5, 3, 3.5, 4]);
  });

  it('unsupportedOp fails to load with a message naming the op', async () => {
    for (const domain of ['', 'com.example.custom']) {
      await assert.rejects(ort.InferenceSession.create(unsupportedOp({ domain })), (e: Error) => {
        assert.match(e.message, new RegExp(UNSUPPORTED_OP));
        return true;
      });
    }
  });

  it('hangingModel loads (it is never run here)', async () => {
    const session = await ort.InferenceSession.create(hangingModel());
    assert.deepEqual(session.inputNames, ['x']);
    assert.deepEqual(session.outputNames, ['y']);
    await session.release();
  });

  it('identity runs on every engine dtype', async () => {
    const sample: Record<DType, () => ort.Tensor['data']> = {
      float32: () => Float32Array.from([1.5, -2, 0, 3, 4, 5]),
      float16: () => Uint16Array.from([0x3c00, 0x4000, 0, 0xbc00, 0x3800, 0x7c00]),
      float64: () => Float64Array.from([1.5, -2, 0, 3, 4, 5]),
      int8: () => Int8Array.from([-128, 127, 0, 1, 2, 3]),
      int16: () => Int16Array.from([-32768, 32767, 0, 1, 2, 3]),
      int32: () => Int32Array.from([-5, 7, 0, 1, 2, 3]),
      int64: () => BigInt64Array.from([-(2n ** 62n), 2n ** 62n, 0n, 1n, 2n, 3n]),
      uint8: () => Uint8Array.from([0, 255, 1, 2, 3, 4]),
      uint16: () => Uint16Array.from([0, 65535, 1, 2, 3, 4]),
      uint32: () => Uint32Array.from([0, 4294967295, 1, 2, 3, 4]),
      uint64: () => BigUint64Array.from([0n, 2n ** 63n, 1n, 2n, 3n, 4n]),
      bool: () => Uint8Array.from([1, 0, 1, 1, 0, 0]),
      string: () => ['a', 'bc', '', 'é', 'x y', 'z'],
    };
    for (const dtype of IDENTITY_DTYPES) {
      const data = sample[dtype]();
      const out = await run(identity(dtype), { x: new ort.Tensor(dtype, data, [2, 3]) });
      assert.equal(out.y.type, dtype);
      assert.deepEqual(Array.from(out.y.data as ArrayLike<unknown>), Array.from(data as ArrayLike<unknown>), dtype);
    }
  });
});
