import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import type { AnalysisConfig } from '../config/types';
import type { Finding } from '../findings';
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

  /** The compiler's view of the current program (rebuilt lazily after edits). */
  program(): { program: ts.Program; checker: ts.TypeChecker } {
    const program = this.host.program();
    return { program, checker: program.getTypeChecker() };
  }

  graph(file: string): FileGraph {
    let g = this.graphs.get(file);
    if (!g) {
      const { program, checker } = this.program();
      const sf = program.getSourceFile(file);
      const empty: FileGraph = { file, edges: new Map(), imports: [], targetFiles: new Set() };
      g = sf ? this.guard(file, 'references', () => buildFileGraph(sf, checker, this.files), empty) : empty;
      this.graphs.set(file, g);
    }
    return g;
  }

  stageCandidates(file: string): StageCandidate[] {
    let s = this.stages.get(file);
    if (!s) {
      const { program, checker } = this.program();
      const sf = program.getSourceFile(file);
      s = sf && !this.isTest(file) ? this.guard(file, 'stages', () => discoverStages(sf, checker, this.config, relPath(this.root, file), this.files), []) : [];
      this.stages.set(file, s);
    }
    return s;
  }

  syntaxFindings(file: string): Finding[] {
    let s = this.syntax.get(file);
    if (!s) {
      const { program } = this.program();
      const sf = program.getSourceFile(file);
      s = sf ? this.guard(file, 'syntax', () => program.getSyntacticDiagnostics(sf).map((d) => syntaxFinding(sf, d)), []) : [];
      this.syntax.set(file, s);
    }
    return s;
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
      return;
    }
    this.skipped.delete(file);
    this.files.add(file);
    this.host.set(file, text);
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
