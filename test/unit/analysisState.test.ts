import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiskCache } from '../../server/src/engine/analysis/cache/diskCache';
import { loadState, saveState } from '../../server/src/engine/analysis/cache/analysisState';
import type { AnalyzerState } from '../../server/src/engine/analysis/analyzer';
import { indexEntries, readBlobs } from '../../server/src/engine/git';
import type { SinceResult } from '../../server/src/engine/analysis/since';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../../server/src/engine/config/types';
import { committedRepos, sinceFresh, stage } from '../support/stagedRepo';
import { git, normalizeRows, write, writeWorkspace } from '../support/tmp';

// The staged analysis derived from HEAD's stored analyzer state (the pre-commit hook's fast path):
// only the changed files and those that depend on them are analysed again. Every result is compared
// with a fresh analysis of the same staged files that uses no cache at all. A damaged or missing
// state of HEAD is rebuilt (HEAD analysed in full once); a commit that adds or deletes files is
// analysed in full.

const CONFIG: AnalysisConfig = {
  ...DEFAULT_ANALYSIS,
  pipelineFolders: ['src/pipeline'],
  clones: { minTokens: 30, minLines: 4, minSimilarity: 0.8 },
};
const norm = normalizeRows;
const FILES = {
  'package.json': '{"name":"p"}',
  'src/pipeline/clean.ts': `import { clip } from '../lib/clip';\n${norm('clean')}export const c = clip;\n`,
  'src/pipeline/scale.ts': norm('scale'),
  'src/pipeline/index.ts': "export * from './clean';\nexport * from './scale';\n",
  'src/lib/clip.ts': 'export function clip(x: number): number {\n  return Math.min(1, Math.max(0, x));\n}\n',
  'test/clean.test.ts': "import { clean } from '../src/pipeline';\nit('clean', () => clean([[1]]));\n",
  'test/scale.test.ts': "import { scale } from '../src/pipeline';\nit('scale', () => scale([[1]]));\n",
};

