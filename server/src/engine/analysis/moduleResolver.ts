import * as fs from 'node:fs';
import * as path from 'node:path';
import { compiler } from './compiler';
import type { ts } from './typescript';

/**
 * Module resolution for the analysed files: the compiler's own algorithm (paths, baseUrl, extensions,
 * index files, package exports) over the analysed set plus the disk, cached per directory and
 * specifier. Results depend on which files exist, not on their text: `reset` after adding or removing one.
 */
export class ModuleResolver {
  /** Resolved file under node_modules → where it really is, under the root (see linked). */
  private readonly links = new Map<string, string | undefined>();
  /** Directory and specifier → the file the compiler resolved, analysed or not. */
  private readonly cache = new Map<string, string | undefined>();
  /** Per importing file: spec → result (saves the directory key on the hot path). */
  private readonly byFile = new Map<string, Map<string, string | undefined>>();
  private tsCache: ts.ModuleResolutionCache | undefined;
  private dirs: Set<string> | undefined;
  private readonly host: ts.ModuleResolutionHost;

  /** The root as the analysed paths spell it, and its real path (they differ when the root is reached through a link). */
  private readonly root: { given: string; real: string | undefined };

  constructor(
    private readonly options: ts.CompilerOptions,
    private readonly files: ReadonlySet<string>,
    root: string,
  ) {
    this.root = { given: root, real: undefined };
    this.host = {
      fileExists: (f) => this.files.has(f) || compiler().sys.fileExists(f),
      readFile: (f) => compiler().sys.readFile(f),
      directoryExists: (d) => this.dirSet().has(d) || compiler().sys.directoryExists(d),
      getCurrentDirectory: () => process.cwd(),
    };
  }

  /** What the compiler resolved so far (specifiers from a directory → file, null: nothing), for a later run. */
  toState(): [string, string | null][] {
    return [...this.cache].map(([k, v]): [string, string | null] => [k, v ?? null]);
  }

  /**
   * Resolutions a run over the same file set, options and disk made (see toState): a restored analysis
   * relinks changed files without the compiler while their imports stay the same.
   */
  seed(entries: readonly (readonly [string, string | null])[]): void {
    for (const [k, v] of entries) this.cache.set(k, v ?? undefined);
  }

  reset(): void {
    this.cache.clear();
    this.links.clear();
    this.byFile.clear();
    this.tsCache = undefined;
    this.dirs = undefined;
  }

  /** The analysed file `spec` names from `from`, or undefined (a package, a missing file). */
  resolve(spec: string, from: string): string | undefined {
    let mine = this.byFile.get(from);
    if (!mine) this.byFile.set(from, (mine = new Map<string, string | undefined>()));
    if (mine.has(spec)) return mine.get(spec);
    const out = this.resolveFromDir(spec, from);
    mine.set(spec, out);
    return out;
  }

  private resolveFromDir(spec: string, from: string): string | undefined {
    const file = this.located(spec, from);
    if (file === undefined) return undefined;
    const direct = this.analysed(file);
    if (direct !== undefined) return direct;
    const linked = this.linked(file);
    return linked === undefined ? undefined : this.analysed(linked);
  }

  private analysed(file: string): string | undefined {
    return this.files.has(file) ? file : this.scriptOf(file);
  }

  /**
   * The path under the root of a file found in node_modules through a symbolic link: a workspace package
   * (npm, yarn and pnpm workspaces link them there), whose files are analysed under their own path.
   */
  private linked(file: string): string | undefined {
    if (!file.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
    // Asked for every import of a package from every file: the disk is asked once per resolved file.
    if (this.links.has(file)) return this.links.get(file);
    const out = this.underRoot(realpath(file), file);
    this.links.set(file, out);
    return out;
  }

  private underRoot(real: string | undefined, file: string): string | undefined {
    if (real === undefined || real === file) return undefined;
    this.root.real ??= realpath(this.root.given) ?? this.root.given;
    const { given, real: realRoot } = this.root;
    // The root itself may be reached through a link: the analysed paths are spelt with it.
    return realRoot !== given && real.startsWith(realRoot + path.sep) ? given + real.slice(realRoot.length) : real;
  }

  /**
   * The analysed script a declaration file describes (`sum.d.ts` beside `sum.js`, as packages written in
   * JavaScript ship them): the compiler resolves `./sum.js` to the types, but the script is what runs.
   */
  private scriptOf(file: string): string | undefined {
    const m = /\.d\.([mc]?)ts$/.exec(file);
    if (!m) return undefined;
    const base = file.slice(0, m.index);
    const exts = m[1] ? [`.${m[1]}js`] : ['.js', '.jsx'];
    return exts.map((e) => base + e).find((f) => this.files.has(f));
  }

  /** The file the compiler resolves `spec` to from `from`, analysed or not (build output, a package's file). */
  located(spec: string, from: string): string | undefined {
    const key = `${path.dirname(from)}\0${spec}`;
    if (this.cache.has(key)) return this.cache.get(key);
    const ts = compiler();
    this.tsCache ??= ts.createModuleResolutionCache(process.cwd(), (f) => f, this.options);
    let file: string | undefined;
    try {
      file = ts.resolveModuleName(spec, from, this.options, this.host, this.tsCache).resolvedModule?.resolvedFileName;
    } catch {
      file = undefined;
    }
    this.cache.set(key, file);
    return file;
  }

  // Directories of in-memory files (staged files need not exist on disk).
  private dirSet(): Set<string> {
    if (!this.dirs) {
      this.dirs = new Set();
      for (const f of this.files)
        for (let d = path.dirname(f); !this.dirs.has(d); d = path.dirname(d)) {
          this.dirs.add(d);
          if (path.dirname(d) === d) break;
        }
    }
    return this.dirs;
  }
}

function realpath(file: string): string | undefined {
  try {
    return fs.realpathSync.native(file);
  } catch {
    return undefined;
  }
}
