import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { parseConfig } from '../../server/src/engine/config/load';
import { caseFromModels, casesFromConfig, layerInputs, resolveSpec } from '../../server/src/engine/verifyCases';

const CONFIG = JSON.stringify({
  verify: {
    defaults: { atol: 0.001, rtol: 0.01, count: 8, timeoutMs: 5000 },
    cases: [
      {
        name: 'a',
        baseline: 'git:HEAD~1:m/old.onnx',
        candidate: 'm/new.onnx',
        fixtures: 'fx',
        count: 4,
        tolerance: { atol: 0.1 },
        dims: { batch: 2, seq: 3 },
        inputs: { x: { shape: [2, 3], value: 1 }, y: { range: [0, 1] } },
        outputMap: { out: 'y' },
      },
    ],
  },
});

describe('verify case building (engine/verifyCases.ts)', () => {
  it('layers defaults < config case < overrides, field by field', () => {
    const cfg = parseConfig(CONFIG, '/ws/mlparity.config.json');
    const [plain] = casesFromConfig(cfg);
    assert.deepEqual(
      plain.tolerance,
      { atol: 0.1, rtol: 0.01 },
      'the case atol over the default; the default rtol kept',
    );
    assert.equal(plain.count, 4, 'the case count over the default');
    assert.equal(plain.timeoutMs, 5000, 'the default timeout where the case sets none');
    const [c] = casesFromConfig(cfg, {
      tolerance: { rtol: 0.5, equalNan: true },
      count: 2,
      dims: { seq: 7 },
      inputs: { x: { range: [-2, 2] }, z: { value: 3 } },
      outputMap: { other: 'o2' },
    });
    assert.deepEqual(c.tolerance, { atol: 0.1, rtol: 0.5, equalNan: true });
    assert.equal(c.count, 2);
    assert.equal(c.timeoutMs, 5000);
    assert.deepEqual(c.dims, { batch: 2, seq: 7 });
    assert.deepEqual(c.inputs, { x: { shape: [2, 3], range: [-2, 2] }, y: { range: [0, 1] }, z: { value: 3 } });
    assert.deepEqual(c.outputMap, { out: 'y', other: 'o2' });
  });

  it('resolves paths and git: specs against the config folder, once', () => {
    const [c] = casesFromConfig(parseConfig(CONFIG, '/ws/mlparity.config.json'));
    assert.equal(c.baseline, `git:HEAD~1:${path.resolve('/ws/m/old.onnx')}`);
    assert.equal(c.candidate, path.resolve('/ws/m/new.onnx'));
    assert.equal(c.fixtures, path.resolve('/ws/fx'));
    assert.equal(resolveSpec('git:main', '/elsewhere'), 'git:main', "git:REV names the candidate's own path");
    assert.equal(
      resolveSpec('git:v1:a:b.onnx', '/r'),
      `git:v1:${path.resolve('/r/a:b.onnx')}`,
      'a colon in the path survives',
    );
  });

  it('builds a flag case relative to the working folder, named after the candidate', () => {
    const c = caseFromModels({ baseline: 'git:HEAD:m/a.onnx', candidate: 'm/b.onnx' }, '/work', {
      tolerance: { atol: 1 },
      count: 3,
    });
    assert.deepEqual(c, {
      name: 'b',
      baseline: `git:HEAD:${path.resolve('/work/m/a.onnx')}`,
      candidate: path.resolve('/work/m/b.onnx'),
      count: 3,
      tolerance: { atol: 1 },
    });
  });

  it('a value and a range replace each other; a shape stays', () => {
    assert.deepEqual(layerInputs({ x: { shape: [1], value: 0 } }, { x: { range: [0, 1] } }), {
      x: { shape: [1], range: [0, 1] },
    });
    assert.deepEqual(layerInputs({ x: { shape: [1], range: [0, 1] } }, { x: { value: 5 } }), {
      x: { shape: [1], value: 5 },
    });
    assert.deepEqual(layerInputs({ x: { value: 5 } }, {}), { x: { value: 5 } });
  });
});
