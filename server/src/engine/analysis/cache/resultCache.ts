import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import type { AnalysisConfig } from '../../config/types';
import type { Analyzer } from '../analyzer';
import type { AnalysisResult } from '../types';
import { loadStored, saveDelta, saveState } from './analysisState';
import { cacheKey, DiskCache, sha256 } from './diskCache';
import { FileCache } from './fileCache';
import { isSourceFile } from '../paths';

/** Whole results kept per cache folder: one per workspace state recently analysed is all a run needs. */
const RESULTS_KEPT = 16;
/**
 * A derived state is stored in full again after this many derivations or changed files since the last
 * full one: each file a delta holds is analysed again by every load (measured on the 1,000-file bench
 * corpus with one-file commits to helpers: ~0.1 s CPU saved per delta stored, a replayed file costs
 * tens of ms; 2-3 files were best, 6 no better than a full state each time).
 */
export const DELTA_DEPTH = 8;
export const DELTA_FILES = 3;

/**
 * Exactly these files (absolute path → a hash of the content that is known without reading it, such
 * as a git blob id), read only when the result is not in the cache.
 */
export interface HashedFiles {
  hashes: ReadonlyMap<string, string>;
  /** The texts of all the files, or of `only` these. */
  read: (only?: ReadonlySet<string>) => ReadonlyMap<string, string>;
}

export interface CachedAnalyzeOptions {
  /** Text that wins over the disk, by absolute path (the git index, a revision). */
  overrides?: ReadonlyMap<string, string>;
  /** The complete file set, hashed (implies `exclusive`; replaces `overrides`). */
  files?: HashedFiles;
  /** When true, `overrides` is the complete file set. */
  exclusive?: boolean;
  /** The persistent cache; default: the workspace's (DiskCache.forWorkspace); false: none. */
  cache?: DiskCache | false;
  /** Files named on the command line (see AnalyzeOptions.extraFiles). */
  extraFiles?: readonly string[];
}

/**
 * The analysis of a workspace through the persistent cache. A whole result is reused when every input
 * is byte for byte the same as when it was computed: the config, and the content of every file the
 * analysis could read (every source file under the root, package.json and tsconfig files, source maps
 * (which map imports of build output to sources), the tsconfig `extends` chain, the coverage files; or
 * exactly the given files). Otherwise the analysis
 * runs, with each unchanged file's facts and tokens taken from the cache. The compiler is only loaded
 * when something has to be analysed.
 */
export function analyzeCached(
  root: string,
  config: AnalysisConfig,
  options: CachedAnalyzeOptions = {},
): AnalysisResult & { fromCache: boolean } {
  const abs = path.resolve(root);
  const disk = options.cache === false ? undefined : (options.cache ?? DiskCache.forWorkspace(abs));
  const exclusive = options.files !== undefined || (options.exclusive ?? false);
  const extra = (options.extraFiles ?? []).map((f) => `${f}\0${hashOf(read(f))}`).join('\n');
  // The texts the key was made from (and their hashes): the analysis reads these very texts instead of
  // reading the files again, and its entries' keys reuse the hashes.
  let keyedTexts: ReadonlyMap<string, KeyedText> | undefined;
  const manifest = (): string => {
    if (options.files) return hashedManifest(abs, config, options.files.hashes);
    const m = inputsManifest(abs, config, options.overrides, exclusive);
    keyedTexts = m.texts;
    return m.manifest;
  };
  const key = disk ? cacheKey('results', abs, JSON.stringify(config), String(exclusive), extra, manifest()) : undefined;
  if (disk && key) {
    const hit = disk.get('results', key, isAnalysisResult);
    if (hit) return { ...hit, fromCache: true };
  }
  // Loaded here, not at the top: a run answered from the cache never loads the compiler.
  const { Analyzer } = require('../analyzer') as typeof import('../analyzer');
  const overrides = options.files ? options.files.read() : options.overrides;
  const fileCache = disk ? new FileCache(disk, keyedTexts) : undefined;
  const analyzer = new Analyzer(abs, config, {
    overrides,
    exclusive,
    extraFiles: options.extraFiles,
    fileCache,
    read: keyedTexts,
  });
  const result = analyzer.analyzeAll();
  fileCache?.prune(); // a full analysis: it used every analysed file's entries
  // A file the analysis read that the key does not name (added between the manifest and the analysis)
  // was analysed in a version the key does not name: that result is returned, never stored, or a later
  // run with the key's texts would get it.
  const keyed = keyedTexts;
  const asKeyed =
    keyed === undefined ||
    result.analysedFiles.every((f) => {
      const t = keyed.get(f)?.text;
      const now = analyzer.text(f);
      return t !== undefined && (t === now || t === `\ufeff${now}`);
    });
  if (disk && key && asKeyed) {
    disk.set('results', key, result);
    disk.prune('results', RESULTS_KEPT);
  }
  return { ...result, fromCache: false };
}

