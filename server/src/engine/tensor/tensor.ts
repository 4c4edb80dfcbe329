/**
 * The engine's own tensor: plain data, independent of onnxruntime so fixtures, comparison and reports
 * can be tested and serialized without loading the runtime.
 */
export type DType =
  | 'float32'
  | 'float16'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

/**
 * float16 is stored as raw IEEE half bits in a Uint16Array (what onnxruntime-node takes and returns);
 * bool as a Uint8Array of 0/1.
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | string[];

export interface Tensor {
  dtype: DType;
  dims: number[];
  data: TensorData;
}

/** A tensor bound to a model input or output name (absent when a fixture gives tensors by position). */
export interface NamedTensor {
  name?: string;
  tensor: Tensor;
}

const FLOAT_DTYPES: ReadonlySet<DType> = new Set(['float32', 'float16', 'float64']);

export function isFloat(dtype: DType): boolean {
  return FLOAT_DTYPES.has(dtype);
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** ONNX TensorProto.DataType numbers for the dtypes the engine supports. */
export const ONNX_ELEM_TYPE: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
};

const BY_ELEM_TYPE = new Map<number, DType>(Object.entries(ONNX_ELEM_TYPE).map(([k, v]) => [v, k as DType]));

export function dtypeFromOnnx(elemType: number): DType | undefined {
  return BY_ELEM_TYPE.get(elemType);
}

/** Allocates zeroed storage of the right array type for a dtype. */
export function allocate(dtype: DType, count: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(count);
    case 'float64':
      return new Float64Array(count);
    case 'float16':
      return new Uint16Array(count);
    case 'int8':
      return new Int8Array(count);
    case 'int16':
      return new Int16Array(count);
    case 'int32':
      return new Int32Array(count);
    case 'int64':
      return new BigInt64Array(count);
    case 'uint8':
      return new Uint8Array(count);
    case 'bool':
      return new Uint8Array(count);
    case 'uint16':
      return new Uint16Array(count);
    case 'uint32':
      return new Uint32Array(count);
    case 'uint64':
      return new BigUint64Array(count);
    case 'string':
      return new Array<string>(count).fill('');
  }
}

/** Converts IEEE 754 half-precision bits to a JS number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Converts a JS number to IEEE 754 half-precision bits (round to nearest even). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** Reads element i of any tensor as a number (int64 may lose precision past 2^53, fine for statistics). */
export function readNumber(t: Tensor, i: number): number {
  const d = t.data;
  if (t.dtype === 'float16') return halfToFloat((d as Uint16Array)[i]);
  const v = d[i];
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

export function describeTensor(t: Tensor): string {
  return `${t.dtype}[${t.dims.join(',')}]`;
}
