import { strict as assert } from 'node:assert';
import { onnx } from 'onnx-proto';
import { parseJsonFixture } from '../../server/src/engine/fixtures/jsonFixture';
import { readNpy, writeNpy } from '../../server/src/engine/fixtures/npy';
import { decodeTensorProto, encodeTensorProto } from '../../server/src/engine/fixtures/tensorProto';
import { ONNX_ELEM_TYPE, halfToFloat, type Tensor } from '../../server/src/engine/tensor/tensor';

/** One tensor per dtype with edge values, plus a scalar and an empty tensor. */
function samples(): Record<string, Tensor> {
  return {
    float32: { dtype: 'float32', dims: [2, 3], data: new Float32Array([1.5, -0, 3.4e38, NaN, -Infinity, 1e-45]) },
    float16: { dtype: 'float16', dims: [5], data: new Uint16Array([0x3c00, 0xbc00, 0x7bff, 0x0001, 0x7e00]) },
    float64: { dtype: 'float64', dims: [3], data: new Float64Array([Math.PI, -1e300, 5e-324]) },
    int8: { dtype: 'int8', dims: [2, 2], data: new Int8Array([-128, 127, 0, -1]) },
    int16: { dtype: 'int16', dims: [3], data: new Int16Array([-32768, 32767, 7]) },
    int32: { dtype: 'int32', dims: [3], data: new Int32Array([-2147483648, 2147483647, 0]) },
    int64: {
      dtype: 'int64',
      dims: [4],
      data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 9007199254740993n, -1n]),
    },
    uint8: { dtype: 'uint8', dims: [3], data: new Uint8Array([0, 255, 128]) },
    uint16: { dtype: 'uint16', dims: [3], data: new Uint16Array([0, 65535, 4660]) },
    uint32: { dtype: 'uint32', dims: [3], data: new Uint32Array([0, 4294967295, 123456789]) },
    uint64: { dtype: 'uint64', dims: [3], data: new BigUint64Array([0n, 2n ** 64n - 1n, 2n ** 63n]) },
    bool: { dtype: 'bool', dims: [3], data: new Uint8Array([1, 0, 1]) },
    string: { dtype: 'string', dims: [2, 2], data: ['a', '', 'héllo ✓', '𝄞'] },
    scalar: { dtype: 'float32', dims: [], data: new Float32Array([42]) },
    empty: { dtype: 'int32', dims: [0, 3], data: new Int32Array(0) },
  };
}

/** Compares dtype, dims and the exact stored bits (so NaN and -0 count). */
function assertSameTensor(actual: Tensor, expected: Tensor, label: string): void {
  assert.equal(actual.dtype, expected.dtype, label);
  assert.deepEqual(actual.dims, expected.dims, label);
  if (Array.isArray(expected.data)) {
    assert.deepEqual(actual.data, expected.data, label);
    return;
  }
  assert.ok(!Array.isArray(actual.data), label);
  assert.equal(actual.data.constructor, expected.data.constructor, label);
  const bytes = (d: Exclude<Tensor['data'], string[]>): Buffer => Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  assert.deepEqual(bytes(actual.data), bytes(expected.data), label);
}

/** The same tensor in the typed TensorProto fields (no raw_data), as older exporters write it. */
function typedFieldProto(t: Tensor, name: string): Uint8Array {
  const p: onnx.ITensorProto = { name, dims: t.dims, dataType: ONNX_ELEM_TYPE[t.dtype] };
  const d = t.data;
  // protobufjs also encodes decimal strings into 64-bit fields (exact past 2^53); its typings omit them.
  const int64s = (v: BigInt64Array | BigUint64Array): number[] => Array.from(v, String) as unknown as number[];
  switch (t.dtype) {
    case 'float32':
      p.floatData = Array.from(d as Float32Array);
      break;
    case 'float64':
      p.doubleData = Array.from(d as Float64Array);
      break;
    case 'int64':
      p.int64Data = int64s(d as BigInt64Array);
      break;
    case 'uint32':
      p.uint64Data = Array.from(d as Uint32Array);
      break;
    case 'uint64':
      p.uint64Data = int64s(d as BigUint64Array);
      break;
    case 'string':
      p.stringData = (d as string[]).map((s) => Buffer.from(s, 'utf8'));
      break;
    // int8/int16/int32/uint8/uint16/bool and float16 bits all travel in int32_data.
    default:
      p.int32Data = Array.from(d as Int32Array);
  }
  return onnx.TensorProto.encode(onnx.TensorProto.create(p)).finish();
}

/** A JSON fixture value for one element, in the forms the JSON format documents. */
function jsonValue(t: Tensor, i: number): string {
  const v = t.data[i];
  if (t.dtype === 'string') return JSON.stringify(v);
  if (t.dtype === 'bool') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return JSON.stringify(String(v));
  const n = t.dtype === 'float16' ? halfToFloat(v as number) : (v as number);
  if (Number.isNaN(n) || !Number.isFinite(n)) return JSON.stringify(String(n));
  return Object.is(n, -0) ? '-0' : String(n);
}

function jsonTensor(t: Tensor): string {
  const data = Array.from({ length: t.data.length }, (_, i) => jsonValue(t, i));
  return `{ "dims": ${JSON.stringify(t.dims)}, "type": "${t.dtype}", "data": [${data.join(', ')}] }`;
}

describe('fixtures: round trips of every dtype', () => {
  for (const [label, t] of Object.entries(samples())) {
    it(`${label}: TensorProto raw_data`, () => {
      const decoded = decodeTensorProto(encodeTensorProto(t, `x_${label}`), 'mem.pb');
      assert.equal(decoded.name, `x_${label}`);
      assertSameTensor(decoded.tensor, t, label);
      if (t.dtype !== 'string' && t.data.length > 0) {
        assert.ok(onnx.TensorProto.decode(encodeTensorProto(t)).rawData.length > 0, 'numerics are written as raw_data');
      }
    });

    it(`${label}: TensorProto typed fields`, () => {
      const decoded = decodeTensorProto(typedFieldProto(t, label), 'mem.pb');
      assert.equal(decoded.name, label);
      assertSameTensor(decoded.tensor, t, label);
    });

    it(`${label}: npy`, () => {
      assertSameTensor(readNpy(writeNpy(t), 'mem.npy'), t, label);
    });

    it(`${label}: json`, () => {
      const text = `{ "inputs": { "${label}": ${jsonTensor(t)} }, "expected": { "out": ${jsonTensor(t)} } }`;
      const [fc] = parseJsonFixture(text, 'mem.json');
      assert.equal(fc.inputs[0].name, label);
      assertSameTensor(fc.inputs[0].tensor, t, label);
      assertSameTensor(fc.expected?.[0].tensor as Tensor, t, `${label} expected`);
    });
  }

  it('an unnamed TensorProto decodes without a name (positional)', () => {
    const decoded = decodeTensorProto(encodeTensorProto(samples().int8), 'mem.pb');
    assert.equal(decoded.name, undefined);
  });

  it('decodes raw_data that starts at an odd byte offset', () => {
    const t = samples().float64;
    const bytes = encodeTensorProto(t, 'odd');
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    assertSameTensor(decodeTensorProto(shifted.subarray(1), 'mem.pb').tensor, t, 'shifted');
  });
});
