import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles, type AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { DiskCache } from '../../server/src/engine/analysis/cache/diskCache';
import { readStagedSources } from '../../server/src/engine/analysis/gitIndex';
import { indexEntries, readBlobs } from '../../server/src/engine/git';
import { analyzeSince, type SinceResult } from '../../server/src/engine/analysis/since';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../../server/src/engine/config/types';
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

const comparable = (r: AnalysisResult): string =>
  JSON.stringify({ findings: r.findings, stages: r.stages, files: r.files, notes: r.notes, leftOut: r.leftOut });

describe('analysis derived from the stored state of HEAD (hook fast path)', function () {
  this.timeout(60_000);
  const roots: string[] = [];
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  const repo = (): { root: string; cache: DiskCache } => {
    const root = writeWorkspace(FILES, 'mlp-state-');
    roots.push(root);
    git(root, 'init', '-q');
    git(root, 'add', '.');
    git(root, 'commit', '-qm', 'init');
    const cache = DiskCache.forWorkspace(root);
    assert.ok(cache);
    return { root, cache };
  };
  /** The staged analysis against HEAD, checked against a fresh analysis of the staged files. */
  const since = (root: string, cache: DiskCache): SinceResult => {
    const s = analyzeSince({ root, config: CONFIG, rev: 'HEAD', staged: true, cache });
    const fresh = analyzeFiles(root, CONFIG, readStagedSources(root), { exclusive: true });
    assert.equal(comparable(s.result), comparable(fresh));
    return s;
  };
  const stage = (root: string, rel: string, text: string): void => {
    write(root, rel, text);
    git(root, 'add', rel);
  };
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
