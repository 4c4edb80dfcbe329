import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mlp } from '../../scripts/onnx/models';
import { EXAMPLE, cli, tempDir, write } from '../support/tmp';

describe('ml-parity verify (CLI binary)', function () {
  this.timeout(120_000);

  for (const [name, code] of [['fuse-matmul-add', 0], ['split-reduction', 0], ['relu-to-leakyrelu', 1]] as const) {
    it(`example case ${name} exits ${code} with the numbers in text`, () => {
      const r = cli(EXAMPLE, 'verify', '--case', name);
      assert.equal(r.status, code, r.stderr + r.stdout);
      assert.match(r.stdout, new RegExp(`^${code === 0 ? 'PASS' : 'FAIL'}  ${name}`, 'm'));
      assert.match(r.stdout, /max\|Δ\| \S+ +max rel \S+ +mean\|Δ\| \S+ +p99 \S+ +mismatches \d+\/\d+/);
      if (code === 1) {
        assert.match(r.stdout, /worst element: case test_data_set_\d+ index \[\d+, \d+\]/);
        assert.match(r.stdout, /passing would need atol ≥ /);
      }
    });
  }

  it('all example cases as JSON: stable shape with every statistic', () => {
    const r = cli(EXAMPLE, 'verify', '--format', 'json');
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.passed, false);
    assert.deepEqual(report.cases.map((c: { name: string; status: string }) => [c.name, c.status]), [
      ['fuse-matmul-add', 'pass'],
      ['split-reduction', 'pass'],
      ['relu-to-leakyrelu', 'fail'],
    ]);
    const o = report.cases[2].outputs[0];
    for (const key of ['maxAbs', 'maxRel', 'meanAbs', 'p99Abs', 'mismatches', 'mismatchPct', 'worst', 'minPassingAtol', 'histogram', 'top1Agreement', 'tolerance']) {
      assert.ok(key in o, `JSON output has ${key}`);
    }
  });

  it('writes JUnit and SARIF to --out', () => {
    const dir = tempDir();
    const junit = path.join(dir, 'r.xml');
    assert.equal(cli(EXAMPLE, 'verify', '--format', 'junit', '--out', junit).status, 1);
    const xml = fs.readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuite name="relu-to-leakyrelu" tests="2" failures="2"/);
    assert.match(xml, /<testsuite name="fuse-matmul-add" tests="2" failures="0"/);
    const sarifFile = path.join(dir, 'r.sarif');
    assert.equal(cli(EXAMPLE, 'verify', '--format', 'sarif', '--out', sarifFile).status, 1);
    const sarif = JSON.parse(fs.readFileSync(sarifFile, 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    const results = sarif.runs[0].results as { ruleId: string; message: { text: string } }[];
    assert.equal(results.filter((x) => x.ruleId === 'not-equivalent').length, 2);
    assert.ok(results.filter((x) => x.ruleId === 'not-equivalent').every((x) => x.message.text.startsWith('relu-to-leakyrelu')));
    assert.equal(results.filter((x) => x.ruleId === 'verify-inputs').length, 3, 'each case lists its inputs as fed');
  });

  it('flags alone: --baseline/--candidate with synthetic fixtures', () => {
    const dir = tempDir();
    write(dir, 'a.onnx', mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: false, activation: 'relu' }));
    write(dir, 'b.onnx', mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: true, activation: 'relu' }));
    const r = cli(dir, 'verify', '--baseline', 'a.onnx', '--candidate', 'b.onnx', '--count', '5', '--dim', 'batch=3', '--seed', '9');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /SYNTHETIC inputs: .*seed 9/);
  });

  it('golden mode: --update-golden writes expected outputs, then --candidate alone compares against them', () => {
    const dir = tempDir();
    write(dir, 'a.onnx', mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: false, activation: 'relu' }));
    write(dir, 'b.onnx', mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: true, activation: 'relu' }));
    write(dir, 'c.onnx', mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: false, activation: 'leakyrelu' }));
    const up = cli(dir, 'verify', '--candidate', 'a.onnx', '--count', '4', '--dim', 'batch=2', '--update-golden', 'golden');
    assert.equal(up.status, 0, up.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'golden', 'test_data_set_3', 'output_1.pb')));
    const ok = cli(dir, 'verify', '--candidate', 'b.onnx', '--fixtures', 'golden', '--format', 'json');
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    assert.equal(JSON.parse(ok.stdout).cases[0].mode, 'golden');
    assert.equal(cli(dir, 'verify', '--candidate', 'c.onnx', '--fixtures', 'golden').status, 1);
  });

  it('config errors point at line and column, exit 2', () => {
    const dir = tempDir();
    write(dir, 'mlparity.config.json', '{\n  "verify": {\n    "cases": [\n      { "name": "x", "candidate": "m.onnx", "tolerence": {} }\n    ]\n  }\n}\n');
    const r = cli(dir, 'verify');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /mlparity\.config\.json:4:\d+: unknown key "tolerence"/);
    write(dir, 'mlparity.config.json', '{\n  "verify": { "cases": [ }\n}\n');
    const bad = cli(dir, 'verify');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /mlparity\.config\.json:2:\d+: invalid JSON/);
  });

  it('usage errors exit 2; --help exits 0', () => {
    assert.equal(cli(EXAMPLE, 'verify', '--format', 'yaml').status, 2);
    assert.equal(cli(EXAMPLE, 'verify', '--case', 'nope').status, 2);
    assert.equal(cli(EXAMPLE, 'verify', '--count', 'abc').status, 2);
    assert.equal(cli(EXAMPLE, '--help').status, 0);
    const noConfig = cli(tempDir(), 'verify');
    assert.equal(noConfig.status, 2);
    assert.match(noConfig.stderr, /no mlparity\.config\.json/);
  });

  it('a missing model is exit 2 with the file named', () => {
    const r = cli(EXAMPLE, 'verify', '--baseline', 'models/missing.onnx', '--candidate', 'models/classifier.onnx');
    assert.equal(r.status, 2);
    assert.match(r.stdout, /models\/missing\.onnx: baseline: model file not found/);
  });
});
