import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiskCache } from '../../server/src/engine/analysis/cache/diskCache';
import { DELTA_DEPTH, DELTA_FILES } from '../../server/src/engine/analysis/cache/resultCache';
import type { SinceResult } from '../../server/src/engine/analysis/since';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../../server/src/engine/config/types';
import { committedRepos, sinceFresh, stage } from '../support/stagedRepo';
import { git, normalizeRows } from '../support/tmp';

// The hook stores a derived staged state as a delta: the key of the full state it derives from plus
// the texts of every file changed since. Each commit below is analysed through the chain of deltas
// and compared with a fresh analysis of the same staged files that uses no cache at all; a delta
// without its full state (pruned, damaged) is no state.

const CONFIG: AnalysisConfig = {
  ...DEFAULT_ANALYSIS,
  pipelineFolders: ['src/pipeline'],
  clones: { minTokens: 30, minLines: 4, minSimilarity: 0.8 },
};
const norm = normalizeRows;
const helper = (i: number): string => `export function h${i}(x: number): number {\n  return x + ${i};\n}\n`;
const FILES: Record<string, string> = {
  'package.json': '{"name":"p"}',
  'src/pipeline/clean.ts': `import { clip } from '../lib/clip';\n${norm('clean')}export const c = clip;\n`,
  'src/pipeline/scale.ts': norm('scale'),
  'src/pipeline/index.ts': "export * from './clean';\nexport * from './scale';\n",
  'src/lib/clip.ts': 'export function clip(x: number): number {\n  return Math.min(1, Math.max(0, x));\n}\n',
  'test/clean.test.ts': "import { clean } from '../src/pipeline';\nit('clean', () => clean([[1]]));\n",
  'test/scale.test.ts': "import { scale } from '../src/pipeline';\nit('scale', () => scale([[1]]));\n",
};
// Enough helper modules for one commit to change more files than a delta holds.
for (let i = 0; i <= DELTA_FILES; i++) FILES[`src/lib/h${i}.ts`] = helper(i);

