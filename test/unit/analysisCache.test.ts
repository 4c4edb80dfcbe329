import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles, Analyzer, type AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { DiskCache } from '../../server/src/engine/analysis/cache/diskCache';
import { FileCache } from '../../server/src/engine/analysis/cache/fileCache';
import { analyzeCached } from '../../server/src/engine/analysis/cache/resultCache';
import { analyzeSince } from '../../server/src/engine/analysis/since';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../../server/src/engine/config/types';
import { git, write, writeWorkspace, normalizeRows } from '../support/tmp';

// The persistent cache: reused only for identical inputs; corrupt, torn or misplaced entries are
// recomputed, never trusted. Results are compared with an analysis that uses no cache at all.

const CONFIG: AnalysisConfig = { ...DEFAULT_ANALYSIS, clones: { minTokens: 30, minLines: 4, minSimilarity: 0.8 } };
const norm = normalizeRows;
const FILES = {
  'package.json': '{"name":"p"}',
  'src/pipeline/clean.ts': norm('clean'),
  'src/pipeline/scale.ts': norm('scale'),
  'src/util.js': 'function helper() { return 1; }\nmodule.exports = { helper };\n',
  'test/clean.test.ts': "import { clean } from '../src/pipeline/clean';\nit('x', () => clean([[1]]));\n",
};

const comparable = (r: AnalysisResult): string =>
  JSON.stringify({ findings: r.findings, stages: r.stages, files: r.files, notes: r.notes });

/** Every entry file of the cache, by kind. */
function entries(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(dir, f));
}