const SOURCES = '**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}';

/**
 * One line per input: root-relative path and a hash of its content (or that it is missing); and the
 * texts read (with their hashes), by absolute path.
 */
function inputsManifest(
  root: string,
  config: AnalysisConfig,
  overrides: ReadonlyMap<string, string> | undefined,
  exclusive: boolean,
): { manifest: string; texts: Map<string, KeyedText> } {
  const lines: string[] = [];
  const texts = new Map<string, KeyedText>();
  const rel = relativeTo(root);
  const add = (file: string, content: string | Buffer | undefined): void => {
    const sum = content === undefined ? '-' : sha256(content);
    lines.push(`${rel(file)}\0${sum}`);
    if (content !== undefined) texts.set(file, keyedText(content, sum));
  };
  // Loaded here: a hashed run (the hook) lists no folder.
  const fg = exclusive ? undefined : (require('fast-glob') as typeof import('fast-glob'));
  const onDisk = !fg
    ? []
    : fg
        .sync([SOURCES, '**/package.json', '**/[tj]sconfig*.json', '**/*.map'], {
          cwd: root,
          absolute: true,
          dot: true,
          ignore: ['**/node_modules/**', '**/.git/**'],
          suppressErrors: true,
        })
        .map((f) => path.resolve(f));
  for (const f of new Set([...onDisk, ...(exclusive ? [] : tsconfigChain(root))]))
    if (!overrides?.has(f)) add(f, readBytes(f));
  for (const [f, text] of overrides ?? []) add(path.resolve(root, f), text);
  for (const c of config.coverageFiles) add(path.resolve(root, c), read(path.resolve(root, c)));
  return { manifest: [...lines.sort(), installStamp(root)].join('\n'), texts };
}

/** A file's content as the key hashed it, and its text, decoded when first asked for. */
interface KeyedText {
  readonly sum: string;
  readonly text: string;
}

/**
 * Bytes are hashed as they are and decoded only when asked for: most files the key lists besides the
 * sources (a package's bundles and their source maps, often tens of MB) are never read as text. The
 * sha256 of a file's bytes is that of its text whenever the file is valid UTF-8 (the text is what the
 * bytes decode to; for other files it names the bytes, which decode to one text only, so a key made
 * from it is still exact).
 */
function keyedText(content: string | Buffer, sum: string): KeyedText {
  if (typeof content === 'string') return { sum, text: content };
  let bytes: Buffer | undefined = content;
  let text: string | undefined;
  return {
    sum,
    get text(): string {
      if (text === undefined) {
        text = (bytes as Buffer).toString('utf8');
        bytes = undefined;
      }
      return text;
    },
  };
}

/** The manifest of a file set whose content hashes are known (a namespace apart from text hashes). */
function hashedManifest(root: string, config: AnalysisConfig, hashes: ReadonlyMap<string, string>): string {
  const rel = relativeTo(root);
  const lines = [...hashes].map(([f, h]) => `${rel(f)}\0id:${h}`);
  for (const c of config.coverageFiles) {
    const text = read(path.resolve(root, c));
    lines.push(`${c}\0${text === undefined ? '-' : sha256(text)}`);
  }
  return [...lines.sort(), installStamp(root)].join('\n');
}

