import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { runHookCommand } from '../../server/src/cli/hookCommand';
import type { CliIO } from '../../server/src/cli/io';
import { BIN, cli, git, tempDir, write, tryCommit } from '../support/tmp';

// The installed hook on real commits: a staged change to a stage's code is verified against HEAD.
const CONFIG = JSON.stringify({
  stages: { count: 60, budgetMs: 20000 },
  analysis: { include: ['src/**/*.ts', 'test/**/*.ts'], testGlobs: ['test/**/*.test.ts'] },
});
const SLIDING = `/** @stage */
export function movingAverage(xs: number[], window: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + window <= xs.length; i++) {
    let s = 0;
    for (let j = i; j < i + window; j++) s += xs[j];
    out.push(s / window);
  }
  return out;
}
`;
// The window sum indexed from the window's start instead of the array's (xs.slice(i, i + window) would
// not do: slice counts a negative end from the back, which the tool reports for window < 0).
const EQUIVALENT = SLIDING.replace(
  'for (let j = i; j < i + window; j++) s += xs[j];',
  'for (let k = 0; k < window; k++) s += xs[i + k];',
);
const OFF_BY_ONE = SLIDING.replace('i + window <= xs.length', 'i + window < xs.length');
const TEST = "import { movingAverage } from '../src/smooth';\nmovingAverage([1, 2], 1);\n";

function io(cwd: string): CliIO & { err: string[] } {
  const err: string[] = [];
  return { err, cwd, isTTY: false, stdout: () => undefined, stderr: (s) => err.push(s) };
}

/**
 * A repository of CONFIG and `files` with one commit and the hook installed through the CLI. It has a
 * package.json, as real projects do, so results and states are cached (node_modules/.cache) and a
 * commit attempted again finds its result cached.
 */
async function hookedRepo(prefix: string, files: Record<string, string>): Promise<string> {
  const repo = fs.realpathSync(tempDir(prefix));
  git(repo, 'init', '-q');
  write(repo, 'mlparity.config.json', CONFIG);
  write(repo, 'package.json', '{ "name": "p", "private": true }\n');
  write(repo, '.gitignore', 'node_modules/\n');
  for (const [rel, text] of Object.entries(files)) write(repo, rel, text);
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'init');
  const o = io(repo);
  assert.equal(await runHookCommand('install', { root: repo, node: process.execPath, cli: BIN }, o), 0, o.err.join(''));
  return repo;
}

