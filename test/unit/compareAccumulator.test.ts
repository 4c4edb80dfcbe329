import { strict as assert } from 'node:assert';
import { OutputAccumulator, nextUp, passingAtol, unravel } from '../../server/src/engine/compare/accumulator';
import { resolveTolerance } from '../../server/src/engine/compare/tolerance';
import type { OutputComparison, Tolerance } from '../../server/src/engine/compare/types';
import { isEngineError } from '../../server/src/engine/errors';
import { floatToHalf, type DType, type Tensor, type TensorData } from '../../server/src/engine/tensor/tensor';
import { mulberry32 as random } from '../../server/src/engine/random';

const f32 = (dims: number[], v: number[]): Tensor => ({ dtype: 'float32', dims, data: Float32Array.from(v) });
const f64 = (dims: number[], v: number[]): Tensor => ({ dtype: 'float64', dims, data: Float64Array.from(v) });
const t = (dtype: DType, dims: number[], data: TensorData): Tensor => ({ dtype, dims, data });

/** Runs one accumulator over [baseline, candidate] pairs, one case each. */
function compare(
  dtype: DType,
  pairs: Array<[Tensor, Tensor]>,
  tol: Partial<Tolerance> = {},
  quantileBuffer?: number,
): OutputComparison {
  const acc = new OutputAccumulator('out', 'out', dtype, resolveTolerance(dtype, tol), { quantileBuffer });
  pairs.forEach(([b, c], i) => acc.add(`case-${i}`, b, c));
  return acc.finish();
}

const histogramTotal = (o: OutputComparison): number => o.histogram.counts.reduce((a, b) => a + b, 0);

