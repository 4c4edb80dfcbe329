import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles, type AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../../server/src/engine/config/types';
import { writeWorkspace } from '../support/tmp';

const roots: string[] = [];

/** A fresh temp workspace holding `files`, removed after the suite. */
function workspace(files: Record<string, string>): string {
  const root = writeWorkspace(files, 'mlp-stages-');
  roots.push(root);
  return root;
}

function analyze(
  files: Record<string, string>,
  config: Partial<AnalysisConfig> = {},
): { root: string; result: AnalysisResult } {
  const root = workspace(files);
  return { root, result: analyzeFiles(root, { ...DEFAULT_ANALYSIS, ...config }) };
}

function stageNames(r: AnalysisResult): string[] {
  return r.stages.map((s) => `${s.name}:${s.kind}`).sort();
}

function untested(r: AnalysisResult): string[] {
  return r.findings
    .filter((f) => f.rule === 'untested-stage')
    .map((f) => f.data.stage)
    .sort();
}

const PIPELINE_LIB = `export class Pipeline {
  steps: unknown[];
  constructor(steps: unknown = []) { this.steps = Array.isArray(steps) ? steps : []; }
  stage(name: string, fn: (x: number[]) => number[]) { this.steps.push(fn); return this; }
  pipe(fn: (x: number[]) => number[]) { this.steps.push(fn); return this; }
  run(x: number[]) { return x; }
}
export function compose(...fns: ((x: number[]) => number[])[]) { return (x: number[]) => fns.reduce((v, f) => f(v), x); }
`;

after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

