import fc from 'fast-check';
import type { ParamSpec, StageCall, StageShape, TypeSpec } from './types';
import { encode, type Encoded, type TypedArrayName } from './values';

/** Longest generated array: long enough for windows, short enough for readable counterexamples. */
export const MAX_LENGTH = 12;
/** Generated doubles stay in ±this, so reordered sums stay within the float tolerance. */
export const NUMBER_RANGE = 1000;

/**
 * fast-check arbitraries from the type specs. Plain numbers mix small integers (ties, exact sums, the
 * edges fast-check favours: 0, ±1, extremes) with doubles in ±1000; integer-used numbers range from −3
 * to past the longest array, so empty, length-one, negative and larger-than-length windows all occur.
 * Nested numeric arrays are rectangular (a matrix), the shape ML code expects.
 */
function arbitraryOf(spec: TypeSpec): fc.Arbitrary<unknown> {
  switch (spec.kind) {
    case 'number':
      return spec.integer ? fc.integer({ min: -3, max: MAX_LENGTH + 3 }) : plainNumber();
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.string({ maxLength: 8 });
    case 'bigint':
      return fc.bigInt({ min: -1000n, max: 1000n });
    case 'undefined':
      return fc.constant(undefined);
    case 'null':
      return fc.constant(null);
    case 'literal':
      return fc.constant(spec.value);
    case 'array':
      if (spec.element.kind === 'array' && spec.element.element.kind !== 'array') {
        const inner = arbitraryOf(spec.element.element);
        return fc
          .integer({ min: 0, max: 6 })
          .chain((cols) => fc.array(fc.array(inner, { minLength: cols, maxLength: cols }), { maxLength: MAX_LENGTH }));
      }
      return fc.array(arbitraryOf(spec.element), { maxLength: MAX_LENGTH });
    case 'typedArray':
      return typedArray(spec.name);
    case 'tuple':
      return fc
        .tuple(
          ...spec.elements.map((e) =>
            e.rest
              ? fc.constant(undefined)
              : e.optional
                ? fc.option(arbitraryOf(e.type), { nil: undefined })
                : arbitraryOf(e.type),
          ),
        )
        .map((xs) => {
          // Rest elements are generated empty; trailing absent optionals are left out.
          const out = xs.filter((_, i) => !spec.elements[i].rest);
          while (out.length > 0 && out[out.length - 1] === undefined && spec.elements[out.length - 1]?.optional)
            out.pop();
          return out;
        });
    case 'object': {
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const p of spec.props) model[p.name] = arbitraryOf(p.type);
      return fc.record(model, { requiredKeys: spec.props.filter((p) => !p.optional).map((p) => p.name) });
    }
    case 'map':
      return fc
        .array(fc.tuple(arbitraryOf(spec.key), arbitraryOf(spec.value)), { maxLength: 6 })
        .map((es) => new Map(es));
    case 'set':
      return fc.array(arbitraryOf(spec.element), { maxLength: 6 }).map((es) => new Set(es));
    case 'union':
      return fc.oneof(...spec.options.map(arbitraryOf));
  }
}

function plainNumber(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: -10, max: 10 }),
    fc.double({ min: -NUMBER_RANGE, max: NUMBER_RANGE, noNaN: true, noDefaultInfinity: true }),
  );
}

function typedArray(name: TypedArrayName): fc.Arbitrary<unknown> {
  const len = { maxLength: MAX_LENGTH };
  switch (name) {
    case 'Float32Array':
      return fc
        .array(
          fc.oneof(fc.integer({ min: -10, max: 10 }), fc.float({ min: -NUMBER_RANGE, max: NUMBER_RANGE, noNaN: true })),
          len,
        )
        .map((xs) => new Float32Array(xs));
    case 'Float64Array':
      return fc.array(plainNumber(), len).map((xs) => new Float64Array(xs));
    case 'BigInt64Array':
      return fc.bigInt64Array(len);
    case 'BigUint64Array':
      return fc.bigUint64Array(len);
    default: {
      const ctor = globalThis[name] as unknown as { new (xs: number[]): unknown; BYTES_PER_ELEMENT: number };
      const signed = name.startsWith('Int');
      const bits = ctor.BYTES_PER_ELEMENT * 8;
      const min = signed ? -(2 ** (bits - 1)) : 0;
      const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
      return fc
        .array(fc.oneof(fc.integer({ min: Math.max(min, -10), max: Math.min(max, 10) }), fc.integer({ min, max })), len)
        .map((xs) => new ctor(xs));
    }
  }
}

/** Arguments for a parameter list, spread for a rest parameter, trailing absent optionals left out. */
function argsOf(params: readonly ParamSpec[]): fc.Arbitrary<unknown[]> {
  const parts = params.map((p) => {
    // Callers check `ungeneratable` first; a parameter without a spec would only ever get undefined.
    const a = p.spec ? arbitraryOf(p.spec) : fc.constant(undefined);
    return p.optional && !p.rest ? fc.option(a, { nil: undefined }) : a;
  });
  return fc.tuple(...parts).map((xs) => {
    const out: unknown[] = [];
    xs.forEach((x, i) => (params[i].rest && Array.isArray(x) ? out.push(...(x as unknown[])) : out.push(x)));
    let n = out.length;
    while (n > 0 && out[n - 1] === undefined && params[Math.min(n - 1, params.length - 1)]?.optional) n--;
    return out.slice(0, n);
  });
}

/** Parameters that cannot be generated, as `name: reason`. */
export function ungeneratable(shape: StageShape): string[] {
  const lists = shape.kind === 'function' ? [shape.params] : [shape.ctor, ...shape.methods.map((m) => m.params)];
  const where = shape.kind === 'function' ? [''] : ['constructor ', ...shape.methods.map((m) => `${m.name} `)];
  return lists.flatMap((ps, i) =>
    ps.filter((p) => !p.spec).map((p) => `${where[i]}parameter ${p.name}: ${p.unsupported ?? 'unsupported type'}`),
  );
}

/**
 * Calls of the stage. For a class: constructor arguments, then each of fit/transform/predict in order;
 * transform/predict often get the very data fit saw (same parameter type), since that is how a fitted
 * stage is used.
 */
export function callArbitrary(shape: StageShape): fc.Arbitrary<StageCall> {
  const enc = (xs: unknown[]): Encoded[] => xs.map((x) => encode(x));
  if (shape.kind === 'function')
    return argsOf(shape.params).map((args) => ({ kind: 'function' as const, args: enc(args) }));
  const fit = shape.methods.find((m) => m.name === 'fit');
  const sameAsFit = (ps: readonly ParamSpec[]): boolean =>
    !!fit &&
    ps.length > 0 &&
    fit.params.length > 0 &&
    JSON.stringify(ps[0].spec) === JSON.stringify(fit.params[0].spec);
  return fc
    .tuple(argsOf(shape.ctor), fc.tuple(...shape.methods.map((m) => argsOf(m.params))), fc.boolean())
    .map(([ctor, margs, reuse]) => {
      const fitArgs = fit ? margs[shape.methods.indexOf(fit)] : undefined;
      const calls = shape.methods.map((m, i) => {
        const args = [...margs[i]];
        if (reuse && m !== fit && fitArgs && fitArgs.length > 0 && sameAsFit(m.params)) args[0] = fitArgs[0];
        return { method: m.name, args: enc(args) };
      });
      return { kind: 'class' as const, ctor: enc(ctor), calls };
    });
}
