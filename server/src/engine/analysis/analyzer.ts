import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnalysisConfig } from '../config/types';
import { SEVERITY_ORDER, type Finding } from '../findings';
import { RULES } from '../rules';
import { cloneFindings, unseededNotes } from './cloneFindings';
import { CloneIndex, tokenizeNow } from './clones/cloneIndex';
import type { CloneIndexState } from './clones/cloneIndex';
import { hasIgnoreMarker } from './clones/ignoreMarker';
import { readCoverage, unexecutedStageFindings } from './coverage';
import { circularImportFindings } from './cycles';
import type { FileCache } from './cache/fileCache';
import type { FileTokens } from './clones/tokenize';
import { excludedByGlobs, type FileSource } from './fileSet';
import type { LineFacts } from './facts/types';
import { setAside, setAsideNote } from './setAside';
import { mergeStages, type StageCandidate } from './stages';
import { StageDependencies } from './stageDeps';
import { builtImportNotes, untestedStageFindings, type KeyedStage } from './testReach';
import { ReachIndex, type ReachState } from './reachIndex';
import type { FileGraph } from './link';
import { relPath } from './paths';
import { range, type AnalysisResult, type SetAsideStage, type Stage } from './types';
import { Workspace, type WorkspaceState } from './workspace';

export type { AnalysisResult } from './types';

/** Options for a run over files that are not (only) on disk. */
export interface AnalyzeOptions {
  /** Text that wins over the disk, by absolute path (unsaved buffers, the git index). */
  overrides?: ReadonlyMap<string, string>;
  /** When true, `overrides` is the complete file set (used for `--staged`). */
  exclusive?: boolean;
  /** Files named on the command line: analysed even when the include globs or tsconfig.json leave them out. */
  extraFiles?: readonly string[];
  /** Persistent per-file facts and tokens (cache/), reused when a file's text is unchanged. */
  fileCache?: FileCache;
  /**
   * Files this run has read from the disk already, by absolute path (the result key's manifest): their
   * texts are taken from here instead of reading them again. Unlike `overrides`, it adds no file.
   */
  read?: ReadonlyMap<string, { text: string }>;
}

/** An Analyzer as stored between runs (cache/analysisState.ts). */
export interface AnalyzerState {
  workspace: WorkspaceState;
  clones: CloneIndexState;
  /** The tests' walks (absent in states stored before they were kept: every test is walked again). */
  reach?: ReachState;
}

/**
 * The pipeline analysis of one workspace: stages, untested stages, duplicates, syntax errors, import
 * cycles. Keeps its state between calls so `updateFile`/`removeFile` only redo what the file affects.
 * Never throws for bad input: problems become findings.
 */
export class Analyzer {
  readonly root: string;
  private readonly ws: Workspace;
  private readonly clones: CloneIndex;
  private readonly reachIndex: ReachIndex;
  /** Files not in the clone index yet (indexed along with parsing, see prepare). */
  private readonly unindexed = new Set<string>();
  /**
   * The last stagesOf answer and what it was computed from: asked again for the same files, graphs and
   * stage candidates (the hook's walk right after the analysis), it is the same answer.
   */
  private stageMemo:
    | {
        files: readonly string[];
        graphs: readonly FileGraph[];
        candidates: readonly StageCandidate[][];
        stages: Staged;
      }
    | undefined;
  private readonly fileCache: FileCache | undefined;
  /** Set until the first analysis, so its duration includes building the project. */
  private createdAt: number | undefined = Date.now();

  constructor(
    root: string,
    readonly config: AnalysisConfig,
    options: AnalyzeOptions = {},
    state?: AnalyzerState,
  ) {
    this.root = path.resolve(root);
    const source: FileSource = {
      overrides: absolutize(this.root, options.overrides),
      exclusive: options.exclusive ?? false,
      extra: options.extraFiles ?? [],
      read: options.read,
    };
    this.fileCache = options.fileCache;
    this.ws = new Workspace(this.root, config, state?.workspace ?? source, options.fileCache);
    if (state) {
      this.clones = CloneIndex.restore(config.clones, state.clones, (f) => this.tokensOf(f));
      this.reachIndex = ReachIndex.restore(state.reach, this.ws.linkedGraphs());
      return;
    }
    this.reachIndex = new ReachIndex();
    this.clones = new CloneIndex(config.clones);
    for (const f of this.ws.files) this.unindexed.add(f);
  }

