import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import nodeFs = require('node:fs');
import * as path from 'node:path';
import fc from 'fast-check';
import { analyzeFiles, Analyzer, type AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { codeStampOf, DiskCache, sha256 } from '../../server/src/engine/analysis/cache/diskCache';
import { FileCache } from '../../server/src/engine/analysis/cache/fileCache';
import { analyzeCached } from '../../server/src/engine/analysis/cache/resultCache';
import { analyzeSince } from '../../server/src/engine/analysis/since';
import { tokenize } from '../../server/src/engine/analysis/clones';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../../server/src/engine/config/types';
import { git, tempDir, write, writeWorkspace, normalizeRows } from '../support/tmp';

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

/** Every entry file of the cache of a kind stored one file per entry (results). */
function entries(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(dir, f));
}

/** The packs of per-file entries (see PackStore). */
function packs(cacheDir: string): string[] {
  const dir = path.join(cacheDir, 'packs');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((n) => path.join(dir, n)) : [];
}

/** How a fresh analysis through the file cache fares: entries read and computed. */
function fileCacheStats(root: string, cacheDir: string): { hits: number; misses: number } {
  const files = new FileCache(new DiskCache(cacheDir));
  new Analyzer(root, CONFIG, { fileCache: files }).analyzeAll();
  files.flush();
  return files.stats;
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

  /** Runs `fn` with the first read of `file` answered by `answer` (a text, or a throw); true if it was read. */
  const firstRead = <T>(file: string, answer: () => string, fn: () => T): { value: T; read: boolean } => {
    // The module object itself: compiled `import * as fs` reads its properties through getters.
    const real = nodeFs.readFileSync;
    let first = true;
    const patched = ((f: fs.PathOrFileDescriptor, options?: unknown) => {
      if (first && f === file) {
        first = false;
        const text = answer();
        return typeof options === 'string' || (options && typeof options === 'object') ? text : Buffer.from(text);
      }
      return (real as (f: fs.PathOrFileDescriptor, o?: unknown) => string | Buffer)(f, options);
    }) as typeof fs.readFileSync;
    nodeFs.readFileSync = patched;
    try {
      return { value: fn(), read: !first };
    } finally {
      nodeFs.readFileSync = real;
    }
  };

  it('analyses the very texts its key was made from, read once (a file saved mid-run)', () => {
    const { root, cache } = workspace();
    const scale = path.join(root, 'src/pipeline/scale.ts');
    const before = fs.readFileSync(scale, 'utf8');
    // Saved just after the key read it: the key names `before`, the disk now holds `after`, which has
    // no copy of clean (no duplicate finding). The analysis must be of `before`, the text the key names.
    const after = 'export function scale(x: number): number {\n  return x * 2;\n}\n';
    fs.writeFileSync(scale, after);
    const raced = firstRead(
      scale,
      () => before,
      () => analyzeCached(root, CONFIG, { cache }),
    );
    assert.ok(raced.read, 'the key read the file first');
    const asBefore = analyzeFiles(root, CONFIG, new Map([[scale, before]]));
    assert.equal(comparable(raced.value), comparable(asBefore));
    assert.notEqual(comparable(asBefore), comparable(analyzeFiles(root, CONFIG)));
    // Stored under the key it belongs to: back at `before`, answered from the cache with that result.
    fs.writeFileSync(scale, before);
    const again = analyzeCached(root, CONFIG, { cache });
    assert.equal(again.fromCache, true);
    assert.equal(comparable(again), comparable(asBefore));
    // And at `after`, analysed again.
    fs.writeFileSync(scale, after);
    const changed = analyzeCached(root, CONFIG, { cache });
    assert.equal(changed.fromCache, false);
    assert.equal(comparable(changed), comparable(analyzeFiles(root, CONFIG)));
  });

  it('a first run reads each source once (the key and the analysis share the texts)', () => {
    const { root, cache } = workspace();
    const reads = new Map<string, number>();
    const real = nodeFs.readFileSync;
    nodeFs.readFileSync = ((f: fs.PathOrFileDescriptor, options?: unknown) => {
      if (typeof f === 'string') reads.set(f, (reads.get(f) ?? 0) + 1);
      return (real as (f: fs.PathOrFileDescriptor, o?: unknown) => string | Buffer)(f, options);
    }) as typeof fs.readFileSync;
    let result: AnalysisResult;
    try {
      result = analyzeCached(root, CONFIG, { cache });
    } finally {
      nodeFs.readFileSync = real;
    }
    assert.equal(result.analysedFiles.length, 4);
    for (const f of result.analysedFiles) assert.equal(reads.get(f), 1, path.relative(root, f));
  });

  it('never stores a result under a key that does not name a text the analysis read (a file added mid-run)', () => {
    const { root, cache } = workspace();
    const scale = path.join(root, 'src/pipeline/scale.ts');
    // The key's read finds no file (not there yet); the analysis then reads it from the disk.
    const gone = (): string => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    const raced = firstRead(scale, gone, () => analyzeCached(root, CONFIG, { cache }));
    assert.ok(raced.read, 'the key read the file first');
    assert.equal(comparable(raced.value), comparable(analyzeFiles(root, CONFIG)));
    // Its key says the file is missing: had the result been stored, this run (the file present) would
    // still be a new analysis, but a later run without it would get a result that lists it.
    const without = firstRead(scale, gone, () => {
      const r = analyzeCached(root, CONFIG, { cache });
      return r.fromCache;
    });
    assert.equal(without.value, false);
  });

  it('lives in node_modules/.cache/ml-parity of the nearest package; a second run over unchanged files is answered from it', () => {
    const { root, cacheDir, cache } = workspace();
    assert.equal(cacheDir, path.join(root, 'node_modules', '.cache', 'ml-parity'));
    const first = analyzeCached(root, CONFIG, { cache });
    assert.equal(first.fromCache, false);
    assert.equal(packs(cacheDir).length, 1, 'the per-file entries of a run: one pack');
    assert.deepEqual(fileCacheStats(root, cacheDir), { hits: 4 + 3, misses: 0 }, 'facts of 4 files, tokens of 3');
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

  it('files are keyed by their bytes and analysed as their UTF-8 text: non-ASCII and invalid sources, a bundle and its map', () => {
    const { root, cache } = workspace();
    // A two-byte character before a stage on its line (columns count UTF-16 units), an invalid byte in a string.
    const shift = (bad: number): Buffer =>
      Buffer.concat([
        Buffer.from('const s = "caf'),
        Buffer.from([bad]),
        Buffer.from('";\n/* é */ export function shift(xs: number[]): number[] {\n  return xs.map((x) => x + 1);\n}\n'),
      ]);
    fs.writeFileSync(path.join(root, 'src/pipeline/shift.ts'), shift(0xe9));
    write(root, 'dist/index.js', 'module.exports = require("./bundle");\n');
    write(root, 'dist/index.js.map', '{"version":3,"sources":["../src/pipeline/clean.ts"],"mappings":""}');
    const first = analyzeCached(root, CONFIG, { cache });
    assert.equal(first.fromCache, false);
    assert.equal(comparable(first), comparable(analyzeFiles(root, CONFIG)));
    assert.ok(first.findings.some((f) => f.message.includes("'shift'") && f.range.start.character === 24));
    assert.equal(analyzeCached(root, CONFIG, { cache }).fromCache, true);
    // Another invalid byte decodes to the same text, but the bytes differ: a new key, the same result.
    fs.writeFileSync(path.join(root, 'src/pipeline/shift.ts'), shift(0xe8));
    const other = analyzeCached(root, CONFIG, { cache });
    assert.equal(other.fromCache, false);
    assert.equal(comparable(other), comparable(first));
    fs.appendFileSync(path.join(root, 'dist/index.js.map'), ' ');
    assert.equal(analyzeCached(root, CONFIG, { cache }).fromCache, false);
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

  it('corrupt, torn and foreign entries are recomputed and rewritten, never used', () => {
    // A facts entry changed without its checksum would name the stage "scal3"; the others damage the pack.
    const damages: [string, (b: Buffer) => Buffer][] = [
      [
        'payload changed, checksum not',
        (b) => Buffer.from(b.toString('latin1').replace(/"scale"/g, '"scal3"'), 'latin1'),
      ],
      ['torn write', (b) => b.subarray(0, Math.floor(b.length / 2))],
      ['empty file', () => Buffer.alloc(0)],
      ['another layout', (b) => Buffer.concat([Buffer.from('MLPPACK0'), b.subarray(8)])],
    ];
    for (const [what, damage] of damages) {
      const { root, cacheDir, cache } = workspace();
      const truth = comparable(analyzeFiles(root, CONFIG));
      analyzeCached(root, CONFIG, { cache });
      const [result] = entries(path.join(cacheDir, 'results'));
      const [pack] = packs(cacheDir);
      fs.writeFileSync(result, fs.readFileSync(result, 'utf8').replace(/"untested-stage"/, '"duplicate-code"'));
      const bytes = fs.readFileSync(pack);
      const damaged = damage(bytes);
      assert.ok(!damaged.equals(bytes), what);
      fs.writeFileSync(pack, damaged);
      const again = analyzeCached(root, CONFIG, { cache: new DiskCache(cacheDir) });
      assert.equal(again.fromCache, false, what);
      assert.equal(comparable(again), truth, what);
      // Rebuilt: the next run is answered from the cache again, and still right.
      const third = analyzeCached(root, CONFIG, { cache: new DiskCache(cacheDir) });
      assert.equal(third.fromCache, true, what);
      assert.equal(comparable(third), truth, what);
      assert.equal(fileCacheStats(root, cacheDir).misses, 0, `${what}: the entries were stored again`);
    }
  });

  it('a folder where an entry should be is a miss, never a crash', () => {
    const { root, cacheDir, cache } = workspace();
    const truth = comparable(analyzeCached(root, CONFIG, { cache }));
    const [result] = entries(path.join(cacheDir, 'results'));
    fs.rmSync(result);
    write(path.dirname(result), `${path.basename(result)}/inside`, 'x');
    const again = analyzeCached(root, CONFIG, { cache: new DiskCache(cacheDir) });
    assert.equal(again.fromCache, false);
    assert.equal(comparable(again), truth);
  });

  it('an entry for another text of the file is not used for this one; a copied pack is harmless', () => {
    const { root, cacheDir } = workspace();
    assert.deepEqual(fileCacheStats(root, cacheDir), { hits: 0, misses: 4 + 3 });
    const [pack] = packs(cacheDir);
    fs.copyFileSync(pack, pack.replace(/\.pack$/, '-copy.pack'));
    write(root, 'src/pipeline/scale.ts', `${norm('scale')}export function extra(): number {\n  return 2;\n}\n`);
    const second = new FileCache(new DiskCache(cacheDir));
    const result = new Analyzer(root, CONFIG, { fileCache: second }).analyzeAll();
    assert.deepEqual(
      second.stats,
      { hits: 3 + 2, misses: 2 },
      'one file re-extracted and re-tokenized, the rest from the cache',
    );
    assert.equal(comparable(result), comparable(analyzeFiles(root, CONFIG)));
    assert.ok(result.findings.some((f) => f.message.includes("'extra'")));
  });

  it('a hash known for another text of the file is not used for this one', () => {
    const { root, cacheDir } = workspace();
    const file = path.join(root, 'src/pipeline/scale.ts');
    const before = fs.readFileSync(file, 'utf8');
    fileCacheStats(root, cacheDir);
    const after = `${norm('scale')}export function extra(): number {\n  return 2;\n}\n`;
    write(root, 'src/pipeline/scale.ts', after);
    // Told the old text's hash (as a manifest read before a save would), asked for the new text.
    const known = new Map([[file, { text: before, sum: sha256(before) }]]);
    const second = new FileCache(new DiskCache(cacheDir), known);
    const result = new Analyzer(root, CONFIG, { fileCache: second }).analyzeAll();
    assert.deepEqual(second.stats, { hits: 3 + 2, misses: 2 });
    assert.equal(comparable(result), comparable(analyzeFiles(root, CONFIG)));
  });

  it("tokens read from the cache are tokenize's, lines included (recomputed from the text), for any text", () => {
    const { root, cacheDir } = workspace();
    const file = path.join(root, 'src/gen.ts');
    // Pieces that move lines: every kind of line break, tokens spanning lines, trivia, masked imports,
    // ignore markers, a BOM-less text starting with a break.
    const piece = fc.constantFrom(
      'x',
      ' ',
      '\n',
      '\r\n',
      '\r',
      '\u2028',
      'foo(bar, 1.5);',
      '"str\\\ning"',
      '`tpl\n${a +\r\n b}\n`',
      '/* c\n c */',
      '// line\n',
      "import { a } from './a';\n",
      'export * from "./b";',
      '// ml-parity-ignore\n',
      '{',
      '}',
      '=>',
      'const y = [1, 2];',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        const text = pieces.join('');
        const first = new FileCache(new DiskCache(cacheDir));
        const computed = first.tokens(file, text, () => tokenize(file, text));
        first.flush();
        const second = new FileCache(new DiskCache(cacheDir));
        const stored = second.tokens(file, text, () => assert.fail('not read from the cache'));
        assert.deepEqual(second.stats, { hits: 1, misses: 0 });
        assert.deepEqual({ ...stored }, { ...computed });
      }),
      { numRuns: 150 },
    );
  });

  it("another version's line facts are read from the cache without parsing (what the hook maps HEAD's lines with)", () => {
    const { root, cacheDir } = workspace();
    const file = path.join(root, 'src/pipeline/scale.ts');
    const before = fs.readFileSync(file, 'utf8');
    const cached = new FileCache(new DiskCache(cacheDir));
    const first = new Analyzer(root, CONFIG, { fileCache: cached });
    first.analyzeAll();
    const expected = first.lineFacts(file, before);
    assert.ok(expected);
    cached.flush();
    write(root, 'src/pipeline/scale.ts', `${before}export const extra = 2;\n`);
    const second = new Analyzer(root, CONFIG, { fileCache: new FileCache(new DiskCache(cacheDir)) });
    second.analyzeAll();
    assert.deepEqual(second.lineFacts(file, before), expected);
    const none = new Analyzer(root, CONFIG);
    none.analyzeAll();
    assert.equal(none.lineFacts(file, before), undefined, 'without the cache it is not known');
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
    const { root, cacheDir } = workspace();
    const stored = (): Set<string> => new DiskCache(cacheDir).packs.keys();
    const run = (): FileCache => {
      const fc = new FileCache(new DiskCache(cacheDir));
      new Analyzer(root, CONFIG, { fileCache: fc }).analyzeAll();
      fc.flush();
      return fc;
    };
    run();
    const first = stored();
    assert.equal(first.size, 4 + 3);
    // Every source edited: the first version's entries are no longer used.
    for (const rel of Object.keys(FILES).filter((f) => /\.[jt]s$/.test(f)))
      write(root, rel, `${fs.readFileSync(path.join(root, rel), 'utf8')}// edited\n`);
    const second = run();
    assert.equal(stored().size, 2 * first.size);
    // The per-file folders of versions before packs go with the first prune.
    write(cacheDir, 'facts/ab/old.json', '{}');
    second.prune(2 * first.size); // at the limit: nothing goes
    assert.equal(stored().size, 2 * first.size);
    assert.equal(fs.existsSync(path.join(cacheDir, 'facts')), false);
    second.prune(first.size + 1); // over it: the entries this run did not use go, never the others
    const left = stored();
    assert.equal(left.size, first.size);
    assert.ok(
      [...left].every((k) => !first.has(k)),
      'only the first version was pruned',
    );
    assert.equal(packs(cacheDir).length, 1);
    assert.equal(run().stats.misses, 0, 'what the last analysis used is still cached');
  });
});

describe('cache keys name the build of the analysis code', () => {
  const later = (file: string): void => {
    const t = fs.statSync(file).mtime;
    fs.utimesSync(file, t, new Date(t.getTime() + 5000));
  };

  it('compiled by tsc into out/: a new build-info file is a new stamp, and without one every compiled file counts', () => {
    const out = path.join(tempDir('mlp-stamp-'), 'out');
    const cacheDir = path.dirname(write(out, 'server/src/engine/analysis/cache/diskCache.js', '//'));
    const module = write(out, 'server/src/engine/analysis/link.js', '//');
    const info = write(out, '.tsbuildinfo', '{}');
    const first = codeStampOf(cacheDir);
    later(module);
    assert.equal(codeStampOf(cacheDir), first, 'the build-info file stands for the build');
    later(info);
    const rebuilt = codeStampOf(cacheDir);
    assert.notEqual(rebuilt, first, 'a build rewrites the build-info file');
    fs.rmSync(info);
    const walked = codeStampOf(cacheDir);
    assert.notEqual(walked, rebuilt);
    later(module);
    assert.notEqual(codeStampOf(cacheDir), walked, 'without build info, a changed module is a new stamp');
  });

  it('bundled: a changed bundle beside it is a new stamp (a build-info file elsewhere does not count)', () => {
    const dist = path.join(tempDir('mlp-stamp-'), 'dist');
    const bundle = write(dist, 'cliMain.js', '//');
    write(path.dirname(dist), 'out/.tsbuildinfo', '{}');
    const first = codeStampOf(dist);
    later(bundle);
    assert.notEqual(codeStampOf(dist), first);
  });
});