/**
 * Paths relative to `root`: files under it (absolute and resolved, as listed) are cut, not resolved, as
 * path.relative costs a fresh process ~5-9 ms per 1,000 files.
 */
function relativeTo(root: string): (file: string) => string {
  const under = root + path.sep;
  return (f) => (f.startsWith(under) ? f.slice(under.length) : path.relative(root, path.resolve(root, f)));
}

/** Files package managers rewrite on every install, in a node_modules folder. */
const INSTALL_MARKERS = ['.package-lock.json', '.modules.yaml', '.yarn-state.yml', '.yarn-integrity'];

/**
 * What the installed packages are, as cheaply as the disk tells: the package managers' install markers
 * (size and time) in each node_modules folder at or above the root. Module resolution reads node_modules
 * (workspace packages are linked there), so an install must not reuse links made before it. (Not the
 * folder's own time: tools create and remove folders in it, such as this cache's.)
 */
function installStamp(root: string): string {
  const parts: string[] = [];
  for (let dir = root; ; dir = path.dirname(dir)) {
    for (const m of INSTALL_MARKERS) {
      const f = path.join(dir, 'node_modules', m);
      const s = fs.statSync(f, { throwIfNoEntry: false });
      if (s) parts.push(`${f}\0${s.size}\0${s.mtimeMs}`);
    }
    if (path.dirname(dir) === dir) break;
  }
  return `installed\0${parts.join('\0')}`;
}

/**
 * Config files `tsconfig.json`'s `extends` names, followed outside the root too (relative or under node_modules),
 * and the package.json of each package named (present or not): a package's config is found through its
 * `exports` or `tsconfig` field, and installing, removing or updating the package changes the key.
 */
function tsconfigChain(root: string): string[] {
  const out: string[] = [];
  const visit = (file: string, depth: number): void => {
    const text = read(file);
    if (text === undefined || depth > 8 || out.includes(file)) return;
    out.push(file);
    const ext = (parseJsonc(text) as { extends?: unknown } | undefined)?.extends;
    for (const spec of Array.isArray(ext) ? ext : [ext]) {
      if (typeof spec !== 'string') continue;
      let candidates: string[];
      if (spec.startsWith('.') || path.isAbsolute(spec)) {
        const base = path.resolve(path.dirname(file), spec);
        candidates = [base, `${base}.json`, path.join(base, 'tsconfig.json')];
      } else {
        const { pkg, sub } = packageSpec(spec);
        const manifest = path.join(root, 'node_modules', pkg, 'package.json');
        if (!out.includes(manifest)) out.push(manifest);
        const base = path.join(root, 'node_modules', spec);
        candidates = [...packageConfigs(manifest, sub), base, `${base}.json`, path.join(base, 'tsconfig.json')];
      }
      for (const candidate of candidates) {
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
          visit(candidate, depth + 1);
          break;
        }
      }
    }
  };
  visit(path.join(root, 'tsconfig.json'), 0);
  return out;
}

/** `@scope/name/sub/path` → the package (`@scope/name`) and the subpath (`./sub/path`, or `.`). */
function packageSpec(spec: string): { pkg: string; sub: string } {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  return { pkg: parts.slice(0, n).join('/'), sub: ['.', ...parts.slice(n)].join('/') };
}

