import { strict as assert } from 'node:assert';
import type { Log as SarifLog } from 'sarif';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelBuilder } from '../../scripts/onnx/graph';
import { mlp, unsupportedOp, UNSUPPORTED_OP } from '../../scripts/onnx/models';
import { progressBar } from '../../server/src/cli/progress';
import { runCase } from '../../server/src/engine/verify';
import { writeTestDataSet } from '../../server/src/engine/fixtures/write';
import { cli, tempDir, write } from '../support/tmp';

const classifier = (): Uint8Array => mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: false, activation: 'relu' });

/** `y = x` and `empty = x[:, 0:0]` (zero elements in every fixture). */
function withEmptyOutput(): Uint8Array {
  const m = new ModelBuilder('empty_output');
  m.input('x', 'float32', ['batch', 4]);
  m.initializer('zero', [1], BigInt64Array.from([0n]));
  m.initializer('one', [1], BigInt64Array.from([1n]));
  m.node('Identity', ['x'], ['y']);
  m.node('Slice', ['x', 'zero', 'zero', 'one'], ['empty']);
  m.output('y', 'float32', ['batch', 4]);
  m.output('empty', 'float32', ['batch', 0]);
  return m.toBytes();
}

/** `y = x · (0·sqrt(x) + 1)`: x where x ≥ 0, NaN where x < 0. */
function nanForNegatives(): Uint8Array {
  const m = new ModelBuilder('nan_for_negatives');
  m.input('x', 'float32', ['batch', 4]);
  m.initializer('zero', [], new Float32Array([0]));
  m.initializer('one', [], new Float32Array([1]));
  m.node('Sqrt', ['x'], ['r']);
  m.node('Mul', ['r', 'zero'], ['r0']);
  m.node('Add', ['r0', 'one'], ['f']);
  m.node('Mul', ['x', 'f'], ['y']);
  m.output('y', 'float32', ['batch', 4]);
  return m.toBytes();
}

