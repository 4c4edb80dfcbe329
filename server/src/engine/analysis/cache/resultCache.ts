import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';
import { parse as parseJsonc } from 'jsonc-parser';
import type { AnalysisConfig } from '../../config/types';
import type { AnalysisResult } from '../types';
import { cacheKey, DiskCache, sha256 } from './diskCache';
import { FileCache } from './fileCache';

/** Whole results kept per cache folder: one per workspace state recently analysed is all a run needs. */
const RESULTS_KEPT = 16;

/**
 * Exactly these files (absolute path → a hash of the content that is known without reading it, such
 * as a git blob id), read only when the result is not in the cache.
 */
export interface HashedFiles {
  hashes: ReadonlyMap<string, string>;
  read: () => ReadonlyMap<string, string>;
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
 * analysis could read (every source file under the root, package.json and tsconfig files, the
 * tsconfig `extends` chain, the coverage files; or exactly the given files). Otherwise the analysis
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
  const manifest = (): string =>
    options.files
      ? hashedManifest(abs, config, options.files.hashes)
      : inputsManifest(abs, config, options.overrides, exclusive);
  const key = disk ? cacheKey('results', abs, JSON.stringify(config), String(exclusive), extra, manifest()) : undefined;
  if (disk && key) {
    const hit = disk.get('results', key, isAnalysisResult);
    if (hit) return { ...hit, fromCache: true };
  }
  // Loaded here, not at the top: a run answered from the cache never loads the compiler.
  const { Analyzer } = require('../analyzer') as typeof import('../analyzer');
  const overrides = options.files ? options.files.read() : options.overrides;
  const result = new Analyzer(abs, config, {
    overrides,
    exclusive,
    extraFiles: options.extraFiles,
    fileCache: disk ? new FileCache(disk) : undefined,
  }).analyzeAll();
  if (disk && key) {
    disk.set('results', key, result);
    disk.prune('results', RESULTS_KEPT);
  }
  return { ...result, fromCache: false };
}

const SOURCES = '**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}';

/** One line per input: root-relative path and a hash of its content (or that it is missing). */
function inputsManifest(
  root: string,
  config: AnalysisConfig,
  overrides: ReadonlyMap<string, string> | undefined,
  exclusive: boolean,
): string {
  const lines: string[] = [];
  const add = (file: string, text: string | undefined): void => {
    lines.push(`${path.relative(root, file)}\0${text === undefined ? '-' : sha256(text)}`);
  };
  const onDisk = exclusive
    ? []
    : fg
        .sync([SOURCES, '**/package.json', '**/[tj]sconfig*.json'], {
          cwd: root,
          absolute: true,
          dot: true,
          ignore: ['**/node_modules/**', '**/.git/**'],
          suppressErrors: true,
        })
        .map((f) => path.resolve(f));
  for (const f of new Set([...onDisk, ...(exclusive ? [] : tsconfigChain(root))]))
    if (!overrides?.has(f)) add(f, read(f));
  for (const [f, text] of overrides ?? []) add(path.resolve(root, f), text);
  for (const c of config.coverageFiles) add(path.resolve(root, c), read(path.resolve(root, c)));
  return lines.sort().join('\n');
}

/** The manifest of a file set whose content hashes are known (a namespace apart from text hashes). */
function hashedManifest(root: string, config: AnalysisConfig, hashes: ReadonlyMap<string, string>): string {
  const lines = [...hashes].map(([f, h]) => `${path.relative(root, path.resolve(root, f))}\0id:${h}`);
  for (const c of config.coverageFiles) {
    const text = read(path.resolve(root, c));
    lines.push(`${c}\0${text === undefined ? '-' : sha256(text)}`);
  }
  return lines.sort().join('\n');
}

/** Config files `tsconfig.json`'s `extends` names, followed outside the root too (relative or under node_modules). */
function tsconfigChain(root: string): string[] {
  const out: string[] = [];
  const visit = (file: string, depth: number): void => {
    const text = read(file);
    if (text === undefined || depth > 8 || out.includes(file)) return;
    out.push(file);
    const ext = (parseJsonc(text) as { extends?: unknown } | undefined)?.extends;
    for (const spec of Array.isArray(ext) ? ext : [ext]) {
      if (typeof spec !== 'string') continue;
      const base =
        spec.startsWith('.') || path.isAbsolute(spec)
          ? path.resolve(path.dirname(file), spec)
          : path.join(root, 'node_modules', spec);
      for (const candidate of [base, `${base}.json`, path.join(base, 'tsconfig.json')]) {
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
