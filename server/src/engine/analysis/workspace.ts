import * as fs from 'node:fs';
import * as path from 'node:path';
import { compiler } from './compiler';
import type { AnalysisConfig } from '../config/types';
import type { Finding, Location } from '../findings';
import type { FileCache } from './cache/fileCache';
import type { ExtractOptions, ExtractResult } from './facts/extract';
import type { FileFacts, LineFacts, Span } from './facts/types';
import { AuxiliaryFolders, auxiliaryNote } from './auxiliary';
import { BuildOutput } from './buildOutput';
import { BuiltSources, type BuiltImport } from './builtSource';
import { type FileSource, listFiles, skipReason, type FileListing } from './fileSet';
import { Linker, type FileGraph, type ImportEdge } from './link';
import { ModuleResolver } from './moduleResolver';
import { globMatcher, isInside, isSourceFile, relPath } from './paths';
import { ProjectFiles } from './projectFiles';
import { computeLineStarts, lineOf } from './clones/lineStarts';
import type { PackageEntries } from './setAside';
import type { StageCandidate } from './stages';
import type { BuiltUse } from './link';
import { range } from './types';
import { keyFile } from './unitKeys';

/**
 * The analysed files, each reduced to its facts (facts/extract.ts), with the linked per-file results
 * cached. `updateFile`/`removeFile` re-extract one file and drop only the cached results that can
 * depend on it.
 */
export class Workspace {
  readonly listing: FileListing;
  /** Analysed files (skipped ones excluded), absolute paths. */
  readonly files = new Set<string>();
  readonly skipped = new Map<string, string>();
  private readonly texts = new Map<string, string>();
  /** Accepted files whose facts are not extracted yet (see extractPending). */
  private readonly pending = new Set<string>();
  private readonly lineStarts = new Map<string, number[]>();
  private readonly facts = new Map<string, FileFacts>();
  /** Line facts of the files extracted by this process (restored ones are looked up in the cache). */
  private readonly lines = new Map<string, { text: string; lines: LineFacts }>();
  private readonly graphs = new Map<string, FileGraph>();
  private readonly stages = new Map<string, StageCandidate[]>();
  private readonly resolver: ModuleResolver;
  private readonly linker: Linker;
  private readonly isTestRel: (rel: string) => boolean;
  private readonly testCache = new Map<string, boolean>();
  private readonly isIncluded: (rel: string) => boolean;
  private readonly isExcluded: (rel: string) => boolean;
  private readonly inFolder: (rel: string) => boolean;

  constructor(
    readonly root: string,
    readonly config: AnalysisConfig,
    source: FileSource | WorkspaceState,
    private readonly cache?: FileCache,
  ) {
    this.root = path.resolve(root);
    this.listing = 'graphs' in source ? source.listing : listFiles(this.root, config, source);
    this.isTestRel = globMatcher(config.testGlobs);
    this.aux = new AuxiliaryFolders(config);
    this.isIncluded = globMatcher([...config.include, ...config.testGlobs]);
    this.isExcluded = globMatcher(config.exclude);
    const folders = config.pipelineFolders.map((f) => f.replace(/\/+$/, '') + '/');
    this.inFolder = (rel) => folders.some((f) => rel.startsWith(f));
    this.resolver = new ModuleResolver(this.listing.compilerOptions, this.files, this.root);
    this.linker = new Linker(
      (f) => this.factsOf(f),
      (spec, from) => this.resolveImport(spec, from),
      (f, sp) => this.locate(f, sp),
    );
    // An exclusive source (the git index) is all there is: package.json and tsconfig.json come from it too.
    this.project =
      'graphs' in source
        ? new ProjectFiles(new Map(source.project.texts), source.project.exclusive, source.listing.files)
        : source.exclusive
          ? new ProjectFiles(new Map([...source.overrides].filter(([f]) => !isSourceFile(f))), true, this.listing.files)
          : new ProjectFiles(source.overrides, false);
    this.build = config.includeBuildOutput
      ? undefined
      : new BuildOutput(this.root, this.listing.compilerOptions, this.project);
    this.builtSources = this.build
      ? new BuiltSources(
          this.root,
          this.build,
          (f) => this.files.has(f) && !this.isTest(f),
          (f) => this.builtOutput.has(f),
        )
      : undefined;
    if ('graphs' in source) {
      this.restore(source);
      this.allAuxiliary = this.onlyAuxiliary();
      return;
    }
    // Reading is quick; parsing is the bulk of a first analysis, so it waits for extractPending (which
    // a caller can run in slices, see Analyzer.prepare) or for the first result that needs it.
    const byPath: string[] = [];
    for (const file of this.listing.files) {
      const why = this.build?.byPath(file);
      if (why !== undefined) {
        this.builtOutput.set(file, why);
        byPath.push(file);
      } else this.read(file, source);
    }
    // A folder holding only build output (as some packages ship) is analysed as it is.
    if (this.build && this.files.size === 0 && this.skipped.size === 0 && this.builtOutput.size > 0) {
      this.build = undefined;
      this.builtSources = undefined;
      this.onlyBuildOutput = this.builtOutput.size;
      this.builtOutput.clear();
      for (const file of this.listing.files) this.read(file, source);
    }
    this.allAuxiliary = this.onlyAuxiliary();
  }

