import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import type { AnalysisConfig } from '../config/types';
import type { Finding } from '../findings';
import { declaredNames, NameCounts } from './declaredNames';
import { type FileSource, listFiles, skipReason, type FileListing } from './fileSet';
import { globMatcher, isInside, isSourceFile, relPath } from './paths';
import { ProgramHost } from './programHost';
import { buildFileGraph, type FileGraph } from './refGraph';
import { discoverStages, type StageCandidate } from './stages';
import { range } from './types';

/**
 * The analysed files in one compiler program, with per-file results cached. `updateFile`/`removeFile`
 * re-read one file and drop only the cached results that can depend on it.
 */
export class Workspace {
  private readonly host: ProgramHost;
  readonly listing: FileListing;
  /** Analysed files (skipped ones excluded), absolute paths. */
  readonly files = new Set<string>();
  readonly skipped = new Map<string, string>();
  private readonly graphs = new Map<string, FileGraph>();
  private readonly stages = new Map<string, StageCandidate[]>();
  private readonly syntax = new Map<string, Finding[]>();
  /** Names declared per analysed file (kept up to date by setText/removeFile). */
  private readonly names = new NameCounts();
  /** Files that declare globals (scripts, `declare global`, ambient modules): part of every partial program. */
  private readonly globals = new Set<string>();
  private checking: { program: ts.Program; checker: ts.TypeChecker } | undefined;
  private readonly mayResolve = (name: string, member: boolean): boolean => this.names.mayResolve(name, member);
  private readonly isTestRel: (rel: string) => boolean;
  private readonly testCache = new Map<string, boolean>();
  private readonly isIncluded: (rel: string) => boolean;
  private readonly isExcluded: (rel: string) => boolean;

  constructor(
    readonly root: string,
    readonly config: AnalysisConfig,
    source: FileSource,
  ) {
    this.root = path.resolve(root);
    this.listing = listFiles(this.root, config, source);
    this.isTestRel = globMatcher(config.testGlobs);
    this.isIncluded = globMatcher([...config.include, ...config.testGlobs]);
    this.isExcluded = globMatcher(config.exclude);
    this.host = new ProgramHost(this.listing.compilerOptions);
    for (const file of this.listing.files) {
      const text = source.overrides.get(file) ?? readText(file);
      if (text !== undefined) this.setText(file, text);
    }
  }

  isTest(file: string): boolean {
    // Asked for every file on every run; the answer depends on the path only.
    let test = this.testCache.get(file);
    if (test === undefined) this.testCache.set(file, (test = this.isTestRel(relPath(this.root, file))));
    return test;
  }

  /** True when a file given to updateFile belongs in the analysis at all. */
  accepts(file: string): boolean {
    if (!isInside(this.root, file) || !isSourceFile(file)) return false;
    if (this.files.has(file) || this.skipped.has(file) || this.listing.files.includes(file)) return true;
    const rel = relPath(this.root, file);
    return this.isIncluded(rel) && !this.isExcluded(rel);
  }

  /** Replaces a file's text and drops the cached results that depend on it. */
  updateFile(file: string, text: string): void {
    const known = this.files.has(file);
    const affected = this.dependents(file);
    this.setText(file, text);
    // A new (or newly unskipped) file can satisfy imports that failed before: everything may change.
    if (!known || !this.files.has(file)) this.invalidateAll();
    else this.invalidate([file, ...affected, ...this.dependents(file)]);
  }

  removeFile(file: string): void {
    const affected = this.dependents(file);
    this.files.delete(file);
    this.skipped.delete(file);
    this.host.delete(file);
    this.names.delete(file);
    this.globals.delete(file);
    this.invalidate([file, ...affected]);
  }

  private invalidateAll(): void {
    this.graphs.clear();
    this.stages.clear();
    this.syntax.clear();
    this.failures.clear();
  }

  text(file: string): string | undefined {
    return this.files.has(file) ? this.host.text(file) : undefined;
  }

  /**
   * Readies a compiler view for computing the results `files` lack: the whole program when many
   * are missing (first run), else a program over just those files, their imports and the files that
   * declare globals. `release` drops it after the run, so no checker outlives an analysis.
   */
  prepare(files: readonly string[]): void {
    const pending = files.filter((f) => !this.graphs.has(f) || !this.stages.has(f) || !this.syntax.has(f));
    if (pending.length === 0) return;
    if (pending.length * 4 > this.files.size) {
      this.checking = checkerOf(this.host.program());
      return;
    }
    this.checking = checkerOf(this.host.partialProgram(new Set([...pending, ...this.globals])));
  }

  release(): void {
    this.checking = undefined;
    this.host.release();
  }

  /** The compiler's view of a file: the prepared program if it holds the file, else the whole program. */
  private program(file: string): { program: ts.Program; checker: ts.TypeChecker; sf: ts.SourceFile | undefined } {
    const prepared = this.checking;
    const sf = prepared?.program.getSourceFile(file);
    if (prepared && sf) return { ...prepared, sf };
    this.checking = checkerOf(this.host.program());
    return { ...this.checking, sf: this.checking.program.getSourceFile(file) };
  }