describe('analysis derived from the stored state of HEAD (hook fast path)', function () {
  this.timeout(60_000);
  const repos = committedRepos('mlp-state-');
  after(repos.cleanup);
  const repo = (): { root: string; cache: DiskCache } => repos.make(FILES);
  const since = (root: string, cache: DiskCache): SinceResult => sinceFresh(root, CONFIG, cache);
  const commit = (root: string): void => void git(root, 'commit', '-qm', 'change', '--no-verify');
  const introduced = (s: SinceResult): string[] =>
    s.comparison.current.filter((f) => f.state === 'new').map((f) => `${f.finding.rule} ${f.finding.message}`);

  it('one-file commits are derived from the state the previous run stored, with the result of a fresh analysis', () => {
    const { root, cache } = repo();
    // First run: HEAD analysed in full, the staged state derived from it in memory (and stored).
    stage(root, 'src/pipeline/scale.ts', `// scales\n${norm('scale')}`);
    const first = since(root, cache);
    assert.equal(first.baselineFromCache, false);
    assert.equal(first.how, 'derived');
    assert.deepEqual(introduced(first), []);
    commit(root);

    // A new untested stage in an existing file: HEAD's result and state come from the cache.
    stage(root, 'src/pipeline/scale.ts', `// scales\n${norm('scale')}${norm('shift')}`);
    const second = since(root, cache);
    assert.equal(second.baselineFromCache, true);
    assert.equal(second.how, 'derived');
    assert.ok(
      introduced(second).some((f) => /^untested-stage Stage 'shift'/.test(f)),
      introduced(second).join('\n'),
    );
    assert.ok(introduced(second).some((f) => /duplicate/.test(f)));
    commit(root);

    // A change in a file the staged ones depend on: the test no longer reaches `clean` (relinked).
    stage(root, 'test/clean.test.ts', "import { scale } from '../src/pipeline';\nit('clean', () => scale([[2]]));\n");
    const third = since(root, cache);
    assert.equal(third.how, 'derived');
    assert.ok(introduced(third).some((f) => /^untested-stage Stage 'clean'/.test(f)));
    commit(root);

    // A file the tests import through: `scale` is no longer re-exported, so its test reaches nothing.
    stage(root, 'src/pipeline/index.ts', "export * from './clean';\n");
    const reexport = since(root, cache);
    assert.equal(reexport.how, 'derived');
    assert.ok(introduced(reexport).some((f) => /^untested-stage Stage 'scale'/.test(f)));
    commit(root);

    // An export the stage imports is renamed away: the importer's references change with it.
    stage(root, 'src/lib/clip.ts', 'export function clamp(x: number): number {\n  return x;\n}\n');
    assert.equal(since(root, cache).how, 'derived');
    commit(root);

    // A comment-only change: nothing is new.
    stage(root, 'src/lib/clip.ts', '// clamps\nexport function clamp(x: number): number {\n  return x;\n}\n');
    const comment = since(root, cache);
    assert.equal(comment.how, 'derived');
    assert.deepEqual(introduced(comment), []);
    commit(root);

    // Two files swap their texts: the same blobs at other paths is another analysis (keyed by path and blob).
    const clean = fs.readFileSync(path.join(root, 'src/pipeline/clean.ts'), 'utf8');
    stage(root, 'src/pipeline/clean.ts', fs.readFileSync(path.join(root, 'src/pipeline/scale.ts'), 'utf8'));
    stage(root, 'src/pipeline/scale.ts', clean);
    const swapped = since(root, cache);
    assert.equal(swapped.result.fromCache, false);
    assert.equal(swapped.how, 'derived');
  });

  for (const [how, damage] of [
    ['torn', (b: Buffer): Buffer => b.subarray(0, b.length - 9)],
    ['flipped', (b: Buffer): Buffer => Buffer.concat([b.subarray(0, -1), Buffer.from([b[b.length - 1] ^ 1])])],
    ['not a state', (): Buffer => Buffer.from('{}\n{}')],
  ] as const) {
    it(`a damaged state (${how}) is not used: HEAD is analysed again in full and its state stored again`, () => {
      const { root, cache } = repo();
      stage(root, 'src/pipeline/scale.ts', `// scales\n${norm('scale')}`);
      since(root, cache);
      commit(root);
      const stored = ['states', 'deltas'].flatMap((kind) =>
        fs.readdirSync(path.join(cache.dir, kind)).map((n) => path.join(cache.dir, kind, n)),
      );
      // The first commit's state and the one stored for the next (now HEAD, a delta of it): both damaged.
      assert.equal(stored.length, 2);
      for (const file of stored) fs.writeFileSync(file, damage(fs.readFileSync(file)));
      const clean = fs.readFileSync(path.join(root, 'src/pipeline/clean.ts'), 'utf8');
      stage(root, 'src/pipeline/clean.ts', `${clean}// x\n`);
      assert.equal(since(root, cache).how, 'base');
      stage(root, 'src/pipeline/clean.ts', `${clean}// y\n`);
      assert.equal(since(root, cache).how, 'derived');
    });
  }

  it("HEAD's state outlives the pruning of states: attempt after attempt at one commit is derived", () => {
    const { root, cache } = repo();
    stage(root, 'src/pipeline/scale.ts', `// scales\n${norm('scale')}`);
    since(root, cache);
    commit(root);
    // More attempts than states are kept (each stores its own staged state).
    for (let i = 0; i < 7; i++) {
      stage(root, 'src/lib/clip.ts', `// attempt ${i}\n${FILES['src/lib/clip.ts']}`);
      assert.equal(since(root, cache).how, 'derived', `attempt ${i}`);
    }
  });

  it("HEAD's result cached without its state (states pruned): HEAD is analysed once more, then attempts are derived", () => {
    const { root, cache } = repo();
    stage(root, 'src/pipeline/scale.ts', `// scales\n${norm('scale')}`);
    since(root, cache);
    commit(root);
    fs.rmSync(path.join(cache.dir, 'states'), { recursive: true });
    stage(root, 'src/lib/clip.ts', `// a\n${FILES['src/lib/clip.ts']}`);
    const first = since(root, cache);
    assert.equal(first.baselineFromCache, true);
    assert.equal(first.how, 'base');
    stage(root, 'src/lib/clip.ts', `// b\n${FILES['src/lib/clip.ts']}`);
    assert.equal(since(root, cache).how, 'derived');
  });

  it('a commit that deletes or adds a file is analysed in full', () => {
    const { root, cache } = repo();
    stage(root, 'src/pipeline/scale.ts', `// scales\n${norm('scale')}`);
    since(root, cache);
    commit(root);
    git(root, 'rm', '-q', 'test/scale.test.ts');
    const deleted = since(root, cache);
    assert.equal(deleted.how, 'full');
    assert.ok(introduced(deleted).some((f) => /^untested-stage Stage 'scale'/.test(f)));
    git(root, 'reset', '-q');
    stage(root, 'src/pipeline/shift.ts', norm('shift'));
    const added = since(root, cache);
    assert.equal(added.how, 'full');
    assert.ok(introduced(added).some((f) => /^untested-stage Stage 'shift'/.test(f)));
  });
});

