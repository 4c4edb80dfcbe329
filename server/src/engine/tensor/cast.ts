import { allocate, floatToHalf, isFloat, readNumber, type DType, type Tensor } from './tensor';

/** dtypes a fixture may be cast between: every number type (not bool or string, whose meaning a cast would change). */
export function isCastable(dtype: DType): boolean {
  return dtype !== 'bool' && dtype !== 'string';
}

/**
 * A copy of `t` as `to`, as onnxruntime's Cast would make it: floats round to nearest (float16 by IEEE rules),
 * floats to integers truncate toward zero and wrap like a C cast, integers widen exactly. Same dtype: `t` itself.
 * @throws Error for bool or string on either side (callers check isCastable first).
 */
export function castTensor(t: Tensor, to: DType): Tensor {
  if (t.dtype === to) return t;
  if (!isCastable(t.dtype) || !isCastable(to)) throw new Error(`cannot cast ${t.dtype} to ${to}`);
  const n = t.data.length;
  const out = allocate(to, n);
  if (to === 'float16') {
    const bits = out as Uint16Array;
    for (let i = 0; i < n; i++) bits[i] = floatToHalf(readNumber(t, i));
  } else if (to === 'int64' || to === 'uint64') {
    const big = out as BigInt64Array | BigUint64Array;
    const src = t.data;
    const wide =
      to === 'int64'
        ? (bits: number, v: bigint) => BigInt.asIntN(bits, v)
        : (bits: number, v: bigint) => BigInt.asUintN(bits, v);
    for (let i = 0; i < n; i++) {
      const v = src[i];
      big[i] = typeof v === 'bigint' ? wide(64, v) : wide(64, BigInt(Math.trunc(readNumber(t, i)) || 0));
    }
  } else {
    // typed-array assignment rounds to float32, or truncates-and-wraps to an integer type
    const dst = out as Exclude<typeof out, BigInt64Array | BigUint64Array | string[]>;
    const toInt = !isFloat(to);
    for (let i = 0; i < n; i++) {
      const v = readNumber(t, i);
      dst[i] = toInt ? Math.trunc(v) || 0 : v;
    }
  }
  return { dtype: to, dims: [...t.dims], data: out };
}