  private readonly aux: AuxiliaryFolders;
  private readonly auxCache = new Map<string, string | null>();
  /**
   * Set when every analysed file that is not a test lies in a benchmark, script or example folder: then they
   * are the code there is, and analysed as library code (as a folder of only build output is).
   */
  private allAuxiliary = false;

  private onlyAuxiliary(): boolean {
    let any = false;
    for (const f of this.files) {
      if (this.isTest(f)) continue;
      if (this.auxiliaryFolder(f) === undefined) return false;
      any = true;
    }
    return any;
  }

  /**
   * The benchmark, script or example folder (see auxiliary.ts) `file` lies in, when that makes it code that
   * is not the library's (tests never are); undefined for library code.
   */
  auxiliaryFolder(file: string): string | undefined {
    if (this.allAuxiliary || this.isTest(file)) return undefined;
    let folder = this.auxCache.get(file);
    if (folder === undefined) this.auxCache.set(file, (folder = this.aux.folderOf(relPath(this.root, file)) ?? null));
    return folder ?? undefined;
  }

  /** The note on benchmark, script and example files: left out of stages and duplicates, or analysed as library code. */
  get auxiliaryNotes(): string[] {
    if (this.allAuxiliary) {
      const n = [...this.files].filter((f) => !this.isTest(f)).length;
      return [
        `Only benchmarks, scripts or examples here (${n} file${n === 1 ? '' : 's'}, no other source): analysed them as library code.`,
      ];
    }
    const folders = new Map<string, number>();
    for (const f of this.files) {
      const folder = this.auxiliaryFolder(f);
      if (folder !== undefined) folders.set(folder, (folders.get(folder) ?? 0) + 1);
    }
    const note = auxiliaryNote(folders);
    return note ? [note] : [];
  }

  /** Build output left out (file → why), see buildOutput.ts; empty when there are no sources. */
  readonly builtOutput = new Map<string, string>();
  private build: BuildOutput | undefined;

  /** Why the path says `file` is build output (undefined also when build output is analysed). */
  builtByPath(file: string): string | undefined {
    return this.build?.byPath(file);
  }
  private builtSources: BuiltSources | undefined;
  private readonly project: ProjectFiles;
  /** Set when every listed file was build output, and so all of it was analysed. */
  private onlyBuildOutput = 0;

