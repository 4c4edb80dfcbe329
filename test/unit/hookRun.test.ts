import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mlp } from '../../scripts/onnx/models';
import { runHookCommand } from '../../server/src/cli/hookCommand';
import { runHookChecks } from '../../server/src/engine/hooks/run';
import type { CliIO } from '../../server/src/cli/io';
import { git, REPO_ROOT, tempDir, write } from '../support/tmp';

// Real repositories, real `git commit`: the installed hook runs node + bin/ml-parity on the staged content.
const BIN = path.join(REPO_ROOT, 'bin', 'ml-parity');
const model = (v: 'relu' | 'leaky' | 'fused'): Uint8Array =>
  mlp({
    inDim: 4,
    hidden: 8,
    outDim: 3,
    seed: 2,
    fused: v === 'fused',
    activation: v === 'leaky' ? 'leakyrelu' : 'relu',
  });
const CONFIG = JSON.stringify({
  verify: { cases: [{ name: 'net', baseline: 'git:HEAD', candidate: 'models/net.onnx', count: 4 }] },
  analysis: {
    include: ['src/**/*.ts', 'test/**/*.ts'],
    pipelineFolders: ['src/pipeline'],
    testGlobs: ['test/**/*.test.ts'],
  },
});
const SCALE = 'export function scale(xs: number[]): number[] {\n  return xs.map((x) => x * 2);\n}\n';
const UNTESTED = 'export function shift(xs: number[]): number[] {\n  return xs.map((x) => x + 1);\n}\n';

function io(cwd: string): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, cwd, isTTY: false, stdout: (s) => out.push(s), stderr: (s) => err.push(s) };
}

/** A committed workspace: one tested stage, a model, and a config case comparing HEAD with the staged model. */
function workspace(): string {
  const repo = tempDir('mlp-hook-');
  git(repo, 'init', '-q');
  write(repo, 'mlparity.config.json', CONFIG);
  write(repo, 'src/pipeline/scale.ts', SCALE);
  write(repo, 'test/scale.test.ts', "import { scale } from '../src/pipeline/scale';\nscale([1]);\n");
  write(repo, 'models/net.onnx', model('relu'));
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'init');
  return repo;
}

/** `git commit` with the hooks on; status and everything the hook printed. */
function commit(repo: string, msg = 'change'): { status: number | null; output: string } {
  const r = spawnSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', 'commit', '-m', msg],
    { cwd: repo, encoding: 'utf8' },
  );
  return { status: r.status, output: r.stdout + r.stderr };
}

/** Everything a hook could disturb: index entries, status and every work-tree file's bytes. */
function snapshot(repo: string): string {
  const files = git(repo, 'ls-files', '-co', '--exclude-standard').split('\n').filter(Boolean).sort();
  const bytes = files.map(
    (f) => `${f}:${fs.existsSync(path.join(repo, f)) ? fs.readFileSync(path.join(repo, f)).toString('base64') : '-'}`,
  );
  return [git(repo, 'ls-files', '-s'), git(repo, 'status', '--porcelain'), ...bytes].join('\n');
}

async function install(repo: string): Promise<void> {
  const o = io(repo);
  const code = await runHookCommand('install', { root: repo, node: process.execPath, cli: BIN }, o);
  assert.equal(code, 0, o.err.join(''));
}