describe('staged states stored as deltas of a full state (hook fast path)', function () {
  this.timeout(120_000);
  const repos = committedRepos('mlp-delta-');
  after(repos.cleanup);
  const repo = (): { root: string; cache: DiskCache } => repos.make(FILES);
  /** The staged analysis against HEAD, checked against a fresh analysis of the staged files; then committed. */
  const since = (root: string, cache: DiskCache, commit = true): SinceResult => {
    const s = sinceFresh(root, CONFIG, cache);
    if (commit) git(root, 'commit', '-qm', 'change', '--no-verify');
    return s;
  };
  const entries = (cache: DiskCache, kind: 'states' | 'deltas'): string[] => {
    try {
      return fs.readdirSync(path.join(cache.dir, kind)).map((n) => path.join(cache.dir, kind, n));
    } catch {
      return [];
    }
  };
  const introduced = (s: SinceResult): string[] =>
    s.comparison.current.filter((f) => f.state === 'new').map((f) => `${f.finding.rule} ${f.finding.message}`);
  /** A first commit: HEAD analysed in full and stored in full, the staged state stored as its first delta. */
  const started = (): { root: string; cache: DiskCache } => {
    const r = repo();
    stage(r.root, 'src/lib/h0.ts', `// 0\n${helper(0)}`);
    assert.equal(since(r.root, r.cache).how, 'derived');
    assert.equal(entries(r.cache, 'states').length, 1);
    assert.equal(entries(r.cache, 'deltas').length, 1);
    return r;
  };

  it('one-file commits in a row, a file changed then changed back: each derived through the deltas, one full state', () => {
    assert.ok(DELTA_FILES >= 3, 'the chain below changes 3 files');
    const { root, cache } = started();
    const scale = FILES['src/pipeline/scale.ts'];
    // A new untested stage, duplicating another: found through the chain.
    stage(root, 'src/pipeline/scale.ts', `${scale}${norm('shift')}`);
    const shift = since(root, cache);
    assert.equal(shift.how, 'derived');
    assert.ok(
      introduced(shift).some((f) => /^untested-stage Stage 'shift'/.test(f)),
      introduced(shift).join('\n'),
    );
    // A test no longer reaches `clean` (relinked from a file the delta does not hold yet).
    stage(root, 'test/clean.test.ts', "import { scale } from '../src/pipeline';\nit('clean', () => scale([[2]]));\n");
    const untested = since(root, cache);
    assert.equal(untested.how, 'derived');
    assert.ok(introduced(untested).some((f) => /^untested-stage Stage 'clean'/.test(f)));
    // Back as it was (a text the delta holds, equal to the full state's), with another file changed.
    stage(root, 'src/pipeline/scale.ts', scale);
    stage(root, 'src/lib/h0.ts', `// 0 again\n${helper(0)}`);
    assert.equal(since(root, cache).how, 'derived');
    stage(root, 'test/clean.test.ts', FILES['test/clean.test.ts']);
    assert.equal(since(root, cache).how, 'derived');
    stage(root, 'src/lib/h0.ts', `// 0 once more\n${helper(0)}`);
    assert.equal(since(root, cache).how, 'derived');
    assert.equal(entries(cache, 'states').length, 1, 'no full state stored again');
    assert.equal(entries(cache, 'deltas').length, 6);
  });

  it(`a chain of more than ${DELTA_DEPTH} derivations is stored in full again, and derived from that`, () => {
    const { root, cache } = started();
    for (let i = 1; i <= DELTA_DEPTH + 1; i++) {
      stage(root, `src/lib/h${i % 3}.ts`, `// ${i}\n${helper(i % 3)}`);
      assert.equal(since(root, cache).how, 'derived', `commit ${i}`);
      // The first state, then the one stored in full when the chain reached the limit.
      assert.equal(entries(cache, 'states').length, i < DELTA_DEPTH ? 1 : 2, `commit ${i}`);
    }
    // Derived from the second full state: the first is no longer needed.
    fs.rmSync(entries(cache, 'states').sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs)[0]);
    stage(root, 'src/pipeline/scale.ts', `${FILES['src/pipeline/scale.ts']}${norm('shift')}`);
    assert.equal(since(root, cache).how, 'derived');
  });

  it(`a commit that changes more than ${DELTA_FILES} files since the full state is stored in full`, () => {
    const { root, cache } = started();
    for (let i = 1; i <= DELTA_FILES; i++) stage(root, `src/lib/h${i}.ts`, `// ${i}\n${helper(i)}`);
    assert.equal(since(root, cache).how, 'derived');
    assert.equal(entries(cache, 'states').length, 2);
    stage(root, 'src/lib/h1.ts', helper(1));
    assert.equal(since(root, cache).how, 'derived');
    assert.equal(entries(cache, 'states').length, 2);
  });

  /** HEAD's delta (the newest) and the full state it names. */
  const headDelta = (cache: DiskCache): { delta: string; base: string } => {
    const delta = entries(cache, 'deltas').sort((x, y) => fs.statSync(y).mtimeMs - fs.statSync(x).mtimeMs)[0];
    const raw = fs.readFileSync(delta, 'utf8');
    const { base } = JSON.parse(raw.slice(raw.indexOf('\n') + 1)) as { base: string };
    return { delta, base: path.join(cache.dir, 'states', `${base}.json`) };
  };
  for (const [what, damage] of [
    ['its full state pruned', (cache: DiskCache): void => fs.rmSync(headDelta(cache).base)],
    [
      'its full state damaged',
      (cache: DiskCache): void => {
        const { base } = headDelta(cache);
        fs.writeFileSync(base, fs.readFileSync(base).subarray(0, -9));
      },
    ],
    [
      'itself damaged',
      (cache: DiskCache): void => {
        const { delta } = headDelta(cache);
        const b = fs.readFileSync(delta);
        fs.writeFileSync(delta, Buffer.concat([b.subarray(0, -2), Buffer.from([b[b.length - 2] ^ 1]), b.subarray(-1)]));
      },
    ],
  ] as const) {
    it(`a delta with ${what} is no state (another full state at hand): HEAD is analysed in full once, then derived again`, () => {
      const { root, cache } = started();
      // A file added: analysed and stored in full, a second full state beside the first.
      stage(root, 'src/pipeline/shift.ts', norm('shift'));
      assert.equal(since(root, cache).how, 'full');
      stage(root, 'src/lib/h1.ts', `// 1\n${helper(1)}`);
      assert.equal(since(root, cache).how, 'derived');
      assert.equal(entries(cache, 'states').length, 2);
      damage(cache);
      stage(root, 'src/pipeline/scale.ts', `${FILES['src/pipeline/scale.ts']}${norm('shift2')}`);
      assert.equal(since(root, cache).how, 'base');
      stage(root, 'src/lib/h2.ts', `// 2\n${helper(2)}`);
      assert.equal(since(root, cache).how, 'derived');
    });
  }

  it('a commit that adds or removes a file after deltas is analysed in full, and the next one derived from it', () => {
    const { root, cache } = started();
    stage(root, 'src/lib/h1.ts', `// 1\n${helper(1)}`);
    assert.equal(since(root, cache).how, 'derived');
    stage(root, 'src/pipeline/shift.ts', norm('shift'));
    const added = since(root, cache);
    assert.equal(added.how, 'full');
    assert.ok(introduced(added).some((f) => /^untested-stage Stage 'shift'/.test(f)));
    stage(root, 'src/lib/h2.ts', `// 2\n${helper(2)}`);
    assert.equal(since(root, cache).how, 'derived');
    git(root, 'rm', '-q', 'test/scale.test.ts');
    const removed = since(root, cache);
    assert.equal(removed.how, 'full');
    assert.ok(introduced(removed).some((f) => /^untested-stage Stage 'scale'/.test(f)));
    stage(root, 'src/lib/h3.ts', `// 3\n${helper(3)}`);
    assert.equal(since(root, cache).how, 'derived');
  });
});
