import assert from 'node:assert/strict';
import { predict } from '../src/pipeline/predict';

describe('predict', () => {
  it('returns one probability distribution per row', async () => {
    const rows = 3;
    const data = Float32Array.from({ length: rows * 4 }, (_, i) => (i % 7) / 3 - 1);
    const out = await predict({ data, rows, cols: 4 });
    assert.equal(out.rows, rows);
    assert.equal(out.classes, 3);
    for (let r = 0; r < rows; r++) {
      const sum = out.probs.subarray(r * 3, r * 3 + 3).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5);
    }
  });
});
