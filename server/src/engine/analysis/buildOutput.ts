import * as path from 'node:path';
import type { ts } from './typescript';
import { isInside, relPath } from './paths';
import type { ProjectFiles } from './projectFiles';

/** Folders that only ever hold build output. */
const BUILD_FOLDERS = new Set(['dist', 'build', 'out']);
/** Folders that hold build output when a `src` folder sits beside them (else they are often the sources). */
const BUILD_FOLDERS_BESIDE_SRC = new Set([
  'lib',
  'lib-esm',
  'lib-cjs',
  'es',
  'esm',
  'cjs',
  'umd',
  'commonjs',
  'module',
  'modules',
]);
/** package.json fields naming the built entry points. */
const ENTRY_FIELDS = ['main', 'module', 'browser', 'exports', 'unpkg', 'jsdelivr', 'es2015', 'esnext'];

/**
 * Tells build output from sources: files under build folders (`dist/`, and `lib/`, `es/`, `umd/`…
 * beside a `src/`), the tsconfig's `outDir`, the files package.json's entry fields name when the
 * package has a `src/` folder, a `.js` emitted next to its `.ts`, and (from the text) files with a
 * `sourceMappingURL` comment or minified code. What it says is a reason for a note, not a finding.
 */
export class BuildOutput {
  private readonly entries = new Map<string, Set<string>>();
  private readonly packages = new Map<string, string | undefined>();
  /** tsconfig.json's outDir and declarationDir, absolute. */
  readonly outDirs: string[];
  /** tsconfig.json's rootDir, absolute: what its outDir mirrors. */
  readonly rootDir: string | undefined;
  private readonly packageJsons = new Map<string, Record<string, unknown> | undefined>();

  constructor(
    private readonly root: string,
    options: ts.CompilerOptions,
    readonly project: ProjectFiles,
  ) {
    this.outDirs = [options.outDir, options.declarationDir]
      .filter((d): d is string => typeof d === 'string')
      .map((d) => path.resolve(root, d));
    this.rootDir = options.rootDir !== undefined ? path.resolve(root, options.rootDir) : undefined;
  }

  /** Why the path says `file` is build output, or undefined. */
  byPath(file: string): string | undefined {
    return this.where(file)?.why;
  }

  /**
   * Why the path says `file` is build output, and the build folder it lies in (a build folder or the
   * outDir; none for an entry point or a file emitted beside its source), or undefined.
   */
  where(file: string): { why: string; folder?: string; outDir?: boolean } | undefined {
    const segments = relPath(this.root, file).split('/');
    for (let i = 0; i < segments.length - 1; i++) {
      const seg = segments[i];
      const folder = path.join(this.root, ...segments.slice(0, i + 1));
      if (BUILD_FOLDERS.has(seg)) return { why: `under ${segments.slice(0, i + 1).join('/')}/`, folder };
      if (BUILD_FOLDERS_BESIDE_SRC.has(seg) && this.project.isDir(path.join(path.dirname(folder), 'src')))
        return { why: `under ${segments.slice(0, i + 1).join('/')}/ beside src/`, folder };
    }
    for (const d of this.outDirs)
      if (d !== this.root && isInside(d, file))
        return { why: `under tsconfig.json's outDir ${relPath(this.root, d)}/`, folder: d, outDir: true };
    const pkg = segments.includes('src') ? undefined : this.packageOf(path.dirname(file));
    if (pkg && this.project.isDir(path.join(pkg, 'src')) && this.entryFiles(pkg).has(file))
      return { why: `named by ${relPath(this.root, path.join(pkg, 'package.json'))} as an entry point` };
    const ts = file.replace(/\.[mc]?jsx?$/, '');
    if (ts !== file && ['.ts', '.tsx', '.mts', '.cts'].some((e) => this.project.exists(ts + e)))
      return { why: 'emitted beside its TypeScript source' };
    return undefined;
  }