describe('verify: bad output paths and other edges', function () {
  this.timeout(60_000);
  let dir: string;
  let model: string;
  before(() => {
    dir = tempDir('mlp-edges-');
    model = write(dir, 'm.onnx', classifier());
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--out into a missing folder, under a file or onto a folder: one-line error, exit 2, the report on stdout', () => {
    const notAFolder = write(dir, 'plain.txt', 'x');
    const cases: [string, RegExp][] = [
      [path.join(dir, 'no', 'such', 'report.json'), /its folder does not exist/],
      [path.join(notAFolder, 'report.json'), /a part of its path is not a folder/],
      [dir, /it is a folder/],
    ];
    for (const [out, why] of cases) {
      const r = cli(
        dir,
        'verify',
        '--baseline',
        model,
        '--candidate',
        model,
        '--count',
        '2',
        '--format',
        'json',
        '--out',
        out,
      );
      assert.equal(r.status, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], why);
      assert.match(lines[0], /cannot write the report here .*; it was printed to stdout instead/);
      assert.equal((JSON.parse(r.stdout) as { passed: boolean }).passed, true, 'the finished report is on stdout');
    }
  });

  it('zero-element outputs: nothing compared is said, and a case with nothing to compare is an error', async () => {
    const m = write(dir, 'empty.onnx', withEmptyOutput());
    const some = await runCase({ name: 'e', baseline: m, candidate: m, count: 2 });
    assert.equal(some.status, 'pass');
    assert.ok(
      some.warnings?.some((w) => /output "empty" had 0 elements in every fixture: nothing was compared/.test(w)),
      JSON.stringify(some.warnings),
    );
    const none = await runCase({ name: 'z', baseline: model, candidate: model, count: 2, dims: { batch: 0 } });
    assert.equal(none.status, 'error');
    assert.equal(none.error?.code, 'nothing-compared');
    assert.match(none.error.message, /nothing was compared: every output \("probs", "logits"\) had 0 elements/);
  });

  it('a FIFO or a device as the model: a clear error at once, no hang or endless read', async () => {
    const fifo = path.join(dir, 'pipe.onnx');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const started = Date.now();
    const r = await runCase({ name: 'f', baseline: model, candidate: fifo, count: 1 });
    assert.equal(r.error?.code, 'not-onnx');
    assert.match(r.error.message, /candidate: expected an \.onnx file, got a named pipe \(FIFO\)/);
    const d = await runCase({ name: 'd', baseline: '/dev/zero', candidate: model, count: 1 });
    assert.match(d.error!.message, /baseline: expected an \.onnx file, got a device/);
    // the same for fixtures: a FIFO named like a tensor file is refused, not opened (which would block)
    const pipeFixture = path.join(dir, 'pipe.pb');
    assert.equal(spawnSync('mkfifo', [pipeFixture]).status, 0);
    const f = await runCase({ name: 'p', baseline: model, candidate: model, fixtures: pipeFixture });
    assert.equal(f.error?.code, 'fixture-invalid');
    assert.match(f.error.message, /pipe\.pb is not a file or folder/);
    assert.ok(Date.now() - started < 20_000);
  });

  it('--max-input-mb: an input beyond the budget is exit 2 naming the input and its size', () => {
    const r = cli(
      dir,
      'verify',
      '--baseline',
      model,
      '--candidate',
      model,
      '--dim',
      'batch=100000000',
      '--max-input-mb',
      '64',
    );
    assert.equal(r.status, 2);
    assert.match(
      r.stdout + r.stderr,
      /input "features" would be float32\[100000000,4\] = 1\.49 GB per fixture, over the budget of 64 MB/,
    );
    const byDefault = cli(dir, 'verify', '--baseline', model, '--candidate', model, '--dim', 'batch=1000000000');
    assert.equal(byDefault.status, 2);
    assert.match(byDefault.stdout, /over the budget of 1024 MB/);
  });

  it('--max-input-mb and config maxInputMb: a fixture file or tensor over the budget is exit 2 naming it and its size', () => {
    // 4 inputs x 70,000 rows x 4 bytes = 1.07 MB: over a 1 MB budget, under the default
    const rows = 70_000;
    const big = {
      name: 'features',
      tensor: { dtype: 'float32' as const, dims: [rows, 4], data: new Float32Array(rows * 4) },
    };
    const fx = tempDir('mlp-budget-');
    writeTestDataSet(fx, 0, [big]);
    const pb = cli(dir, 'verify', '--baseline', model, '--candidate', model, '--fixtures', fx, '--max-input-mb', '1');
    assert.equal(pb.status, 2, pb.stdout);
    // one clear line: the location names the file, the message its size (not the path a second time)
    const line = pb.stdout.split('\n').find((l) => l.includes('input-too-large')) ?? '';
    assert.match(line, /test_data_set_0\/input_0\.pb: fixture file is 1\.07 MB, over the input budget of 1\.00 MB/);
    assert.equal(line.split('input_0.pb').length, 2, line);
    // a machine-readable report says where on stderr too
    const asJson = cli(
      dir,
      'verify',
      '--baseline',
      model,
      '--candidate',
      model,
      '--fixtures',
      fx,
      '--max-input-mb',
      '1',
      '--format',
      'json',
    );
    assert.equal(asJson.status, 2);
    assert.match(asJson.stderr, /^error: m: \S*test_data_set_0\/input_0\.pb: fixture file is 1\.07 MB/m);
    assert.equal(cli(dir, 'verify', '--baseline', model, '--candidate', model, '--fixtures', fx).status, 0);

    // a JSON fixture is text: its tensor is judged once decoded, by name, dtype, shape and size
    const json = write(
      fx,
      'big.json',
      JSON.stringify({
        inputs: { features: { dims: [rows, 4], type: 'float32', data: Array.from({ length: rows * 4 }, () => 0) } },
      }),
    );
    const j = cli(dir, 'verify', '--baseline', model, '--candidate', model, '--fixtures', json, '--max-input-mb', '1');
    assert.equal(j.status, 2, j.stdout);
    assert.match(j.stdout, /tensor "features" is float32\[70000,4\] = 1\.07 MB, over the input budget of 1\.00 MB/);

    // a JSON file is read whole: a file over the budget is refused from its size, before it is read (a 3 MB sparse
    // file of NUL bytes would otherwise be read and fail as bad JSON)
    const sparse = path.join(fx, 'huge.json');
    fs.writeFileSync(sparse, '{');
    fs.truncateSync(sparse, 3 * 1024 * 1024);
    const huge = cli(
      dir,
      'verify',
      '--baseline',
      model,
      '--candidate',
      model,
      '--fixtures',
      sparse,
      '--max-input-mb',
      '1',
    );
    assert.equal(huge.status, 2, huge.stdout);
    assert.match(
      huge.stdout,
      /error \[input-too-large\] \S*huge\.json: fixture file is 3\.00 MB, over the input budget of 1\.00 MB \(a JSON fixture file is read whole, so the whole file counts\)/,
    );

    // the same budget from the config, as a default and per case (the case wins)
    write(
      fx,
      'mlparity.config.json',
      JSON.stringify({
        verify: {
          defaults: { maxInputMb: 1 },
          cases: [
            { name: 'tight', baseline: model, candidate: model, fixtures: fx + '/test_data_set_0' },
            { name: 'roomy', baseline: model, candidate: model, fixtures: fx + '/test_data_set_0', maxInputMb: 2 },
          ],
        },
      }),
    );
    const cfg = cli(fx, 'verify', '--format', 'json');
    assert.equal(cfg.status, 2, cfg.stderr);
    const report = JSON.parse(cfg.stdout) as { cases: { name: string; status: string; error?: { code: string } }[] };
    assert.deepEqual(
      report.cases.map((c) => [c.name, c.status, c.error?.code]),
      [
        ['tight', 'error', 'input-too-large'],
        ['roomy', 'pass', undefined],
      ],
    );
    write(fx, 'mlparity.config.json', JSON.stringify({ verify: { defaults: { maxInputMb: 0 }, cases: [] } }));
    const bad = cli(fx, 'verify');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr + bad.stdout, /maxInputMb/);
  });

  it('a custom-domain op onnxruntime cannot run is named with its domain', async () => {
    const m = write(dir, 'custom.onnx', unsupportedOp({ domain: 'com.example' }));
    const r = await runCase({ name: 'c', baseline: m, candidate: m, count: 1 });
    assert.equal(r.error?.code, 'unsupported-op');
    assert.match(r.error.message, new RegExp(`cannot run op "${UNSUPPORTED_OP}" of the custom domain "com\\.example"`));
  });

  it('NaN mismatches are reported as such, with --equal-nan as the hint, not "max|Δ| 0" and "atol ≥ inf"', () => {
    const m = write(dir, 'nan.onnx', nanForNegatives());
    const r = cli(dir, 'verify', '--baseline', m, '--candidate', m, '--count', '4');
    assert.equal(r.status, 1);
    assert.match(
      r.stdout,
      /FAIL {2}y {2}float32\[1,4\] {2}NON-FINITE MISMATCHES \d+ \(NaN \d+, Inf 0\) {2}max finite\|Δ\| 0/,
    );
    assert.match(
      r.stdout,
      /no atol makes it pass: \d+ NaN and 0 Inf mismatch(es)?; if NaN in both models at the same place counts as equal, pass --equal-nan/,
    );
    assert.doesNotMatch(r.stdout, /atol ≥ inf/);
    // SARIF says the same: what was compared, never a bare "max|Δ| 0"
    const sarif = cli(dir, 'verify', '--baseline', m, '--candidate', m, '--count', '4', '--format', 'sarif');
    const results = (JSON.parse(sarif.stdout) as SarifLog).runs[0].results ?? [];
    const failed = results.find((x) => x.ruleId === 'not-equivalent')?.message.text ?? '';
    assert.match(failed, /differs: FAIL {2}y {2}float32\[1,4\] {2}NON-FINITE MISMATCHES \d+ .* max finite\|Δ\| 0/);
    assert.match(failed, /tolerance atol 1e-5 rtol 1\.3e-6; no atol makes it pass: .*--equal-nan/);
    assert.doesNotMatch(failed, /[^e] max\|Δ\| 0/);
    assert.equal(cli(dir, 'verify', '--baseline', m, '--candidate', m, '--count', '4', '--equal-nan').status, 0);
  });

  it('long runs off a terminal log a progress line every period, short ones stay quiet', () => {
    let t = 0;
    const lines: string[] = [];
    const bar = progressBar(
      { stdout: () => undefined, stderr: (s) => lines.push(s), isTTY: false, cwd: dir },
      { now: () => t, logEveryMs: 10_000 },
    );
    bar.update(100, 10_000, 'case: 100/10000 fixtures');
    t = 9_000;
    bar.update(900, 10_000, 'case: 900/10000 fixtures');
    assert.deepEqual(lines, [], 'nothing within the first period');
    t = 10_500;
    bar.update(1200, 10_000, 'case: 1200/10000 fixtures');
    t = 12_000;
    bar.update(1500, 10_000, 'case: 1500/10000 fixtures');
    t = 21_000;
    bar.update(2500, 10_000, 'case: 2500/10000 fixtures');
    assert.deepEqual(lines, [
      'progress: case: 1200/10000 fixtures (12%), 11 s\n',
      'progress: case: 2500/10000 fixtures (25%), 21 s\n',
    ]);
  });
});