/** The config files a package's package.json points `sub` at: its `exports` entry, or the `tsconfig` field. */
function packageConfigs(manifest: string, sub: string): string[] {
  const text = read(manifest);
  let json: unknown;
  try {
    json = text === undefined ? undefined : JSON.parse(text);
  } catch {
    return [];
  }
  if (!json || typeof json !== 'object') return [];
  const { exports, tsconfig } = json as { exports?: unknown; tsconfig?: unknown };
  const target = (v: unknown): string | undefined => {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object')
      for (const c of ['types', 'require', 'node', 'default', 'import']) {
        const t = target((v as Record<string, unknown>)[c]);
        if (t) return t;
      }
    return undefined;
  };
  const entries =
    exports && typeof exports === 'object' && Object.keys(exports).some((k) => k.startsWith('.'))
      ? (exports as Record<string, unknown>)[sub]
      : sub === '.'
        ? exports
        : undefined;
  const dir = path.dirname(manifest);
  return [target(entries), sub === '.' ? target(tsconfig) : undefined]
    .filter((t): t is string => t !== undefined)
    .map((t) => path.resolve(dir, t));
}

function hashOf(text: string | undefined): string {
  return text === undefined ? '-' : sha256(text);
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readBytes(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function isAnalysisResult(x: unknown): x is AnalysisResult {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return (
    Array.isArray(r.findings) &&
    Array.isArray(r.stages) &&
    typeof r.files === 'number' &&
    typeof r.durationMs === 'number' &&
    Array.isArray(r.notes) &&
    Array.isArray(r.analysedFiles) &&
    typeof r.leftOut === 'object' &&
    r.leftOut !== null
  );
}

/** A hashed analysis, and the analyzer that computed it when it was not a cache hit. */
export interface HashedAnalysis {
  result: AnalysisResult & { fromCache: boolean };
  analyzer?: Analyzer;
  /**
   * A cache hit's analyzer, restored from the state stored with the result (undefined when none was):
   * a commit attempted again asks what its stages depend on without analysing anything.
   */
  restore?: () => Analyzer | undefined;
  /**
   * How the result was obtained: a cached result; derived from the base's analyzer (in memory or its
   * stored state); derived from the base analysed in full here (its state was missing); a full analysis.
   */
  how: 'cached' | 'derived' | 'base' | 'full';
}

/**
 * The analysis of exactly `files` (see HashedFiles), through the persistent cache. With a `base` (a
 * state analysed before, such as HEAD for the staged files): when the base's analyzer is at hand (in
 * memory, or its stored state) and the commit only changes the content of some files, only those and
 * the files that depend on them are analysed again, with every other file's linking and clone pairs
 * reused. A file added or removed (module resolution may change everywhere) means a full analysis,
 * as does any damaged or missing state. `keepState` stores this analysis's state for a later run: when
 * derived, as a delta of the full state it derives from (the changed files' texts; see StateDelta).
 */
export function analyzeHashed(
  root: string,
  config: AnalysisConfig,
  files: HashedFiles,
  opts: { cache?: DiskCache | false; base?: { files: HashedFiles; analyzer?: Analyzer }; keepState?: boolean },
): HashedAnalysis {
  const abs = path.resolve(root);
  const disk = opts.cache === false ? undefined : (opts.cache ?? DiskCache.forWorkspace(abs));
  const key = (f: HashedFiles, kind: 'results' | 'states'): string => hashedKey(abs, config, f, kind);
  const resultKey = disk ? key(files, 'results') : '';
  if (disk) {
    const hit = disk.get('results', resultKey, isAnalysisResult);
    const stateKey = opts.keepState ? key(files, 'states') : undefined;
    if (hit)
      return {
        result: { ...hit, fromCache: true },
        how: 'cached',
        restore: stateKey === undefined ? undefined : () => restoreStored(abs, config, disk, stateKey),
      };
  }
  const { Analyzer: AnalyzerClass } = require('../analyzer') as typeof import('../analyzer');
  const fileCache = disk ? new FileCache(disk) : undefined;
  let analyzer: Analyzer | undefined;
  let result: AnalysisResult | undefined;
  const base = opts.base;
  const diff = base ? changedFiles(base.files.hashes, files.hashes) : undefined;
  let how: HashedAnalysis['how'] = 'full';
  // The full state this analysis is derived from, and every file changed since: stored as a delta of it.
  let chain: { base: string; depth: number; changes: Map<string, string> } | undefined;
  if (base && diff) {
    const baseKey = key(base.files, 'states');
    analyzer = base.analyzer;
    // An analyzer at hand was made by this run, which stored its state in full (keepState).
    if (analyzer) chain = { base: baseKey, depth: 0, changes: new Map() };
    else if (disk) {
      const stored = loadStored(disk, baseKey);
      if (stored) {
        analyzer = AnalyzerClass.restore(abs, config, stored.state, fileCache);
        chain = { base: stored.base, depth: stored.depth, changes: stored.changes };
      } else if (opts.keepState) {
        // The base's state is missing (pruned, or its result came from a run that kept none): analysed
        // once in full and stored, so the next attempts at this commit are derived from it.
        analyzer = new AnalyzerClass(abs, config, { overrides: base.files.read(), exclusive: true, fileCache });
        analyzer.analyzeAll();
        saveState(disk, baseKey, analyzer.toState());
        chain = { base: baseKey, depth: 0, changes: new Map() };
        how = 'base';
      }
    }
    if (analyzer && chain) {
      // A delta's files and this commit's in one pass (one relinking and one reachability for all).
      for (const [file, text] of files.read(diff)) chain.changes.set(file, text);
      result = analyzer.applyChanges(chain.changes, []);
    }
    if (how !== 'base' && result) how = 'derived';
  }
  if (!analyzer || !result) {
    chain = undefined;
    analyzer = new AnalyzerClass(abs, config, { overrides: files.read(), exclusive: true, fileCache });
    result = analyzer.analyzeAll();
    fileCache?.prune(); // a full analysis: it used every analysed file's entries
  }
  if (disk) {
    fileCache?.flush(); // the changed files' facts and tokens (after a full analysis, prune wrote them)
    disk.set('results', resultKey, result);
    disk.prune('results', RESULTS_KEPT);
    if (opts.keepState) {
      const stateKey = key(files, 'states');
      // A short chain is stored as a delta (the changed files' texts); a long one in full again, so a
      // load never redoes more than a bounded amount of work.
      if (chain && chain.base !== stateKey && chain.depth < DELTA_DEPTH && chain.changes.size <= DELTA_FILES)
        saveDelta(disk, stateKey, { base: chain.base, depth: chain.depth + 1, files: [...chain.changes] });
      else saveState(disk, stateKey, analyzer.toState());
    }
  }
  return { result: { ...result, fromCache: false }, analyzer, how };
}

/** The analyzer of a stored state (full, or a delta applied to its full state), if there is one. */
function restoreStored(root: string, config: AnalysisConfig, disk: DiskCache, key: string): Analyzer | undefined {
  const stored = loadStored(disk, key);
  if (!stored) return undefined;
  const { Analyzer: AnalyzerClass } = require('../analyzer') as typeof import('../analyzer');
  const analyzer = AnalyzerClass.restore(root, config, stored.state, new FileCache(disk));
  if (stored.changes.size > 0) analyzer.applyChanges(stored.changes, []);
  return analyzer;
}

const manifests = new WeakMap<HashedFiles, string>();

/** The cache key of an analysis of exactly `files` (the manifest is computed once per file set). */
function hashedKey(root: string, config: AnalysisConfig, files: HashedFiles, kind: 'results' | 'states'): string {
  let manifest = manifests.get(files);
  if (manifest === undefined) manifests.set(files, (manifest = hashedManifest(root, config, files.hashes)));
  return cacheKey(kind, root, JSON.stringify(config), 'true', '', manifest);
}

/**
 * Source files whose content differs between two file sets that list the same paths; undefined when the
 * paths differ or a project file (package.json, tsconfig.json) changed: what is build output, and which
 * source an import of it stands for, may then change anywhere.
 */
function changedFiles(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): Set<string> | undefined {
  if (before.size !== after.size) return undefined;
  const changed = new Set<string>();
  for (const [file, hash] of after) {
    const old = before.get(file);
    if (old === undefined) return undefined;
    if (old === hash) continue;
    if (!isSourceFile(file)) return undefined;
    changed.add(file);
  }
  return changed;
}
