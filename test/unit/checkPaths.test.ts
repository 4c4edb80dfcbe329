import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles } from '../../server/src/engine/analysis/analyzer';
import { DEFAULT_ANALYSIS } from '../../server/src/engine/config/types';
import { BIN, cli, REPO_ROOT, writeWorkspace } from '../support/tmp';

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
function workspace(files: Record<string, string>): string {
  const root = writeWorkspace(files, 'mlp-paths-');
  roots.push(root);
  return root;
}

const DUP = (name: string) =>
  `export function ${name}(rows: number[][]): number[][] {\n  const means = rows[0].map((_, c) => rows.reduce((a, r) => a + r[c], 0) / rows.length);\n  const stds = rows[0].map((_, c) => Math.sqrt(rows.reduce((a, r) => a + (r[c] - means[c]) ** 2, 0) / rows.length) || 1);\n  const out = rows.map((r) => r.map((x, c) => (x - means[c]) / stds[c]));\n  if (out.length === 0) throw new Error("empty");\n  return out;\n}\n`;

describe('check PATH: never a silent pass', () => {
  it('analyses a path outside the current project in its own project and reports what is wrong there', () => {
    const here = workspace({ 'package.json': '{}', 'src/ok.ts': 'export const ok = 1;\n' });
    const there = workspace({
      'package.json': '{}',
      'src/bad.ts': 'export function bad(x: number {\n  return x;\n}\n',
    });
    const r = cli(here, 'check', path.join(there, 'src/bad.ts'));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^src\/bad\.ts:1:31 error syntax-error /m);
  });

  it('checks a nested project (its own mlparity.config.json) named from the parent folder', () => {
    const parent = workspace({
      'package.json': '{}',
      'tsconfig.json': '{ "include": ["src"] }',
      'src/app.ts': 'export const app = 1;\n',
      'examples/workspace/mlparity.config.json': '{ "analysis": { "clones": { "minTokens": 30, "minLines": 4 } } }',
      'examples/workspace/src/pipeline/clean.ts': DUP('clean'),
      'examples/workspace/src/pipeline/scale.ts': '\n' + DUP('scale'),
    });
    const r = cli(parent, 'check', 'examples/workspace');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^src\/pipeline\/clean\.ts:1:\d+ warning cross-stage-duplicate /m);
    assert.match(r.stdout, /^src\/pipeline\/clean\.ts:1:\d+ warning untested-stage Stage 'clean'/m);
  });

  it('takes a named path to its own project when the current folder is no project (a bare parent, a src/)', () => {
    // Real: from /tmp, `check /tmp/…/knn/src/index.js` analysed all of /tmp (50,000 files, 7 minutes); from
    // simple-statistics/src, `check perceptron.js` analysed src/ without test/ and called both classes untested.
    const outer = workspace({
      'proj/package.json': '{}',
      'proj/src/model.ts': 'export class Model { fit(x: number) { return x; } }\n',
      'proj/test/model.test.ts': "import { Model } from '../src/model';\nit('fits', () => new Model().fit(1));\n",
      'other/src/other.ts': 'export class Other { fit(x: number) { return x; } }\n',
    });
    for (const [cwd, target] of [
      [outer, 'proj/src/model.ts'],
      [path.join(outer, 'proj/src'), 'model.ts'],
    ]) {
      const r = cli(cwd, 'check', target);
      assert.equal(r.status, 0, `${cwd}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /^Analysed 1 source file and 1 test file /m, cwd);
      assert.doesNotMatch(r.stdout, /untested-stage/, cwd);
    }
  });

  it('checks a named benchmark folder as library code, saying so, and only when named', () => {
    const root = workspace({
      'package.json': '{}',
      'tsconfig.json': '{ "include": ["src"] }',
      'mlparity.config.json': '{ "analysis": { "clones": { "minTokens": 30, "minLines": 4 } } }',
      'src/app.ts': 'export const app = 1;\n',
      'Benchmark/fit.ts': DUP('fitBench'),
      'Benchmark/predict.ts': '\n' + DUP('predictBench'),
    });
    const dup = /^Benchmark\/fit\.ts:1:\d+ \w+ duplicate-code /m;
    const named = cli(root, 'check', 'Benchmark');
    assert.equal(named.status, 0, named.stderr);
    assert.match(named.stdout, dup);
    assert.match(
      named.stderr,
      /Benchmark\/ holds benchmarks, scripts or examples; named on the command line, it is checked as library code/,
    );
    // A file in it: the same (tsconfig.json lists src/ only, so the named file alone joins the analysis).
    const file = cli(root, 'check', 'Benchmark/fit.ts');
    assert.match(file.stderr, /Benchmark\/ holds benchmarks, scripts or examples; named on the command line/);
    // Named, the folder joins tsconfig's list; not named, the list is tsconfig's alone (the config unchanged).
    assert.match(named.stdout, /^Analysed 3 source files/m);
    const whole = cli(root, 'check');
    assert.doesNotMatch(whole.stdout, dup);
    assert.match(whole.stdout, /^Analysed 1 source file /m);
  });

  it('reports a finding whose related copy lies inside the named path', () => {
    const root = workspace({
      'package.json': '{}',
      'src/a/clean.ts': DUP('clean'),
      'src/b/scale.ts': '\n\n' + DUP('scale'),
    });
    const r = cli(root, 'check', 'src/b', '--format', 'json');
    const report = JSON.parse(r.stdout) as { findings: { file: string; rule: string; related: { file: string }[] }[] };
    const dup = report.findings.find((f) => f.rule === 'duplicate-code');
    assert.equal(dup?.file, 'src/a/clean.ts');
    assert.equal(dup?.related[0].file, 'src/b/scale.ts');
  });

  it('fails with the reason when a named file or folder is excluded, build output or unreadable', () => {
    const root = workspace({
      'package.json': '{}',
      'src/model.ts': 'export class M { fit() {} }\n',
      'lib/model.js': 'class M { fit() {} }\n',
      'gen/x.ts': 'export const x = 1;\n',
    });
    fs.writeFileSync(path.join(root, 'mlparity.config.json'), '{ "analysis": { "exclude": ["gen/**"] } }');
    const built = cli(root, 'check', 'lib');
    assert.equal(built.status, 2);
    assert.match(
      built.stderr,
      /cannot check: nothing in lib was analysed \(lib\/model\.js: under lib\/ beside src\/\)/,
    );
    const excluded = cli(root, 'check', 'gen/x.ts');
    assert.equal(excluded.status, 2);
    assert.match(excluded.stderr, /cannot check: gen\/x\.ts was not analysed: excluded by analysis\.exclude/);
    fs.symlinkSync('/proc/self/mem', path.join(root, 'src/unreadable.ts'));
    const unreadable = cli(root, 'check', 'src/unreadable.ts');
    assert.equal(unreadable.status, 2);
    assert.match(unreadable.stderr, /src\/unreadable\.ts was not analysed: file could not be read \(EIO\)/);
    const all = cli(root, 'check');
    assert.match(
      all.stdout,
      /^src\/unreadable\.ts:1:1 info skipped-file Skipped unreadable\.ts: file could not be read \(EIO\)$/m,
    );
  });

  it('lists the stages with how each was found (--stages), and counts them otherwise', () => {
    const root = path.join(REPO_ROOT, 'test', 'fixtures', 'analysis', 'pipelines-lib');
    const listed = cli(root, 'check', '--stages');
    assert.match(
      listed.stdout,
      /^Stages: 5 \(3 estimator class, 2 pipeline-folder export\):\n {4}src\/models\.js:2:14 PreTrainedModel \(class with _call, forward\)\n/m,
    );
    assert.match(
      listed.stdout,
      /^ {4}src\/pipelines\/feature-extraction\.js:3:14 FeatureExtractionPipeline \(exported class in a pipeline folder\)$/m,
    );
    assert.match(
      cli(root, 'check').stdout,
      /^Stages: 5 \(3 estimator class, 2 pipeline-folder export\); --stages lists them\.\n0 errors, 2 warnings, 0 notes\.\n$/m,
    );
  });
});

describe('check: robustness', () => {
  it('does not overflow on a class extending a member of an unresolvable import', () => {
    const root = workspace({
      'src/p.ts':
        "import * as b from 'some-package';\nexport class P extends b.Base { m() { return this.x; } fit() { return this.m(); } }\n",
      'test/p.test.ts': "import { P } from '../src/p';\nit('x', () => new P().fit());\n",
    });
    const r = analyzeFiles(root, DEFAULT_ANALYSIS);
    assert.deepEqual(
      r.notes.filter((n) => /failed/.test(n)),
      [],
    );
    assert.deepEqual(
      r.stages.map((s) => s.name),
      ['P'],
    );
    assert.deepEqual(
      r.findings.filter((f) => f.rule === 'untested-stage'),
      [],
    );
  });

  it('puts the notes in the JSON and SARIF reports too', () => {
    const root = path.join(REPO_ROOT, 'test', 'fixtures', 'analysis', 'estimator-lib');
    const json = JSON.parse(cli(root, 'check', '--format', 'json').stdout) as { notes: string[] };
    assert.ok(
      json.notes.some((n) => /^Left out 1 build-output file/.test(n)),
      JSON.stringify(json.notes),
    );
    const sarif = JSON.parse(cli(root, 'check', '--format', 'sarif').stdout) as {
      runs: { invocations?: { toolExecutionNotifications: { message: { text: string } }[] }[] }[];
    };
    assert.ok(
      sarif.runs[0].invocations?.[0].toolExecutionNotifications.some((n) =>
        /^Left out 1 build-output file/.test(n.message.text),
      ),
    );
  });

  it('exits quietly when the reader of its output goes away (check | head -c 1)', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++)
      files[`src/pipeline/s${i}.ts`] = `export function s${i}(x: number) { return x + ${i}; }\n`;
    const root = workspace(files);
    // A real pipe: head is gone long before the 120 kB report is written.
    const script = `"${process.execPath}" "${BIN}" check --format json 2>stderr.txt | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', script], { cwd: root, encoding: 'utf8' });
    assert.equal(r.stdout.trim(), '0');
    assert.doesNotMatch(fs.readFileSync(path.join(root, 'stderr.txt'), 'utf8'), /EPIPE|Error|\n\s+at /);
  });
});