describe('persistent analysis cache', () => {
  const roots: string[] = [];
  const workspace = (): { root: string; cacheDir: string; cache: DiskCache } => {
    const root = writeWorkspace(FILES, 'mlp-cache-');
    roots.push(root);
    const cache = DiskCache.forWorkspace(root);
    assert.ok(cache);
    return { root, cacheDir: cache.dir, cache };
  };
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  it('lives in node_modules/.cache/ml-parity of the nearest package; a second run over unchanged files is answered from it', () => {
    const { root, cacheDir, cache } = workspace();
    assert.equal(cacheDir, path.join(root, 'node_modules', '.cache', 'ml-parity'));
    const first = analyzeCached(root, CONFIG, { cache });
    assert.equal(first.fromCache, false);
    assert.ok(entries(path.join(cacheDir, 'facts')).length >= 4 && entries(path.join(cacheDir, 'tokens')).length >= 3);
    const second = analyzeCached(root, CONFIG, { cache });
    assert.equal(second.fromCache, true);
    assert.equal(comparable(second), comparable(first));
    assert.equal(comparable(first), comparable(analyzeFiles(root, CONFIG)));
  });

  it('any change of an input (a source, tsconfig.json, the config, a coverage file) is a new analysis with the right result', () => {
    const { root, cache } = workspace();
    const base = analyzeCached(root, CONFIG, { cache });
    write(
      root,
      'src/pipeline/shift.ts',
      'export function shift(xs: number[]): number[] {\n  return xs.map((x) => x + 1);\n}\n',
    );
    const added = analyzeCached(root, CONFIG, { cache });
    assert.equal(added.fromCache, false);
    assert.ok(added.findings.some((f) => f.rule === 'untested-stage' && f.message.includes("'shift'")));
    assert.equal(comparable(added), comparable(analyzeFiles(root, CONFIG)));

    write(root, 'tsconfig.json', JSON.stringify({ include: ['src'] }));
    const withTsconfig = analyzeCached(root, CONFIG, { cache });
    assert.equal(withTsconfig.fromCache, false);
    assert.equal(comparable(withTsconfig), comparable(analyzeFiles(root, CONFIG)));

    const off = analyzeCached(root, { ...CONFIG, rules: { 'untested-stage': 'off' } }, { cache });
    assert.equal(off.fromCache, false);
    assert.ok(!off.findings.some((f) => f.rule === 'untested-stage'));

    write(root, 'coverage/lcov.info', 'TN:\nSF:src/pipeline/clean.ts\nDA:2,0\nend_of_record\n');
    assert.equal(analyzeCached(root, CONFIG, { cache }).fromCache, false);
    assert.notEqual(comparable(base), comparable(analyzeCached(root, CONFIG, { cache })));
  });

  it('a tsconfig.json extending a package found through its exports (ml-kmeans, @zakodium/tsconfig): installing or updating it is a new analysis', () => {
    const { root, cache } = workspace();
    write(root, 'tsconfig.json', JSON.stringify({ extends: '@acme/tsconfig', include: ['src'] }));
    const missing = analyzeCached(root, CONFIG, { cache });
    assert.ok(missing.findings.some((f) => f.rule === 'config-error' && f.message.includes("'@acme/tsconfig'")));
    // `npm install`: the config lives where the package's exports say, not at its root.
    write(
      root,
      'node_modules/@acme/tsconfig/package.json',
      '{"name":"@acme/tsconfig","version":"1.0.0","exports":{".":"./configs/base.json"}}',
    );
    write(root, 'node_modules/@acme/tsconfig/configs/base.json', '{"compilerOptions":{"strict":true}}');
    const installed = analyzeCached(root, CONFIG, { cache });
    assert.equal(installed.fromCache, false);
    assert.ok(!installed.findings.some((f) => f.rule === 'config-error'), JSON.stringify(installed.findings));
    assert.equal(comparable(installed), comparable(analyzeFiles(root, CONFIG)));
    // The base config changes in place (an update): a new key, not the old entry.
    write(root, 'node_modules/@acme/tsconfig/configs/base.json', '{"compilerOptions":{"strict":false}}');
    assert.equal(analyzeCached(root, CONFIG, { cache }).fromCache, false);
    assert.equal(analyzeCached(root, CONFIG, { cache }).fromCache, true);
  });

  it('corrupt, torn and misplaced entries are recomputed and rewritten, never used', () => {
    const { root, cacheDir, cache } = workspace();
    const truth = comparable(analyzeFiles(root, CONFIG));
    analyzeCached(root, CONFIG, { cache });
    const all = entries(cacheDir);
    assert.equal(all.length, 4 + 3 + 1, 'facts of 4 files, tokens of the 3 that are not tests, 1 result');
    const damage = [
      (t: string) => t.replace(/"untested-stage"/, '"duplicate-code"').replace(/"scale"/g, '"scal3"'), // payload changed, checksum not
      (t: string) => t.slice(0, Math.floor(t.length / 2)), // torn write
      () => '', // empty file
      (t: string) => `{"key":"x","sum":"y"}\n${t.slice(t.indexOf('\n') + 1)}`, // someone else's header
    ];
    all.forEach((f, i) => fs.writeFileSync(f, damage[i % damage.length](fs.readFileSync(f, 'utf8'))));
    const again = analyzeCached(root, CONFIG, { cache });
    assert.equal(again.fromCache, false);
    assert.equal(comparable(again), truth);
    // Rebuilt: the next run is answered from the cache again, and still right.
    const third = analyzeCached(root, CONFIG, { cache });
    assert.equal(third.fromCache, true);
    assert.equal(comparable(third), truth);
  });

  it('an entry valid for another input is not used for this one (stale facts under the current key)', () => {
    const { root, cacheDir } = workspace();
    const cache = new DiskCache(cacheDir);
    const files = new FileCache(cache);
    new Analyzer(root, CONFIG, { fileCache: files }).analyzeAll();
    const factsDir = path.join(cacheDir, 'facts');
    const before = new Set(entries(factsDir));
    // Edit scale.ts, then put its old (valid, checksummed) entry under the key of the new text.
    write(root, 'src/pipeline/scale.ts', `${norm('scale')}export function extra(): number {\n  return 2;\n}\n`);
    const second = new FileCache(cache);
    const result = new Analyzer(root, CONFIG, { fileCache: second }).analyzeAll();
    assert.deepEqual(
      second.stats,
      { hits: 3 + 2, misses: 2 },
      'one file re-extracted and re-tokenized, the rest from the cache',
    );
    const fresh = entries(factsDir).filter((f) => !before.has(f));
    assert.equal(fresh.length, 1);
    const old = [...before].find((f) => fs.readFileSync(f, 'utf8').includes('scale.ts'));
    assert.ok(old);
    fs.copyFileSync(old, fresh[0]);
    const third = new FileCache(cache);
    const again = new Analyzer(root, CONFIG, { fileCache: third }).analyzeAll();
    assert.equal(third.stats.misses, 1, 'the misplaced entry is refused');
    assert.equal(comparable(again), comparable(result));
    assert.ok(again.findings.some((f) => f.message.includes("'extra'")));
  });

  it("the hook's comparison finds HEAD's result left by the previous commit's run, and the right findings", () => {
    const { root, cache } = workspace();
    git(root, 'init', '-q');
    git(root, 'add', '.');
    git(root, 'commit', '-qm', 'init');
    write(root, 'src/pipeline/clean.ts', `// one\n${norm('clean')}`);
    git(root, 'add', '.');
    const first = analyzeSince({ root, config: CONFIG, rev: 'HEAD', staged: true, cache });
    assert.deepEqual([first.result.fromCache, first.baselineFromCache], [false, false]);
    git(root, 'commit', '-qm', 'one');
    write(
      root,
      'src/pipeline/shift.ts',
      'export function shift(xs: number[]): number[] {\n  return xs.map((x) => x + 1);\n}\n',
    );
    git(root, 'add', '.');
    const second = analyzeSince({ root, config: CONFIG, rev: 'HEAD', staged: true, cache });
    assert.deepEqual([second.result.fromCache, second.baselineFromCache], [false, true]);
    const fresh = analyzeSince({ root, config: CONFIG, rev: 'HEAD', staged: true, cache: false });
    assert.deepEqual(second.comparison, fresh.comparison);
    assert.deepEqual(
      second.comparison.current.filter((f) => f.state === 'new').map((f) => f.finding.message.slice(0, 14)),
      ["Stage 'shift' "],
    );
  });

  it('ML_PARITY_CACHE_DIR=off turns it off; a workspace without a package has none', () => {
    const bare = writeWorkspace({ 'src/a.ts': 'export const a = 1;\n' });
    roots.push(bare);
    const { root } = workspace();
    const saved = process.env.ML_PARITY_CACHE_DIR;
    try {
      process.env.ML_PARITY_CACHE_DIR = 'off';
      assert.equal(DiskCache.forWorkspace(root), undefined);
      delete process.env.ML_PARITY_CACHE_DIR;
      assert.equal(DiskCache.forWorkspace(bare), undefined);
    } finally {
      if (saved === undefined) delete process.env.ML_PARITY_CACHE_DIR;
      else process.env.ML_PARITY_CACHE_DIR = saved;
    }
  });

  it('prunes facts and tokens the last full analysis did not use, once over the limit', () => {
    const { root, cacheDir, cache } = workspace();
    const perFile = (): string[] => [
      ...entries(path.join(cacheDir, 'facts')),
      ...entries(path.join(cacheDir, 'tokens')),
    ];
    const run = (limit?: number): FileCache => {
      const fc = new FileCache(cache);
      new Analyzer(root, CONFIG, { fileCache: fc }).analyzeAll();
      if (limit !== undefined) fc.prune(limit);
      return fc;
    };
    run();
    const first = new Set(perFile());
    // Every source edited: the first version's entries are no longer used.
    for (const rel of Object.keys(FILES).filter((f) => /\.[jt]s$/.test(f)))
      write(root, rel, `${fs.readFileSync(path.join(root, rel), 'utf8')}// edited\n`);
    const second = run();
    const both = perFile();
    assert.equal(both.length, 2 * first.size);
    second.prune(both.length); // at the limit: nothing goes
    assert.equal(perFile().length, both.length);
    second.prune(first.size + 1); // over it: the entries this run did not use go, never the others
    const left = perFile();
    assert.equal(left.length, first.size);
    assert.ok(
      left.every((f) => !first.has(f)),
      'only the first version was pruned',
    );
    assert.equal(run().stats.misses, 0, 'what the last analysis used is still cached');
  });
});
