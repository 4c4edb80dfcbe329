import type { FileGraph } from './link';
import { keyFile, moduleKey } from './unitKeys';

/** Which of the stages the tests reach: per test file, and over all of them. */
export interface Reach {
  /** Keys of the stages reached by at least one test. */
  all: Set<string>;
  /** Keys of the stages reached by each test file (every test file has an entry). */
  perTest: Map<string, Set<string>>;
}

/**
 * What one test's walk needs to be trusted again, in terms that outlive the process: the files of every
 * node it visited (the graphs that gave it its edges: the test's own file is one), and the stages among
 * those nodes, of the stages known when it was taken.
 */
interface TestWalk {
  /** File ids (see ReachIndex.fileNames). */
  files: Int32Array;
  reached: Set<string>;
}

/**
 * The walks as stored between runs (see Analyzer.toState), valid against the graphs stored with them:
 * the stage keys the walks' stages are taken from, a table of files, and per test the indices of the
 * files it visited and of the stages it reached.
 */
export interface ReachState {
  stages: string[];
  files: string[];
  tests: [string, number[], number[]][];
}

/** One file's edges with unit keys replaced by interned ids (cached per FileGraph object). */
interface CompiledGraph {
  from: Int32Array;
  /** Targets of `from[i]`: `targets[start[i]..start[i + 1])` (one array per file, not one per unit). */
  start: Int32Array;
  targets: Int32Array;
}

/** One compute's view of the graphs, compiled only as walks reach them. */
interface Pass {
  /** Per file id: its graph now. */
  now: (FileGraph | undefined)[];
  /** Per file id: its graph compiled and claimed, null when it has none; unset until a walk needs it. */
  graphs: (CompiledGraph | null | undefined)[];
  stages: ReadonlySet<string>;
  /** Per node id: 1 for a stage (made at the first walk; stage keys are interned then, so later ids are none). */
  isStage: Uint8Array | undefined;
  /** Per node id and per file id: the stamp of the last walk that visited it (grown as graphs are interned). */
  seen: Int32Array;
  fileSeen: Int32Array;
}

/**
 * Walks the reference graph from every test file. A test file's roots are its top-level code and every
 * function in it; edges follow calls, references, aliases (resolved by link.ts), callbacks passed as
 * arguments and containment, so "runs the pipeline" reaches every stage the pipeline registers.
 *
 * Incremental, also across processes (toState/restore): a node's edges come from its own file's graph,
 * so a test is walked again only when a file it visited got a graph with other edges (or none), or a
 * new stage is declared in such a file; every other test keeps the stages its last walk reached.
 * Graphs are interned into integer arrays only when a walk needs them.
 */
export class ReachIndex {
  private ids = new Map<string, number>();
  private keys: string[] = [];
  /** Per node id: the id of its file. */
  private fileOf: number[] = [];
  /** File ids: kept when the node ids are forgotten, as the walks hold them. */
  private fileIds = new Map<string, number>();
  private fileNames: string[] = [];
  private compiled = new WeakMap<FileGraph, CompiledGraph>();
  /** Per node id: the compiled graph that last claimed it and its index there (its edges when that graph is current). */
  private owner: (CompiledGraph | undefined)[] = [];
  private ownerIndex: number[] = [];
  private walks = new Map<string, TestWalk>();
  /** Per file id, each file's graph as of the last compute (or the restored state): the walks' basis. */
  private last: (FileGraph | undefined)[] = [];
  private lastStages = new Set<string>();
  /** The tests the last compute walked (the others kept their walks). */
  walked: string[] = [];

  /**
   * An index whose walks are those stored (see toState), valid against `graphs`, the graphs stored
   * with them. Without a state (or with one that is not well formed) every test is walked again.
   */
  static restore(state: ReachState | undefined, graphs: Iterable<FileGraph>): ReachIndex {
    const index = new ReachIndex();
    // The stored file table first: its indices become the file ids.
    for (const f of state?.files ?? []) index.fileId(f);
    for (const g of graphs) index.last[index.fileId(g.file)] = g;
    if (!state) return index;
    index.lastStages = new Set(state.stages);
    for (const [test, files, reached] of state.tests)
      index.walks.set(test, { files: Int32Array.from(files), reached: new Set(reached.map((i) => state.stages[i])) });
    return index;
  }

  /** The walks still valid against `graphs` (every analysed file's graph now) and the stage keys they hold. */
  toState(graphs: Iterable<FileGraph>): ReachState {
    const stale = this.staleFiles(this.byId(graphs));
    const stages = [...this.lastStages];
    const stageIndex = new Map(stages.map((k, i) => [k, i]));
    const tests: ReachState['tests'] = [];
    for (const [test, walk] of this.walks) {
      // A graph relinked since the last compute: the walk may not hold for it.
      if (walk.files.some((f) => stale[f] === 1)) continue;
      tests.push([test, Array.from(walk.files), [...walk.reached].map((k) => stageIndex.get(k) as number)]);
    }
    return { stages, files: [...this.fileNames], tests };
  }

