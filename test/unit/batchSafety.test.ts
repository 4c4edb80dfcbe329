import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import type { Log as SarifLog } from 'sarif';
import {
  centreOverBatch,
  divideByBatchSize,
  dynamicQuantMatMul,
  floatMatMul,
  reshapeByShape,
  transposedSoftmax,
} from '../../scripts/onnx/batchModels';
import { mlp, reduction } from '../../scripts/onnx/models';
import { updateGolden } from '../../server/src/engine/golden';
import { makeBatches } from '../../server/src/engine/inference/batching';
import { probeCases, probeDifference } from '../../server/src/engine/inference/batchProbe';
import { InferenceHost } from '../../server/src/engine/inference/host';
import { batchCouplingReason } from '../../server/src/engine/onnx/batchCoupling';
import type { Tensor } from '../../server/src/engine/tensor/tensor';
import { runCase } from '../../server/src/engine/verify';
import { cli, tempDir, write } from '../support/tmp';

const reason = (bytes: Uint8Array): string | undefined => batchCouplingReason(onnx.ModelProto.decode(bytes));

describe('batching never changes the numbers', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = tempDir('mlp-batch-');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('static check of the graph', () => {
    it('names ops that couple rows', () => {
      assert.match(reason(dynamicQuantMatMul())!, /DynamicQuantizeLinear .*scale is taken over the whole batch/);
      assert.match(reason(centreOverBatch())!, /ReduceMean .*batch axis/);
      assert.match(reason(divideByBatchSize())!, /Div .*computes with the batch size/);
    });

    it('passes row-independent graphs, including a batch size read only to shape the output', () => {
      assert.equal(reason(floatMatMul()), undefined);
      assert.equal(
        reason(mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: true, activation: 'relu' })),
        undefined,
      );
      assert.equal(reason(reduction({ n: 16, split: true })), undefined);
      assert.equal(reason(reshapeByShape()), undefined);
      assert.equal(reason(transposedSoftmax()), undefined, 'left to the probe');
    });
  });

  describe('run-time probe', () => {
    /** Runs `model` on `rows` stacked fixtures and on the first ones alone, and returns what the probe says. */
    async function probe(model: Uint8Array, rows: number): Promise<string | undefined> {
      const host = new InferenceHost();
      try {
        await host.load('candidate', model, 30_000, 'm.onnx');
        const cases = Array.from({ length: rows }, (_, i) => ({
          id: String(i),
          feeds: new Map<string, Tensor>([
            [
              'x',
              {
                dtype: 'float32',
                dims: [1, 8],
                data: Float32Array.from({ length: 8 }, (_v, j) => Math.sin(i * 8 + j) * (i + 1)),
              },
            ],
          ]),
        }));
        const [batch] = makeBatches(cases, rows, true);
        const stacked = await host.run(['candidate'], batch.feeds, 30_000, 'stacked');
        const alone = [];
        for (const bc of probeCases(batch))
          alone.push(await host.run(['candidate'], Object.fromEntries(bc.feeds), 30_000, 'alone'));
        return probeDifference(batch, stacked, alone);
      } finally {
        host.dispose();
      }
    }

    it('finds dynamic quantisation and a batch-axis softmax by running them, and passes a row-independent model', async () => {
      assert.match(
        (await probe(dynamicQuantMatMul(), 16))!,
        /stacking changed the numbers: fixture \d+, candidate output "y"/,
      );
      assert.match((await probe(transposedSoftmax(), 16))!, /stacking changed the numbers/);
      assert.equal(await probe(floatMatMul(), 16), undefined);
    });
  });

  describe('verify', () => {
    it('a batch-coupled model passes its own per-row golden outputs (the probe turns stacking off)', async () => {
      const model = write(dir, 'coupled.onnx', transposedSoftmax());
      const golden = path.join(dir, 'coupled-golden');
      await updateGolden({ name: 'g', candidate: model, count: 24, seed: 3 }, golden);
      // 512: one stacked batch; 4 and 3: more stacked batches are read and sent while the probe is judged
      for (const batchSize of [512, 4, 3]) {
        const r = await runCase({ name: 'g', candidate: model, fixtures: golden, batchSize });
        assert.equal(r.status, 'pass', `${batchSize}: ${JSON.stringify(r.outputs.map((o) => o.maxAbs))}`);
        assert.equal(r.run.mode, 'single');
        assert.match(r.run.reason!, /stacking changed the numbers/);
        assert.equal(r.run.probe?.identical, false);
        assert.equal(r.timing.batched, false, 'no stacked outputs were used');
        assert.ok(
          r.outputs.every((o) => o.maxAbs === 0 && o.elements === 24 * 8),
          `${batchSize}`,
        );
      }
    });

    it('int8 dynamic quantisation: the same numbers and verdict at every --batch-size', async () => {
      const base = write(dir, 'float.onnx', floatMatMul());
      const cand = write(dir, 'int8.onnx', dynamicQuantMatMul());
      const results = [];
      for (const batchSize of [1, 7, 512]) {
        const r = await runCase({ name: 'q', baseline: base, candidate: cand, count: 64, seed: 1, batchSize });
        results.push({
          status: r.status,
          maxAbs: r.outputs[0].maxAbs,
          meanAbs: r.outputs[0].meanAbs,
          top1: r.outputs[0].top1Agreement,
          run: r.run,
        });
      }
      const numbers = results.map(({ run: _run, ...n }) => n);
      assert.ok(numbers[0].maxAbs > 0, 'quantisation does change the numbers');
      assert.deepEqual(numbers[1], numbers[0]);
      assert.deepEqual(numbers[2], numbers[0]);
      for (const { run } of results) assert.equal(run.mode, 'single');
      assert.match(results[2].run.reason!, /candidate couples rows: DynamicQuantizeLinear/);
    });

    it('a row-independent model still runs batched, with the probe recorded', async () => {
      const m = write(
        dir,
        'mlp.onnx',
        mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: true, activation: 'relu' }),
      );
      const r = await runCase({ name: 'b', baseline: m, candidate: m, count: 40, batchSize: 16 });
      assert.equal(r.status, 'pass');
      assert.deepEqual(
        { mode: r.run.mode, rows: r.run.rowsPerRun, probed: r.run.probe?.fixtures, identical: r.run.probe?.identical },
        { mode: 'batched', rows: 16, probed: 4, identical: true },
      );
      assert.equal(r.timing.batched, true);
    });

    it('the text and JSON reports say how the case ran', () => {
      const m = write(
        dir,
        'mlp2.onnx',
        mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: true, activation: 'relu' }),
      );
      const q = write(dir, 'int8b.onnx', dynamicQuantMatMul());
      const text = cli(dir, 'verify', '--baseline', m, '--candidate', m, '--count', '20');
      assert.match(
        text.stdout,
        /ran: batched, up to 512 rows per run \(checked: the first 4 fixtures gave bit-identical outputs stacked and alone/,
      );
      const json = cli(dir, 'verify', '--baseline', q, '--candidate', q, '--count', '20', '--format', 'json');
      const run = (JSON.parse(json.stdout) as { cases: { run: { mode: string; reason: string } }[] }).cases[0].run;
      assert.equal(run.mode, 'single');
      assert.match(run.reason, /DynamicQuantizeLinear/);
      const one = cli(dir, 'verify', '--baseline', m, '--candidate', m, '--count', '3', '--batch-size', '1');
      assert.match(one.stdout, /ran: one fixture per run: a batch size of 1 was asked for/);
      // SARIF: a note per case, and every not-equivalent result says how its case ran
      const sarifRuns = (file: string, ...more: string[]): string[] => {
        const r = cli(
          dir,
          'verify',
          '--baseline',
          m,
          '--candidate',
          file,
          '--count',
          '20',
          '--format',
          'sarif',
          ...more,
        );
        const results = (JSON.parse(r.stdout) as SarifLog).runs[0].results ?? [];
        return results
          .filter((x) => x.ruleId === 'verify-run' || x.ruleId === 'not-equivalent')
          .map((x) => `${x.ruleId}: ${x.message.text ?? ''}`);
      };
      const batched = sarifRuns(m);
      assert.equal(batched.length, 1, batched.join('\n'));
      assert.match(batched[0], /^verify-run: \S+: ran batched, up to 512 rows per run \(checked: the first 4 fixtures/);
      const other = write(
        dir,
        'mlp3.onnx',
        mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 2, fused: true, activation: 'relu' }),
      );
      const single = sarifRuns(other, '--batch-size', '1');
      assert.ok(
        single.some((t) => /^verify-run: .*ran one fixture per run: a batch size of 1 was asked for$/.test(t)),
        single.join('\n'),
      );
      assert.ok(
        single.some((t) => /^not-equivalent: .* differs: FAIL .*; ran one fixture per run: a batch size of 1/.test(t)),
        single.join('\n'),
      );
    });
  });
});