  /** Why the text says it is build output, or undefined. */
  static byContent(text: string): string | undefined {
    if (/\/\/[#@] sourceMappingURL=\S+\s*$/.test(text.slice(-600))) return 'has a sourceMappingURL comment';
    if (isMinified(text)) return 'minified';
    // A bundle copied where no rule above sees it (docs/cdn/1.2.0/lib.js): its bootstrap gives it away.
    const bundler = bundlerOf(text);
    if (bundler) return `${bundler} bundle`;
    return undefined;
  }

  /** The folder of the nearest package.json at or above `dir`, within the root. */
  packageOf(dir: string): string | undefined {
    if (this.packages.has(dir)) return this.packages.get(dir);
    let pkg: string | undefined;
    if (this.project.exists(path.join(dir, 'package.json'))) pkg = dir;
    else if (dir !== this.root && isInside(this.root, dir)) pkg = this.packageOf(path.dirname(dir));
    this.packages.set(dir, pkg);
    return pkg;
  }

  private entryFiles(pkg: string): Set<string> {
    let files = this.entries.get(pkg);
    if (files) return files;
    files = new Set();
    this.entries.set(pkg, files);
    const json = this.packageJson(pkg);
    const add = (v: unknown): void => {
      if (typeof v === 'string') files?.add(resolveEntry(pkg, v));
      else if (Array.isArray(v)) v.forEach(add);
      else if (v && typeof v === 'object') Object.values(v).forEach(add);
    };
    if (json) for (const field of ENTRY_FIELDS) add(json[field]);
    return files;
  }

  /** The package.json of the folder `pkg`, parsed, or undefined when it is missing or not an object. */
  packageJson(pkg: string): Record<string, unknown> | undefined {
    if (this.packageJsons.has(pkg)) return this.packageJsons.get(pkg);
    const text = this.project.read(path.join(pkg, 'package.json'));
    let out: Record<string, unknown> | undefined;
    try {
      const json: unknown = text === undefined ? undefined : JSON.parse(text);
      if (json && typeof json === 'object' && !Array.isArray(json)) out = json as Record<string, unknown>;
    } catch {
      out = undefined;
    }
    this.packageJsons.set(pkg, out);
    return out;
  }
}

/**
 * The bundler whose runtime opens `text`, or undefined. Only the first 4 KB are read, and the first 4 KB after
 * a leading licence banner (licensify lists every bundled module there, often more than 4 KB): a bundle's
 * runtime or wrapper comes first. Only the bootstrap's shape counts: code that defines the runtime, never a
 * mere mention of `__webpack_require__` in source.
 */
function bundlerOf(text: string): string | undefined {
  const start = text.slice(0, 4096);
  const rest = afterBanner(text);
  return bundlerOfHead(start) ?? (rest.length < text.length ? bundlerOfHead(rest.slice(0, 4096)) : undefined);
}

function bundlerOfHead(head: string): string | undefined {
  // webpack 4/5: the `/******/` runtime banner, a runtime definition, or its UMD wrapper.
  if (/^(?:return )?\/\*{6}\/ .*\/\/ webpackBootstrap\s*$/m.test(head)) return 'webpack';
  if (/^\/\*{6}\/\s+(?:function __webpack_require__\(|var __webpack_modules__ = )/m.test(head)) return 'webpack';
  if (/^\(function webpackUniversalModuleDefinition\(root, factory\) \{$/m.test(head)) return 'webpack';
  // rollup's (and microbundle's) UMD wrapper: the factory is called at once with exports or a global.
  if (
    /^\(function \(global, factory\) \{\s*\n\s*typeof exports === 'object' && typeof module !== 'undefined' \? (?:module\.exports = )?factory\(/m.test(
      head,
    )
  )
    return 'rollup';
  // browserify's prelude, as its packer writes it (unminified and minified forms), at the start of a line or,
  // with `--standalone`, inside the UMD wrapper it puts first: `…})(function(){var define,module,exports;return (function(){function r(e,n,t){…`.
  const browserify =
    /(?:^|return )\(function(?: e\(t,n,r\)\{function s\(o,u\)|\(\)\{function r\(e,n,t\)\{function o\(i,f\))\{if\(!n\[[oi]\]\)/m;
  if (browserify.test(head)) return 'browserify';
  return undefined;
}

/** `text` without the comments (and blank space) it opens with, looked for in its first 64 KB. */
function afterBanner(text: string): string {
  const banner = /^(?:\s*(?:\/\/[^\n]*|\/\*[\s\S]*?\*\/))*\s*/.exec(text.slice(0, 65536));
  return banner ? text.slice(banner[0].length) : text;
}

export function resolveEntry(pkg: string, entry: string): string {
  const abs = path.resolve(pkg, entry);
  return /\.[mc]?[jt]sx?$/.test(abs) ? abs : `${abs}.js`;
}

/**
 * Long lines with hardly a space: what minifiers produce. Hand-written files with long lines are data
 * tables, which keep a space after each comma.
 */
function isMinified(text: string): boolean {
  if (text.length < 2000) return false;
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  if (text.length / lines < 300) return false;
  let spaces = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) spaces++;
  return spaces / text.length < 0.05;
}
