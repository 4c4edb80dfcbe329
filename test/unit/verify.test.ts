import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { loadConfig } from '../../server/src/engine/config/load';
import { runCase } from '../../server/src/engine/verify';
import { casesFromConfig } from '../../server/src/engine/verifyCases';
import type { CaseReport, VerifyCase } from '../../server/src/engine/verifyTypes';
import { mlp, reduction, twoInputs } from '../../scripts/onnx/models';
import { sequenceLogits } from '../../scripts/onnx/inputModels';
import { EXAMPLE, tempDir, write } from '../support/tmp';

function exampleCase(name: string): VerifyCase {
  const c = casesFromConfig(loadConfig(EXAMPLE)).find((x) => x.name === name);
  assert.ok(c, `example case ${name}`);
  return c;
}

function output(r: CaseReport, name: string) {
  const o = r.outputs.find((x) => x.name === name);
  assert.ok(o, `output ${name} in ${r.outputs.map((x) => x.name).join(',')}`);
  return o;
}

describe('verify engine (real onnxruntime)', function () {
  this.timeout(60_000);

  it('passes the fused MatMul+Add → Gemm refactor on the example fixtures', async () => {
    const r = await runCase(exampleCase('fuse-matmul-add'));
    assert.equal(r.status, 'pass', JSON.stringify(r.error));
    assert.equal(r.fixtures.count, 5);
    assert.equal(r.fixtures.synthetic, false);
    for (const name of ['probs', 'logits']) {
      const o = output(r, name);
      assert.ok(o.passed);
      assert.equal(o.mismatches, 0);
      assert.ok(o.maxAbs <= 1e-5, `maxAbs ${o.maxAbs}`);
      assert.equal(o.top1Agreement, 1);
      assert.ok(o.elements > 0);
    }
  });

  it('passes the split reduction only within its configured tolerance', async () => {
    const c = exampleCase('split-reduction');
    const within = await runCase(c);
    assert.equal(within.status, 'pass');
    const sum = output(within, 'sum');
    assert.ok(sum.maxAbs > 0, 'the split really changes float rounding');
    const strict = await runCase({ ...c, tolerance: {} });
    assert.equal(strict.status, 'fail', 'float32 defaults are too tight for it');
    assert.ok(output(strict, 'sum').mismatches > 0);
    assert.ok(output(strict, 'sum').minPassingAtol <= (c.tolerance?.atol ?? 0));
  });

  it('fails Relu → LeakyRelu and locates the worst element', async () => {
    const r = await runCase(exampleCase('relu-to-leakyrelu'));
    assert.equal(r.status, 'fail');
    const logits = output(r, 'logits');
    assert.equal(logits.passed, false);
    assert.ok(logits.mismatches > 0);
    assert.ok(logits.worst && logits.worst.absDiff === logits.maxAbs);
    assert.match(logits.worst.caseId, /^test_data_set_\d+$/);
    assert.equal(logits.worst.index.length, 2);
    assert.ok(logits.minPassingAtol > logits.tolerance.atol);
    const histTotal = logits.histogram.counts.reduce((a, b) => a + b, 0);
    assert.equal(histTotal, logits.elements);
  });

  it('gives the same statistics batched and one fixture at a time', async () => {
    const c = exampleCase('relu-to-leakyrelu');
    const batched = await runCase(c);
    const single = await runCase({ ...c, batchSize: 1 });
    assert.equal(batched.timing.batched, true);
    assert.equal(single.timing.batched, false);
    for (const name of ['probs', 'logits']) {
      const a = output(batched, name);
      const b = output(single, name);
      assert.equal(a.mismatches, b.mismatches);
      assert.ok(Math.abs(a.maxAbs - b.maxAbs) < 1e-6);
      assert.ok(Math.abs(a.meanAbs - b.meanAbs) < 1e-6);
    }
  });

  it('generates synthetic fixtures from the signature and says so', async () => {
    const dir = tempDir();
    const base = write(
      dir,
      'a.onnx',
      mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: false, activation: 'relu' }),
    );
    const cand = write(
      dir,
      'b.onnx',
      mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: true, activation: 'relu' }),
    );
    const r = await runCase({
      name: 'synthetic',
      baseline: base,
      candidate: cand,
      count: 7,
      seed: 3,
      dims: { batch: 5 },
    });
    assert.equal(r.status, 'pass');
    assert.equal(r.fixtures.synthetic, true);
    assert.equal(r.fixtures.count, 7);
    assert.match(r.fixtures.origin, /seed 3/);
    assert.deepEqual(output(r, 'probs').shape, [5, 3]);
    assert.equal(output(r, 'probs').elements, 7 * 5 * 3);
  });

  it('matches inputs by name, so models declaring them in another order compare fine', async () => {
    const dir = tempDir();
    const ab = write(dir, 'ab.onnx', twoInputs({ order: 'ab' }));
    const ba = write(dir, 'ba.onnx', twoInputs({ order: 'ba' }));
    const r = await runCase({ name: 'order', baseline: ab, candidate: ba, count: 4, dims: { batch: 2 } });
    assert.equal(r.status, 'pass', JSON.stringify(r.error));
    assert.equal(r.signatureDifferences.length, 0);
  });

  it('pairs renamed outputs through outputMap', async () => {
    const dir = tempDir();
    const a = write(dir, 'a.onnx', twoInputs({}));
    const b = write(dir, 'b.onnx', twoInputs({ outputName: 'out' }));
    const unmapped = await runCase({ name: 'x', baseline: a, candidate: b, count: 2 });
    assert.equal(unmapped.status, 'fail');
    assert.ok(unmapped.signatureDifferences.some((d) => d.kind === 'missing-output' && d.name === 'y'));
    const mapped = await runCase({ name: 'x', baseline: a, candidate: b, count: 2, outputMap: { y: 'out' } });
    assert.equal(mapped.status, 'pass');
    assert.equal(output(mapped, 'y').candidateName, 'out');
  });

  it('applies per-output tolerance overrides', async () => {
    const dir = tempDir();
    const a = write(dir, 'a.onnx', reduction({ n: 4096, split: false }));
    const b = write(dir, 'b.onnx', reduction({ n: 4096, split: true }));
    const fixtures = path.join(EXAMPLE, 'fixtures', 'reduce');
    const strict = await runCase({ name: 'r', baseline: a, candidate: b, fixtures });
    assert.equal(strict.status, 'fail');
    const loose = await runCase({ name: 'r', baseline: a, candidate: b, fixtures, outputs: { sum: { atol: 1 } } });
    assert.equal(loose.status, 'pass');
    assert.equal(output(loose, 'sum').tolerance.atol, 1);
  });

  it('top-1 and top-5 agreement along the last axis of [N, T, C] logits', async () => {
    const dir = tempDir();
    const a = write(dir, 'a.onnx', sequenceLogits(0));
    const b = write(dir, 'b.onnx', sequenceLogits(0.3));
    const r = await runCase({ name: 'ctc', baseline: a, candidate: b, count: 4, dims: { batch: 2, time: 50 } });
    assert.equal(r.status, 'fail');
    const o = output(r, 'logits');
    assert.deepEqual(o.shape, [2, 50, 8]);
    assert.ok(o.top1Agreement !== undefined && o.top1Agreement > 0.5 && o.top1Agreement < 1, `top1 ${o.top1Agreement}`);
    assert.ok(
      o.top5Agreement !== undefined && o.top5Agreement > o.top1Agreement && o.top5Agreement <= 1,
      `top5 ${o.top5Agreement}`,
    );
    const same = await runCase({ name: 'ctc', baseline: a, candidate: a, count: 2, dims: { batch: 2, time: 5 } });
    assert.equal(output(same, 'logits').top1Agreement, 1);
    assert.equal(output(same, 'logits').top5Agreement, 1);
  });
});