describe('analysis: stage discovery', () => {
  it('finds @stage-tagged functions, with and without an explicit name', () => {
    const { result } = analyze({
      'src/a.ts':
        '/** @stage */\nexport function clean(x: number[]) { return x; }\n/**\n * Scales.\n * @stage scaling\n */\nexport const scale = (x: number[]) => x;\nexport function helper() {}\n',
    });
    assert.deepEqual(stageNames(result), ['clean:tagged', 'scaling:tagged']);
    const scale = result.stages.find((s) => s.name === 'scaling');
    assert.equal(scale?.location.range.start.line, 6); // at the variable's name
  });

  it('resolves registration call arguments: identifier, import alias, property access, inline arrow', () => {
    const { root, result } = analyze({
      'src/lib.ts': PIPELINE_LIB,
      'src/steps.ts':
        'export function normalize(x: number[]) { return x; }\nexport const steps = { dedupe: (x: number[]) => x };\n',
      'src/main.ts': [
        "import { Pipeline, compose } from './lib';",
        "import { normalize as norm, steps } from './steps';",
        'function load(x: number[]) { return x; }',
        'export const p = new Pipeline()',
        "  .stage('loading', load)",
        "  .stage('norm', norm)",
        '  .pipe(steps.dedupe)',
        '  .pipe((x) => x.slice(1));',
        'function a(x: number[]) { return x; }',
        'function b(x: number[]) { return x; }',
        'export const both = compose(a, b);',
      ].join('\n'),
    });
    assert.deepEqual(stageNames(result), [
      '<anonymous stage at line 8>:registered',
      'a:registered',
      'b:registered',
      'dedupe:registered',
      'loading:registered',
      'norm:registered',
    ]);
    const norm = result.stages.find((s) => s.name === 'norm');
    assert.equal(
      norm?.location.file,
      path.join(root, 'src/steps.ts'),
      'resolved through the import alias to its declaration',
    );
    assert.equal(norm?.registration?.file, path.join(root, 'src/main.ts'));
    assert.equal(norm?.registration?.range.start.line, 5);
  });

  it('reads arrays, step objects and named pairs passed to pipeline constructors', () => {
    const { result } = analyze({
      'src/lib.ts': PIPELINE_LIB,
      'src/main.ts': [
        "import { Pipeline } from './lib';",
        'function f1(x: number[]) { return x; }',
        'function f2(x: number[]) { return x; }',
        'function f3(x: number[]) { return x; }',
        'function f4(x: number[]) { return x; }',
        'export const p1 = new Pipeline([f1, f2]);',
        'export const p2 = new Pipeline({ steps: [f3] });',
        "export const p3 = new Pipeline([['fourth', f4]]);",
      ].join('\n'),
    });
    assert.deepEqual(stageNames(result), ['f1:constructed', 'f2:constructed', 'f3:constructed', 'fourth:constructed']);
  });

  it('treats classes with fit/transform/predict as stages', () => {
    const { result } = analyze({
      'src/model.ts':
        'export class Scaler { fit(x: number[]) { return this; } transform(x: number[]) { return x; } }\nexport class Other { run() {} }\n',
    });
    assert.deepEqual(stageNames(result), ['Scaler:estimator']);
  });

  it('names a class stage after its variable through a cast (a JSDoc cast in JS is parentheses)', () => {
    const { result } = analyze({
      'src/generic.js': 'export const Callable = /** @type {any} */ (class {\n  _call(x) { return x; }\n});\n',
      'src/cast.ts': 'export const Cast = (class { fit(x: number[]) { return this; } } as unknown);\n',
      'src/model.js': "import { Callable } from './generic';\nexport class Model extends Callable {}\n",
      'test/model.test.js': "import { Model } from '../src/model';\nit('x', () => new Model()._call(1));\n",
    });
    assert.deepEqual(stageNames(result), ['Callable:estimator', 'Cast:estimator', 'Model:estimator']);
    const model = result.stages.find((s) => s.name === 'Model');
    assert.match(model?.how ?? '', /inheriting _call from Callable/);
    // The test runs Model, and Callable with it (a subclass runs its base): only Cast is untested.
    assert.deepEqual(untested(result), ['Cast']);
  });

  it('takes the exported functions of pipeline folders', () => {
    const { result } = analyze({
      'src/pipeline/clean.ts':
        'export function clean(x: number[]) { return x; }\nexport const trim = (x: number[]) => x;\nfunction internal() {}\nexport const LIMIT = 3;\n',
      'src/other.ts': 'export function notAStage() {}\n',
    });
    assert.deepEqual(stageNames(result), ['clean:folder', 'trim:folder']);
  });

  it('reads CommonJS exports of JavaScript pipeline files, and require() reaches them', () => {
    const { result } = analyze({
      'src/pipeline/steps.js':
        'function load(x) { return x; }\nfunction clean(x) { return x; }\nmodule.exports = { load, clean };\n',
      'src/pipeline/scale.js': 'exports.scale = (x) => x * 2;\n',
      'test/a.test.js':
        "const { load } = require('../src/pipeline/steps');\nconst s = require('../src/pipeline/scale');\nit('x', () => { load(1); s.scale(2); });\n",
    });
    assert.deepEqual(stageNames(result), ['clean:folder', 'load:folder', 'scale:folder']);
    assert.deepEqual(untested(result), ['clean']);
  });

  it('merges a stage found by several rules, keeping the registered name and its registration', () => {
    const { result } = analyze({
      'src/lib.ts': PIPELINE_LIB,
      'src/pipeline/clean.ts': '/** @stage */\nexport function cleanRows(x: number[]) { return x; }\n',
      'src/main.ts':
        "import { Pipeline } from './lib';\nimport { cleanRows } from './pipeline/clean';\nexport const p = new Pipeline().stage('clean', cleanRows);\n",
    });
    assert.deepEqual(stageNames(result), ['clean:registered']);
    assert.equal(result.stages[0].registration?.range.start.line, 2);
  });

  it('honours configured call and constructor names', () => {
    const { result } = analyze(
      {
        'src/main.ts':
          'declare function register(n: string, f: unknown): void;\nfunction go(x: number) { return x; }\nregister("go", go);\nclass Flow { constructor(_: unknown[]) {} }\nfunction w(x: number) { return x; }\nnew Flow([w]);\n',
      },
      { stageCalls: ['register'], pipelineConstructors: ['Flow'] },
    );
    assert.deepEqual(stageNames(result), ['go:registered', 'w:constructed']);
  });
});