// The tests' walks are stored with the state: a derived analysis walks again only the tests that visited
// a file whose edges changed (or that holds a new stage), and keeps the others' stages.
const WALKS = {
  'package.json': '{"name":"w"}',
  'src/pipeline/fit.ts': norm('fit'),
  'src/pipeline/score.ts': norm('score'),
  'src/pipeline/registry.ts': "import { Pipeline } from '../lib/pipeline';\nexport const p = new Pipeline();\n",
  'src/lib/pipeline.ts':
    'export class Pipeline {\n  stage(name: string, fn: unknown): Pipeline {\n    return this;\n  }\n}\n',
  // The test calls run, run calls route, route calls the stage fit: route is two hops from the test.
  'src/lib/route.ts':
    "import { fit } from '../pipeline/fit';\nexport function route(rows: number[][]): number[][] {\n  return fit(rows);\n}\n",
  'src/lib/run.ts':
    "import { route } from './route';\nexport function run(rows: number[][]): number[][] {\n  return route(rows);\n}\n",
  'src/lib/other.ts': 'export function other(x: number): number {\n  return x + 1;\n}\n',
  'test/run.test.ts': "import { run } from '../src/lib/run';\nit('runs', () => run([[1]]));\n",
  'test/score.test.ts': "import { score } from '../src/pipeline/score';\nit('scores', () => score([[1]]));\n",
};

