import { strict as assert } from 'node:assert';
import { runCase } from '../../server/src/engine/verify';
import { identity, IDENTITY_DTYPES } from '../../scripts/onnx/models';
import { tempDir, write } from '../support/tmp';

describe('verify: every supported dtype crosses the inference process intact', function () {
  this.timeout(60_000);
  const dir = tempDir();

  for (const dtype of IDENTITY_DTYPES) {
    it(`${dtype}: synthetic fixtures through Identity compare exactly equal`, async () => {
      const model = write(dir, `identity_${dtype}.onnx`, identity(dtype));
      const r = await runCase({
        name: dtype,
        baseline: model,
        candidate: model,
        count: 3,
        seed: 5,
        dims: { batch: 2 },
      });
      assert.equal(r.status, 'pass', JSON.stringify(r.error ?? r.outputs));
      assert.equal(r.outputs.length, 1);
      const o = r.outputs[0];
      assert.equal(o.dtype, dtype);
      assert.ok(o.elements >= 3, `elements ${o.elements}`);
      assert.equal(o.mismatches, 0);
      assert.equal(o.maxAbs, 0);
    });
  }
});