  /**
   * An analyzer in the state `toState` gave (the same root and config): nothing is parsed, linked or
   * clone-indexed again until `applyChanges` says which files differ.
   */
  static restore(root: string, config: AnalysisConfig, state: AnalyzerState, fileCache?: FileCache): Analyzer {
    return new Analyzer(root, config, { fileCache }, state);
  }

  /** Everything needed to restore this analyzer in another process but the facts and tokens (see FileCache). */
  toState(): AnalyzerState {
    this.indexPending();
    const workspace = this.ws.toState();
    const graphs = [...this.ws.files].map((f) => this.ws.graph(f));
    return { workspace, clones: this.clones.toState(), reach: this.reachIndex.toState(graphs) };
  }

  /**
   * Files replaced (absolute path → text) and removed, then one result: what a series of updateFile
   * and removeFile calls gives, assembled once.
   */
  applyChanges(updates: ReadonlyMap<string, string>, removals: readonly string[]): AnalysisResult {
    const started = Date.now();
    this.stageMemo = undefined;
    for (const file of removals) {
      const abs = path.resolve(this.root, file);
      this.ws.removeFile(abs);
      this.clones.remove(abs);
      this.unindexed.delete(abs);
    }
    for (const [file, text] of updates) {
      const abs = path.resolve(this.root, file);
      if (!this.ws.accepts(abs)) continue;
      this.ws.updateFile(abs, text);
      this.indexClones(abs);
    }
    return this.assemble(started);
  }

  /** The text analysed for `file` (absolute path), undefined when it is not one of the analysed files. */
  text(file: string): string | undefined {
    return this.ws.text(file);
  }

  /** Where the units of `file` are in `text`, when known without parsing (see Workspace.lineFacts). */
  lineFacts(file: string, text: string): LineFacts | undefined {
    return this.ws.lineFacts(file, text);
  }

  private tokensOf(file: string): FileTokens {
    const text = this.ws.text(file) ?? '';
    return this.fileCache ? this.fileCache.tokens(file, text, () => tokenizeNow(file, text)) : tokenizeNow(file, text);
  }

