import type { LineFacts } from './facts/types';
import type { FileGraph } from './link';
import type { KeyedStage } from './testReach';
import type { Stage } from './types';
import { keyFile, moduleKey, wholeModuleKey } from './unitKeys';

/** What a stage's code can run when its module is loaded and it is called. */
export interface StageReach {
  /** Unit key of the stage's declaration. */
  key: string;
  /**
   * Unit keys that may run: reached from the stage's declaration and from the load-time code of every
   * module loaded with it (top-level statements can register a helper that the stage looks up later).
   */
  units: ReadonlySet<string>;
  /** Analysed files loaded with the stage's module, transitively; its own file first. */
  files: readonly string[];
  /** Loaded files used as a namespace value (`m[name](x)`): any of their declarations may run. */
  wholeFiles: ReadonlySet<string>;
  /** Local files the loaded files import that are not analysed (JSON, scripts the globs leave out). */
  unanalysed: readonly string[];
}

/** What the analysis knows that StageDependencies needs; the Workspace provides it. */
export interface DependencySource {
  graphs: readonly FileGraph[];
  stages: readonly KeyedStage[];
  /** See Workspace.unanalysedImports. */
  unanalysedImports(file: string): string[];
  /** The text each file was analysed with. */
  text(file: string): string | undefined;
  /** See Workspace.lineFacts. */
  lineFacts(file: string, text: string): LineFacts | undefined;
}

/**
 * The reference graph of one analysis, asked what a stage depends on: the question "did this stage's
 * behaviour change?" is then a question about changed lines in those files (stageVerify/changed.ts).
 */
export class StageDependencies {
  private readonly graphs = new Map<string, FileGraph>();
  private readonly modules = new Map<string, string[]>();
  private readonly reached = new Map<string, StageReach>();
  /** Per file: class key → the keys of its members (see members). */
  private readonly memberIndex = new Map<string, Map<string, string[]>>();

  constructor(private readonly src: DependencySource) {
    for (const g of src.graphs) {
      this.graphs.set(g.file, g);
      // Both imports and the files references resolved through (`require()`, re-export chains) are loaded.
      this.modules.set(g.file, [...new Set([...g.imports.map((i) => i.target), ...g.targetFiles])]);
    }
  }

  /** A unit's outgoing edges, from its file's graph (a graph's edges start at its own units: `file#local`). */
  private edges(key: string): ReadonlySet<string> | undefined {
    // The file is the key up to one of its '#' (the first, unless the path itself holds one).
    for (let at = key.indexOf('#'); at >= 0; at = key.indexOf('#', at + 1)) {
      const g = this.graphs.get(key.slice(0, at));
      if (g) return g.edges.get(key);
    }
    return undefined;
  }

  get stages(): readonly Stage[] {
    return this.src.stages;
  }

  text(file: string): string | undefined {
    return this.src.text(file);
  }

  /** Where the units of `file` are in `text`, when the analysis knows without parsing (see Workspace.lineFacts). */
  lineFacts(file: string, text: string): LineFacts | undefined {
    return this.src.lineFacts(file, text);
  }

  /** True when the file is part of this analysis. */
  analyses(file: string): boolean {
    return this.modules.has(file);
  }

  /**
   * False when no stage can load any of `files`: none is a stage's own file or imported by any analysed
   * module (a test file, a script nothing imports). A cheap filter before asking `loads` stage by stage.
   */
  mayBeLoaded(files: Iterable<string>): boolean {
    if (!this.imported) {
      this.imported = new Set(this.src.stages.map((s) => s.body.file));
      for (const targets of this.modules.values()) for (const t of targets) this.imported.add(t);
    }
    for (const f of files) if (this.imported.has(f)) return true;
    return false;
  }

  private imported: Set<string> | undefined;

  /**
   * The analysed files loaded with a stage's module, transitively, its own first: every file whose code
   * it can run (references resolve only through files its file consults). Needs no facts: cheap.
   */
  loads(stage: Stage): readonly string[] {
    let files = this.loaded.get(stage.body.file);
    if (!files) {
      const set = new Set([stage.body.file]);
      for (const f of set) for (const m of this.modules.get(f) ?? []) set.add(m);
      this.loaded.set(stage.body.file, (files = [...set]));
    }
    return files;
  }