  private read(file: string, source: FileSource): void {
    let text = source.overrides.get(file) ?? source.read?.get(file)?.text;
    if (text === undefined) {
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        // Gone between listing and reading: absent. Still there: unreadable, and said so.
        if (fs.existsSync(file))
          this.skipped.set(
            file,
            `file could not be read (${e instanceof Error && 'code' in e ? String(e.code) : String(e)})`,
          );
        return;
      }
    }
    if (this.accept(file, text)) this.pending.add(file);
  }

  /** One note for what was left out as build output (and how to get it back), or for analysing only build output. */
  get buildNotes(): string[] {
    const n = this.onlyBuildOutput;
    if (n > 0) return [`Only build output here (${n} file${n === 1 ? '' : 's'}, no sources): analysed it as it is.`];
    if (this.builtOutput.size === 0) return [];
    const groups = new Map<string, number>();
    for (const why of this.builtOutput.values()) groups.set(why, (groups.get(why) ?? 0) + 1);
    const parts = [...groups].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([why, k]) => `${k} ${why}`);
    const left = this.builtOutput.size;
    return [
      `Left out ${left} build-output file${left === 1 ? '' : 's'} (${parts.join('; ')}): set "analysis.includeBuildOutput": true in mlparity.config.json to analyse ${left === 1 ? 'it' : 'them'}.`,
    ];
  }

  /** Files read but not parsed yet. */
  get pendingCount(): number {
    return this.pending.size;
  }

  // Linking against files not parsed yet would resolve to nothing (and be cached): results need them all.
  private ensureParsed(): void {
    if (this.pending.size > 0) this.extractPending();
  }

  /** Parses up to `max` pending files (all by default) and returns them. */
  extractPending(max = Infinity): string[] {
    const done: string[] = [];
    for (const file of this.pending) {
      if (done.length >= max) break;
      this.pending.delete(file);
      this.store(file, this.extract(file));
      done.push(file);
    }
    return done;
  }

  isTest(file: string): boolean {
    // Asked for every file on every run; the answer depends on the path only.
    let test = this.testCache.get(file);
    if (test === undefined) this.testCache.set(file, (test = this.isTestRel(relPath(this.root, file))));
    return test;
  }

  /** True when a file given to updateFile belongs in the analysis at all. */
  accepts(file: string): boolean {
    if (!isInside(this.root, file) || !isSourceFile(file) || this.build?.byPath(file) !== undefined) return false;
    if (this.files.has(file) || this.skipped.has(file) || this.listing.files.includes(file)) return true;
    const rel = relPath(this.root, file);
    return this.isIncluded(rel) && !this.isExcluded(rel) && this.build?.byPath(file) === undefined;
  }

  /** Replaces a file's text and drops the cached results that depend on it. */
  updateFile(file: string, text: string): void {
    const known = this.files.has(file);
    // Other files' graphs and stages say who depends on this file; setting its text changes neither.
    const affected = this.dependents(file);
    this.setText(file, text);
    // A new (or newly unskipped) file can satisfy imports that failed before: everything may change.
    if (!known || !this.files.has(file)) this.invalidateAll();
    else this.invalidate([file, ...affected]);
  }

  removeFile(file: string): void {
    const affected = this.dependents(file);
    this.drop(file);
    this.skipped.delete(file);
    this.builtOutput.delete(file);
    this.resolver.reset();
    this.builtSources?.reset();
    this.invalidate([file, ...affected]);
  }

  private invalidateAll(): void {
    this.builtSources?.reset();
    this.graphs.clear();
    this.stages.clear();
    this.failures.clear();
    this.resolver.reset();
  }

  text(file: string): string | undefined {
    return this.files.has(file) ? this.texts.get(file) : undefined;
  }

  /**
   * Where the units of `file` are when its text is `text` (without a BOM), if that is known without
   * parsing: the analysed text's, or a version's whose facts the cache holds (HEAD's, usually).
   */
  lineFacts(file: string, text: string): LineFacts | undefined {
    const held = this.lines.get(file);
    if (held?.text === text) return held.lines;
    const stored = this.cache?.storedFacts(file, text, this.extractOptions(file));
    return stored && 'lines' in stored ? stored.lines : undefined;
  }

  graph(file: string): FileGraph {
    this.ensureParsed();
    return memo(this.graphs, file, () => {
      const empty: FileGraph = { file, edges: new Map(), imports: [], targetFiles: new Set() };
      return this.guard(
        file,
        'references',
        () => {
          const g = this.linker.graph(file);
          const built = this.isTest(file) ? this.builtImports(file) : [];
          return built.length > 0 ? { ...g, built } : g;
        },
        empty,
      );
    });
  }

  /** The analysed file an import names: itself, or the source of the build output it names (see builtSource.ts). */
  private resolveImport(spec: string, from: string): string | undefined {
    const direct = this.resolver.resolve(spec, from);
    if (direct !== undefined) return direct;
    const built = this.builtImport(spec, from);
    return built && 'source' in built ? built.source : undefined;
  }

  private builtImport(spec: string, from: string): BuiltImport | undefined {
    if (!this.builtSources) return undefined;
    let located = this.resolver.located(spec, from);
    // An exclusive source never looks at the disk: what only the disk holds does not count.
    if (located !== undefined && this.project.exclusive && !this.project.exists(located)) located = undefined;
    return this.builtSources.of(spec, from, located);
  }

  /** A test's imports of build output, mapped to source or not, where they are written. */
  private builtImports(file: string): BuiltUse[] {
    const facts = this.factsOf(file);
    if (!facts || !this.builtSources) return [];
    const out: BuiltUse[] = [];
    const seen = new Set<string>();
    const text = this.texts.get(file) ?? '';
    const add = (spec: string, span: Span | undefined): void => {
      if (seen.has(spec) || this.resolver.resolve(spec, file) !== undefined) return;
      seen.add(spec);
      const b = this.builtImport(spec, file);
      if (!b) return;
      // require() and import() carry no span of their own: the first place the specifier is written.
      const at = span ?? specSpan(text, spec);
      out.push({ ...b, spec, location: this.locate(file, at) });
    };
    for (const imp of facts.imports) add(imp.spec, imp.span);
    for (const spec of requiredSpecs(facts)) add(spec, undefined);
    return out;
  }

  stageCandidates(file: string): StageCandidate[] {
    this.ensureParsed();
    return memo(this.stages, file, () => {
      if (this.isTest(file)) return [];
      const found = this.guard(file, 'stages', () => this.linker.stages(file), []);
      // Benchmarks, scripts and examples declare no stages of the library unless a tag says so.
      return this.auxiliaryFolder(file) === undefined ? found : found.filter((c) => c.kind === 'tagged');
    });
  }

  /** Unit keys `file` exports (see Linker.exportedKeys); empty when linking it failed (a note says so). */
  exportedUnits(file: string): ReadonlySet<string> {
    this.ensureParsed();
    return this.guard(file, 'exports', () => this.linker.exportedKeys(file), new Set<string>());
  }

  /**
   * The analysed files `file` loads: its imports, `require()` and `import()` calls anywhere in it,
   * `export … from`, and the files its references resolved through.
   */
  loadedFiles(file: string): string[] {
    const facts = this.factsOf(file);
    const out = new Set(this.graph(file).targetFiles);
    for (const i of this.graph(file).imports) out.add(i.target);
    if (facts)
      for (const spec of [...facts.imports.map((i) => i.spec), ...requiredSpecs(facts), ...facts.starExports]) {
        const target = this.resolveImport(spec, file);
        if (target !== undefined) out.add(target);
      }
    out.delete(file);
    return [...out];
  }

  /** True when the path says `file` is build output, whether or not build output is analysed. */
  isBuildOutput(file: string): boolean {
    return this.packages().where(file) !== undefined;
  }

  private packages(): BuildOutput {
    return (this.packageInfo ??= this.build ?? new BuildOutput(this.root, this.listing.compilerOptions, this.project));
  }

  /** Where the declaration a unit key names starts (the top of its file for a module's key). */
  locateKey(key: string): Location {
    const file = keyFile(key);
    const pos = Number(key.slice(file.length + 1).split('#')[0]);
    return this.locate(file, Number.isFinite(pos) ? [pos, pos] : [0, 0]);
  }

  /**
   * The public entries of the package holding `file` (package.json's `main`, `module`, `browser`, `exports`,
   * `bin`, `source`; without any, its `index`), each mapped to the analysed source it is or was built from;
   * undefined when there is no package.json, a wildcard export, or no entry maps to an analysed source. An
   * entry that maps to none (brain.js' browser bundle, built from src/index.ts by a rollup config) is left
   * out: such bundles are built from the sources the others name.
   */
  packageEntries(file: string): PackageEntries | undefined {
    const info = this.packages();

    const pkg = info.packageOf(path.dirname(file));
    const json = pkg !== undefined ? info.packageJson(pkg) : undefined;
    if (pkg === undefined || !json) return undefined;
    const specs = entrySpecs(json);
    const from = path.join(pkg, 'package.json');
    const files = new Set<string>();
    for (const spec of specs.length > 0 ? specs : ['./index']) {
      if (spec.includes('*')) return undefined;
      const found = this.resolveImport(/^\.\.?\//.test(spec) ? spec : `./${spec}`, from);
      if (found !== undefined && !this.isTest(found)) files.add(found);
    }
    return files.size > 0 ? { packageJson: from, files: [...files].sort() } : undefined;
  }

  private packageInfo: BuildOutput | undefined;

  /**
   * Local files a file imports that are not analysed (a JSON file, a script the globs leave out): the
   * resolved path, else the specifier's path as written (its extension may be missing).
   */
  unanalysedImports(file: string): string[] {
    this.ensureParsed();
    const out: string[] = [];
    for (const { spec } of this.factsOf(file)?.imports ?? []) {
      if (!spec.startsWith('.')) continue;
      if (this.resolver.resolve(spec, file) !== undefined) continue;
      // The file the compiler found (an excluded script), else the path as written (JSON, maybe no extension).
      const found = this.resolver.located(spec, file);
      out.push(found && !/\.d\.[mc]?ts$/.test(found) ? found : path.resolve(path.dirname(file), spec));
    }
    return out;
  }

  syntaxFindings(file: string): Finding[] {
    this.ensureParsed();
    return this.facts.get(file)?.syntaxErrors ?? this.restoredSyntax.get(file) ?? [];
  }

  /** A file's facts; a restored workspace reads them from the cache (or extracts them) when first asked. */
  private factsOf(file: string): FileFacts | undefined {
    if (this.unloaded.delete(file)) this.store(file, this.extract(file));
    return this.facts.get(file);
  }

  /** Restored files whose facts are not loaded yet (see factsOf). */
  private readonly unloaded = new Set<string>();
  /** Syntax errors of restored files whose facts are not loaded. */
  private readonly restoredSyntax = new Map<string, Finding[]>();

  /**
   * The workspace as stored between runs (cache/analysisState.ts): everything but the facts, which
   * the file cache holds (a restored workspace loads only those its relinking needs).
   */
  toState(): WorkspaceState {
    this.ensureParsed();
    for (const f of this.files) this.graph(f);
    for (const f of this.files) this.stageCandidates(f);
    const syntax: [string, Finding[]][] = [];
    for (const f of this.files) {
      const errors = this.syntaxFindings(f);
      if (errors.length > 0) syntax.push([f, errors]);
    }
    return {
      listing: this.listing,
      texts: [...this.files].map((f): [string, string] => [f, this.texts.get(f) as string]),
      tests: [...this.files].filter((f) => this.isTest(f)),
      skipped: [...this.skipped],
      builtOutput: [...this.builtOutput],
      onlyBuildOutput: this.onlyBuildOutput,
      unparsed: [...this.unparseable],
      failures: [...this.failures],
      graphs: [...this.graphs.values()].map(
        (g) =>
          this.storedGraphs.get(g) ?? {
            file: g.file,
            edges: [...g.edges].map(([from, to]): [string, string[]] => [from, [...to]]),
            imports: g.imports,
            targetFiles: [...g.targetFiles],
            ...(g.built ? { built: g.built } : {}),
          },
      ),
      project: { exclusive: this.project.exclusive, texts: this.project.exclusive ? [...this.project.given] : [] },
      stages: [...this.stages],
      syntax,
      resolutions: this.resolver.toState(),
    };
  }

  /**
   * Restored graphs as they were stored, reused by toState while they are kept (a graph is never
   * changed in place: relinking replaces it), so an unchanged graph is not converted back again.
   */
  private readonly storedGraphs = new WeakMap<FileGraph, WorkspaceState['graphs'][number]>();

  /** The graphs linked so far, linking nothing (in a restored workspace: those stored, until relinked). */
  linkedGraphs(): FileGraph[] {
    return [...this.graphs.values()];
  }

  private restore(state: WorkspaceState): void {
    const tests = new Set(state.tests);
    for (const [f, text] of state.texts) {
      this.files.add(f);
      this.texts.set(f, text);
      this.unloaded.add(f);
      this.testCache.set(f, tests.has(f)); // the same globs (the config is part of the state's key)
    }
    for (const [f, why] of state.skipped) this.skipped.set(f, why);
    for (const [f, why] of state.builtOutput) this.builtOutput.set(f, why);
    if (state.onlyBuildOutput > 0) {
      this.build = undefined;
      this.builtSources = undefined;
      this.onlyBuildOutput = state.onlyBuildOutput;
    }
    for (const [f, why] of state.unparsed) {
      this.unparseable.set(f, why);
      this.unloaded.delete(f);
    }
    for (const [k, v] of state.failures) this.failures.set(k, v);
    for (const g of state.graphs) {
      // The edges as Map and Sets only when something reads them: a derived analysis reads few graphs'.
      let edges: FileGraph['edges'] | undefined;
      const graph: FileGraph = {
        file: g.file,
        get edges() {
          return (edges ??= new Map(g.edges.map(([from, to]) => [from, new Set(to)])));
        },
        imports: g.imports,
        targetFiles: new Set(g.targetFiles),
        ...(g.built ? { built: g.built } : {}),
      };
      this.graphs.set(g.file, graph);
      this.storedGraphs.set(graph, g);
    }
    for (const [f, cands] of state.stages) this.stages.set(f, cands);
    for (const [f, errors] of state.syntax) this.restoredSyntax.set(f, errors);
    if (Array.isArray(state.resolutions)) this.resolver.seed(state.resolutions.filter(isResolution));
  }

  /** Files the parser gave up on (nesting too deep for the stack, …), and why: still clone-checked, not linked. */
  private readonly unparseable = new Map<string, string>();

  get unparsed(): ReadonlyMap<string, string> {
    this.ensureParsed();
    return this.unparseable;
  }

  /** Internal failures (a compiler bug on odd input) per file and step; reported as notes, never thrown. */
  readonly failures = new Map<string, string>();

  // The compiler API can throw on pathological input; one file must not take the whole analysis down.
  private guard<T>(file: string, step: string, fn: () => T, fallback: T): T {
    try {
      this.failures.delete(`${file}\0${step}`);
      return fn();
    } catch (e) {
      this.failures.set(
        `${file}\0${step}`,
        `${relPath(this.root, file)}: ${step} analysis failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      return fallback;
    }
  }

  /** Records a file's text; false (and a skip reason) when it is generated, build output or too large. */
  private accept(file: string, text: string): boolean {
    const built = this.build && !this.isTest(file) ? BuildOutput.byContent(text) : undefined;
    if (built !== undefined) {
      this.drop(file);
      this.skipped.delete(file);
      this.builtOutput.set(file, built);
      return false;
    }
    this.builtOutput.delete(file);
    const reason = skipReason(this.root, file, text, this.config.maxFileBytes);
    if (reason) {
      this.drop(file);
      this.skipped.set(file, reason);
      return false;
    }
    this.skipped.delete(file);
    this.files.add(file);
    // A leading BOM is not part of the code (and would shift every position by one).
    this.texts.set(file, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    this.lineStarts.delete(file);
    return true;
  }

  private setText(file: string, text: string): void {
    this.pending.delete(file);
    if (this.accept(file, text)) this.store(file, this.extract(file));
  }

  private extract(file: string): ExtractResult {
    const text = this.texts.get(file) as string;
    const options = this.extractOptions(file);
    // Loaded on use: the parser is not needed when the facts are stored (a restored analysis).
    const run = (): ExtractResult => {
      const { tryExtractFacts } = require('./facts/extract') as typeof import('./facts/extract');
      return tryExtractFacts(file, text, options);
    };
    return this.cache ? this.cache.facts(file, text, options, run) : run();
  }

  private store(file: string, result: ExtractResult): void {
    this.unloaded.delete(file);
    this.restoredSyntax.delete(file);
    if ('facts' in result) {
      this.facts.set(file, result.facts);
      this.lines.set(file, { text: this.texts.get(file) ?? '', lines: result.lines });
      this.unparseable.delete(file);
    } else {
      this.facts.delete(file);
      this.lines.delete(file);
      this.unparseable.set(file, result.error);
    }
  }

  /** Line and column of a span, from the file's line starts (computed on first use per text). */
  private locate(file: string, [start, end]: Span): Location {
    let starts = this.lineStarts.get(file);
    if (!starts) this.lineStarts.set(file, (starts = computeLineStarts(this.texts.get(file) ?? '')));
    const s = lineOf(starts, start);
    const e = lineOf(starts, end);
    return { file, range: range(s, start - starts[s], e, end - starts[e]) };
  }

  private drop(file: string): void {
    this.unloaded.delete(file);
    this.restoredSyntax.delete(file);
    this.pending.delete(file);
    this.lineStarts.delete(file);
    this.unparseable.delete(file);
    this.files.delete(file);
    this.texts.delete(file);
    this.facts.delete(file);
    this.lines.delete(file);
  }

  private extractOptions(file: string): ExtractOptions {
    const rel = relPath(this.root, file);
    return {
      stageCalls: this.config.stageCalls,
      pipelineConstructors: this.config.pipelineConstructors,
      stageMethods: this.config.stageMethods,
      inFolder: this.inFolder(rel),
      isTest: this.isTest(file),
      target: this.listing.compilerOptions.target ?? compiler().ScriptTarget.Latest,
    };
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
      for (const step of ['references', 'stages']) this.failures.delete(`${f}\0${step}`);
    }
  }
}

/** A Workspace as stored between runs (see Workspace.toState); plain JSON. */
export interface WorkspaceState {
  listing: FileListing;
  /** Every analysed file and its text. */
  texts: [string, string][];
  /** The analysed files that are tests. */
  tests: string[];
  skipped: [string, string][];
  builtOutput: [string, string][];
  onlyBuildOutput: number;
  unparsed: [string, string][];
  failures: [string, string][];
  graphs: {
    file: string;
    edges: [string, string[]][];
    imports: ImportEdge[];
    targetFiles: string[];
    built?: BuiltUse[];
  }[];
  stages: [string, StageCandidate[]][];
  syntax: [string, Finding[]][];
  /** What the file source gave besides the sources (package.json, tsconfig.json) when it was exclusive. */
  project: { exclusive: boolean; texts: [string, string][] };
  /** Module resolutions made (ModuleResolver.toState); an entry of any other shape is not used. */
  resolutions?: [string, string | null][];
}

function isResolution(e: unknown): e is [string, string | null] {
  return Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && (typeof e[1] === 'string' || e[1] === null);
}

/** package.json fields naming what a package's users load (`types` and `.d.ts` files name no code). */
const ENTRY_FIELDS = ['main', 'module', 'browser', 'exports', 'bin', 'source'];

/** The code entry points package.json names, as written. */
function entrySpecs(json: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const add = (v: unknown, key?: string): void => {
    if (key === 'types' || key === 'typings') return;
    if (typeof v === 'string') {
      if (/\.d\.[mc]?ts$/.test(v) || (/\.[a-z]+$/i.test(v) && !isSourceFile(v))) return;
      out.add(v);
    } else if (Array.isArray(v)) v.forEach((x) => add(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) add(x, k);
  };
  for (const field of ENTRY_FIELDS) add(json[field]);
  return [...out];
}

/** Specifiers of `require()` and `import()` calls, which facts keep as refs rather than import declarations. */
function requiredSpecs(facts: FileFacts): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.k === 'import' && typeof o.spec === 'string') out.add(o.spec);
      else Object.values(o).forEach(visit);
    }
  };
  visit([facts.refs, facts.exports, facts.units, facts.visible]);
  return out;
}

/** The span of the first string literal holding `spec` in `text` (the start of the file when none). */
function specSpan(text: string, spec: string): Span {
  for (const q of ["'", '"', '`']) {
    const at = text.indexOf(q + spec + q);
    if (at >= 0) return [at, at + spec.length + 2];
  }
  return [0, 0];
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