describe('pre-commit: staged changes to a stage are verified against HEAD', function () {
  this.timeout(120_000);
  let repo: string;
  beforeEach(async () => {
    repo = await hookedRepo('mlp-stagehook-', { 'src/smooth.ts': SLIDING, 'test/smooth.test.ts': TEST });
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('blocks an off-by-one naming the stage and the counterexample, and accepting that stage alone lets it through', () => {
    write(repo, 'src/smooth.ts', OFF_BY_ONE);
    git(repo, 'add', '.');
    const blocked = tryCommit(repo);
    assert.equal(blocked.status, 1, blocked.output);
    assert.match(
      blocked.output,
      /BLOCK src\/smooth\.ts:2 movingAverage: NOT EQUIVALENT on \d+ of 60 inputs; smallest counterexample: movingAverage\(.*\) → HEAD .*, index .*/,
    );
    assert.match(
      blocked.output,
      /to accept this intended change to movingAverage alone \(the other checks still run\): ml-parity verify-stage movingAverage --accept/,
    );
    assert.equal(git(repo, 'rev-list', '--count', 'HEAD').trim(), '1');

    const accept = cli(repo, 'verify-stage', 'movingAverage', '--accept');
    assert.equal(accept.status, 0, accept.stderr);
    const through = tryCommit(repo);
    assert.equal(through.status, 0, through.output);
    assert.match(through.output, /NOTE src\/smooth\.ts:2 movingAverage: change accepted/);
    assert.equal(git(repo, 'rev-list', '--count', 'HEAD').trim(), '2');
  });

  it('an acceptance holds for a file that starts with a byte-order mark', () => {
    write(repo, 'src/smooth.ts', `\ufeff${SLIDING}`);
    git(repo, 'commit', '-qam', 'bom', '--no-verify');
    write(repo, 'src/smooth.ts', `\ufeff${OFF_BY_ONE}`);
    git(repo, 'add', '.');
    assert.equal(tryCommit(repo).status, 1);
    assert.equal(cli(repo, 'verify-stage', 'movingAverage', '--accept').status, 0);
    const through = tryCommit(repo);
    assert.equal(through.status, 0, through.output);
    assert.match(through.output, /movingAverage: change accepted/);
  });

  it('allows an equivalent refactor, saying it was verified', () => {
    write(repo, 'src/smooth.ts', EQUIVALENT);
    git(repo, 'add', '.');
    const r = tryCommit(repo);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /PASS src\/smooth\.ts:2 movingAverage: EQUIVALENT on 60 of 60 inputs \(HEAD vs index/);
    assert.match(r.output, /ML Parity: checks passed\.\n$/);
  });

  it('a changed stage it cannot verify passes, and the last line says so', () => {
    const apply = (body: string): string =>
      `/** @stage */\nexport function apply(xs: number[], f: Function): number[] {\n  return xs.map((x) => ${body});\n}\n`;
    write(repo, 'src/apply.ts', apply('f(x)'));
    write(repo, 'test/apply.test.ts', "import { apply } from '../src/apply';\napply([1], (x: number) => x);\n");
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'apply', '--no-verify');
    write(repo, 'src/apply.ts', apply('f(x) + 1'));
    git(repo, 'add', '.');
    const r = tryCommit(repo);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /NOTE src\/apply\.ts:2 apply: not verified/);
    assert.match(r.output, /ML Parity: checks passed; 1 changed stage not verified \(see the NOTE lines\)\.\n$/);
  });

  it('names a stage the commit renames away or deletes, without blocking', () => {
    write(repo, 'src/smooth.ts', SLIDING.replace('movingAverage', 'rollingMean'));
    write(repo, 'test/smooth.test.ts', TEST.replace(/movingAverage/g, 'rollingMean'));
    git(repo, 'add', '.');
    const renamed = tryCommit(repo);
    assert.equal(renamed.status, 0, renamed.output);
    assert.match(renamed.output, /NOTE src\/smooth\.ts:2 movingAverage: removed by this commit/);
    assert.match(
      renamed.output,
      /ML Parity: checks passed; .*stage movingAverage removed by this commit \(see the NOTE lines\)\.\n$/,
    );

    write(repo, 'src/keep.ts', 'export const kept = 1;\n'); // a project with no source at all is a config error
    git(repo, 'add', 'src/keep.ts');
    git(repo, 'rm', '-q', 'src/smooth.ts', 'test/smooth.test.ts');
    const deleted = tryCommit(repo);
    assert.equal(deleted.status, 0, deleted.output);
    assert.match(deleted.output, /NOTE src\/smooth\.ts:2 rollingMean: removed by this commit/);
    assert.match(
      deleted.output,
      /ML Parity: checks passed; stage rollingMean removed by this commit \(see the NOTE lines\)\.\n$/,
    );
  });

  it('judges the staged code, not the work tree, and stays off with stages.verifyOnCommit false', () => {
    write(repo, 'src/smooth.ts', OFF_BY_ONE);
    git(repo, 'add', '.');
    write(repo, 'src/smooth.ts', SLIDING); // fixed only in the work tree
    assert.equal(tryCommit(repo).status, 1);

    write(repo, 'mlparity.config.json', JSON.stringify({ ...JSON.parse(CONFIG), stages: { verifyOnCommit: false } }));
    git(repo, 'add', 'mlparity.config.json');
    const off = tryCommit(repo);
    assert.equal(off.status, 0, off.output);
    assert.match(off.output, /stages: not verified \(stages\.verifyOnCommit is false\)/);
  });
});

// A refactor of a helper changes every stage that runs it: those stages are verified too, and the
// summary says why; a change no stage can run verifies nothing.
const STATS = `export function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length === 0 ? 0 : s / xs.length;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)];
}
`;
const NORMALIZE = `import { mean } from './utils/stats';

/** @stage */
export function normalize(xs: number[]): number[] {
  const m = mean(xs);
  return xs.map((x) => x - m);
}
`;

