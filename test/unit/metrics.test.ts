import { strict as assert } from 'node:assert';
import { judge, MetricsAccumulator, parseCriterion } from '../../server/src/engine/compare/metrics';
import type { OutputComparison } from '../../server/src/engine/compare/types';
import { mergeShardReports } from '../../server/src/engine/mergeReports';
import { runCase, runVerify } from '../../server/src/engine/verify';
import type { VerifyReport } from '../../server/src/engine/verifyTypes';
import { toJsonSafe } from '../../server/src/engine/jsonSafe';
import type { Tensor } from '../../server/src/engine/tensor/tensor';
import { deepNet } from '../../scripts/onnx/deepNet';
import { tempDir, write } from '../support/tmp';

const f32 = (dims: number[], data: number[]): Tensor => ({ dtype: 'float32', dims, data: Float32Array.from(data) });

function metrics(base: Tensor, cand: Tensor, labels?: number[]) {
  const m = new MetricsAccumulator(labels ? () => labels : undefined);
  m.add('c0', base, cand);
  return m.finish();
}

describe('task metrics and acceptance', function () {
  this.timeout(60_000);

  it('computes cosine and SNR in float64 on known values', () => {
    const m = metrics(f32([1, 4], [1, 0, 0, 0]), f32([1, 4], [0.9, 0.1, 0, 0]));
    // cos = 0.9 / sqrt(0.82); SNR = 10·log10(1 / 0.02)
    assert.ok(Math.abs(m.cosine! - 0.9 / Math.sqrt(0.82)) < 1e-7, `cosine ${m.cosine}`);
    assert.ok(Math.abs(m.snrDb! - 10 * Math.log10(50)) < 1e-5, `snr ${m.snrDb}`);
    assert.equal(metrics(f32([2], [1, 2]), f32([2], [1, 2])).snrDb, Infinity);
    assert.ok(
      Math.abs(metrics(f32([2], [1, 2]), f32([2], [-1, -2])).cosine! + 1) < 1e-12,
      'opposite vectors: cosine -1',
    );
  });

  it('computes top-1 and top-5 agreement along the last axis, for any rank', () => {
    const m = metrics(f32([1, 2, 3], [1, 2, 3, 3, 2, 1]), f32([1, 2, 3], [1, 2, 3, 1, 2, 3]));
    assert.equal(m.rows, 2);
    assert.equal(m.top1, 0.5);
    assert.equal(m.top5, undefined, 'three classes: every class is in the top 5, so top-5 says nothing');
    // 7 classes: the baseline's argmax (0) is the candidate's smallest, 7th of 7
    const t5 = metrics(f32([1, 7], [9, 1, 1, 1, 1, 1, 1]), f32([1, 7], [0, 1, 2, 3, 4, 5, 6]));
    assert.equal(t5.top5, 0);
    const t5in = metrics(f32([1, 7], [9, 1, 1, 1, 1, 1, 1]), f32([1, 7], [4.5, 1, 2, 3, 4, 5, 6]));
    assert.equal(t5in.top5, 1, 'ranked 3rd');
    assert.equal(t5in.top1, 0);
    const sixth = metrics(f32([1, 7], [9, 1, 1, 1, 1, 1, 1]), f32([1, 7], [1.5, 0, 2, 3, 4, 5, 6]));
    assert.equal(sixth.top5, 0, 'ranked 6th of 7: outside the top 5');
  });

  it("computes each model's accuracy and the drop with labels", () => {
    const m = metrics(f32([2, 3], [1, 2, 3, 3, 2, 1]), f32([2, 3], [1, 2, 3, 1, 2, 3]), [2, 0]);
    assert.equal(m.baselineAccuracy, 1);
    assert.equal(m.candidateAccuracy, 0.5);
    assert.equal(m.accuracyDrop, 0.5);
    assert.equal(m.labelled, 2);
  });

  it('judges min and max criteria, and fails a criterion it cannot compute', () => {
    const m = metrics(f32([2, 3], [1, 2, 3, 3, 2, 1]), f32([2, 3], [1, 2, 3, 1, 2, 3]));
    const o = { maxAbs: 2, meanAbs: 0.67, mismatchPct: 33, nanMismatches: 0, infMismatches: 0 } as OutputComparison;
    const r = judge({ top1: 0.5, top5: 1, maxAbs: 1, accuracyDrop: 0.01 }, o, m);
    assert.deepEqual(
      r.map((x) => [x.metric, x.passed]),
      [
        ['top1', true],
        ['top5', false],
        ['maxAbs', false],
        ['accuracyDrop', false],
      ],
    );
    // Three classes: top-5 would hold on any row, so it cannot accept anything.
    assert.match(r[1].reason ?? '', /needs more than 5 classes/);
    assert.match(r[3].reason ?? '', /no labels/);
    assert.equal(typeof parseCriterion('cosin=0.9'), 'string');
    assert.deepEqual(parseCriterion('snrDb=30'), { metric: 'snrDb', threshold: 30 });
  });

  it('accepts a float16 candidate by task metrics that no elementwise tolerance passes, with labels from the fixtures', async () => {
    const dir = tempDir('mlp-accept-');
    const baseline = write(dir, 'b.onnx', deepNet({}));
    const candidate = write(dir, 'c.onnx', deepNet({ float16: true }));
    const cases = Array.from({ length: 6 }, (_, i) => ({
      inputs: {
        x: { dims: [1, 8], type: 'float32', data: Array.from({ length: 8 }, (_, j) => Math.sin(i * 8 + j)) },
        label: { dims: [1], type: 'int64', data: [i % 4] },
      },
    }));
    const fixtures = write(dir, 'fx.json', JSON.stringify({ cases }));
    const plain = await runCase({ name: 'f16', baseline, candidate, fixtures });
    assert.equal(plain.status, 'fail', 'elementwise, float16 fails');
    const r = await runCase({
      name: 'f16',
      baseline,
      candidate,
      fixtures,
      accept: { cosine: 0.999, top1: 1, accuracyDrop: 0 },
    });
    assert.equal(r.status, 'pass', JSON.stringify(r.outputs[0].acceptance));
    const o = r.outputs[0];
    assert.equal(o.acceptance?.elementwisePassed, false);
    assert.equal(o.metrics?.labelled, 6);
    assert.equal(o.metrics?.accuracyDrop, 0);
    assert.ok(o.metrics.snrDb! > 20 && o.metrics.snrDb! < 200, `snr ${o.metrics?.snrDb}`);
    const strict = await runCase({ name: 'f16', baseline, candidate, fixtures, accept: { snrDb: 500 } });
    assert.equal(strict.status, 'fail');
    assert.equal(strict.outputs[0].acceptance?.criteria[0].passed, false);
  });

  it('merges sharded task metrics and acceptance to exactly the unsharded ones', async () => {
    const dir = tempDir('mlp-accept-shard-');
    const c = {
      name: 'f16',
      baseline: write(dir, 'b.onnx', deepNet({})),
      candidate: write(dir, 'c.onnx', deepNet({ float16: true })),
      count: 9,
      labels: [0, 1, 2, 3, 0, 1, 2, 3, 0],
      accept: { cosine: 0.999, accuracyDrop: 0 },
    };
    const whole = (await runVerify([c])).cases[0].outputs[0];
    const shards = await Promise.all(
      [1, 2].map(async (index) => ({
        file: `s${index}.json`,
        report: JSON.parse(
          JSON.stringify(toJsonSafe(await runVerify([{ ...c, shard: { index, count: 2 } }]))),
        ) as VerifyReport,
      })),
    );
    const merged = mergeShardReports(shards).cases[0].outputs[0];
    assert.deepEqual(merged.metrics, whole.metrics);
    assert.deepEqual(merged.acceptance, whole.acceptance);
    assert.equal(whole.metrics?.labelled, 9);
  });
});
