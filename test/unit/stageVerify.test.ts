import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isEngineError } from '../../server/src/engine/errors';
import { verifyStage } from '../../server/src/engine/stageVerify/verifyStage';
import type { StageVerifyReport } from '../../server/src/engine/stageVerify/types';
import { cli, git, tempDir, write } from '../support/tmp';

// Real git repositories: the stage is committed, then refactored in the work tree, and compared.
// Few generated inputs keep the suite fast; every subtle change below fails on most of them.
const COUNT = 60;

function repoWith(files: Record<string, string>): string {
  const repo = fs.realpathSync(tempDir('mlp-stage-'));
  git(repo, 'init', '-q');
  for (const [rel, text] of Object.entries(files)) write(repo, rel, text);
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'init');
  return repo;
}

async function refactor(
  before: Record<string, string>,
  after: Record<string, string>,
  stage: string,
): Promise<StageVerifyReport> {
  const repo = repoWith(before);
  for (const [rel, text] of Object.entries(after)) write(repo, rel, text);
  try {
    return await verifyStage({ root: repo, stage, count: COUNT, seed: 7 });
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
}

const SLIDING = `export function movingAverage(xs: number[], window: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + window <= xs.length; i++) {
    let s = 0;
    for (let j = i; j < i + window; j++) s += xs[j];
    out.push(s / window);
  }
  return out;
}
`;

const TOTAL = `/** @stage */
export function total(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
`;

const SCALER = `export class Scaler {
  private mean = 0;
  constructor(private readonly factor: number) {}
  fit(xs: number[]): this {
    this.mean = xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
    return this;
  }
  transform(xs: number[]): number[] {
    return xs.map((x) => (x - this.mean) * this.factor);
  }
}
`;

const NORMALIZE = `/** @stage */
export function normalize(xs: Float32Array): Float32Array {
  let m = 0;
  for (const x of xs) m += x;
  m /= Math.max(xs.length, 1);
  let v = 0;
  for (const x of xs) v += (x - m) * (x - m);
  v /= Math.max(xs.length, 1);
  return xs.map((x) => (x - m) / Math.sqrt(v + 1e-3));
}
`;

const RANK = `export interface Scored { id: number; score: number }
/** @stage */
export function rank(items: Scored[]): number[] {
  return [...items].sort((a, b) => a.score - b.score).map((it) => it.id);
}
`;

describe('verify-stage: equivalent refactors pass', function () {
  this.timeout(120_000);

  it('a loop replaced by reduce', async () => {
    const r = await refactor(
      { 'src/total.ts': TOTAL },
      {
        'src/total.ts':
          '/** @stage */\nexport function total(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0);\n}\n',
      },
      'total',
    );
    assert.equal(r.status, 'equivalent', r.counterexample?.display);
    assert.equal(r.inputs.generated, COUNT);
    assert.equal(r.failures, 0);
  });

  it('the window sum extracted into a helper in another file', async () => {
    const helper =
      'export function sum(xs: number[], from: number, to: number): number {\n  let s = 0;\n  for (let j = from; j < to; j++) s += xs[j];\n  return s;\n}\n';
    const after =
      "import { sum } from '../util/sum';\nexport function movingAverage(xs: number[], window: number): number[] {\n  const out: number[] = [];\n  for (let i = 0; i + window <= xs.length; i++) out.push(sum(xs, i, i + window) / window);\n  return out;\n}\n";
    const r = await refactor(
      { 'src/pipeline/smooth.ts': SLIDING },
      { 'src/pipeline/smooth.ts': after, 'src/util/sum.ts': helper },
      'movingAverage',
    );
    assert.equal(r.status, 'equivalent', r.counterexample?.display);
  });

  it('a typed-array loop replaced by map', async () => {
    const before =
      '/** @stage */\nexport function scale(xs: Float32Array, k: number): Float32Array {\n  const out = new Float32Array(xs.length);\n  for (let i = 0; i < xs.length; i++) out[i] = xs[i] * k;\n  return out;\n}\n';
    const after =
      '/** @stage */\nexport function scale(xs: Float32Array, k: number): Float32Array {\n  return xs.map((x) => x * k);\n}\n';
    const r = await refactor({ 'src/scale.ts': before }, { 'src/scale.ts': after }, 'scale');
    assert.equal(r.status, 'equivalent', r.counterexample?.display);
  });

  it('a class method moved to a base class', async () => {
    const base =
      'export abstract class Centered {\n  protected mean = 0;\n  fit(xs: number[]): this {\n    this.mean = xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;\n    return this;\n  }\n}\n';
    const after =
      "import { Centered } from './centered';\nexport class Scaler extends Centered {\n  constructor(private readonly factor: number) {\n    super();\n  }\n  transform(xs: number[]): number[] {\n    return xs.map((x) => (x - this.mean) * this.factor);\n  }\n}\n";
    const r = await refactor(
      { 'src/scaler.ts': SCALER },
      { 'src/scaler.ts': after, 'src/centered.ts': base },
      'Scaler',
    );
    assert.equal(r.kind, 'class');
    assert.equal(r.status, 'equivalent', r.counterexample?.display);
  });
});

describe('verify-stage: a class whose methods come from a package', function () {
  this.timeout(60_000);

  it("reads the base class from the work tree's node_modules for HEAD too (a revision copy has none)", async () => {
    // Like ml.js regressions: `predict` is inherited from a package the repository does not track.
    const pkg = {
      'node_modules/fake-base/package.json': '{ "name": "fake-base", "main": "index.js", "types": "index.d.ts" }',
      'node_modules/fake-base/index.js':
        'class Base { predict(x) { return x.map((v) => this._predict(v)); } }\nmodule.exports = { Base };\n',
      'node_modules/fake-base/index.d.ts':
        'export declare class Base {\n  predict(x: number[]): number[];\n  _predict(x: number): number;\n}\n',
    };
    const stage = (body: string): string =>
      `import { Base } from 'fake-base';\nexport class Line extends Base {\n  constructor(private readonly k: number) {\n    super();\n  }\n  _predict(x: number): number {\n    return ${body};\n  }\n}\n`;
    const repo = repoWith({ '.gitignore': 'node_modules\n', 'src/line.ts': stage('this.k * x') });
    try {
      for (const [rel, text] of Object.entries(pkg)) write(repo, rel, text);
      write(repo, 'src/line.ts', stage('x * this.k'));
      const same = await verifyStage({ root: repo, stage: 'Line', count: COUNT, seed: 7 });
      assert.equal(same.status, 'equivalent', same.counterexample?.display);
      write(repo, 'src/line.ts', stage('x * this.k + 1e-3'));
      const off = await verifyStage({ root: repo, stage: 'Line', count: COUNT, seed: 7 });
      assert.equal(off.status, 'not-equivalent');
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe('verify-stage: a helper imported through a tsconfig paths alias', function () {
  this.timeout(60_000);

  it("is the project's own code, taken from each version", async () => {
    const tsconfig = JSON.stringify({
      compilerOptions: { strict: true, baseUrl: '.', paths: { '@/*': ['src/*'] } },
      include: ['src/**/*.ts'],
    });
    const util = (k: number): string => `export function scaled(x: number): number {\n  return x * ${k};\n}\n`;
    const stage =
      "import { scaled } from '@/util';\n/** @stage */\nexport function prep(xs: number[]): number[] {\n  return xs.map((x) => scaled(x));\n}\n";
    const r = await refactor(
      { 'tsconfig.json': tsconfig, 'src/util.ts': util(2), 'src/prep.ts': stage },
      { 'src/util.ts': util(3) },
      'prep',
    );
    assert.equal(r.status, 'not-equivalent');
  });
});

describe('verify-stage: subtle changes fail with a minimal counterexample', function () {
  this.timeout(120_000);

  it('an off-by-one in a sliding window', async () => {
    const after = SLIDING.replace('i + window <= xs.length', 'i + window < xs.length');
    const r = await refactor(
      { 'src/pipeline/smooth.ts': SLIDING },
      { 'src/pipeline/smooth.ts': after },
      'movingAverage',
    );
    assert.equal(r.status, 'not-equivalent');
    assert.ok(r.failures > 0 && r.failures <= r.inputs.total);
    const c = r.counterexample;
    assert.ok(c && c.shrunk, 'shrunk');
    assert.equal(c.call.kind, 'function');
    // Minimal: the last window is dropped, which needs one element at most.
    assert.ok(c.call.kind === 'function' && Array.isArray(c.call.args[0]) && c.call.args[0].length <= 1, c.display);
    assert.notEqual(c.baseline.display, c.candidate.display);
  });

  it('an epsilon moved out of the square root', async () => {
    const after = NORMALIZE.replace('Math.sqrt(v + 1e-3)', '(Math.sqrt(v) + 1e-3)');
    const r = await refactor({ 'src/norm.ts': NORMALIZE }, { 'src/norm.ts': after }, 'normalize');
    assert.equal(r.status, 'not-equivalent');
    assert.match(r.counterexample?.display ?? '', /^normalize\(Float32Array \[/);
  });

  it('a stable sort replaced by an unstable one', async () => {
    const unstable = `export interface Scored { id: number; score: number }
/** @stage */
export function rank(items: Scored[]): number[] {
  const a = [...items];
  for (let i = 0; i < a.length; i++) {
    let m = i;
    for (let j = i + 1; j < a.length; j++) if (a[j].score <= a[m].score) m = j;
    [a[i], a[m]] = [a[m], a[i]];
  }
  return a.map((it) => it.id);
}
`;
    const r = await refactor({ 'src/rank.ts': RANK }, { 'src/rank.ts': unstable }, 'rank');
    assert.equal(r.status, 'not-equivalent');
    const c = r.counterexample!;
    // Two items with the same score, in some order: nothing smaller shows instability.
    assert.ok(c.call.kind === 'function' && Array.isArray(c.call.args[0]) && c.call.args[0].length === 2, c.display);
  });
});

describe('verify-stage: bad input is exit 2, located', function () {
  this.timeout(120_000);
  let repo: string;
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('an unknown stage lists the stages', async () => {
    repo = repoWith({ 'src/total.ts': TOTAL, 'src/pipeline/smooth.ts': SLIDING });
    const r = cli(repo, 'verify-stage', 'nope');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /no stage named "nope".*stages are: movingAverage, total/);
  });

  it('a changed signature', async () => {
    repo = repoWith({ 'src/total.ts': TOTAL });
    write(
      repo,
      'src/total.ts',
      TOTAL.replace('xs: number[]', 'xs: number[], start: number').replace('let s = 0', 'let s = start'),
    );
    const r = cli(repo, 'verify-stage', 'total');
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /src\/total\.ts:2:\d+: the signature of stage "total" changed: HEAD \(xs: number\[\]\), work tree \(xs: number\[\], start: number\)/,
    );
  });

  it('a build error names the file, line and column', async () => {
    repo = repoWith({ 'src/total.ts': TOTAL });
    write(
      repo,
      'src/total.ts',
      "import { helper } from './missing';\n" + TOTAL.replace('return s;', 'return helper(s);'),
    );
    const r = cli(repo, 'verify-stage', 'total');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /src\/total\.ts:1:\d+: could not build the stage: Could not resolve "\.\/missing"/);
  });

  it('a parameter that cannot be generated asks for inputs', async () => {
    repo = repoWith({
      'src/apply.ts':
        '/** @stage */\nexport function apply(xs: number[], f: (x: number) => number): number[] {\n  return xs.map(f);\n}\n',
    });
    const r = cli(repo, 'verify-stage', 'apply');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /cannot generate inputs for stage "apply": parameter f: .*--inputs/);
  });
});

describe('verify-stage CLI: reports and fixtures', function () {
  this.timeout(120_000);
  let repo: string;
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('prints the verdict line and exits 1; JSON carries the counterexample', async () => {
    repo = repoWith({ 'src/pipeline/smooth.ts': SLIDING });
    write(repo, 'src/pipeline/smooth.ts', SLIDING.replace('i + window <= xs.length', 'i + window < xs.length'));
    const text = cli(repo, 'verify-stage', 'movingAverage', '--count', '50');
    assert.equal(text.status, 1, text.stderr);
    assert.match(
      text.stdout,
      /^movingAverage: NOT EQUIVALENT on \d+ of 50 inputs; smallest counterexample: movingAverage\(.*\) → HEAD .*, work tree .*/,
    );
    const out = path.join(repo, 'report.json');
    const json = cli(repo, 'verify-stage', 'movingAverage', '--count', '50', '--format', 'json', '--out', out);
    assert.equal(json.status, 1, json.stderr);
    const report = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      status: string;
      counterexample: { inputs: { args: unknown[] }; baseline: { display: string }; candidate: { display: string } };
    };
    assert.equal(report.status, 'not-equivalent');
    assert.equal(report.counterexample.inputs.args.length, 2);
    assert.notEqual(report.counterexample.baseline.display, report.counterexample.candidate.display);
  });

  it('runs the calls of a fixtures file, including values JSON cannot hold', async () => {
    repo = repoWith({ 'src/total.ts': TOTAL });
    write(
      repo,
      'src/total.ts',
      TOTAL.replace('for (const x of xs) s += x;', 'for (const x of xs) if (!Number.isNaN(x)) s += x;'),
    );
    // Generated inputs have no NaN, so only the fixture can tell these apart.
    const gen = cli(repo, 'verify-stage', 'total', '--count', '30');
    assert.equal(gen.status, 0, gen.stdout + gen.stderr);
    const fixtures = write(
      repo,
      'calls.json',
      JSON.stringify({
        version: 1,
        stages: { total: { calls: [{ kind: 'function', args: [[1, { $num: 'NaN' }]] }] } },
      }),
    );
    const r = cli(repo, 'verify-stage', 'total', '--count', '0', '--inputs', fixtures);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /NOT EQUIVALENT on 1 of 1 inputs; first counterexample: total\(\[1, NaN\]\) → HEAD NaN, work tree 1/,
    );
  });
});

describe('verify-stage engine errors', function () {
  this.timeout(60_000);
  it('a stage that is new has no baseline: stage-not-found naming the revision', async () => {
    const repo = repoWith({ 'src/total.ts': TOTAL });
    write(repo, 'src/mean.ts', '/** @stage */\nexport function mean(xs: number[]): number {\n  return xs.length;\n}\n');
    try {
      await assert.rejects(
        verifyStage({ root: repo, stage: 'mean', count: 5 }),
        (e: unknown) => isEngineError(e) && e.code === 'stage-not-found' && /does not exist at HEAD/.test(e.message),
      );
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it('an ES5 class (a function with prototype methods) is not verified: calling its constructor as a function proved nothing', async () => {
    const model = (ret: number): string =>
      `var utils = require('./utils');\n\nfunction Model() {\n  this.k = 1;\n}\n\nModel.prototype.train = function (x) {\n  if (utils.small(x)) return 1;\n  return ${ret};\n};\n\nmodule.exports = Model;\n`;
    const repo = repoWith({
      'package.json': '{"name":"es5","version":"1.0.0"}',
      'src/utils.js': 'function small(n) {\n  return n > 0 && n <= 1;\n}\nmodule.exports = { small: small };\n',
      'src/Model.js': model(0),
    });
    write(repo, 'src/Model.js', model(2));
    try {
      await assert.rejects(
        verifyStage({ root: repo, stage: 'Model', count: 5 }),
        (e: unknown) =>
          isEngineError(e) &&
          e.code === 'stage-unsupported' &&
          /cannot verify stage "Model": it is an ES5 class/.test(e.message),
      );
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe('ml-parity record: real calls from the test command become fixtures', function () {
  this.timeout(120_000);
  let repo: string;
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('records function and class stages under node --test, and verify-stage replays them', () => {
    const src = `/** @stage */
function movingAverage(xs, window) {
  const out = [];
  for (let i = 0; i + window <= xs.length; i++) {
    let s = 0;
    for (let j = i; j < i + window; j++) s += xs[j];
    out.push(s / window);
  }
  return out;
}
/** @stage */
class Scaler {
  constructor(k) { this.k = k; this.m = 0; }
  fit(xs) { this.m = xs.reduce((a, b) => a + b, 0) / xs.length; return this; }
  transform(xs) { return xs.map((x) => (x - this.m) * this.k); }
}
module.exports = { movingAverage, Scaler };
`;
    const test =
      "const test = require('node:test');\nconst { movingAverage, Scaler } = require('../src/smooth');\ntest('avg', () => { movingAverage([1, 2, 3], 1); movingAverage([1, 2, 3], 1); movingAverage([NaN, 2], 2); });\ntest('scaler', () => { new Scaler(2).fit([1, 2, 3]).transform([4]); });\n";
    repo = repoWith({ 'src/smooth.js': src, 'test/smooth.test.js': test });
    const rec = cli(repo, 'record', '--', process.execPath, '--test', 'test/');
    assert.equal(rec.status, 0, rec.stdout + rec.stderr);
    assert.match(rec.stdout, /movingAverage: 2 distinct calls/);
    assert.match(rec.stdout, /Scaler: 2 distinct calls/);
    const file = JSON.parse(fs.readFileSync(path.join(repo, '.ml-parity/stage-fixtures.json'), 'utf8')) as {
      stages: Record<string, { calls: unknown[] }>;
    };
    assert.deepEqual(file.stages.movingAverage.calls[1], { kind: 'function', args: [[{ $num: 'NaN' }, 2], 2] });
    assert.deepEqual(file.stages.Scaler.calls[1], {
      kind: 'class',
      ctor: [2],
      calls: [
        { method: 'fit', args: [[1, 2, 3]] },
        { method: 'transform', args: [[4]] },
      ],
    });

    // Untyped JS parameters cannot be generated: the recorded calls are what is compared.
    write(repo, 'src/smooth.js', src.replace('(x - this.m) * this.k', '(x - this.m) * this.k + 1'));
    const r = cli(repo, 'verify-stage', 'Scaler');
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /Scaler: NOT EQUIVALENT on 1 of 2 inputs; first counterexample: new Scaler\(2\)\.fit\(\[1, 2, 3\]\)\.transform\(\[4\]\) → HEAD \{ fit: "\[this\]", transform: \[4\] \}, work tree \{ fit: "\[this\]", transform: \[5\] \}/,
    );
    assert.match(r.stdout, /note: no generated inputs/);
  });

  it('records stages of native ES modules ("type": "module", .mjs) through a loader hook', () => {
    const src = `/** @stage */
export function double(xs) {
  return xs.map((x) => x * 2);
}
/** @stage */
export const halve = (xs) => xs.map((x) => x / 2);
/** @stage */
export class Centerer {
  fit(xs) { this.m = xs.reduce((a, b) => a + b, 0) / xs.length; return this; }
  transform(xs) { return xs.map((x) => x - this.m); }
}
`;
    const test = `import test from 'node:test';
import { double, halve, Centerer } from '../src/ops.js';
import { triple } from '../src/triple.mjs';
import unnamed from '../src/unnamed.js';
import { scale } from '../src/index.js';
test('x', () => { double([1]); halve([4, 2]); triple([1]); new Centerer().fit([1, 3]).transform([2]); unnamed([1]); scale([1, 2]); });
`;
    repo = repoWith({
      'package.json': '{ "name": "esm-pipeline", "type": "module" }\n',
      'src/ops.js': src,
      'src/triple.mjs': '/** @stage */\nexport function triple(xs) {\n  return xs.map((x) => x * 3);\n}\n',
      'src/unnamed.js': '/** @stage unnamed */\nexport default function (xs) {\n  return xs;\n}\n',
      // Exported as a value (export default NAME), then re-exported by name, as simple-statistics does.
      'src/scale.js':
        '/** @stage */\nfunction scale(xs) {\n  return xs.map((x) => x * 10);\n}\n\nexport default scale;\n',
      'src/index.js': "export { default as scale } from './scale.js';\n",
      'test/ops.test.js': test,
    });
    const rec = cli(repo, 'record', '--', process.execPath, '--test', 'test/');
    assert.equal(rec.status, 0, rec.stdout + rec.stderr);
    assert.match(rec.stdout, /Centerer: 2 distinct calls/); // fit, then fit + transform
    for (const stage of ['double', 'halve', 'triple', 'scale'])
      assert.match(rec.stdout, new RegExp(`${stage}: 1 distinct call`));
    assert.match(
      rec.stdout,
      /unnamed: no calls recorded: src\/unnamed\.js is an ES module \("type": "module" in package\.json\) and the stage has no name there/,
    );
    const file = JSON.parse(fs.readFileSync(path.join(repo, '.ml-parity/stage-fixtures.json'), 'utf8')) as {
      stages: Record<string, { calls: unknown[] }>;
    };
    assert.deepEqual(file.stages.halve.calls[0], { kind: 'function', args: [[4, 2]] });
  });
});