describe('compare/accumulator', () => {
  describe('tolerance semantics', () => {
    it('exact equality passes with all statistics at zero', () => {
      const x = [1, -2.5, 0, 3e7, 1e-30];
      const o = compare('float32', [
        [f32([5], x), f32([5], x)],
        [f32([5], x), f32([5], x)],
      ]);
      assert.equal(o.passed, true);
      assert.equal(o.elements, 10);
      assert.equal(o.mismatches, 0);
      assert.equal(o.maxAbs, 0);
      assert.equal(o.maxRel, 0);
      assert.equal(o.meanAbs, 0);
      assert.equal(o.p99Abs, 0);
      assert.equal(o.minPassingAtol, 0);
      assert.equal(o.worst, undefined);
      assert.equal(o.histogram.counts[0], 10);
      assert.deepEqual(o.shape, [5]);
      assert.equal(o.shapeMismatch, undefined);
    });

    it('differences within tolerance pass and are measured', () => {
      const o = compare('float64', [[f64([3], [1, 100, 0]), f64([3], [1 + 5e-6, 100 + 1e-4, -5e-6])]], {
        atol: 1e-5,
        rtol: 1e-6,
      });
      assert.equal(o.passed, true);
      assert.equal(o.mismatches, 0);
      assert.ok(Math.abs(o.maxAbs - 1e-4) < 1e-12);
      assert.equal(o.maxRel, Infinity); // base 0, diff > 0
      assert.ok(Math.abs(o.meanAbs - (5e-6 + 1e-4 + 5e-6) / 3) < 1e-12);
    });

    it('the boundary atol + rtol·|base| passes, the next double above fails', () => {
      // base 2, atol 0.25, rtol 0.125: limit 0.5 exactly representable
      const tol = { atol: 0.25, rtol: 0.125 };
      const at = compare('float64', [[f64([2], [2, -2]), f64([2], [2.5, -2.5])]], tol);
      assert.equal(at.passed, true);
      assert.equal(at.mismatches, 0);
      const above = compare('float64', [[f64([2], [2, -2]), f64([2], [nextUp(2.5), -2.5])]], tol);
      assert.equal(above.passed, false);
      assert.equal(above.mismatches, 1);
      assert.equal(above.mismatchPct, 50);
    });

    it('just outside the float32 defaults fails', () => {
      // default float32: atol 1e-5, rtol 1.3e-6 -> limit at base 1 is 1.13e-5
      const inside = compare('float32', [[f32([1], [1]), f32([1], [1 + 1.1e-5])]]);
      const outside = compare('float32', [[f32([1], [1]), f32([1], [1 + 1.2e-5])]]);
      assert.equal(inside.passed, true);
      assert.equal(outside.passed, false);
    });

    it('per-output override beats the case default beats the dtype default', () => {
      const pair: [Tensor, Tensor] = [f32([1], [1]), f32([1], [1.01])];
      const run = (tol: Tolerance) => {
        const acc = new OutputAccumulator('out', 'out', 'float32', tol);
        acc.add('c', ...pair);
        return acc.finish();
      };
      assert.equal(run(resolveTolerance('float32')).passed, false);
      assert.equal(run(resolveTolerance('float32', { atol: 0.1 })).passed, true);
      const o = run(resolveTolerance('float32', { atol: 0.1 }, { atol: 1e-3 }));
      assert.equal(o.passed, false);
      assert.deepEqual(o.tolerance, { atol: 1e-3, rtol: 1.3e-6, equalNan: false });
    });

    it('rejects an invalid tolerance with an EngineError', () => {
      assert.throws(
        () => new OutputAccumulator('o', 'o', 'float32', { atol: -1, rtol: 0, equalNan: false }),
        (e: unknown) => isEngineError(e) && e.code === 'config-invalid',
      );
    });
  });

  describe('NaN and infinities', () => {
    it('NaN vs NaN mismatches without equalNan and matches with it', () => {
      const pair: [Tensor, Tensor] = [f32([3], [NaN, 1, 2]), f32([3], [NaN, 1, 2])];
      const strict = compare('float32', [pair]);
      assert.equal(strict.passed, false);
      assert.equal(strict.nanMismatches, 1);
      assert.equal(strict.mismatches, 1);
      assert.equal(strict.minPassingAtol, Infinity);
      assert.deepEqual(strict.nonFinite, { baselineNan: 1, candidateNan: 1, baselineInf: 0, candidateInf: 0 });
      assert.deepEqual(strict.worst?.index, [0]);

      const lenient = compare('float32', [pair], { equalNan: true });
      assert.equal(lenient.passed, true);
      assert.equal(lenient.nanMismatches, 0);
      assert.equal(lenient.minPassingAtol, 0);
      assert.equal(lenient.maxAbs, 0);
      assert.equal(lenient.worst, undefined);
      assert.equal(lenient.histogram.counts[0], 3);
      assert.equal(histogramTotal(lenient), 3);
      assert.deepEqual(lenient.nonFinite, { baselineNan: 1, candidateNan: 1, baselineInf: 0, candidateInf: 0 });
    });

    it('NaN on one side mismatches even with equalNan and a huge atol', () => {
      const o = compare('float32', [[f32([2], [1, NaN]), f32([2], [NaN, 1])]], { equalNan: true, atol: 1e30 });
      assert.equal(o.nanMismatches, 2);
      assert.equal(o.mismatches, 2);
      assert.equal(o.passed, false);
      assert.equal(o.nonFinite.baselineNan, 1);
      assert.equal(o.nonFinite.candidateNan, 1);
    });

    it('+Inf equals +Inf; +Inf vs -Inf and Inf vs finite mismatch, even with an infinite atol', () => {
      const same = compare('float32', [[f32([2], [Infinity, -Infinity]), f32([2], [Infinity, -Infinity])]]);
      assert.equal(same.passed, true);
      assert.equal(same.infMismatches, 0);
      assert.equal(same.maxAbs, 0);
      assert.deepEqual(same.nonFinite, { baselineNan: 0, candidateNan: 0, baselineInf: 2, candidateInf: 2 });
      assert.equal(same.histogram.counts[0], 2);
      assert.equal(histogramTotal(same), 2);

      const o = compare('float32', [[f32([3], [Infinity, 5, 1]), f32([3], [-Infinity, Infinity, 1.5])]], {
        atol: Infinity,
      });
      assert.equal(o.infMismatches, 2);
      assert.equal(o.mismatches, 2);
      assert.equal(o.passed, false);
      assert.equal(o.minPassingAtol, Infinity);
      // finite statistics leave the non-finite mismatches out
      assert.equal(o.maxAbs, 0.5);
      assert.equal(o.meanAbs, 0.5);
      // worst is the first non-finite mismatch
      assert.deepEqual(o.worst, {
        caseId: 'case-0',
        index: [0],
        baseline: Infinity,
        candidate: -Infinity,
        absDiff: Infinity,
        relDiff: NaN,
      });
      assert.equal(histogramTotal(o), 3);
      assert.equal(o.histogram.counts.at(-1), 2);
    });

    it('a float64 difference that overflows is a mismatch outside the finite statistics', () => {
      const o = compare('float64', [[f64([2], [-1.7e308, 1]), f64([2], [1.7e308, 1.5])]]);
      assert.equal(o.passed, false);
      assert.equal(o.mismatches, 2);
      assert.equal(o.maxAbs, 0.5);
      assert.equal(o.meanAbs, 0.5);
      assert.equal(o.infMismatches, 0);
      assert.equal(o.minPassingAtol, Infinity);
      assert.deepEqual(o.worst?.index, [0]);
      assert.equal(o.worst?.absDiff, Infinity);
      assert.equal(histogramTotal(o), 2);
    });
  });

  describe('integers, bool, strings, float16', () => {
    it('int64 compares BigInts exactly: 2^60 vs 2^60+1 differ', () => {
      const big = 2n ** 60n;
      const o = compare('int64', [
        [t('int64', [2], BigInt64Array.from([big, 7n])), t('int64', [2], BigInt64Array.from([big + 1n, 7n]))],
      ]);
      assert.equal(o.passed, false);
      assert.equal(o.mismatches, 1);
      assert.equal(o.maxAbs, 1);
      assert.equal(o.minPassingAtol, 1);
      assert.deepEqual(o.worst, {
        caseId: 'case-0',
        index: [0],
        baseline: '1152921504606846976',
        candidate: '1152921504606846977',
        absDiff: 1,
        relDiff: 1 / 2 ** 60,
      });
      const same = compare('int64', [
        [t('int64', [1], BigInt64Array.from([big])), t('int64', [1], BigInt64Array.from([big]))],
      ]);
      assert.equal(same.passed, true);
      // an explicit atol is honoured for integers
      const lenient = compare(
        'int64',
        [[t('int64', [1], BigInt64Array.from([big])), t('int64', [1], BigInt64Array.from([big + 1n]))]],
        { atol: 1 },
      );
      assert.equal(lenient.passed, true);
    });

    it('uint64 and small integer types compare exactly', () => {
      const u = compare('uint64', [
        [
          t('uint64', [2], BigUint64Array.from([2n ** 64n - 1n, 0n])),
          t('uint64', [2], BigUint64Array.from([2n ** 64n - 2n, 0n])),
        ],
      ]);
      assert.equal(u.mismatches, 1);
      const i8 = compare('int8', [
        [t('int8', [3], Int8Array.from([-128, 0, 127])), t('int8', [3], Int8Array.from([-128, 1, 127]))],
      ]);
      assert.equal(i8.mismatches, 1);
      assert.equal(i8.maxAbs, 1);
      assert.deepEqual(i8.worst?.index, [1]);
      const i32 = compare('int32', [
        [t('int32', [2], Int32Array.from([5, 6])), t('int32', [2], Int32Array.from([5, 6]))],
      ]);
      assert.equal(i32.passed, true);
    });

    it('int64 against int32 compares through numbers', () => {
      const o = compare('int64', [
        [t('int64', [3], BigInt64Array.from([1n, -2n, 3n])), t('int32', [3], Int32Array.from([1, -2, 4]))],
      ]);
      assert.equal(o.mismatches, 1);
      assert.deepEqual(o.worst?.index, [2]);
    });

    it('bool compares exactly and gets no top1', () => {
      const o = compare('bool', [
        [t('bool', [2, 2], Uint8Array.from([1, 0, 0, 1])), t('bool', [2, 2], Uint8Array.from([1, 1, 0, 1]))],
      ]);
      assert.equal(o.mismatches, 1);
      assert.equal(o.top1Agreement, undefined);
    });

    it('strings: equal or not, never fixed by a tolerance', () => {
      const o = compare(
        'string',
        [[t('string', [3], ['cat', 'dog', 'owl']), t('string', [3], ['cat', 'Dog', 'owl'])]],
        { atol: 5, rtol: 5 },
      );
      assert.equal(o.passed, false);
      assert.equal(o.mismatches, 1);
      assert.equal(o.maxAbs, 1);
      assert.equal(o.minPassingAtol, Infinity);
      assert.deepEqual(o.worst, {
        caseId: 'case-0',
        index: [1],
        baseline: 'dog',
        candidate: 'Dog',
        absDiff: 1,
        relDiff: 1,
      });
      assert.equal(histogramTotal(o), 3);
      const same = compare('string', [[t('string', [1], ['a']), t('string', [1], ['a'])]]);
      assert.equal(same.passed, true);
    });

    it('string against numeric data is an EngineError', () => {
      const acc = new OutputAccumulator('o', 'o', 'string', resolveTolerance('string'));
      assert.throws(
        () => acc.add('c', t('string', [1], ['1']), f32([1], [1])),
        (e: unknown) => isEngineError(e) && e.code === 'signature-mismatch',
      );
    });

    it('float16 half bits are decoded and judged with the float16 defaults', () => {
      const h = (v: number[]) => t('float16', [v.length], Uint16Array.from(v.map(floatToHalf)));
      // 1 vs 1.0009765625 (next half): |d| = 2^-10 <= 1e-5 + 1e-3·1
      const o = compare('float16', [[h([1, 2, 65504]), h([1.0009765625, 2, 65504])]]);
      assert.equal(o.passed, true);
      assert.equal(o.maxAbs, 2 ** -10);
      assert.deepEqual(o.worst?.index, [0]);
      assert.equal(o.worst?.candidate, 1.0009765625);
      const off = compare('float16', [[h([1]), h([1.00390625])]]);
      assert.equal(off.passed, false);
      const inf = compare('float16', [[h([Infinity, NaN]), h([Infinity, NaN])]], { equalNan: true });
      assert.equal(inf.passed, true);
      assert.deepEqual(inf.nonFinite, { baselineNan: 1, candidateNan: 1, baselineInf: 1, candidateInf: 1 });
    });

    it('a float16 candidate can be compared against a float32 baseline', () => {
      const o = compare(
        'float32',
        [[f32([2], [0.1, 0.2]), t('float16', [2], Uint16Array.from([0.1, 0.2].map(floatToHalf)))]],
        { atol: 1e-3 },
      );
      assert.equal(o.passed, true);
      assert.ok(o.maxAbs > 0 && o.maxAbs < 1e-4);
    });
  });

  describe('statistics', () => {
    it('finds the worst element and its multi-dimensional index in a 3-D tensor across cases', () => {
      const dims = [2, 3, 4];
      const base = Array.from({ length: 24 }, (_, i) => i / 10);
      const c0 = [...base];
      c0[5] += 0.5;
      const c1 = [...base];
      c1[1 * 12 + 2 * 4 + 3] -= 2; // index [1, 2, 3]
      const c2 = [...base];
      c2[0] += 2; // the same |diff| later: the first one stays worst
      const o = compare('float64', [
        [f64(dims, base), f64(dims, c0)],
        [f64(dims, base), f64(dims, c1)],
        [f64(dims, base), f64(dims, c2)],
      ]);
      assert.equal(o.mismatches, 3);
      assert.equal(o.elements, 72);
      assert.equal(o.worst?.caseId, 'case-1');
      assert.deepEqual(o.worst?.index, [1, 2, 3]);
      assert.equal(o.worst?.baseline, 2.3);
      assert.ok(Math.abs((o.worst?.candidate as number) - 0.3) < 1e-12);
      assert.ok(Math.abs((o.worst?.absDiff ?? 0) - 2) < 1e-12);
      assert.ok(Math.abs((o.worst?.relDiff ?? 0) - 2 / 2.3) < 1e-12);
      assert.equal(o.maxAbs, o.worst?.absDiff);
    });

    it('p99 matches a sorted reference (nearest rank), also with a tiny tail buffer', () => {
      const rnd = random(11);
      const pairs: Array<[Tensor, Tensor]> = [];
      const all: number[] = [];
      for (let k = 0; k < 20; k++) {
        const b = Array.from({ length: 250 }, () => rnd() * 4 - 2);
        // a third of the elements identical, the rest perturbed over several decades
        const c = b.map((v, i) => (i % 3 === 0 ? v : v + (rnd() - 0.5) * 10 ** (-8 + 6 * rnd())));
        pairs.push([f64([250], b), f64([250], c)]);
        b.forEach((v, i) => all.push(Math.abs(c[i] - v)));
      }
      const sorted = [...all].sort((a, b) => a - b);
      const expected = sorted[Math.ceil(0.99 * sorted.length) - 1];
      const exact = compare('float64', pairs);
      assert.equal(exact.p99Abs, expected);
      assert.equal(exact.maxAbs, sorted.at(-1));
      assert.ok(Math.abs(exact.meanAbs - all.reduce((a, b) => a + b, 0) / all.length) < 1e-18);
      const compacted = compare('float64', pairs, {}, 16);
      assert.equal(compacted.p99Abs, expected);
      assert.equal(compacted.maxAbs, exact.maxAbs);
    });

    it('p99 is 0 when at least 99% of the differences are 0', () => {
      const b = Array.from({ length: 100 }, (_, i) => i);
      const c = [...b];
      c[50] += 1;
      assert.equal(compare('float64', [[f64([100], b), f64([100], c)]]).p99Abs, 0);
      c[51] += 1;
      assert.equal(compare('float64', [[f64([100], b), f64([100], c)]]).p99Abs, 1);
    });

    it('minPassingAtol: re-running with it passes, slightly below fails', () => {
      const rnd = random(5);
      const b = Array.from({ length: 500 }, () => (rnd() - 0.5) * 100);
      const c = b.map((v) => v * (1 + (rnd() - 0.5) * 1e-4) + (rnd() - 0.5) * 1e-3);
      const pair: [Tensor, Tensor] = [f32([500], b), f32([500], c)];
      for (const rtol of [0, 1e-6, 3e-5]) {
        const first = compare('float32', [pair], { rtol });
        assert.equal(first.passed, false, `rtol ${rtol}`);
        const m = first.minPassingAtol;
        assert.ok(m > 0 && Number.isFinite(m));
        assert.equal(compare('float32', [pair], { rtol, atol: m }).passed, true, `rtol ${rtol} atol ${m}`);
        assert.equal(compare('float32', [pair], { rtol, atol: m * (1 - 1e-12) }).passed, false);
      }
    });

    it('passingAtol compensates rounding so the pass test really holds', () => {
      const rnd = random(9);
      for (let i = 0; i < 10000; i++) {
        const ad = rnd() * 10 ** (-6 * rnd());
        const scaled = ad * rnd();
        const m = passingAtol(ad, scaled);
        assert.ok(ad <= m + scaled);
        // and it stays within a few ulps of the exact ad - scaled
        assert.ok(m <= (ad - scaled) * (1 + 4 * Number.EPSILON) + Number.MIN_VALUE);
      }
    });

    it('top1 agreement for [N, C] outputs across cases', () => {
      const base = f32([3, 3], [0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.3, 0.3, 0.4]);
      const cand = f32([3, 3], [0.1, 0.6, 0.3, 0.3, 0.5, 0.2, 0.3, 0.3, 0.4]);
      const o = compare('float32', [
        [base, cand],
        [base, base],
      ]);
      assert.equal(o.top1Agreement, 5 / 6);
      assert.equal(compare('float32', [[f32([3, 1], [1, 2, 3]), f32([3, 1], [3, 2, 1])]]).top1Agreement, undefined);
      assert.equal(compare('float32', [[f32([4], [1, 2, 3, 4]), f32([4], [1, 2, 3, 4])]]).top1Agreement, undefined);
      const ints = compare('int64', [
        [t('int64', [1, 3], BigInt64Array.from([1n, 5n, 2n])), t('int64', [1, 3], BigInt64Array.from([1n, 5n, 9n]))],
      ]);
      assert.equal(ints.top1Agreement, undefined, 'integers are indices or counts, not scores');
      assert.equal(o.top5Agreement, undefined, 'three classes: top 5 says nothing');
    });

    it('top1 and top5 along the last axis of [N, T, C] sequence logits', () => {
      // 2 sequences x 3 steps x 6 classes: one step's argmax moves to the baseline's 2nd class, one to its 6th
      const base = new Float32Array(36);
      for (let row = 0; row < 6; row++) for (let k = 0; k < 6; k++) base[row * 6 + k] = k === row ? 1 : k / 100;
      const cand = base.slice();
      cand[1 * 6 + 0] = 2; // row 1: argmax 0, baseline's class 1 has rank 1 (in the top 5)
      cand[4 * 6 + 0] = 2; // row 4: the baseline's class 4 drops below five others
      for (const k of [1, 2, 3, 5]) cand[4 * 6 + k] = 1.5;
      const o = compare('float32', [[f32([2, 3, 6], [...base]), f32([2, 3, 6], [...cand])]]);
      assert.equal(o.top1Agreement, 4 / 6);
      assert.equal(o.top5Agreement, 5 / 6);
    });

    it('histogram counts sum to the element count and land in the right decades', () => {
      const b = [0, 0, 0, 0, 0, 0];
      const c = [0, 1e-13, 2e-7, 3e-7, 0.5, 5000];
      const o = compare('float64', [
        [f64([6], b), f64([6], c)],
        [f64([2], [NaN, 1]), f64([2], [1, 1])],
      ]);
      assert.equal(histogramTotal(o), o.elements);
      assert.equal(o.elements, 8);
      const bin = (edge: number) => o.histogram.counts[o.histogram.edges.indexOf(edge)];
      assert.equal(bin(0), 2);
      assert.equal(bin(Number.MIN_VALUE), 1);
      assert.equal(bin(1e-7), 2);
      assert.equal(bin(0.1), 1);
      assert.equal(bin(1e3), 2); // 5000 and the NaN mismatch
      assert.equal(o.histogram.edges.length, o.histogram.counts.length);
    });
  });

  describe('shapes', () => {
    it('a shape mismatch fails the output and skips that case', () => {
      const acc = new OutputAccumulator('probs', 'scores', 'float32', resolveTolerance('float32'));
      acc.add('a', f32([2], [1, 2]), f32([2], [1, 2]));
      acc.add('b', f32([2], [1, 2]), f32([3], [1, 2, 3]));
      acc.add('c', f32([1, 2], [1, 2]), f32([2, 1], [1, 2]));
      const o = acc.finish();
      assert.equal(o.passed, false);
      assert.equal(o.mismatches, 0);
      assert.equal(o.elements, 2);
      assert.equal(o.candidateName, 'scores');
      assert.deepEqual(o.shape, [2]);
      assert.deepEqual(o.shapeMismatch, { caseId: 'b', baseline: [2], candidate: [3] });
    });

    it('data that does not fill its dims is an EngineError', () => {
      const acc = new OutputAccumulator('o', 'o', 'float32', resolveTolerance('float32'));
      assert.throws(
        () => acc.add('x', f32([3], [1, 2]), f32([3], [1, 2])),
        (e: unknown) => isEngineError(e) && e.code === 'fixture-invalid',
      );
    });

    it('unravel is row-major', () => {
      assert.deepEqual(unravel(23, [2, 3, 4]), [1, 2, 3]);
      assert.deepEqual(unravel(0, []), []);
      assert.deepEqual(unravel(5, [6]), [5]);
    });
  });

  it('empty accumulator finishes with neutral values', () => {
    const o = new OutputAccumulator('o', 'o', 'float32', resolveTolerance('float32')).finish();
    assert.equal(o.elements, 0);
    assert.equal(o.passed, true);
    assert.equal(o.mismatchPct, 0);
    assert.deepEqual(o.shape, []);
  });
});
