import { isTypedArrayName, tagOf } from './values';

/** Tolerances for numbers: `|candidate − baseline| ≤ atol + rtol·|baseline|`. */
interface NumericTolerance {
  atol: number;
  rtol: number;
}

export interface StageTolerance {
  /** Plain numbers and Float64Array elements. */
  float64: NumericTolerance;
  /** Float32Array elements (float32 rounding of a reordered sum is ~1e-7 relative per step). */
  float32: NumericTolerance;
}

export const DEFAULT_STAGE_TOLERANCE: StageTolerance = {
  float64: { atol: 1e-9, rtol: 1e-9 },
  float32: { atol: 1e-5, rtol: 1e-5 },
};

/** Where and how two values first differ. */
export interface Difference {
  /** Path from the root, e.g. `[2]`, `.mean[0]`, `Map.get("a")`. */
  path: string;
  reason: string;
}

/**
 * Deep structural equality with numeric tolerance: numbers, typed arrays, arrays, plain objects and
 * class instances (own enumerable fields, same class name), Maps, Sets, Dates. NaN equals NaN; an
 * infinity equals only the same infinity; integer typed arrays and bigints must match exactly. Safe
 * across realms (the two versions run in separate vm contexts). Returns the first difference, or
 * undefined when equal.
 */
export function compareValues(
  a: unknown,
  b: unknown,
  tol: StageTolerance = DEFAULT_STAGE_TOLERANCE,
): Difference | undefined {
  return cmp(a, b, '', tol, tol.float64, new Map());
}

function numEqual(a: number, b: number, t: NumericTolerance): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= t.atol + t.rtol * Math.abs(a);
}

function cmp(
  a: unknown,
  b: unknown,
  path: string,
  tol: StageTolerance,
  num: NumericTolerance,
  seen: Map<object, object>,
): Difference | undefined {
  const at = (reason: string): Difference => ({ path: path || '(value)', reason });
  if (typeof a === 'number' && typeof b === 'number') return numEqual(a, b, num) ? undefined : at(`${a} vs ${b}`);
  if (typeof a !== typeof b) return at(`${describe(a)} vs ${describe(b)}`);
  if (typeof a === 'function') return undefined; // functions are compared by kind only
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return Object.is(a, b) ? undefined : at(`${short(a)} vs ${short(b)}`);
  }
  // Cycles: a pair already under comparison is assumed equal (its other fields decide).
  if (seen.get(a) === b) return undefined;
  seen.set(a, b);
  const ta = tagOf(a);
  const tb = tagOf(b);
  if (ta !== tb) return at(`${describe(a)} vs ${describe(b)}`);
  if (isTypedArrayName(ta)) {
    const xa = a as unknown as ArrayLike<number | bigint>;
    const xb = b as unknown as ArrayLike<number | bigint>;
    if (xa.length !== xb.length) return at(`length ${xa.length} vs ${xb.length}`);
    const t = ta === 'Float32Array' ? tol.float32 : ta === 'Float64Array' ? tol.float64 : undefined;
    for (let i = 0; i < xa.length; i++) {
      const ok = t ? numEqual(Number(xa[i]), Number(xb[i]), t) : xa[i] === xb[i];
      if (!ok) return { path: `${path}[${i}]`, reason: `${String(xa[i])} vs ${String(xb[i])}` };
    }
    return undefined;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return at(`length ${a.length} vs ${b.length}`);
    for (let i = 0; i < a.length; i++) {
      const d = cmp(a[i], b[i], `${path}[${i}]`, tol, tol.float64, seen);
      if (d) return d;
    }
    return undefined;
  }
  if (ta === 'Map') return cmpMap(a as Map<unknown, unknown>, b as Map<unknown, unknown>, path, tol, seen);
  if (ta === 'Set') return cmpSet(a as Set<unknown>, b as Set<unknown>, path, tol, seen);
  if (ta === 'Date') {
    const [da, db] = [a as Date, b as Date];
    return da.getTime() === db.getTime() ? undefined : at(`${String(da)} vs ${String(db)}`);
  }
  const ca = ctorName(a);
  const cb = ctorName(b);
  if (ca !== cb) return at(`instance of ${ca} vs ${cb}`);
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  const missing = ka.find((k) => !kb.includes(k)) ?? kb.find((k) => !ka.includes(k));
  if (missing !== undefined)
    return {
      path: `${path}.${missing}`,
      reason: ka.includes(missing) ? 'only in the baseline' : 'only in the candidate',
    };
  for (const k of ka) {
    const d = cmp(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
      tol,
      tol.float64,
      seen,
    );
    if (d) return d;
  }
  return undefined;
}

function cmpMap(
  a: Map<unknown, unknown>,
  b: Map<unknown, unknown>,
  path: string,
  tol: StageTolerance,
  seen: Map<object, object>,
): Difference | undefined {
  if (a.size !== b.size) return { path: path || '(value)', reason: `Map size ${a.size} vs ${b.size}` };
  const primitiveKeys = [...a.keys()].every((k) => k === null || typeof k !== 'object');
  if (primitiveKeys) {
    for (const [k, v] of a) {
      if (!b.has(k)) return { path: `${path}.get(${short(k)})`, reason: 'only in the baseline' };
      const d = cmp(v, b.get(k), `${path}.get(${short(k)})`, tol, tol.float64, seen);
      if (d) return d;
    }
    return undefined;
  }
  // Object keys have no identity across versions: compare entries in insertion order.
  return cmp([...a], [...b], `${path}.entries()`, tol, tol.float64, seen);
}

function cmpSet(
  a: Set<unknown>,
  b: Set<unknown>,
  path: string,
  tol: StageTolerance,
  seen: Map<object, object>,
): Difference | undefined {
  if (a.size !== b.size) return { path: path || '(value)', reason: `Set size ${a.size} vs ${b.size}` };
  const primitive = [...a].every((k) => k === null || typeof k !== 'object');
  if (primitive) {
    for (const v of a) if (!b.has(v)) return { path: path || '(value)', reason: `${short(v)} only in the baseline` };
    return undefined;
  }
  return cmp([...a], [...b], `${path}.values()`, tol, tol.float64, seen);
}

function ctorName(v: object): string {
  const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
  return proto === null ? 'Object' : (proto.constructor?.name ?? 'Object');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  if (Array.isArray(v)) return 'array';
  return tagOf(v);
}

function short(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
