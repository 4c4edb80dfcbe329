import { strict as assert } from 'node:assert';
import type { Log as SarifLog } from 'sarif';
import { attr, ModelBuilder } from '../../scripts/onnx/graph';
import { scoreOutputs } from '../../server/src/engine/onnx/scoreOutputs';
import { runCase } from '../../server/src/engine/verify';
import type { CaseReport } from '../../server/src/engine/verifyTypes';
import { onnx } from 'onnx-proto';
import { cli, tempDir, write } from '../support/tmp';

/**
 * x[batch, 8] · W[8, 6] seen four ways: softmax probabilities (class scores), the same softmax over the first
 * axis (not scores per row), the raw product (an embedding or a regression for all we know) and the indices of
 * its 3 largest values (int64, and as int32). `seed` changes W.
 */
function heads(seed: number, opset = 17): Uint8Array {
  const m = new ModelBuilder('heads', { opset });
  m.input('x', 'float32', ['batch', 8]);
  const w = Float32Array.from({ length: 48 }, (_, i) => Math.sin(i * 1.7 + seed * 0.3));
  m.initializer('w', [8, 6], w);
  m.initializer('k', [1], BigInt64Array.from([3n]));
  m.node('MatMul', ['x', 'w'], ['emb']);
  m.node('Softmax', ['emb'], ['p'], { axis: attr.int(-1) });
  m.node('Identity', ['p'], ['probs']);
  m.node('Softmax', ['emb'], ['colwise'], { axis: attr.int(0) });
  m.node('TopK', ['emb', 'k'], ['topv', 'topi']);
  m.output('probs', 'float32', ['batch', 6]);
  m.output('colwise', 'float32', ['batch', 6]);
  m.output('emb', 'float32', ['batch', 6]);
  m.node('Cast', ['topi'], ['topi32'], { to: attr.int(6) });
  m.output('topi', 'int64', ['batch', 3]);
  m.output('topi32', 'int32', ['batch', 3]);
  return m.toBytes();
}

describe('top-1/top-5 agreement only where it means something', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = tempDir('mlp-topk-');
    write(dir, 'a.onnx', heads(1));
    write(dir, 'b.onnx', heads(2));
  });
  const out = (r: CaseReport, name: string) => {
    const o = r.outputs.find((x) => x.name === name);
    assert.ok(o, name);
    return o;
  };

  it('knows class scores by a Softmax/LogSoftmax over the last axis (through Identity), per opset default', () => {
    const names = (b: Uint8Array): string[] => [...scoreOutputs(onnx.ModelProto.decode(b))].sort();
    assert.deepEqual(names(heads(1)), ['probs']);
    // before opset 13 Softmax defaulted to axis 1, the last axis of a 2-D tensor; an explicit axis still decides
    assert.deepEqual(names(heads(1, 11)), ['probs']);
  });

  it('marks top-k on logits or embeddings informative and computes none on integer outputs, in every format', async () => {
    const r = await runCase({ name: 'heads', baseline: `${dir}/a.onnx`, candidate: `${dir}/b.onnx`, count: 50 });
    assert.equal(r.status, 'fail', JSON.stringify(r.error));
    assert.ok(out(r, 'probs').top1Agreement !== undefined);
    assert.equal(out(r, 'probs').topKInformative, undefined, 'softmax over the last axis: class scores');
    assert.equal(out(r, 'emb').topKInformative, true);
    assert.equal(out(r, 'colwise').topKInformative, true, 'a softmax over the batch axis is no per-row score');
    for (const name of ['topi', 'topi32']) {
      const topi = out(r, name);
      assert.equal(topi.top1Agreement, undefined, `${name}: an argmax over class indices means nothing`);
      assert.equal(topi.top5Agreement, undefined);
      assert.equal(topi.metrics?.top1, undefined);
    }

    const args = ['verify', '--baseline', 'a.onnx', '--candidate', 'b.onnx', '--count', '50'];
    const text = cli(dir, ...args).stdout;
    assert.match(text, /^ {2}FAIL {2}emb {2}.* top1 \d+% .*\(top-k informative: not known to be class scores\)$/m);
    assert.match(text, /^ {2}FAIL {2}probs {2}.* top1 \d+% {2}top5 \d+%$/m);
    assert.match(text, /^ {2}FAIL {2}topi {2}int64\[1,3\] .*mismatches \d+\/\d+ \([\d.]+%\)$/m);
    const json = JSON.parse(cli(dir, ...args, '--format', 'json').stdout) as { cases: CaseReport[] };
    assert.equal(out(json.cases[0], 'emb').topKInformative, true);
    const sarif = JSON.parse(cli(dir, ...args, '--format', 'sarif').stdout) as SarifLog;
    const emb = (sarif.runs[0].results ?? []).find((x) => /output "emb"/.test(x.message.text ?? ''));
    assert.match(emb?.message.text ?? '', /top1 \d+% .*\(top-k informative: not known to be class scores\)/);
    const junit = cli(dir, ...args, '--format', 'junit').stdout;
    assert.match(junit, /FAIL {2}emb .*\(top-k informative: not known to be class scores\)/);

    // asking to accept an integer output by top-1 fails, saying why
    const accepted = await runCase({
      name: 'heads',
      baseline: `${dir}/a.onnx`,
      candidate: `${dir}/b.onnx`,
      count: 5,
      outputs: { topi: { accept: { top1: 0.5 } } },
    });
    const c = out(accepted, 'topi').acceptance?.criteria[0];
    assert.equal(c?.passed, false);
    assert.match(c?.reason ?? '', /no scores \(a float output with a last axis of 2 or more classes\)/);
  });
});