  compute(graphs: readonly FileGraph[], testFiles: readonly string[], stageKeys: readonly string[]): Reach {
    // Edits mint new keys (positions shift) and old ones are never freed: start over once most are stale.
    // (Counted only past 50,000 ids: a restored analysis need not build every graph's edges for it.)
    if (this.ids.size > 50_000) {
      let live = 0;
      for (const g of graphs) live += g.edges.size;
      if (this.ids.size > 4 * live + 50_000) this.forgetIds();
    }

    // Files whose nodes may have other edges than when the walks were taken, or that hold a new stage.
    const now = this.byId(graphs);
    const stale = this.staleFiles(now);
    const stages = new Set(stageKeys);
    // (A file new to the table is in no walk: the write past the end is dropped, and may be.)
    for (const k of stages) if (!this.lastStages.has(k)) stale[this.fileId(keyFile(k))] = 1;
    let stageGone = false;
    for (const k of this.lastStages) if (!stages.has(k)) stageGone = true;

    const pass: Pass = {
      now,
      graphs: [],
      stages,
      isStage: undefined,
      seen: new Int32Array(0),
      fileSeen: new Int32Array(0),
    };
    const perTest = new Map<string, Set<string>>();
    const all = new Set<string>();
    const walks = new Map<string, TestWalk>();
    this.walked = [];
    testFiles.forEach((test, t) => {
      let walk = this.walks.get(test);
      if (!walk || walk.files.some((f) => stale[f] === 1)) {
        walk = this.walk(test, pass, t + 1);
        this.walked.push(test);
      } else if (stageGone) {
        // Still valid: no new stage is in its files, so its stages now are those it had that still are.
        const reached = new Set<string>();
        for (const k of walk.reached) if (stages.has(k)) reached.add(k);
        walk = { files: walk.files, reached };
      }
      walks.set(test, walk);
      perTest.set(test, walk.reached);
      for (const k of walk.reached) all.add(k);
    });
    this.walks = walks;
    this.last = now;
    this.lastStages = stages;
    return { all, perTest };
  }

  /** Graphs by file id. */
  private byId(graphs: Iterable<FileGraph>): (FileGraph | undefined)[] {
    const out: (FileGraph | undefined)[] = new Array<FileGraph | undefined>(this.fileNames.length);
    for (const g of graphs) out[this.fileId(g.file)] = g;
    return out;
  }

  /** Per file id, 1 where the graph `now` gives other edges than the walks' (relinked, new or gone). */
  private staleFiles(now: readonly (FileGraph | undefined)[]): Uint8Array {
    const stale = new Uint8Array(this.fileNames.length);
    for (let f = 0; f < stale.length; f++) {
      const a = this.last[f];
      const b = now[f];
      if (a !== b && !(a && b && sameEdges(a, b))) stale[f] = 1;
    }
    return stale;
  }

  /** Every node reachable from the test's roots (iterative, with a visited stamp, so cycles terminate). */
  private walk(test: string, pass: Pass, stamp: number): TestWalk {
    const files: number[] = [];
    const reached = new Set<string>();
    const queue: number[] = [];
    const root = this.id(moduleKey(test));
    if (!pass.isStage) {
      pass.isStage = new Uint8Array(this.ids.size + pass.stages.size);
      for (const k of pass.stages) pass.isStage[this.id(k)] = 1;
    }
    const isStage = pass.isStage;
    this.fitSeen(pass);
    // pass.seen and pass.fileSeen are read on each push: interning a graph may have grown them.
    const push = (n: number): void => {
      if (pass.seen[n] === stamp) return;
      pass.seen[n] = stamp;
      queue.push(n);
      const f = this.fileOf[n];
      if (pass.fileSeen[f] !== stamp) {
        pass.fileSeen[f] = stamp;
        files.push(f);
      }
      if (isStage[n] === 1) reached.add(this.keys[n]);
    };
    push(root);
    const own = this.graphOf(this.fileOf[root], pass);
    if (own) for (const n of own.from) push(n);
    while (queue.length > 0) {
      const n = queue.pop() as number;
      const c = this.graphOf(this.fileOf[n], pass);
      if (!c || this.owner[n] !== c) continue;
      const i = this.ownerIndex[n];
      for (let k = c.start[i]; k < c.start[i + 1]; k++) push(c.targets[k]);
    }
    return { files: Int32Array.from(files), reached };
  }

