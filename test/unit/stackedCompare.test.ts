import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { OutputAccumulator } from '../../server/src/engine/compare/accumulator';
import { MetricsAccumulator } from '../../server/src/engine/compare/metrics';
import { resolveTolerance } from '../../server/src/engine/compare/tolerance';
import { InputObserver } from '../../server/src/engine/fixtures/inputUsage';
import { mulberry32, type Rng } from '../../server/src/engine/random';
import type { Stack } from '../../server/src/engine/tensor/stack';
import { allocate, elementCount, floatToHalf, type DType, type Tensor } from '../../server/src/engine/tensor/tensor';

// A batched run compares (and observes) a whole stack of fixture cases in one call; every figure must be bit for
// bit what one call per case on its rows gives, or batching would change the report.

const DTYPES: DType[] = ['float32', 'float64', 'float16', 'int32', 'int64', 'bool', 'string'];
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e38, -1e38, 1e308, -1e308, 3.5, 1e-30];

interface Drawn {
  dtype: DType;
  stack: Stack;
  /** Per case: baseline and candidate. */
  cases: [Tensor, Tensor][];
  stacked: [Tensor, Tensor];
  labels: Map<string, number[]>;
}

function value(rng: Rng, dtype: DType): number {
  const v = rng() < 0.15 ? SPECIAL[Math.floor(rng() * SPECIAL.length)] : (rng() - 0.5) * 8;
  if (dtype === 'float16') return floatToHalf(v);
  if (dtype === 'bool') return rng() < 0.5 ? 0 : 1;
  if (dtype === 'int32' || dtype === 'int64') {
    const w = Math.trunc(v * 1000) % 2 ** 31;
    return Number.isFinite(w) ? w : 7;
  }
  return v;
}

function fill(rng: Rng, dtype: DType, dims: number[], like?: Tensor): Tensor {
  const n = elementCount(dims);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    // the candidate mostly repeats the baseline, so equal elements, near misses and matched NaN all occur
    const same = like && i < like.data.length && rng() < 0.5;
    if (Array.isArray(data)) data[i] = same ? (like.data as string[])[i] : `s${Math.floor(rng() * 3)}`;
    else if (data instanceof BigInt64Array)
      data[i] = same ? (like.data as BigInt64Array)[i] : BigInt(value(rng, dtype)) * (rng() < 0.2 ? 2n ** 40n : 1n);
    else if (same) data[i] = (like.data as Float64Array)[i];
    else (data as Float64Array)[i] = value(rng, dtype) + (like && rng() < 0.3 ? 1e-6 : 0);
  }
  return { dtype, dims, data };
}

function concat(parts: Tensor[], dims: number[]): Tensor {
  const first = parts[0];
  if (Array.isArray(first.data)) return { dtype: first.dtype, dims, data: parts.flatMap((p) => p.data as string[]) };
  const data = allocate(first.dtype, elementCount(dims)) as Float64Array;
  let off = 0;
  for (const p of parts) {
    data.set(p.data as Float64Array, off);
    off += p.data.length;
  }
  return { dtype: first.dtype, dims, data };
}

function draw(seed: number): Drawn {
  const rng = mulberry32(seed);
  const dtype = DTYPES[Math.floor(rng() * DTYPES.length)];
  const trailing = Array.from({ length: Math.floor(rng() * 3) }, () => 1 + Math.floor(rng() * 7));
  // now and then the candidate's trailing dims differ: every case is then a shape mismatch
  const candTrailing =
    rng() < 0.1 && trailing.length > 0 ? [...trailing.slice(0, -1), trailing[trailing.length - 1] + 1] : trailing;
  const count = 1 + Math.floor(rng() * 6);
  const rows = Array.from({ length: count }, () => Math.floor(rng() * 4));
  const ids = rows.map((_, j) => `case-${j}`);
  const labels = new Map<string, number[]>();
  const cases = rows.map((r, j): [Tensor, Tensor] => {
    const b = fill(rng, dtype, [r, ...trailing]);
    const c = fill(rng, dtype, [r, ...candTrailing], b);
    // some cases have labels, some only for their first rows
    if (rng() < 0.7)
      labels.set(
        ids[j],
        Array.from({ length: Math.floor(rng() * (r + 1)) }, () => Math.floor(rng() * 3)),
      );
    return [b, c];
  });
  const total = rows.reduce((a, b) => a + b, 0);
  const stacked: [Tensor, Tensor] = [
    concat(
      cases.map((x) => x[0]),
      [total, ...trailing],
    ),
    concat(
      cases.map((x) => x[1]),
      [total, ...candTrailing],
    ),
  ];
  return { dtype, stack: { ids, rows }, cases, stacked, labels };
}