describe('analysis: untested stages', () => {
  const base = {
    'src/lib.ts': PIPELINE_LIB,
    'src/pipeline/steps.ts': [
      'export function load(x: number[]) { return x; }',
      'export function clean(x: number[]) { return x; }',
      'export function scale(x: number[]) { return x; }',
    ].join('\n'),
  };

  it('counts a direct call from a test', () => {
    const { result } = analyze({
      ...base,
      'test/steps.test.ts': "import { load } from '../src/pipeline/steps';\nit('x', () => load([1]));\n",
    });
    assert.deepEqual(untested(result), ['clean', 'scale']);
  });

  it('counts calls through other non-test functions (transitively)', () => {
    const { result } = analyze({
      ...base,
      'src/run.ts':
        "import { clean } from './pipeline/steps';\nfunction inner(x: number[]) { return clean(x); }\nexport function outer(x: number[]) { return inner(x); }\n",
      'test/run.test.ts': "import { outer } from '../src/run';\nit('x', () => outer([1]));\n",
    });
    assert.deepEqual(untested(result), ['load', 'scale']);
  });

  it('follows re-exports and import aliases', () => {
    const { result } = analyze({
      ...base,
      'src/index.ts': "export { scale as rescale } from './pipeline/steps';\nexport * from './pipeline/steps';\n",
      'test/index.test.ts':
        "import { rescale as r } from '../src/index';\nimport * as all from '../src/index';\nconst alias = r;\nit('x', () => { alias([1]); all.load([2]); });\n",
    });
    assert.deepEqual(untested(result), ['clean']);
  });

  it('counts methods called on an instance', () => {
    const { result } = analyze({
      'src/model.ts':
        'export class Scaler { fit(x: number[]) { return this; } transform(x: number[]) { return x; } }\nexport class Encoder { predict(x: number[]) { return x; } }\n',
      'test/model.test.ts': "import { Scaler } from '../src/model';\nit('x', () => new Scaler().transform([1]));\n",
    });
    assert.deepEqual(untested(result), ['Encoder']);
  });

  it('counts a stage passed as a callback', () => {
    const { result } = analyze({
      ...base,
      'test/cb.test.ts':
        "import { clean, scale } from '../src/pipeline/steps';\nfunction apply(f: (x: number[]) => number[]) { return f([1]); }\nit('x', () => { apply(clean); [[1]].map(scale); });\n",
    });
    assert.deepEqual(untested(result), ['load']);
  });

  it('counts every stage of a pipeline a test runs (builder function or pipeline object)', () => {
    const pipelines = {
      'src/lib.ts': PIPELINE_LIB,
      'src/steps.ts':
        'export function a(x: number[]) { return x; }\nexport function b(x: number[]) { return x; }\nexport function c(x: number[]) { return x; }\nexport function d(x: number[]) { return x; }\n',
      'src/build.ts': [
        "import { Pipeline } from './lib';",
        "import { a, b, c, d } from './steps';",
        "export function build() { return new Pipeline().stage('a', a).stage('b', b); }",
        'export const fixed = new Pipeline();',
        "fixed.stage('c', c);",
        'export const unused = new Pipeline([d]);',
      ].join('\n'),
    };
    const { result } = analyze({
      ...pipelines,
      'test/p.test.ts':
        "import { build, fixed } from '../src/build';\nit('x', () => { build().run([1]); fixed.run([2]); });\n",
    });
    assert.deepEqual(untested(result), ['d']);
  });

  it('names the nearest test: one importing the module without calling the stage', () => {
    const { root, result } = analyze({
      ...base,
      'test/steps.test.ts': "import { load, clean } from '../src/pipeline/steps';\nit('x', () => load([1]));\n",
    });
    const f = result.findings.find((x) => x.rule === 'untested-stage' && x.data.stage === 'clean');
    assert.ok(f?.rule === 'untested-stage');
    assert.equal(f.severity, 'warning');
    assert.equal(f.file, path.join(root, 'src/pipeline/steps.ts'));
    assert.equal(f.range.start.line, 1);
    assert.match(
      f.message,
      /Stage 'clean' is not reached by any test; nearest test: test\/steps\.test\.ts imports its module but never calls it/,
    );
    assert.equal(f.related[0].file, path.join(root, 'test/steps.test.ts'));
    assert.equal(f.data.nearestTest, path.join(root, 'test/steps.test.ts'));
  });

  it('names the nearest test: the one reaching most sibling stages', () => {
    const { result } = analyze({
      ...base,
      'src/run.ts':
        "import { load, clean } from './pipeline/steps';\nexport function both(x: number[]) { return clean(load(x)); }\nexport function one(x: number[]) { return load(x); }\n",
      'test/a.test.ts': "import { one } from '../src/run';\nit('x', () => one([1]));\n",
      'test/b.test.ts': "import { both } from '../src/run';\nit('x', () => both([1]));\n",
    });
    const f = result.findings.find((x) => x.rule === 'untested-stage' && x.data.stage === 'scale');
    assert.match(f?.message ?? '', /nearest test: test\/b\.test\.ts reaches 2 sibling stages \(load, clean\)/);
  });

  it('honours // ml-parity-ignore on the line above a stage', () => {
    const { result } = analyze({
      'src/pipeline/a.ts': 'export function kept() {}\n// ml-parity-ignore\nexport function silenced() {}\n',
    });
    assert.deepEqual(untested(result), ['kept']);
  });

  it('puts the registration in related', () => {
    const { root, result } = analyze({
      'src/lib.ts': PIPELINE_LIB,
      'src/main.ts':
        "import { Pipeline } from './lib';\nfunction go(x: number[]) { return x; }\nexport const p = new Pipeline().stage('go', go);\n",
    });
    const f = result.findings.find((x) => x.rule === 'untested-stage');
    assert.deepEqual(
      f?.related.map((r) => [r.file, r.range.start.line, r.message]),
      [[path.join(root, 'src/main.ts'), 2, "stage 'go' is registered here"]],
    );
  });

  it('reports stages reached statically but never executed under lcov and istanbul coverage', () => {
    const files = {
      ...base,
      'test/steps.test.ts':
        "import { load, clean } from '../src/pipeline/steps';\nit('x', () => { load([1]); if (Math.random() > 2) clean([1]); });\n",
    };
    const lcov = analyze({
      ...files,
      'coverage/lcov.info': 'TN:\nSF:src/pipeline/steps.ts\nDA:1,3\nDA:2,0\nDA:3,0\nend_of_record\n',
    });
    assert.deepEqual(
      lcov.result.findings.filter((f) => f.rule === 'unexecuted-stage').map((f) => f.data.stage),
      ['clean'],
    );
    const statement = (line: number) => ({ start: { line, column: 0 }, end: { line, column: 10 } });
    const istanbul = {
      'src/pipeline/steps.ts': {
        path: 'src/pipeline/steps.ts',
        statementMap: { 0: statement(1), 1: statement(2), 2: statement(3) },
        s: { 0: 1, 1: 0, 2: 0 },
      },
    };
    const ist = analyze({ ...files, 'coverage/coverage-final.json': JSON.stringify(istanbul) });
    const f = ist.result.findings.filter((x) => x.rule === 'unexecuted-stage');
    assert.deepEqual(
      f.map((x) => [x.data.stage, x.severity]),
      [['clean', 'info']],
    );
  });
});
