import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCase } from '../../server/src/engine/verify';
import { mlp } from '../../scripts/onnx/models';
import { git, tempDir, write } from '../support/tmp';

const model = (activation: 'relu' | 'leakyrelu', fused = false): Uint8Array =>
  mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 2, fused, activation });

describe('verify: baseline from git (real repository)', function () {
  this.timeout(60_000);
  let repo: string;
  let file: string;
  beforeEach(() => {
    repo = tempDir('mlp-git-');
    git(repo, 'init', '-q');
    file = write(repo, 'models/net.onnx', model('relu'));
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'v1');
  });

  it('git:HEAD compares the working-tree model against its committed version', async () => {
    fs.writeFileSync(file, model('relu', true));
    const pass = await runCase({ name: 'g', baseline: 'git:HEAD', candidate: file, count: 3 });
    assert.equal(pass.status, 'pass', JSON.stringify(pass.error));
    assert.equal(pass.baseline?.resolved, 'HEAD:models/net.onnx');
    fs.writeFileSync(file, model('leakyrelu'));
    const fail = await runCase({ name: 'g', baseline: 'git:HEAD', candidate: file, count: 3 });
    assert.equal(fail.status, 'fail');
  });

  it('git:REV:path reads another path at that revision', async () => {
    const other = path.join(repo, 'candidate.onnx');
    fs.writeFileSync(other, model('relu', true));
    const r = await runCase({ name: 'g', baseline: `git:HEAD:${file}`, candidate: other, count: 2 });
    assert.equal(r.status, 'pass', JSON.stringify(r.error));
  });

  it('an unknown revision is a clear error', async () => {
    const r = await runCase({ name: 'g', baseline: 'git:no-such-rev', candidate: file, count: 1 });
    assert.equal(r.status, 'error');
    assert.equal(r.error?.code, 'git-error');
    assert.match(r.error.message, /revision "no-such-rev" not found/);
  });

  it('a path absent at the revision is a clear error', async () => {
    const added = write(repo, 'models/new.onnx', model('relu'));
    const r = await runCase({ name: 'g', baseline: 'git:HEAD', candidate: added, count: 1 });
    assert.equal(r.error?.code, 'git-path-missing');
    assert.match(r.error.message, /"models\/new\.onnx" does not exist at git revision "HEAD"/);
  });

  it('outside a git repository is a clear error', async () => {
    const plain = tempDir('mlp-nogit-');
    const m = write(plain, 'm.onnx', model('relu'));
    const r = await runCase({ name: 'g', baseline: 'git:HEAD', candidate: m, count: 1 });
    assert.equal(r.error?.code, 'not-a-git-repo');
    assert.match(r.error.message, /not inside a git work tree/);
  });
});