function tolerance(rng: Rng, dtype: DType): ReturnType<typeof resolveTolerance> {
  const atol = [0, 1e-7, 1e-3, 0.5][Math.floor(rng() * 4)];
  return resolveTolerance(dtype, { atol, rtol: rng() < 0.5 ? 0 : 1e-4, equalNan: rng() < 0.5 });
}

/** Runs `fn` and returns the EngineError message it throws, or what it returns. */
function outcome<T>(fn: () => T): T | string {
  try {
    return fn();
  } catch (e) {
    return `threw: ${e instanceof Error ? e.message : String(e)}`;
  }
}

describe('stacked comparison: one call per batch, the same figures as one per case', () => {
  it('OutputAccumulator.addRows equals add() per case (statistics, worst element, top-k, shard state)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const d = draw(seed);
        const tol = tolerance(mulberry32(seed ^ 0x5eed), d.dtype);
        const perCase = new OutputAccumulator('y', 'y', d.dtype, tol, { quantileBuffer: 8 });
        const stacked = new OutputAccumulator('y', 'y', d.dtype, tol, { quantileBuffer: 8 });
        const a = outcome(() => {
          d.cases.forEach(([b, c], j) => perCase.add(d.stack.ids[j], b, c));
          return perCase.finish({ partial: true });
        });
        const b = outcome(() => {
          stacked.addRows(d.stack, d.stacked[0], d.stacked[1]);
          return stacked.finish({ partial: true });
        });
        assert.deepStrictEqual(b, a);
        assert.equal(JSON.stringify(b), JSON.stringify(a));
      }),
      { numRuns: 400 },
    );
  });

  it('MetricsAccumulator.addRows equals add() per case (exact sums, top-k, labels per case)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const d = draw(seed);
        const labels = (id: string): number[] | undefined => d.labels.get(id);
        const perCase = new MetricsAccumulator(labels);
        const stacked = new MetricsAccumulator(labels);
        d.cases.forEach(([b, c], j) => perCase.add(d.stack.ids[j], b, c));
        stacked.addRows(d.stack, d.stacked[0], d.stacked[1]);
        assert.deepStrictEqual(stacked.state(), perCase.state());
        assert.deepStrictEqual(stacked.finish(), perCase.finish());
      }),
      { numRuns: 400 },
    );
  });

  it('InputObserver.observeStack records what observe() per case records (shape, varying shapes, range)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 3 }), (seed, batches) => {
        const perCase = new InputObserver([{ name: 'x', dtype: 'float32', dims: ['n', 'm'] }]);
        const stacked = new InputObserver([{ name: 'x', dtype: 'float32', dims: ['n', 'm'] }]);
        for (let k = 0; k < batches; k++) {
          const d = draw(seed + k);
          if (d.dtype === 'string') continue;
          for (const [b] of d.cases) perCase.observe(new Map([['x', b]]));
          stacked.observeStack({ x: d.stacked[0] }, d.stack.rows);
        }
        assert.equal(JSON.stringify(stacked.finish()), JSON.stringify(perCase.finish()));
      }),
      { numRuns: 300 },
    );
  });
});