describe('hook run: the installed hook judges the staged content', function () {
  this.timeout(60_000);
  let repo: string;
  beforeEach(async () => {
    repo = workspace();
    await install(repo);
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('a clean commit passes and says what it checked', () => {
    write(repo, 'src/pipeline/scale.ts', SCALE.replace('x * 2', 'x * 2 /* doubled */'));
    git(repo, 'add', '.');
    const r = commit(repo);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /ML Parity pre-commit: 1 staged file/);
    assert.match(r.output, /checks passed/);
    assert.equal(git(repo, 'status', '--porcelain'), '');
  });

  it('a commit adding an untested stage is blocked, with file:line:col rule message and the bypass', () => {
    write(repo, 'src/pipeline/shift.ts', UNTESTED);
    git(repo, 'add', '.');
    const before = snapshot(repo);
    const r = commit(repo);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /src\/pipeline\/shift\.ts:1:\d+ untested-stage Stage 'shift' is not reached by any test/);
    assert.match(r.output, /git commit --no-verify/);
    assert.equal(snapshot(repo), before, 'the hook left index and work tree byte-identical');
    assert.equal(git(repo, 'rev-list', '--count', 'HEAD').trim(), '1');
  });

  it('a non-equivalent model (relu -> leakyrelu) is blocked; an equivalent one (fused) passes', () => {
    write(repo, 'models/net.onnx', model('leaky'));
    git(repo, 'add', '.');
    const before = snapshot(repo);
    const bad = commit(repo);
    assert.equal(bad.status, 1, bad.output);
    assert.match(bad.output, /FAIL net: HEAD:models\/net\.onnx -> models\/net\.onnx/);
    assert.match(bad.output, /mismatches \d+\/\d+/);
    assert.equal(snapshot(repo), before);

    write(repo, 'models/net.onnx', model('fused'));
    git(repo, 'add', '.');
    const good = commit(repo);
    assert.equal(good.status, 0, good.output);
    assert.match(good.output, /PASS net/);
  });

  it('a partially staged file is judged by its staged content, not the work tree', () => {
    // bad staged, fixed only in the work tree: still blocked
    write(repo, 'src/pipeline/scale.ts', SCALE + '\n' + UNTESTED);
    git(repo, 'add', '.');
    write(repo, 'src/pipeline/scale.ts', SCALE + '// fixed in the work tree only\n');
    const before = snapshot(repo);
    const blocked = commit(repo);
    assert.equal(blocked.status, 1, blocked.output);
    assert.match(blocked.output, /scale\.ts:5:\d+ untested-stage Stage 'shift'/);
    assert.equal(snapshot(repo), before);

    // the reverse: good staged, bad only in the work tree: passes, and the work-tree change stays unstaged
    write(repo, 'src/pipeline/scale.ts', SCALE + '// harmless\n');
    git(repo, 'add', '.');
    write(repo, 'src/pipeline/scale.ts', SCALE + '\n' + UNTESTED);
    const passed = commit(repo);
    assert.equal(passed.status, 0, passed.output);
    assert.equal(git(repo, 'show', 'HEAD:src/pipeline/scale.ts'), SCALE + '// harmless\n');
    assert.equal(fs.readFileSync(path.join(repo, 'src/pipeline/scale.ts'), 'utf8'), SCALE + '\n' + UNTESTED);
    assert.equal(git(repo, 'status', '--porcelain'), ' M src/pipeline/scale.ts\n');
  });

  it('a model is verified from its staged bytes, whatever the work tree holds', () => {
    write(repo, 'models/net.onnx', model('leaky'));
    git(repo, 'add', '.');
    write(repo, 'models/net.onnx', model('fused'));
    const r = commit(repo);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /FAIL net/);
    assert.deepEqual(fs.readFileSync(path.join(repo, 'models/net.onnx')), Buffer.from(model('fused')));
  });

  it('pre-existing findings in files not being committed do not block', () => {
    write(repo, 'src/pipeline/shift.ts', UNTESTED);
    git(repo, 'add', '.');
    assert.equal(commit(repo).status, 1);
    assert.equal(
      spawnSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@e', 'commit', '-qm', 'bypassed', '--no-verify'], {
        cwd: repo,
      }).status,
      0,
    );
    write(repo, 'src/pipeline/scale.ts', SCALE + '// unrelated edit\n');
    git(repo, 'add', '.');
    const r = commit(repo);
    assert.equal(r.status, 0, r.output);
  });

  it('`hook run --fail-on error` lets warnings through', async () => {
    write(repo, 'src/pipeline/shift.ts', UNTESTED);
    git(repo, 'add', '.');
    const o = io(repo);
    assert.equal(await runHookCommand('run', { root: repo, failOn: 'error' }, o), 0, o.out.join('') + o.err.join(''));
    const w = io(repo);
    assert.equal(await runHookCommand('run', { root: repo }, w), 1);
    assert.match(w.out.join(''), /1 blocking finding \(fail on warning\)/);
  });

  it('the first commit of a model (no baseline at HEAD yet) is not blocked', () => {
    write(repo, 'models/new.onnx', model('relu'));
    const cfg = JSON.parse(CONFIG) as { verify: { cases: object[] } };
    cfg.verify.cases.push({ name: 'new', baseline: 'git:HEAD', candidate: 'models/new.onnx', count: 2 });
    write(repo, 'mlparity.config.json', JSON.stringify(cfg));
    git(repo, 'add', '.');
    const r = commit(repo);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /note: new: skipped, no baseline yet: models\/new\.onnx does not exist at HEAD/);
  });
});