  /** A file's current graph, compiled, with its nodes claimed for this pass (their edges are its). */
  private graphOf(file: number, pass: Pass): CompiledGraph | null {
    let c = pass.graphs[file];
    if (c === undefined) {
      const g = pass.now[file];
      c = g ? this.compile(g) : null;
      for (let i = 0; c && i < c.from.length; i++) {
        this.owner[c.from[i]] = c;
        this.ownerIndex[c.from[i]] = i;
      }
      pass.graphs[file] = c;
      this.fitSeen(pass);
    }
    return c;
  }

  /** Grows the pass's stamps to the ids interned so far. */
  private fitSeen(pass: Pass): void {
    if (pass.seen.length < this.keys.length) pass.seen = grown(pass.seen, this.keys.length);
    if (pass.fileSeen.length < this.fileNames.length) pass.fileSeen = grown(pass.fileSeen, this.fileNames.length);
  }

  private compile(g: FileGraph): CompiledGraph {
    let c = this.compiled.get(g);
    if (!c) {
      let total = 0;
      for (const tos of g.edges.values()) total += tos.size;
      const from = new Int32Array(g.edges.size);
      const start = new Int32Array(g.edges.size + 1);
      const targets = new Int32Array(total);
      let i = 0;
      let k = 0;
      for (const [f, tos] of g.edges) {
        from[i++] = this.id(f);
        for (const t of tos) targets[k++] = this.id(t);
        start[i] = k;
      }
      c = { from, start, targets };
      this.compiled.set(g, c);
    }
    return c;
  }

  private id(key: string): number {
    let n = this.ids.get(key);
    if (n === undefined) {
      n = this.keys.push(key) - 1;
      this.ids.set(key, n);
      this.owner.push(undefined);
      this.ownerIndex.push(0);
      this.fileOf.push(this.fileId(keyFile(key)));
    }
    return n;
  }

  private fileId(file: string): number {
    let f = this.fileIds.get(file);
    if (f === undefined) this.fileIds.set(file, (f = this.fileNames.push(file) - 1));
    return f;
  }

  /** Drops the interned node ids and what is built on them; the walks and file ids are kept. */
  private forgetIds(): void {
    this.ids = new Map();
    this.keys = [];
    this.fileOf = [];
    this.compiled = new WeakMap();
    this.owner = [];
    this.ownerIndex = [];
  }
}

/** A copy of `a` with room for at least `size` entries (doubling, so growing stays linear). */
function grown(a: Int32Array, size: number): Int32Array {
  const out = new Int32Array(Math.max(size, 2 * a.length));
  out.set(a);
  return out;
}

/** True when two graphs of a file give every node the same edges (a relinked file whose references did not change). */
function sameEdges(a: FileGraph, b: FileGraph): boolean {
  if (a.edges.size !== b.edges.size) return false;
  for (const [from, tos] of a.edges) {
    const other = b.edges.get(from);
    if (!other || other.size !== tos.size) return false;
    for (const t of tos) if (!other.has(t)) return false;
  }
  return true;
}

/**
 * The stored walks when they are well formed (files listed once, indices in range, each test's own file
 * among the files it visited, each stage it reached in one of them), else undefined: then every test is
 * walked again.
 */
export function reachStateOf(x: unknown): ReachState | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const { stages, files, tests } = x as Record<string, unknown>;
  if (!isStrings(stages) || !isStrings(files) || !Array.isArray(tests)) return undefined;
  const fileIndex = new Map(files.map((f, i) => [f, i]));
  if (fileIndex.size !== files.length) return undefined;
  /** Per stage: the index of its file, -1 when not listed, -2 until asked. */
  const stageFile = new Int32Array(stages.length).fill(-2);
  const seen = new Int32Array(files.length);
  for (let t = 0; t < tests.length; t++) {
    const entry: unknown = tests[t];
    if (!Array.isArray(entry) || entry.length !== 3) return undefined;
    const [test, fileAt, stageAt] = entry as unknown[];
    if (typeof test !== 'string' || !isIndices(fileAt, files.length) || !isIndices(stageAt, stages.length))
      return undefined;
    for (const i of fileAt) seen[i] = t + 1;
    const own = fileIndex.get(test);
    if (own === undefined || seen[own] !== t + 1) return undefined;
    for (const s of stageAt) {
      if (stageFile[s] === -2) stageFile[s] = fileIndex.get(keyFile(stages[s])) ?? -1;
      if (stageFile[s] < 0 || seen[stageFile[s]] !== t + 1) return undefined;
    }
  }
  return { stages, files, tests: tests as ReachState['tests'] };
}

function isStrings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((v) => typeof v === 'string');
}

function isIndices(x: unknown, length: number): x is number[] {
  return Array.isArray(x) && x.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < length);
}
