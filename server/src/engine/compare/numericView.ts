import { halfToFloat, type Tensor } from '../tensor/tensor';

/** What the comparison loops read: float32 data as is, everything else widened to float64. */
export type FloatView = Float32Array | Float64Array;

let halfTable: Float32Array | undefined;

/** All 65536 half values as float32 (exact: every half is a float32), built on first use. */
function halfLookupTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  return halfTable;
}

/** A growable Float64Array reused across calls so that converting a case allocates nothing in steady state. */
export class Scratch {
  private buf = new Float64Array(0);

  get(n: number): Float64Array {
    if (this.buf.length < n) this.buf = new Float64Array(Math.max(n, this.buf.length * 2));
    return this.buf.length === n ? this.buf : this.buf.subarray(0, n);
  }
}

/** True for data the float loop cannot read: bigint arrays and strings. */
export function isBigIntData(t: Tensor): t is Tensor & { data: BigInt64Array | BigUint64Array } {
  return t.data instanceof BigInt64Array || t.data instanceof BigUint64Array;
}

/**
 * Numeric tensor data as a float view: float32/float64 without copying, float16 through the lookup
 * table, other integers and bool widened by TypedArray.set (exact below 2^53; int64 loses precision
 * past that, so callers compare two int64 tensors as BigInts instead).
 */
export function toFloatView(t: Tensor, scratch: Scratch): FloatView {
  const d = t.data;
  if (d instanceof Float32Array || d instanceof Float64Array) return d;
  if (Array.isArray(d)) throw new TypeError('string tensor has no numeric view');
  const out = scratch.get(d.length);
  if (t.dtype === 'float16') {
    const table = halfLookupTable();
    const bits = d as Uint16Array;
    for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  } else if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  } else {
    out.set(d);
  }
  return out;
}