  graph(file: string): FileGraph {
    return memo(this.graphs, file, () => {
      const { checker, sf } = this.program(file);
      const empty: FileGraph = { file, edges: new Map(), imports: [], targetFiles: new Set() };
      return sf ? this.guard(file, 'references', () => buildFileGraph(sf, checker, this.files, this.mayResolve), empty) : empty;
    });
  }

  stageCandidates(file: string): StageCandidate[] {
    return memo(this.stages, file, () => {
      const { checker, sf } = this.program(file);
      return sf && !this.isTest(file) ? this.guard(file, 'stages', () => discoverStages(sf, checker, this.config, relPath(this.root, file), this.files), []) : [];
    });
  }

  syntaxFindings(file: string): Finding[] {
    return memo(this.syntax, file, () => {
      const { program, sf } = this.program(file);
      return sf ? this.guard(file, 'syntax', () => program.getSyntacticDiagnostics(sf).map((d) => syntaxFinding(sf, d)), []) : [];
    });
  }

  /** Internal failures (a compiler bug on odd input) per file and step; reported as notes, never thrown. */
  readonly failures = new Map<string, string>();

  // The compiler API can throw on pathological input; one file must not take the whole analysis down.
  private guard<T>(file: string, step: string, fn: () => T, fallback: T): T {
    try {
      this.failures.delete(`${file}\0${step}`);
      return fn();
    } catch (e) {
      this.failures.set(`${file}\0${step}`, `${relPath(this.root, file)}: ${step} analysis failed: ${e instanceof Error ? e.message : String(e)}`);
      return fallback;
    }
  }

  private setText(file: string, text: string): void {
    const reason = skipReason(this.root, file, text, this.config.maxFileBytes);
    if (reason) {
      this.files.delete(file);
      this.skipped.set(file, reason);
      this.host.delete(file);
      this.names.delete(file);
      this.globals.delete(file);
      return;
    }
    this.skipped.delete(file);
    this.files.add(file);
    this.host.set(file, text);
    const sf = this.host.source(file);
    this.names.set(file, declaredNames(sf));
    if (declaresGlobals(sf)) this.globals.add(file);
    else this.globals.delete(file);
  }

  /**
   * Files whose cached graph or stages may change with `file`: those that refer into it, import it,
   * or see it through a chain of re-exports.
   */
  private dependents(file: string): string[] {
    const out = new Set<string>();
    const queue = [file];
    while (queue.length > 0) {
      const cur = queue.pop() as string;
      for (const [other, g] of this.graphs) {
        if (out.has(other) || other === file) continue;
        const imp = g.imports.find((i) => i.target === cur);
        if (g.targetFiles.has(cur) || imp) {
          out.add(other);
          if (g.imports.some((i) => i.reexport && i.target === cur)) queue.push(other);
        }
      }
    }
    // Stage registrations resolve into other files too: a registering file depends on the files it names.
    for (const [other, cands] of this.stages) {
      if (cands.some((c) => c.location.file === file || c.body.file === file)) out.add(other);
    }
    return [...out];
  }

  private invalidate(files: Iterable<string>): void {
    for (const f of files) {
      this.graphs.delete(f);
      this.stages.delete(f);
      this.syntax.delete(f);
      for (const step of ['references', 'stages', 'syntax']) this.failures.delete(`${f}\0${step}`);
    }
  }
}

function checkerOf(program: ts.Program): { program: ts.Program; checker: ts.TypeChecker } {
  return { program, checker: program.getTypeChecker() };
}

/** A script (no import/export) or a module with `declare global` / `declare module "x"`: seen by every file. */
function declaresGlobals(sf: ts.SourceFile): boolean {
  if (!ts.isExternalModule(sf)) return true;
  return sf.statements.some((s) => ts.isModuleDeclaration(s) && (ts.isStringLiteral(s.name) || (s.flags & ts.NodeFlags.GlobalAugmentation) !== 0));
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // vanished between listing and reading: treat as absent
  }
}

function syntaxFinding(sf: ts.SourceFile, d: ts.Diagnostic): Finding {
  const start = d.start ?? 0;
  const s = sf.getLineAndCharacterOfPosition(start);
  const e = sf.getLineAndCharacterOfPosition(start + (d.length ?? 0));
  return {
    file: sf.fileName,
    range: range(s.line, s.character, e.line, e.character),
    rule: 'syntax-error',
    severity: 'error',
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    related: [],
    data: { code: d.code },
  };
}

/** Per-file results computed once and kept until the file (or what it depends on) changes. */
function memo<T>(cache: Map<string, T>, file: string, compute: () => T): T {
  let value = cache.get(file);
  if (value === undefined) {
    value = compute();
    cache.set(file, value);
  }
  return value;
}