  /**
   * Parses and clone-indexes the workspace in slices of about `sliceMs`, yielding to the event loop
   * between them and reporting progress, so a language server stays responsive (and can show how far
   * it is) during the first analysis of a large workspace. Optional: every result computes what is
   * still missing synchronously. Edits may arrive between slices.
   */
  async prepare(onProgress?: (done: number, total: number) => void, sliceMs = 50): Promise<void> {
    const total = this.ws.pendingCount;
    let done = 0;
    while (this.ws.pendingCount > 0 || this.unindexed.size > 0) {
      const started = Date.now();
      do {
        const files = this.ws.extractPending(1);
        if (files.length === 0) break;
        this.indexClones(files[0]);
        done++;
      } while (Date.now() - started < sliceMs);
      if (this.ws.pendingCount === 0) this.indexPending();
      onProgress?.(Math.min(done, total), total);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private indexPending(): void {
    for (const f of [...this.unindexed]) this.indexClones(f);
  }

  analyzeAll(): AnalysisResult {
    return this.assemble(this.createdAt ?? Date.now());
  }

  updateFile(file: string, text: string): AnalysisResult {
    const started = Date.now();
    this.stageMemo = undefined;
    const abs = path.resolve(this.root, file);
    if (this.ws.accepts(abs)) {
      this.ws.updateFile(abs, text);
      this.indexClones(abs);
    }
    return this.assemble(started);
  }

  removeFile(file: string): AnalysisResult {
    const started = Date.now();
    this.stageMemo = undefined;
    const abs = path.resolve(this.root, file);
    this.ws.removeFile(abs);
    this.clones.remove(abs);
    this.unindexed.delete(abs);
    return this.assemble(started);
  }

  // Test files are left out of clone detection: repeated test setup is not pipeline duplication. So are
  // benchmarks, scripts and examples (auxiliary.ts): copies there are not the library's to remove.
  private indexClones(file: string): void {
    this.unindexed.delete(file);
    const text = this.ws.text(file);
    if (text === undefined || this.ws.isTest(file) || this.ws.auxiliaryFolder(file) !== undefined)
      this.clones.remove(file);
    else
      this.clones.update(
        { file, text },
        this.fileCache ? this.fileCache.tokens(file, text, () => tokenizeNow(file, text)) : undefined,
      );
  }

  private assemble(started: number): AnalysisResult {
    this.createdAt = undefined;
    const ws = this.ws;
    this.indexPending();
    const files = [...ws.files].sort();
    const tests = files.filter((f) => ws.isTest(f));
    const auxiliary = files.filter((f) => ws.auxiliaryFolder(f) !== undefined).length;
    const scope: AnalysisResult['scope'] = {
      sourceFiles: files.length - tests.length - auxiliary,
      testFiles: tests.length,
      from: ws.listing.origin ?? '',
    };
    if (auxiliary > 0) scope.auxiliaryFiles = auxiliary;
    const left = this.outsideFiles(scope.sourceFiles);
    const outside = left && this.outsideNote(scope.sourceFiles, left);
    if (left) scope.notAnalysed = left.length;
    const findings: Finding[] = [...this.configFindings(files.length)];
    if (outside && scope.sourceFiles === 0 && files.length > 0)
      findings.push(at(this.configFile(), 'config-error', outside));
    for (const [file, reason] of ws.skipped)
      findings.push(at(file, 'skipped-file', `Skipped ${path.basename(file)}: ${reason}`));
    for (const [file, reason] of ws.unparsed) {
      findings.push(
        at(
          file,
          'skipped-file',
          `Not analysed for stages and tests: ${path.basename(file)} could not be parsed (${reason}); duplicates are still checked`,
        ),
      );
    }
    for (const f of files) findings.push(...ws.syntaxFindings(f));
    const graphs = files.map((f) => ws.graph(f));
    const { stages, aside } = this.stagesOf(files, graphs);
    const reach = this.reachIndex.compute(
      graphs,
      tests,
      stages.map((s) => s.key),
    );
    findings.push(...untestedStageFindings(this.root, stages, reach, graphs));
    const coverage = readCoverage(this.root, this.config.coverageFiles);
    if (coverage) findings.push(...unexecutedStageFindings(stages, reach.all, coverage));
    findings.push(...cloneFindings(this.root, this.clones.classes(), stages));
    findings.push(...circularImportFindings(this.root, graphs));
    return {
      findings: applySeverities(this.withoutIgnored(findings), this.config.rules).sort(compareFindings),
      stages: stages.map(({ key: _key, ...s }): Stage => s),
      setAside: aside.map(({ key: _key, ...s }): SetAsideStage => s),
      files: files.length,
      analysedFiles: files,
      leftOut: Object.fromEntries([...ws.builtOutput, ...ws.skipped].sort()),
      durationMs: Date.now() - started,
      scope,
      notes: [
        ...ws.listing.notes,
        ...(outside && scope.sourceFiles > 0 ? [outside] : []),
        ...ws.buildNotes,
        ...ws.auxiliaryNotes,
        ...setAsideNote(this.root, aside),
        ...builtImportNotes(this.root, graphs),
        ...unseededNotes(this.root, this.clones.unseeded(), this.config.clones.minTokens),
        ...[...ws.failures.values()].sort(),
      ],
    };
  }

  /**
   * The reference graph as it is now, to ask what a stage's code depends on: no clone detection, so it
   * costs only the linking of files not linked yet. Ask again after an update.
   */
  dependencies(): StageDependencies {
    const ws = this.ws;
    const files = [...ws.files].sort();
    const graphs = files.map((f) => ws.graph(f));
    return new StageDependencies({
      graphs,
      stages: this.stagesOf(files, graphs).stages,
      unanalysedImports: (f) => ws.unanalysedImports(f),
      text: (f) => ws.text(f),
      lineFacts: (f, t) => ws.lineFacts(f, t),
    });
  }

  /** The stages of the analysed files, and the estimator classes set aside as test helpers or internal parts. */
  private stagesOf(files: readonly string[], graphs: readonly FileGraph[]): Staged {
    const ws = this.ws;
    const candidates = files.map((f) => ws.stageCandidates(f));
    const memo = this.stageMemo;
    if (memo && same(memo.files, files) && same(memo.graphs, graphs) && same(memo.candidates, candidates))
      return memo.stages;
    const merged: KeyedStage[] = mergeStages(candidates.flat());
    const stages = setAside(this.root, merged, {
      graphs,
      isTest: (f) => ws.isTest(f),
      isBuildOutput: (f) => ws.isBuildOutput(f),
      loads: (f) => ws.loadedFiles(f),
      entries: (f) => ws.packageEntries(f),
      exported: (f) => ws.exportedUnits(f),
      locate: (k) => ws.locateKey(k),
    });
    this.stageMemo = { files, graphs, candidates, stages };
    return stages;
  }

  /** Drops findings silenced by a `// ml-parity-ignore` comment (the LSP's "ignore this finding" action). */
  private withoutIgnored(findings: Finding[]): Finding[] {
    const cache = new Map<string, Set<number>>();
    const ignored = (file: string): Set<number> => {
      let lines = cache.get(file);
      if (!lines) {
        const text = this.ws.text(file) ?? '';
        // The scanner (and the compiler) only for files that hold a marker.
        if (hasIgnoreMarker(text)) {
          const { ignoredLines } = require('./clones/ignoreComments') as typeof import('./clones/ignoreComments');
          lines = ignoredLines(text);
        } else lines = new Set<number>();
        cache.set(file, lines);
      }
      return lines;
    };
    // Syntax errors cannot be silenced: the file must parse for the rest of the analysis to mean anything.
    return findings.filter((f) => f.rule === 'syntax-error' || !ignored(f.file).has(f.range.start.line));
  }

  private configFile(): string {
    const cfg = path.join(this.root, 'mlparity.config.json');
    return fs.existsSync(cfg) ? cfg : this.root;
  }

  /**
   * What a narrow tsconfig.json leaves out, when that is more source than it lets in (or all of it): a
   * "No findings" over 2 of 200 files must not pass for the project's. Build output does not count.
   */
  /** Project sources the file list leaves out, when they outnumber the analysed ones (else undefined). */
  private outsideFiles(sourceFiles: number): string[] | undefined {
    const ws = this.ws;
    const outside = (ws.listing.outside ?? []).filter(
      (f) =>
        !ws.isTest(f) && ws.builtByPath(f) === undefined && !ws.files.has(f) && ws.auxiliaryFolder(f) === undefined,
    );
    return outside.length === 0 || outside.length <= sourceFiles ? undefined : outside;
  }

  private outsideNote(sourceFiles: number, outside: readonly string[]): string {
    const ws = this.ws;
    const folders = new Map<string, number>();
    for (const f of outside) {
      const top = relPath(this.root, f).split('/');
      const key = top.length > 1 ? `${top[0]}/` : '(root)';
      folders.set(key, (folders.get(key) ?? 0) + 1);
    }
    const where = [...folders]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 5)
      .map(([k, n]) => `${n} in ${k}`)
      .join(', ');
    const example = this.includeExample(folders, outside)
      .map((g) => `"${g}"`)
      .join(', ');
    return (
      `${sourceFiles === 0 ? 'No' : `Only ${sourceFiles}`} source file${sourceFiles === 1 ? '' : 's'} analysed (from ${ws.listing.origin ?? 'tsconfig.json'}): ` +
      `${outside.length} JS/TS source files of the project are outside it and were not analysed (${where}). ` +
      `Add them with "analysis.include" in mlparity.config.json (e.g. [${example}]).`
    );
  }

  /**
   * Globs that add the folder holding most of the outside files, and whatever outside file the tests import
   * (simple-statistics' tests import the root `index.js`, which `src/**` leaves out): by name at the root,
   * else by its top folder.
   */
  private includeExample(folders: ReadonlyMap<string, number>, outside: readonly string[]): string[] {
    const ws = this.ws;
    const out = new Set<string>();
    const top = [...folders].sort((a, b) => b[1] - a[1])[0][0];
    out.add(top === '(root)' ? '*.js' : `${top}**`);
    const left = new Set(outside);
    const imported = [...ws.files].filter((f) => ws.isTest(f)).flatMap((t) => ws.unanalysedImports(t));
    // An import names `../index` or its typings (`index.d.ts`): the script beside them is what it loads.
    const scriptOf = (p: string): string | undefined => {
      const stem = p.replace(/\.d\.[mc]?ts$/, '');
      const tries = [p, ...SCRIPT_EXTS.map((e) => stem + e), ...SCRIPT_EXTS.map((e) => path.join(stem, 'index' + e))];
      return tries.find((f) => left.has(f));
    };
    const scripts = new Set(imported.map(scriptOf).filter((f): f is string => f !== undefined));
    for (const f of [...scripts].sort()) {
      const parts = relPath(this.root, f).split('/');
      const glob = parts.length === 1 ? parts[0] : `${parts[0]}/**`;
      if (!(parts.length === 1 && glob.endsWith('.js') && out.has('*.js'))) out.add(glob);
    }
    return [...out];
  }

  private configFindings(fileCount: number): Finding[] {
    const out = this.ws.listing.configProblems.map((p) =>
      at(p.file, 'config-error', `tsconfig.json: ${p.message}`, p.line - 1, p.column - 1),
    );
    if (fileCount === 0) {
      const cfg = path.join(this.root, 'mlparity.config.json');
      const file = fs.existsSync(cfg) ? cfg : this.root;
      const excluded = excludedByGlobs(this.root, this.config).map((f): [string, string] => [
        f,
        'excluded by analysis.exclude',
      ]);
      const left = [...this.ws.skipped, ...this.ws.builtOutput, ...excluded]
        .map(([f, why]) => `${relPath(this.root, f)} (${why})`)
        .sort();
      const shown = left.slice(0, 10).join(', ') + (left.length > 10 ? `, and ${left.length - 10} more` : '');
      const message =
        left.length > 0
          ? `No files to analyse under ${this.root}: the ${left.length} file${left.length === 1 ? '' : 's'} matched ${left.length === 1 ? 'was' : 'were'} left out: ${shown}`
          : `No files to analyse: the include globs (${this.config.include.join(', ')}) match no source files under ${this.root}`;
      out.push(at(file, 'config-error', message));
    }
    return out;
  }
}

const SCRIPT_EXTS = ['.js', '.ts', '.mjs', '.cjs', '.jsx', '.tsx', '.mts', '.cts'];

/** One-shot analysis of a workspace; `overrides` replace the disk content of the given files. */
export function analyzeFiles(
  root: string,
  config: AnalysisConfig,
  overrides?: ReadonlyMap<string, string>,
  options: Omit<AnalyzeOptions, 'overrides'> = {},
): AnalysisResult {
  return new Analyzer(root, config, { ...options, overrides }).analyzeAll();
}

type Staged = ReturnType<typeof setAside>;

/** The same items (by identity) in the same order. */
function same<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function absolutize(root: string, overrides: ReadonlyMap<string, string> | undefined): Map<string, string> {
  return new Map([...(overrides ?? new Map<string, string>())].map(([f, t]) => [path.resolve(root, f), t]));
}

function at(file: string, rule: 'config-error' | 'skipped-file', message: string, line = 0, character = 0): Finding {
  return {
    file,
    range: range(line, character, line, character),
    rule,
    severity: RULES[rule].severity,
    message,
    related: [],
  };
}

/** Applies `config.rules`: a severity replaces the default, 'off' drops the rule. */
function applySeverities(findings: readonly Finding[], rules: AnalysisConfig['rules']): Finding[] {
  return findings.flatMap((f) => {
    const o = rules[f.rule];
    if (o === 'off') return [];
    return [o ? { ...f, severity: o } : f];
  });
}

/** Stable order: file, position, rule, message. */
function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.rule.localeCompare(b.rule) ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    a.message.localeCompare(b.message)
  );
}