  private readonly loaded = new Map<string, string[]>();
  private byStart: Map<string, KeyedStage> | undefined;

  /** What the stage may run, or undefined when it is not a stage of this analysis. */
  reach(stage: Stage): StageReach | undefined {
    // Stages by where their body starts: a hook asks for many, of many (a linear search each cost ~15 ms).
    if (!this.byStart) {
      this.byStart = new Map();
      for (const s of this.src.stages) if (!this.byStart.has(startOf(s))) this.byStart.set(startOf(s), s);
    }
    const keyed = this.byStart.get(startOf(stage));
    if (!keyed) return undefined;
    let r = this.reached.get(keyed.key);
    if (!r) this.reached.set(keyed.key, (r = this.walk(keyed)));
    return r;
  }

  private walk(stage: KeyedStage): StageReach {
    const files = this.loads(stage);
    const units = new Set<string>();
    const wholeFiles = new Set<string>();
    // The top-level code of every loaded module runs (and reaches the classes and variables it defines).
    const queue = [stage.key, ...files.map(moduleKey)];
    // A class stage runs its members, and those of the classes it extends (the graph has edges from a
    // member to its class, and from a class to its base, but not from a class to its members).
    const expanded = new Set<string>();
    const expand = (cls: string): void => {
      if (expanded.has(cls)) return;
      expanded.add(cls);
      queue.push(...this.members(cls));
      for (const next of this.edges(cls) ?? []) if (isClassKey(next)) expand(next);
    };
    if (isClassKey(stage.key)) expand(stage.key);
    while (queue.length > 0) {
      const key = queue.pop() as string;
      if (units.has(key)) continue;
      units.add(key);
      const home = keyFile(key);
      if (key === wholeModuleKey(home)) wholeFiles.add(home);
      for (const next of this.edges(key) ?? []) if (!units.has(next)) queue.push(next);
    }
    const src = this.src;
    let unanalysed: string[] | undefined;
    return {
      key: stage.key,
      units,
      files,
      wholeFiles,
      // Listed on first use: it reads the facts of every loaded module, which a walk needs no other way.
      get unanalysed(): string[] {
        return (unanalysed ??= [...new Set(files.flatMap((f) => src.unanalysedImports(f)))]);
      },
    };
  }

  /**
   * Units of the class's file, declared after it, with an edge to it: its methods, constructor and
   * accessors (each has one to its class), and at worst a later function of that file that uses the class.
   */
  private members(cls: string): string[] {
    const file = keyFile(cls);
    let byClass = this.memberIndex.get(file);
    if (!byClass) {
      byClass = new Map();
      for (const [from, to] of this.graphs.get(file)?.edges ?? [])
        for (const t of to)
          if (isClassKey(t) && keyFile(t) === file && posOf(from) > posOf(t)) {
            const list = byClass.get(t);
            if (list) list.push(from);
            else byClass.set(t, [from]);
          }
      this.memberIndex.set(file, byClass);
    }
    return byClass.get(cls) ?? [];
  }
}

/**
 * `ts.SyntaxKind.ClassDeclaration` and `ClassExpression` of the compiler this analysis uses, written out so
 * that walking stages (which a hook run does without parsing) does not load the compiler; a unit test keeps
 * them equal to the compiler's.
 */
export const CLASS_KINDS = [264, 232];
const CLASS_SUFFIXES = CLASS_KINDS.map((k) => `#${k}`);

/** Whether a unit key (`file#pos#kind`) is a class's. */
function isClassKey(key: string): boolean {
  return CLASS_SUFFIXES.some((k) => key.endsWith(k));
}

/** Where a stage's body starts: file, line and character. */
function startOf(stage: Stage): string {
  const { line, character } = stage.body.range.start;
  return `${stage.body.file}\0${line}\0${character}`;
}

/** The position part of a unit key (NaN for a module's key). */
function posOf(key: string): number {
  const end = key.lastIndexOf('#');
  return Number(key.slice(key.lastIndexOf('#', end - 1) + 1, end));
}