describe('pre-commit: a change to a helper verifies the stages that run it', function () {
  this.timeout(120_000);
  let repo: string;
  beforeEach(async () => {
    repo = await hookedRepo('mlp-stagedeps-', {
      'src/utils/stats.ts': STATS,
      'src/normalize.ts': NORMALIZE,
      'src/report.ts': 'export function twice(x: number): number {\n  return x * 2;\n}\n',
      'test/normalize.test.ts': "import { normalize } from '../src/normalize';\nnormalize([1, 2]);\n",
    });
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('blocks an epsilon added to mean, naming normalize, the counterexample and the helper; accepting normalize lets it through', () => {
    write(repo, 'src/utils/stats.ts', STATS.replace('s / xs.length', 's / (xs.length + 1e-3)'));
    git(repo, 'add', '.');
    const blocked = tryCommit(repo);
    assert.equal(blocked.status, 1, blocked.output);
    assert.match(
      blocked.output,
      /BLOCK src\/normalize\.ts:4 normalize: NOT EQUIVALENT on \d+ of 60 inputs; smallest counterexample: normalize\(\[.*\]\) → HEAD .*, index .*/,
    );
    assert.match(blocked.output, /judged because its helper mean \(src\/utils\/stats\.ts\) changed/);
    assert.equal(cli(repo, 'verify-stage', 'normalize', '--accept').status, 0);
    const through = tryCommit(repo);
    assert.equal(through.status, 0, through.output);
    assert.match(through.output, /NOTE src\/normalize\.ts:4 normalize: change accepted/);
  });

  it('allows a refactor of mean that keeps its behaviour, saying normalize was verified because of it', () => {
    write(
      repo,
      'src/utils/stats.ts',
      STATS.replace(
        '  let s = 0;\n  for (const x of xs) s += x;\n  return xs.length === 0 ? 0 : s / xs.length;',
        '  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;',
      ),
    );
    git(repo, 'add', '.');
    const r = tryCommit(repo);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /PASS src\/normalize\.ts:4 normalize: EQUIVALENT on 60 of 60 inputs/);
    assert.match(r.output, /judged because its helper mean \(src\/utils\/stats\.ts\) changed/);
  });

  it('stops at stages.totalBudgetMs: a stage not reached is listed as not verified and the last line says so', () => {
    write(repo, 'src/scale.ts', NORMALIZE.replace('normalize', 'scale').replace('x - m', 'x / (m || 1)'));
    write(repo, 'mlparity.config.json', JSON.stringify({ ...JSON.parse(CONFIG), stages: { totalBudgetMs: 100 } }));
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '--no-verify', '-m', 'scale');
    write(repo, 'src/utils/stats.ts', STATS.replace('  let s = 0;', '  let s = 0 + 0;'));
    git(repo, 'add', '.');
    const r = tryCommit(repo);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /stages: 2 stages changed .*; 1 verified against HEAD/);
    assert.match(r.output, /PASS src\/normalize\.ts:4 normalize: EQUIVALENT/);
    assert.match(
      r.output,
      /NOTE src\/scale\.ts:4 scale: not verified: the time for all stages \(stages\.totalBudgetMs, 100 ms\) was spent before it was reached/,
    );
    assert.match(r.output, /ML Parity: checks passed; 1 changed stage not verified \(see the NOTE lines\)\.\n$/);
  });

  it('verifies nothing for a change in a module no stage loads, nor for a helper no stage runs', () => {
    write(repo, 'src/report.ts', 'export function twice(x: number): number {\n  return x + x + 1;\n}\n');
    write(repo, 'src/utils/stats.ts', STATS.replace('Math.floor(s.length / 2)', 's.length >> 2'));
    git(repo, 'add', '.');
    const r = tryCommit(repo);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /stages: no staged change to a stage's code, nor to code a stage runs or loads/);
    assert.doesNotMatch(r.output, /normalize/);
  });

  it('counts every declaration of a module the stage indexes by name, and top-level code of a loaded module', () => {
    write(
      repo,
      'src/normalize.ts',
      NORMALIZE.replace("import { mean } from './utils/stats';", "import * as stats from './utils/stats';").replace(
        'const m = mean(xs);',
        "const m = stats[xs.length > 3 ? 'median' : 'mean'](xs);",
      ),
    );
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '--no-verify', '-m', 'by name');
    write(repo, 'src/utils/stats.ts', STATS.replace('Math.floor(s.length / 2)', '0'));
    git(repo, 'add', '.');
    const median = tryCommit(repo);
    assert.equal(median.status, 1, median.output);
    assert.match(median.output, /BLOCK src\/normalize\.ts:4 normalize: NOT EQUIVALENT/);
    assert.match(median.output, /judged because its helper median \(src\/utils\/stats\.ts\) changed/);

    git(repo, 'reset', '-q', '--hard');
    write(repo, 'src/utils/stats.ts', STATS + 'Math.max = (...xs: number[]) => xs.length;\n');
    git(repo, 'add', '.');
    const patched = tryCommit(repo);
    assert.match(patched.output, /judged because top-level code of src\/utils\/stats\.ts, which it loads, changed/);
  });

  it('verifies the stages importing a JSON file when only that file changed', () => {
    write(repo, 'src/limits.json', '{ "shift": 0 }\n');
    write(
      repo,
      'src/normalize.ts',
      "import limits from './limits.json';\n" + NORMALIZE.replace('x - m', 'x - m + limits.shift'),
    );
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '--no-verify', '-m', 'limits');
    write(repo, 'src/limits.json', '{ "shift": 1 }\n');
    git(repo, 'add', '.');
    const r = tryCommit(repo);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /BLOCK src\/normalize\.ts:5 normalize: NOT EQUIVALENT/);
    assert.match(r.output, /judged because src\/limits\.json, which it imports, changed/);
  });
});

