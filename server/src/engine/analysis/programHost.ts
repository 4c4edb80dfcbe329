import * as fs from 'node:fs';
import * as path from 'node:path';
import { getLibFiles, libFolderInMemoryPath } from '@ts-morph/common';
import { ts } from 'ts-morph';

// The lib .d.ts files ts-morph bundles (same TypeScript version as its compiler), parsed once per
// process and language version.
let libTexts: Map<string, string> | undefined;
const libSources = new Map<string, ts.SourceFile>();

function libText(file: string): string | undefined {
  libTexts ??= new Map(getLibFiles().map((f) => [`${libFolderInMemoryPath}/${f.fileName}`, f.text]));
  return libTexts.get(file);
}

/**
 * The analysed files as compiler source files, and a `ts.Program` over them that is rebuilt only after
 * a change, reusing every unchanged source file (and its binding) from the previous program.
 * Behaves like a ts-morph Project with in-memory files over the real file system (files the program
 * imports from outside the set are read from disk, lib files come from ts-morph's bundle), minus the
 * wrapper objects and path bookkeeping ts-morph adds per file.
 */
export class ProgramHost {
  private readonly sources = new Map<string, ts.SourceFile>();
  /** Files the compiler pulled in from outside the set (node_modules, removed or skipped files), by path. */
  private readonly external = new Map<string, ts.SourceFile | undefined>();
  /** Ancestor directories of the in-memory files (with a count, so removals can drop them). */
  private readonly dirs = new Map<string, number>();
  /**
   * Module resolutions by (importing file, specifier, mode): they depend on which files exist, not on
   * their text, so they survive edits and are dropped only when a file is added or removed.
   */
  private resolutions = new Map<string, ts.ResolvedModuleWithFailedLookupLocations>();
  private resolutionCache: ts.ModuleResolutionCache | undefined;
  /** Lib replacement lookups use other options than imports, hence a cache of their own (as in createProgram). */
  private libCache: ts.ModuleResolutionCache | undefined;
  private versions = 0;
  private current: ts.Program | undefined;
  private previous: ts.Program | undefined;
  private readonly host: ts.CompilerHost;

  constructor(private readonly options: ts.CompilerOptions) {
    this.host = this.createHost();
  }

  has(file: string): boolean {
    return this.sources.has(file);
  }

  /** Full text of an in-memory file (a leading BOM removed, as ts-morph does). */
  text(file: string): string | undefined {
    return this.sources.get(file)?.text;
  }

  /** The parsed in-memory file (throws for a file not in the set). */
  source(file: string): ts.SourceFile {
    const sf = this.sources.get(file);
    if (!sf) throw new Error(`not in the program: ${file}`);
    return sf;
  }

