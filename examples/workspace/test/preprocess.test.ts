import assert from 'node:assert/strict';
import { dropIncomplete, preprocess } from '../src/pipeline/preprocess';
import type { Dataset } from '../src/pipeline/types';

const sample: Dataset = {
  columns: ['a', 'b'],
  rows: [[1, 10], [2, 12], [NaN, 11], [3, 14], [4, 99]],
  labels: ['p', 'q', 'r', 's', 't'],
};

describe('preprocess', () => {
  it('drops rows with missing or implausible values', () => {
    const clean = dropIncomplete(sample);
    assert.deepEqual(clean.labels, ['p', 'q', 's']);
  });

  it('z-scores every column', () => {
    const out = preprocess(sample);
    for (let c = 0; c < 2; c++) {
      const col = out.rows.map((r) => r[c]);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length;
      assert.ok(Math.abs(mean) < 1e-12);
      assert.ok(Math.abs(variance - 1) < 1e-12);
    }
    assert.equal(out.stats[0].mean, 2);
  });

  it('refuses a dataset with no complete row', () => {
    assert.throws(() => preprocess({ columns: ['a'], rows: [[NaN]], labels: ['x'] }), /no complete rows/);
  });
});
