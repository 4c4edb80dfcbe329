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

export interface CachedAnalyzeOptions {
  /** Text that wins over the disk, by absolute path (the git index, a revision). */
  overrides?: ReadonlyMap<string, string>;
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
export function analyzeCached(root: string, config: AnalysisConfig, options: CachedAnalyzeOptions = {}): AnalysisResult & { fromCache: boolean } {
  const abs = path.resolve(root);
  const disk = options.cache === false ? undefined : (options.cache ?? DiskCache.forWorkspace(abs));
  const exclusive = options.exclusive ?? false;
  const key = disk ? cacheKey('results', abs, JSON.stringify(config), String(exclusive), JSON.stringify(options.extraFiles ?? []), inputsManifest(abs, config, options.overrides, exclusive)) : undefined;
  if (disk && key) {
    const hit = disk.get('results', key, isAnalysisResult);
    if (hit) return { ...hit, fromCache: true };
  }
  // Loaded here, not at the top: a run answered from the cache never loads the compiler.
  const { Analyzer } = require('../analyzer') as typeof import('../analyzer');
  const result = new Analyzer(abs, config, { overrides: options.overrides, exclusive, extraFiles: options.extraFiles, fileCache: disk ? new FileCache(disk) : undefined }).analyzeAll();
  if (disk && key) {
    disk.set('results', key, result);
    disk.prune('results', RESULTS_KEPT);
  }
  return { ...result, fromCache: false };
}

const SOURCES = '**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}';

/** One line per input: root-relative path and a hash of its content (or that it is missing). */
export function inputsManifest(root: string, config: AnalysisConfig, overrides: ReadonlyMap<string, string> | undefined, exclusive: boolean): string {
  const lines: string[] = [];
  const add = (file: string, text: string | undefined): void => {
    lines.push(`${path.relative(root, file)}\0${text === undefined ? '-' : sha256(text)}`);
  };
  const onDisk = exclusive
    ? []
    : fg.sync([SOURCES, '**/package.json', '**/[tj]sconfig*.json'], { cwd: root, absolute: true, dot: true, ignore: ['**/node_modules/**', '**/.git/**'], suppressErrors: true }).map((f) => path.resolve(f));
  for (const f of new Set([...onDisk, ...(exclusive ? [] : tsconfigChain(root))])) if (!overrides?.has(f)) add(f, read(f));
  for (const [f, text] of overrides ?? []) add(path.resolve(root, f), text);
  for (const c of config.coverageFiles) add(path.resolve(root, c), read(path.resolve(root, c)));
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
      const base = spec.startsWith('.') || path.isAbsolute(spec) ? path.resolve(path.dirname(file), spec) : path.join(root, 'node_modules', spec);
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
  return Array.isArray(r.findings) && Array.isArray(r.stages) && typeof r.files === 'number' && typeof r.durationMs === 'number' && Array.isArray(r.notes) && Array.isArray(r.analysedFiles) && typeof r.leftOut === 'object' && r.leftOut !== null;
}
