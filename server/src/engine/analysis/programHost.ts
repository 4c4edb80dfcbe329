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

  set(file: string, text: string): void {
    if (!this.sources.has(file)) this.countDirs(file, 1);
    this.sources.set(file, this.parse(file, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
    this.external.delete(file);
    this.changed();
  }

  delete(file: string): void {
    if (!this.sources.delete(file)) return;
    this.countDirs(file, -1);
    this.external.delete(file);
    this.changed();
  }

  /** The current program; created on first use after a change. */
  program(): ts.Program {
    if (!this.current) {
      this.current = ts.createProgram([...this.sources.keys()], this.options, this.host, this.previous);
      this.previous = undefined;
    }
    return this.current;
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
    return {
      getSourceFile: (file) => this.sources.get(file) ?? this.readExternal(file),
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
  }
}
