import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ts } from './typescript';
import { isInside, relPath } from './paths';

/** Folders that only ever hold build output. */
const BUILD_FOLDERS = new Set(['dist', 'build', 'out']);
/** Folders that hold build output when a `src` folder sits beside them (else they are often the sources). */
const BUILD_FOLDERS_BESIDE_SRC = new Set(['lib', 'lib-esm', 'lib-cjs', 'es', 'esm', 'cjs', 'umd', 'commonjs', 'module', 'modules']);
/** package.json fields naming the built entry points. */
const ENTRY_FIELDS = ['main', 'module', 'browser', 'exports', 'unpkg', 'jsdelivr', 'es2015', 'esnext'];

/**
 * Tells build output from sources: files under build folders (`dist/`, and `lib/`, `es/`, `umd/`…
 * beside a `src/`), the tsconfig's `outDir`, the files package.json's entry fields name when the
 * package has a `src/` folder, a `.js` emitted next to its `.ts`, and (from the text) files with a
 * `sourceMappingURL` comment or minified code. What it says is a reason for a note, not a finding.
 */
export class BuildOutput {
  private readonly dirCache = new Map<string, boolean>();
  private readonly entries = new Map<string, Set<string>>();
  private readonly packages = new Map<string, string | undefined>();
  private readonly outDirs: string[];

  constructor(
    private readonly root: string,
    options: ts.CompilerOptions,
  ) {
    this.outDirs = [options.outDir, options.declarationDir].filter((d): d is string => typeof d === 'string').map((d) => path.resolve(root, d));
  }

  /** Why the path says `file` is build output, or undefined. */
  byPath(file: string): string | undefined {
    const segments = relPath(this.root, file).split('/');
    for (let i = 0; i < segments.length - 1; i++) {
      const seg = segments[i];
      if (BUILD_FOLDERS.has(seg)) return `under ${segments.slice(0, i + 1).join('/')}/`;
      if (BUILD_FOLDERS_BESIDE_SRC.has(seg) && this.isDir(path.join(this.root, ...segments.slice(0, i), 'src'))) return `under ${segments.slice(0, i + 1).join('/')}/ beside src/`;
    }
    for (const d of this.outDirs) if (d !== this.root && isInside(d, file)) return `under tsconfig.json's outDir ${relPath(this.root, d)}/`;
    const pkg = segments.includes('src') ? undefined : this.packageOf(path.dirname(file));
    if (pkg && this.isDir(path.join(pkg, 'src')) && this.entryFiles(pkg).has(file)) return `named by ${relPath(this.root, path.join(pkg, 'package.json'))} as an entry point`;
    const ts = file.replace(/\.[mc]?jsx?$/, '');
    if (ts !== file && ['.ts', '.tsx', '.mts', '.cts'].some((e) => fs.existsSync(ts + e))) return 'emitted beside its TypeScript source';
    return undefined;
  }

  /** Why the text says it is build output, or undefined. */
  static byContent(text: string): string | undefined {
    if (/\/\/[#@] sourceMappingURL=\S+\s*$/.test(text.slice(-600))) return 'has a sourceMappingURL comment';
    if (isMinified(text)) return 'minified';
    return undefined;
  }

  private isDir(dir: string): boolean {
    let known = this.dirCache.get(dir);
    if (known === undefined) {
      try {
        known = fs.statSync(dir).isDirectory();
      } catch {
        known = false;
      }
      this.dirCache.set(dir, known);
    }
    return known;
  }

  /** The folder of the nearest package.json at or above `dir`, within the root. */
  private packageOf(dir: string): string | undefined {
    if (this.packages.has(dir)) return this.packages.get(dir);
    let pkg: string | undefined;
    if (fs.existsSync(path.join(dir, 'package.json'))) pkg = dir;
    else if (dir !== this.root && isInside(this.root, dir)) pkg = this.packageOf(path.dirname(dir));
    this.packages.set(dir, pkg);
    return pkg;
  }

  private entryFiles(pkg: string): Set<string> {
    let files = this.entries.get(pkg);
    if (files) return files;
    files = new Set();
    this.entries.set(pkg, files);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
    } catch {
      return files;
    }
    const add = (v: unknown): void => {
      if (typeof v === 'string') files?.add(resolveEntry(pkg, v));
      else if (Array.isArray(v)) v.forEach(add);
      else if (v && typeof v === 'object') Object.values(v).forEach(add);
    };
    if (json && typeof json === 'object') for (const field of ENTRY_FIELDS) add((json as Record<string, unknown>)[field]);
    return files;
  }
}

function resolveEntry(pkg: string, entry: string): string {
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