describe("pre-commit: a workspace package linked into node_modules is the project's own code", function () {
  this.timeout(120_000);
  let repo: string;
  beforeEach(async () => {
    repo = await hookedRepo('mlp-workspaces-', {
      'mlparity.config.json': JSON.stringify({
        stages: { count: 40, budgetMs: 20000 },
        analysis: { include: ['packages/**/*.ts', 'packages/**/*.js'], testGlobs: ['packages/*/test/**'] },
      }),
      'package.json': '{ "name": "mono", "private": true, "workspaces": ["packages/*"] }\n',
      'packages/b/package.json': '{ "name": "@s/b", "version": "1.0.0", "main": "index.js" }\n',
      'packages/b/index.js': 'function scale(xs) {\n  return xs.map((x) => x * 2);\n}\nmodule.exports = { scale };\n',
      'packages/a/package.json': '{ "name": "@s/a", "version": "1.0.0", "dependencies": { "@s/b": "1.0.0" } }\n',
      'packages/a/src/pipeline.ts': [
        "import { scale } from '@s/b';",
        '',
        '/** @stage */',
        'export function prepare(xs: number[]): number[] {',
        '  return scale(xs).map((x: number) => x + 1);',
        '}',
        '',
      ].join('\n'),
      'packages/a/test/pipeline.test.ts': "import { prepare } from '../src/pipeline';\nprepare([1]);\n",
    });
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('after an install links it, a change to its helper is verified against HEAD with each version of the package', () => {
    // A commit before the install stores a state in which `@s/b` resolves to nothing.
    write(repo, 'packages/a/test/pipeline.test.ts', "import { prepare } from '../src/pipeline';\nprepare([1, 2]);\n");
    git(repo, 'add', '.');
    assert.equal(tryCommit(repo).status, 0);
    // What `npm install` does for a workspace: a link, and its hidden lockfile rewritten.
    fs.mkdirSync(`${repo}/node_modules/@s`, { recursive: true });
    fs.symlinkSync('../../packages/b', `${repo}/node_modules/@s/b`, 'dir');
    write(repo, 'node_modules/.package-lock.json', '{ "name": "mono", "lockfileVersion": 3 }\n');
    write(
      repo,
      'packages/b/index.js',
      'function scale(xs) {\n  return xs.map((x) => x * 3);\n}\nmodule.exports = { scale };\n',
    );
    git(repo, 'add', '.');
    const r = tryCommit(repo);
    assert.equal(r.status, 1, r.output);
    // HEAD's package, not the work tree's for both: the outputs differ.
    assert.match(r.output, /BLOCK packages\/a\/src\/pipeline\.ts:4 prepare: NOT EQUIVALENT on \d+ of \d+ inputs/);
    assert.match(r.output, /judged because its helper scale \(packages\/b\/index\.js\) changed/);
  });
});
