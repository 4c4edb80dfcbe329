import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { externalizeWeights } from '../../scripts/onnx/externalData';
import { ModelBuilder } from '../../scripts/onnx/graph';
import { mlp } from '../../scripts/onnx/models';
import { runCase } from '../../server/src/engine/verify';
import { cli, git, tempDir, write } from '../support/tmp';

/** The same architecture with weights from `seed`, its weights in `net.onnx.data` beside it. */
function netWithExternalData(seed: number): { model: Uint8Array; data: Uint8Array } {
  return externalizeWeights(mlp({ inDim: 4, hidden: 8, outDim: 3, seed, fused: false, activation: 'relu' }), 'net.onnx.data');
}

describe('verify: git baseline whose weights live in an external data file', function () {
  this.timeout(60_000);
  let repo: string;
  let file: string;
  let dataFile: string;
  beforeEach(() => {
    repo = tempDir('mlp-gitext-');
    git(repo, 'init', '-q');
    const v1 = netWithExternalData(2);
    file = write(repo, 'models/net.onnx', v1.model);
    dataFile = write(repo, 'models/net.onnx.data', v1.data);
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'v1');
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('changed weights in the work tree FAIL against git:HEAD, from any folder (the weights are read at HEAD)', async () => {
    const v2 = netWithExternalData(3);
    assert.deepEqual(v2.model, netWithExternalData(2).model, 'only the data file changes: the .onnx file is identical');
    fs.writeFileSync(dataFile, v2.data);
    for (const cwd of [path.dirname(file), repo]) {
      const r = cli(cwd, 'verify', '--baseline', 'git:HEAD', '--candidate', file, '--count', '4', '--format', 'json');
      assert.equal(r.status, 1, `from ${cwd}: ${r.stdout}${r.stderr}`);
      const report = JSON.parse(r.stdout) as { cases: { status: string; outputs: { maxAbs: number }[] }[] };
      assert.equal(report.cases[0].status, 'fail');
      assert.ok(report.cases[0].outputs.every((o) => o.maxAbs > 0));
    }
  });

  it('unchanged weights PASS bit-exactly against git:HEAD', async () => {
    const r = await runCase({ name: 'g', baseline: 'git:HEAD', candidate: file, count: 4 });
    assert.equal(r.status, 'pass', JSON.stringify(r.error));
    assert.ok(r.outputs.every((o) => o.maxAbs === 0));
  });

  it('an external data file missing at the revision is an error naming the baseline', async () => {
    git(repo, 'rm', '-q', '--cached', 'models/net.onnx.data');
    git(repo, 'commit', '-qm', 'data untracked');
    const r = await runCase({ name: 'g', baseline: 'git:HEAD', candidate: file, count: 1 });
    assert.equal(r.status, 'error');
    assert.equal(r.error?.code, 'git-path-missing');
    assert.match(r.error!.message, /^baseline git:HEAD: "models\/net\.onnx\.data" does not exist at git revision "HEAD"/);
  });

  it('an external data file missing beside a plain model is an error naming the candidate', async () => {
    fs.rmSync(dataFile);
    const r = await runCase({ name: 'g', baseline: 'git:HEAD', candidate: file, count: 1 });
    assert.equal(r.status, 'error');
    assert.equal(r.error?.code, 'file-not-found');
    assert.match(r.error!.message, /^candidate: external data file "net\.onnx\.data" not found beside the model/);
  });
});

describe('verify: errors name the side that failed', function () {
  it('a model that fails while running is named (baseline or candidate)', async () => {
    const dir = tempDir();
    try {
      const good = write(dir, 'good.onnx', mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: false, activation: 'relu' }));
      const bad = write(dir, 'bad.onnx', reshapeToThree());
      const asCandidate = await runCase({ name: 'c', baseline: good, candidate: bad, count: 1 });
      assert.equal(asCandidate.status, 'error');
      assert.match(asCandidate.error!.message, /candidate model: /);
      const asBaseline = await runCase({ name: 'b', baseline: bad, candidate: good, count: 1 });
      assert.equal(asBaseline.status, 'error');
      assert.match(asBaseline.error!.message, /baseline model: /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Same signature as the MLP, but its Reshape to [3] cannot hold a row of 4 values: it fails at run time. */
function reshapeToThree(): Uint8Array {
  const m = new ModelBuilder('bad_reshape');
  m.input('features', 'float32', ['batch', 4]);
  m.initializer('shape', [1], BigInt64Array.from([3n]));
  m.node('Reshape', ['features', 'shape'], ['r']);
  m.node('Identity', ['r'], ['probs']);
  m.node('Identity', ['r'], ['logits']);
  m.output('probs', 'float32', ['batch', 3]);
  m.output('logits', 'float32', ['batch', 3]);
  return m.toBytes();
}