describe('hook run: staged bytes for path baselines and the staged config', function () {
  this.timeout(60_000);
  it('reads both models from the index and uses the staged config, not the work tree', async () => {
    const repo = tempDir('mlp-hookpath-');
    git(repo, 'init', '-q');
    write(repo, 'models/a.onnx', model('relu'));
    write(repo, 'models/b.onnx', model('fused'));
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'models');
    const config = {
      verify: { cases: [{ name: 'ab', baseline: 'models/a.onnx', candidate: 'models/b.onnx', count: 3 }] },
    };
    write(repo, 'mlparity.config.json', JSON.stringify(config));
    write(repo, 'models/b.onnx', model('leaky'));
    git(repo, 'add', '.');
    // work tree: equivalent model and a config without cases; the index holds what is judged
    write(repo, 'models/b.onnx', model('fused'));
    write(repo, 'mlparity.config.json', '{}');
    const before = snapshot(repo);
    const r = await runHookChecks({ root: repo });
    assert.equal(r.analysis, undefined, 'no staged source: analysis skipped');
    assert.deepEqual(r.staged.sort(), ['mlparity.config.json', 'models/b.onnx']);
    assert.equal(r.verify.length, 1);
    assert.equal(r.verify[0].status, 'fail');
    assert.equal(
      r.verify[0].candidate?.resolved,
      path.join(fs.realpathSync(repo), 'models', 'b.onnx'),
      'reported at its work-tree path',
    );
    assert.equal(r.passed, false);
    assert.equal(snapshot(repo), before);
    fs.rmSync(repo, { recursive: true, force: true });
  });

  it('a new cross-stage clone in a staged file blocks, even when the finding sits at the unstaged copy', async () => {
    const repo = tempDir('mlp-hookclone-');
    git(repo, 'init', '-q');
    const block = (fn: string): string =>
      `export function ${fn}(rows: number[][]): number[][] {\n` +
      '  const means = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);\n' +
      '  const stds = rows[0].map((_, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - means[j]) ** 2, 0) / rows.length) || 1);\n' +
      '  const out = rows.map((r) => r.map((v, j) => (v - means[j]) / stds[j]));\n' +
      '  const clipped = out.map((r) => r.map((v) => Math.max(-5, Math.min(5, v))));\n' +
      '  return clipped.map((r) => r.map((v) => Math.round(v * 1000) / 1000));\n' +
      '}\n';
    write(repo, 'mlparity.config.json', CONFIG);
    write(repo, 'src/pipeline/featurize.ts', block('featurize'));
    write(
      repo,
      'src/pipeline/preprocess.ts',
      'export function preprocess(rows: number[][]): number[][] {\n  return rows;\n}\n',
    );
    write(
      repo,
      'test/stages.test.ts',
      "import { preprocess } from '../src/pipeline/preprocess';\nimport { featurize } from '../src/pipeline/featurize';\nfeaturize(preprocess([[1]]));\n",
    );
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'init');
    write(repo, 'src/pipeline/preprocess.ts', block('preprocess'));
    git(repo, 'add', '.');
    const r = await runHookChecks({ root: repo });
    const clone = r.analysis?.blocking.find((f) => f.rule === 'cross-stage-duplicate');
    assert.ok(clone, JSON.stringify(r.analysis));
    assert.deepEqual(r.staged, ['src/pipeline/preprocess.ts']);
    assert.ok(
      clone.file.endsWith('featurize.ts') && clone.related.some((x) => x.file.endsWith('preprocess.ts')),
      clone.file,
    );
    assert.equal(r.passed, false);
    fs.rmSync(repo, { recursive: true, force: true });
  });
});
