import { strict as assert } from 'node:assert';
import { OutputAccumulator } from '../../server/src/engine/compare/accumulator';
import { outputVerdictLine } from '../../server/src/cli/reporters/outputLine';
import {
  formatElement,
  formatInputValue,
  formatMetric,
  formatNumber,
  formatPercent,
  formatTolerance,
} from '../../server/src/engine/format/numbers';
import { resolveTolerance } from '../../server/src/engine/compare/tolerance';
import type { Tensor } from '../../server/src/engine/tensor/tensor';

const f32 = (dims: number[], v: number[]): Tensor => ({ dtype: 'float32', dims, data: Float32Array.from(v) });

describe('report numbers and output lines (engine/format/numbers, cli/reporters/outputLine)', () => {
  it('formatNumber keeps 3 significant digits, exponent form for tiny and huge', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [-0, '0'],
      [1, '1'],
      [100, '100'],
      [1.23456, '1.23'],
      [0.001, '0.001'],
      [0.0123456, '0.0123'],
      [123456, '123000'],
      [999999, '1e6'],
      [2.4e-7, '2.4e-7'],
      [2.4001e-7, '2.4e-7'],
      [3e-8, '3e-8'],
      [1.126e-6, '1.13e-6'],
      [-5.5e-10, '-5.5e-10'],
      [1.5e6, '1.5e6'],
      [1e21, '1e21'],
      [Number.MIN_VALUE, '4.94e-324'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
      [NaN, 'nan'],
    ];
    for (const [x, s] of cases) assert.equal(formatNumber(x), s, String(x));
  });

  it('formatPercent and formatTolerance', () => {
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(100), '100%');
    assert.equal(formatPercent(100 / 3), '33.3%');
    assert.equal(formatTolerance(resolveTolerance('float32')), 'atol 1e-5 rtol 1.3e-6');
    assert.equal(formatTolerance({ atol: 0, rtol: 0, equalNan: true }), 'atol 0 rtol 0 equalNan');
  });

  it('reads numbers as JSON carries them to the editor the same as the numbers themselves', () => {
    for (const [x, text] of [
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
      [NaN, 'NaN'],
    ] as const) {
      assert.equal(formatNumber(text), formatNumber(x));
      assert.equal(formatMetric('snrDb', text), formatMetric('snrDb', x));
      assert.equal(formatInputValue(text), formatInputValue(x));
    }
    assert.equal(formatNumber('Infinity'), 'inf');
  });

  it('formatMetric: agreement and accuracy as percentages, cosine to 7 digits, SNR in dB', () => {
    assert.equal(formatMetric('top1', 0.925), '92.5%');
    assert.equal(formatMetric('accuracyDrop', 0.02), '2%');
    assert.equal(formatMetric('mismatchPct', 0.871), '0.871%');
    assert.equal(formatMetric('cosine', 0.99951234), '0.9995123');
    assert.equal(formatMetric('cosine', 1), '1');
    assert.equal(formatMetric('snrDb', 41.23), '41.2 dB');
    assert.equal(formatMetric('maxAbs', 2.4e-7), '2.4e-7');
    assert.equal(formatElement(0.1 + 0.2), '0.3');
    assert.equal(formatElement('NaN'), 'NaN');
    assert.equal(formatInputValue(16000), '16000');
    assert.equal(formatInputValue(0.1234567), '0.123457');
  });

  it('outputVerdictLine for a passing [N, C] output', () => {
    const acc = new OutputAccumulator('probs', 'probs', 'float32', resolveTolerance('float32'));
    acc.add('a', f32([2, 2], [0.25, 0.75, 0.5, 0.5]), f32([2, 2], [0.25, 0.75, 0.5, 0.5]));
    assert.equal(
      outputVerdictLine(acc.finish()),
      'PASS  probs  float32[2,2]  max|Δ| 0  max rel 0  mean|Δ| 0  p99 0  mismatches 0/4 (0%)  top1 100%',
    );
  });

  it('outputVerdictLine for a failing renamed output with NaN and Inf mismatches', () => {
    const acc = new OutputAccumulator('y', 'y2', 'float32', resolveTolerance('float32'));
    acc.add('a', f32([4], [1, 2, NaN, Infinity]), f32([4], [1.5, 2, 1, -Infinity]));
    assert.equal(
      outputVerdictLine(acc.finish()),
      'FAIL  y->y2  float32[4]  NON-FINITE MISMATCHES 2 (NaN 1, Inf 1)  max finite|Δ| 0.5  max rel 0.5  mean|Δ| 0.25  p99 0.5  mismatches 3/4 (75%)',
    );
  });

  it('outputVerdictLine for a shape mismatch and for strings', () => {
    const acc = new OutputAccumulator('y', 'y', 'float32', resolveTolerance('float32'));
    acc.add('case-7', f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([3, 2], [1, 2, 3, 4, 5, 6]));
    assert.equal(
      outputVerdictLine(acc.finish()),
      'FAIL  y  float32[2,3]  shape mismatch in case case-7: [2,3] vs [3,2]',
    );

    const s = new OutputAccumulator('label', 'label', 'string', resolveTolerance('string'));
    s.add('a', { dtype: 'string', dims: [2], data: ['x', 'y'] }, { dtype: 'string', dims: [2], data: ['x', 'z'] });
    assert.equal(outputVerdictLine(s.finish()), 'FAIL  label  string[2]  mismatches 1/2 (50%)');
  });
});