describe("the tests' walks stored with the state (only tests that visited a changed file are walked again)", function () {
  this.timeout(60_000);
  const repos = committedRepos('mlp-walks-');
  after(repos.cleanup);
  const repo = (): { root: string; cache: DiskCache } => repos.make(WALKS);
  /** Stages a change, derives the staged analysis (checked against a fresh one), and commits it. */
  const step = (root: string, cache: DiskCache, changes: Record<string, string>): string[] => {
    for (const [rel, text] of Object.entries(changes)) stage(root, rel, text);
    const s = sinceFresh(root, CONFIG, cache);
    assert.equal(s.how, 'derived');
    git(root, 'commit', '-qm', 'change', '--no-verify');
    return s.result.findings.filter((f) => f.rule === 'untested-stage').map((f) => String(f.data?.stage));
  };
  /** Every stored state, by its key (the first line of its entry names it). */
  const states = (cache: DiskCache): [string, AnalyzerState][] => {
    const dir = path.join(cache.dir, 'states');
    return fs.readdirSync(dir).flatMap((n) => {
      const text = fs.readFileSync(path.join(dir, n), 'utf8');
      const key = (JSON.parse(text.slice(0, text.indexOf('\n'))) as { key: string }).key;
      const state = loadState(cache, key);
      return state ? [[key, state] as [string, AnalyzerState]] : [];
    });
  };
  const route = (body: string): string =>
    `import { fit } from '../pipeline/fit';\nexport function route(rows: number[][]): number[][] {\n  ${body}\n}\n`;

  it('a stage stops and starts being reached when a helper two hops from the test changes', () => {
    const { root, cache } = repo();
    assert.deepEqual(step(root, cache, { 'src/lib/other.ts': `// 1\n${WALKS['src/lib/other.ts']}` }), []);
    // The walks are stored, every test with the files it visited.
    const stored = states(cache);
    assert.ok(stored.length > 0);
    for (const [, state] of stored) {
      const tests = new Map(state.reach?.tests.map(([t, files]) => [t, files.map((i) => state.reach?.files[i])]));
      assert.ok(tests.get(path.join(root, 'test/run.test.ts'))?.includes(path.join(root, 'src/lib/route.ts')));
      assert.ok(tests.has(path.join(root, 'test/score.test.ts')));
    }
    assert.deepEqual(step(root, cache, { 'src/lib/route.ts': route('return rows;') }), ['fit']);
    assert.deepEqual(step(root, cache, { 'src/lib/other.ts': `// 2\n${WALKS['src/lib/other.ts']}` }), ['fit']);
    assert.deepEqual(step(root, cache, { 'src/lib/route.ts': `// again\n${route('return fit(rows);')}` }), []);
  });

  it('a test file edited, a stage file edited, a stage registered in a file no test visits', () => {
    const { root, cache } = repo();
    step(root, cache, { 'src/lib/other.ts': `// 1\n${WALKS['src/lib/other.ts']}` });
    // The test now reaches fit through run instead of score.
    const runs = "import { run } from '../src/lib/run';\nit('scores', () => run([[1]]));\n";
    assert.deepEqual(step(root, cache, { 'test/score.test.ts': runs }), ['score']);
    assert.deepEqual(step(root, cache, { 'test/score.test.ts': `// top\n${WALKS['test/score.test.ts']}` }), []);
    // Every key in the stage file moves; a second stage comes in that no test calls.
    assert.deepEqual(step(root, cache, { 'src/pipeline/fit.ts': `// moved\n${norm('fit')}${norm('refit')}` }), [
      'refit',
    ]);
    // route becomes a stage where it is registered: run.test reaches it, though no file it visited changed.
    const registered =
      "import { Pipeline } from '../lib/pipeline';\nimport { route } from '../lib/route';\nexport const p = new Pipeline().stage('routing', route);\n";
    assert.deepEqual(step(root, cache, { 'src/pipeline/registry.ts': registered }), ['refit']);
    assert.deepEqual(
      step(root, cache, { 'src/pipeline/registry.ts': `// none\n${WALKS['src/pipeline/registry.ts']}` }),
      ['refit'],
    );
  });

  for (const [how, damage] of [
    ['missing (a state stored before walks were kept)', (): undefined => undefined],
    ['not walks', (): unknown => ({ stages: 'x' })],
    [
      'a file index out of range',
      (r: NonNullable<AnalyzerState['reach']>): unknown => ({
        ...r,
        tests: r.tests.map(([t, , s]) => [t, [r.files.length], s]),
      }),
    ],
    [
      "without the test's own file, reaching nothing",
      (r: NonNullable<AnalyzerState['reach']>): unknown => ({
        ...r,
        tests: r.tests.map(([t, files]) => [t, files.filter((i) => r.files[i] !== t), []]),
      }),
    ],
  ] as const) {
    it(`stored walks ${how}: every test is walked again`, () => {
      const { root, cache } = repo();
      step(root, cache, { 'src/lib/other.ts': `// 1\n${WALKS['src/lib/other.ts']}` });
      for (const [key, state] of states(cache)) {
        assert.ok(state.reach);
        saveState(cache, key, { ...state, reach: damage(state.reach) as AnalyzerState['reach'] });
      }
      // A change no test's walk visited: stored walks would all be kept, were they trusted.
      assert.deepEqual(step(root, cache, { 'src/lib/other.ts': `// 2\n${WALKS['src/lib/other.ts']}` }), []);
    });
  }
});

describe('readBlobs: staged content, read from the work tree only when it is that blob', () => {
  it('gives the index content whether the work tree holds it, something else, or nothing', () => {
    const root = writeWorkspace({ 'a.ts': 'export const a = 1;\n', 'b.ts': 'export const b = 1;\n' }, 'mlp-blobs-');
    try {
      git(root, 'init', '-q');
      git(root, 'add', '.');
      write(root, 'a.ts', 'export const a = 2; // not staged\n'); // same length class, other bytes
      fs.rmSync(path.join(root, 'b.ts'));
      write(root, 'c.ts', 'export const c = 1;\n');
      git(root, 'add', 'c.ts');
      const texts = readBlobs(
        root,
        indexEntries(root, () => true),
      );
      assert.deepEqual(Object.fromEntries([...texts].map(([f, t]) => [path.basename(f), t])), {
        'a.ts': 'export const a = 1;\n',
        'b.ts': 'export const b = 1;\n',
        'c.ts': 'export const c = 1;\n',
      });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