  set(file: string, text: string): void {
    if (!this.sources.has(file)) {
      this.countDirs(file, 1);
      this.forgetResolutions();
    }
    this.sources.set(file, this.parse(file, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
    this.external.delete(file);
    this.changed();
  }

  delete(file: string): void {
    if (!this.sources.delete(file)) return;
    this.countDirs(file, -1);
    this.forgetResolutions();
    this.external.delete(file);
    this.changed();
  }

  /** The program over every file; created on first use after a change. */
  program(): ts.Program {
    if (!this.current) {
      this.current = ts.createProgram([...this.sources.keys()], this.options, this.host, this.previous);
      this.previous = undefined;
    }
    return this.current;
  }

  /**
   * A program over `roots` (in-memory files) and what they import, not cached: type-checking a few
   * files needs only their import closure, which is far smaller to build, check and collect than
   * the whole workspace. Roots keep the order of the full program's roots.
   */
  partialProgram(roots: ReadonlySet<string>): ts.Program {
    return ts.createProgram([...this.sources.keys()].filter((f) => roots.has(f)), this.options, this.host);
  }

  /** Drops the cached program (and its checker), so their memory can be reclaimed between runs. */
  release(): void {
    this.current = undefined;
    this.previous = undefined;
  }

  private forgetResolutions(): void {
    this.resolutions = new Map();
    this.resolutionCache = undefined;
    this.libCache = undefined;
  }

  // Also holds the package.json lookups the program makes for every file (module format under Node16).
  private moduleCache(): ts.ModuleResolutionCache {
    this.resolutionCache ??= ts.createModuleResolutionCache(this.host.getCurrentDirectory(), (f) => f, this.options);
    return this.resolutionCache;
  }

  // What the compiler does for a `lib` (look for a `@typescript/lib-*` replacement package), cached.
  private resolveLibrary(libraryName: string, resolveFrom: string, options: ts.CompilerOptions): ts.ResolvedModuleWithFailedLookupLocations {
    const key = `lib\0${libraryName}\0${resolveFrom}`;
    let r = this.resolutions.get(key);
    if (!r) {
      const libOptions: ts.CompilerOptions = { moduleResolution: ts.ModuleResolutionKind.Node10, traceResolution: options.traceResolution };
      this.libCache ??= ts.createModuleResolutionCache(this.host.getCurrentDirectory(), (f) => f, libOptions, this.moduleCache().getPackageJsonInfoCache());
      r = ts.resolveModuleName(libraryName, resolveFrom, libOptions, this.host, this.libCache);
      this.resolutions.set(key, r);
    }
    return r;
  }

  private resolveModules(literals: readonly ts.StringLiteralLike[], containingFile: string, redirected: ts.ResolvedProjectReference | undefined, options: ts.CompilerOptions, containing: ts.SourceFile): ts.ResolvedModuleWithFailedLookupLocations[] {
    return literals.map((lit) => {
      const mode = ts.getModeForUsageLocation(containing, lit, options);
      const key = `${containingFile}\0${lit.text}\0${mode ?? ''}`;
      let r = this.resolutions.get(key);
      if (!r) {
        r = ts.resolveModuleName(lit.text, containingFile, options, this.host, this.moduleCache(), redirected, mode);
        this.resolutions.set(key, r);
      }
      return r;
    });
  }

  private changed(): void {
    if (this.current) this.previous = this.current;
    this.current = undefined;
  }

  private parse(file: string, text: string): ts.SourceFile {
    const snapshot = ts.ScriptSnapshot.fromString(text);
    return ts.createLanguageServiceSourceFile(file, snapshot, this.options.target ?? ts.ScriptTarget.Latest, String(this.versions++), true);
  }

  private countDirs(file: string, delta: number): void {
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      const n = (this.dirs.get(dir) ?? 0) + delta;
      if (n > 0) this.dirs.set(dir, n);
      else this.dirs.delete(dir);
      if (path.dirname(dir) === dir) break;
    }
  }

  private readExternal(file: string): ts.SourceFile | undefined {
    if (this.external.has(file)) return this.external.get(file);
    const libKey = `${this.options.target ?? ''}\0${file}`;
    const lib = libSources.get(libKey);
    if (lib) return lib;
    const libContent = libText(file);
    if (libContent !== undefined) {
      const sf = this.parse(file, libContent);
      libSources.set(libKey, sf);
      return sf;
    }
    let sf: ts.SourceFile | undefined;
    try {
      const text = fs.readFileSync(file, 'utf8');
      sf = this.parse(file, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch {
      sf = undefined;
    }
    this.external.set(file, sf);
    return sf;
  }

  private fileExists(file: string): boolean {
    return this.sources.has(file) || libText(file) !== undefined || ts.sys.fileExists(file);
  }

  private createHost(): ts.CompilerHost {
    const libDir = libFolderInMemoryPath as string;
    const host: ts.CompilerHost & LibraryResolver = {
      // Not in the public typings, but consulted by createProgram (TypeScript 5.x) when present.
      resolveLibrary: (name, from, options) => this.resolveLibrary(name, from, options),
      getSourceFile: (file) => this.sources.get(file) ?? this.readExternal(file),
      getModuleResolutionCache: () => this.moduleCache(),
      resolveModuleNameLiterals: (literals, containingFile, redirected, options, containing) => this.resolveModules(literals, containingFile, redirected, options, containing),
      getDefaultLibFileName: (o) => `${libDir}/${ts.getDefaultLibFileName(o)}`,
      writeFile: () => undefined,
      getCurrentDirectory: () => process.cwd(),
      getDirectories: (dir) => {
        const out = new Set(ts.sys.directoryExists(dir) ? ts.sys.getDirectories(dir) : []);
        for (const d of this.dirs.keys()) if (path.dirname(d) === dir && d !== dir) out.add(path.basename(d));
        return [...out];
      },
      fileExists: (file) => this.fileExists(file),
      readFile: (file) => this.sources.get(file)?.text ?? libText(file) ?? ts.sys.readFile(file),
      getCanonicalFileName: (file) => file,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => '\n',
      getEnvironmentVariable: (name) => process.env[name],
      directoryExists: (dir) => this.dirs.has(dir) || dir === libDir || libDir.startsWith(dir + '/') || ts.sys.directoryExists(dir),
      realpath: (file) => {
        try {
          return fs.realpathSync(file);
        } catch {
          return file;
        }
      },
    };
    return host;
  }
}

/** The compiler host hook for resolving `lib` files (internal to TypeScript, see `createProgram`). */
interface LibraryResolver {
  resolveLibrary(libraryName: string, resolveFrom: string, options: ts.CompilerOptions, libFileName: string): ts.ResolvedModuleWithFailedLookupLocations;
}
