import type { Location } from '../findings';
import { EXPORT_EQUALS, type FileFacts, type Ref, type Span, type UnitInfo } from './facts/types';
import { isStageSet } from './stages';
import type { BuiltImport } from './builtSource';
import type { StageCandidate } from './stages';
import { globalKey, keyFile, wholeModuleKey } from './unitKeys';

/** Turns a span of a file into a location (lines and columns). */
export type Locate = (file: string, span: Span) => Location;

/** An `import`/`export … from` of another analysed file. */
export interface ImportEdge {
  target: string;
  location: Location;
  /** `export … from`: importers of this file see the target's declarations through it. */
  reexport: boolean;
}

/** The part of the reference graph contributed by one file: recomputed only when it (or what it refers to) changes. */
export interface FileGraph {
  file: string;
  /** Outgoing references per unit of this file (unit key → unit keys, in any analysed file). */
  edges: Map<string, Set<string>>;
  imports: ImportEdge[];
  /** Other files consulted to resolve this file's references (so a change there invalidates this graph). */
  targetFiles: Set<string>;
  /** A test's imports of build output (left out of the analysis): the source each was read as, or why none. */
  built?: BuiltUse[];
}

/** An import of build output, mapped to its source (see builtSource.ts) or not. */
export type BuiltUse = BuiltImport & { spec: string; location: Location };

/**
 * What a Ref resolves to: a unit, an instance of a unit (a class), or a whole module (namespace import).
 * A class field is its class as an edge target, and `holds` what it is as a receiver (`this.scaler.fit`).
 */
type Den = { t: 'unit' | 'inst'; key: string; holds?: { ref: Ref; home: string } } | { t: 'ns'; file: string };

const MAX_DEPTH = 16; // `a = b; b = a` style loops, long re-export chains

/** Method and property names of the built-in prototypes a value of unknown type most often is. */
const BUILTIN_MEMBERS = new Set(
  [Array, String, Map, Set, Promise, Object, Function, Number, RegExp, Date].flatMap((c) =>
    Object.getOwnPropertyNames(c.prototype),
  ),
);

/**
 * Resolves the symbolic parts of files' facts against each other: imports through export tables
 * (re-exports, `export *`, CommonJS), members of classes, object literals and namespaces, and
 * unknown receivers against the classes a file can see. Stateless between calls: each call records
 * the files it consulted, which is what an edit elsewhere must invalidate.
 */
export class Linker {
  private readonly unitMaps = new WeakMap<FileFacts, Map<string, UnitInfo>>();
  private touched = new Set<string>();
  private visibleMembers: Map<string, Den[]> | undefined;
  private buildingVisible = false;
  /** The file the running call links (its imports are cached, its visible classes serve unknown receivers). */
  private current: string | undefined;
  /** Per call: what each import (spec, name) of the file resolves to; files repeat the same imports many times. */
  private imports = new Map<string, Den[]>();

  constructor(
    private readonly factsOf: (file: string) => FileFacts | undefined,
    /** Module resolution: the analysed file `spec` names from `from`, if any. */
    private readonly resolveSpec: (spec: string, from: string) => string | undefined,
    private readonly locate: Locate,
  ) {}

  graph(file: string): FileGraph {
    const facts = this.begin(file);
    const graph: FileGraph = { file, edges: new Map(), imports: [], targetFiles: new Set() };
    if (facts) {
      for (const [local, refs] of Object.entries(facts.refs)) {
        const from = globalKey(file, local);
        let set: Set<string> | undefined;
        for (const ref of refs) {
          for (const d of this.dens(ref, file, 0)) {
            const to = d.t === 'ns' ? wholeModuleKey(d.file) : d.key;
            if (to === from) continue;
            if (!set) graph.edges.set(from, (set = new Set()));
            set.add(to);
          }
        }
      }
      for (const imp of facts.imports) {
        const target = this.module(imp.spec, file);
        if (target) graph.imports.push({ target, location: this.locate(file, imp.span), reexport: imp.reexport });
      }
    }
    graph.targetFiles = this.end(file);
    return graph;
  }

  /** The stages one file declares or registers, each pointing at the declaration that runs. */
  stages(file: string): StageCandidate[] {
    const facts = this.begin(file);
    const out: StageCandidate[] = [];
    for (const m of facts?.stages ?? []) {
      const target = this.stageTarget(m.target, file, 0);
      if (!target) continue;
      const { info, home } = target;
      let how = m.how;
      if (m.inherits) {
        const inherited = this.inherited(globalKey(home, info.key), m.inherits);
        if (!inherited) continue;
        how = `${m.how} inheriting ${inherited.methods.join(', ')} from ${inherited.from}`;
      }
      const explicit = m.explicitName;
      const body = this.locate(home, info.body);
      out.push({
        key: globalKey(home, info.key),
        name: explicit ?? info.name ?? `<anonymous stage at line ${body.range.start.line + 1}>`,
        kind: m.kind,
        location: firstLine(this.locate(home, info.nameSpan)),
        registration: m.registration && this.locate(file, m.registration),
        body,
        how,
        specificity: explicit ? 2 + (m.kind === 'registered' ? 3 : m.kind === 'tagged' ? 2 : 1) : 1,
      });
    }
    this.end(file);
    return out;
  }

  /**
   * Unit keys of what a module exports, every name: through re-exports, `export *`, namespace re-exports and
   * CommonJS (`module.exports = { A, B }` exports A and B; `module.exports = X` exports X).
   */
  exportedKeys(file: string): Set<string> {
    this.begin(file);
    const out = new Set<string>();
    const seen = new Set<string>();
    const visit = (f: string, depth: number): void => {
      const facts = this.facts(f);
      if (!facts || seen.has(f) || depth > MAX_DEPTH) return;
      seen.add(f);
      const add = (d: Den): void => {
        if (d.t === 'ns') visit(d.file, depth + 1);
        else out.add(d.key);
      };
      for (const [name, ref] of Object.entries(facts.exports))
        for (const d of this.dens(ref, f, depth + 1)) {
          add(d);
          // A CommonJS export object's properties are the module's names.
          if (name !== EXPORT_EQUALS || d.t === 'ns') continue;
          const info = this.unit(d.key);
          if (info && info.shape !== 'class')
            for (const m of Object.values(info.members ?? {})) this.dens(m, keyFile(d.key), depth + 1).forEach(add);
        }
      for (const spec of facts.starExports) {
        const target = this.module(spec, f);
        if (target) visit(target, depth + 1);
      }
    };
    visit(file, 0);
    this.end(file);
    return out;
  }

  /** The stage methods a class gets from its base chain (`transform` alone does not count), and the nearest base's name. */
  private inherited(classKey: string, methods: readonly string[]): { methods: string[]; from: string } | undefined {
    const info = this.unit(classKey);
    if (!info?.base) return undefined;
    const home = keyFile(classKey);
    const bases = this.dens(info.base, home, 1).filter((d) => d.t !== 'ns');
    const found = methods.filter((name) => bases.some((b) => this.memberOf(b, name, 1).length > 0));
    if (!isStageSet(found)) return undefined;
    const first = bases[0];
    const from = (first && 'key' in first ? this.unit(first.key)?.name : undefined) ?? 'its base class';
    return { methods: found, from };
  }

  /** Files (other than `file`) the last call consulted. */
  private end(file: string): Set<string> {
    const t = this.touched;
    t.delete(file);
    this.touched = new Set();
    this.visibleMembers = undefined;
    this.imports = new Map();
    return t;
  }

  private begin(file: string): FileFacts | undefined {
    this.touched = new Set();
    this.visibleMembers = undefined;
    this.current = file;
    return this.factsOf(file);
  }

  private facts(file: string): FileFacts | undefined {
    const f = this.factsOf(file);
    if (f) this.touched.add(file);
    return f;
  }

  private unit(key: string): UnitInfo | undefined {
    const facts = this.facts(keyFile(key));
    if (!facts) return undefined;
    let map = this.unitMaps.get(facts);
    if (!map) this.unitMaps.set(facts, (map = new Map(facts.units.map((u) => [globalKey(facts.file, u.key), u]))));
    return map.get(key);
  }

  private module(spec: string, from: string): string | undefined {
    const f = this.resolveSpec(spec, from);
    return f !== undefined && this.facts(f) ? f : undefined;
  }

  private dens(ref: Ref, file: string, depth: number): Den[] {
    if (depth > MAX_DEPTH) return [];
    switch (ref.k) {
      case 'unit':
        return [{ t: 'unit', key: globalKey(file, ref.key) }];
      case 'import': {
        const id = file === this.current ? `${ref.spec}\0${ref.name}` : undefined;
        const known = id !== undefined ? this.imports.get(id) : undefined;
        if (known) return known;
        const target = this.module(ref.spec, file);
        const out: Den[] = !target
          ? []
          : ref.name === '*'
            ? this.moduleValue(target, depth + 1)
            : this.exported(target, ref.name, depth + 1, new Set());
        if (id !== undefined) this.imports.set(id, out);
        return out;
      }
      case 'member': {
        const of = this.dens(ref.of, file, depth + 1);
        // A receiver the syntax names but cannot resolve (an unannotated call, a package) is as unknown as `any`.
        if (of.length === 0) return file === this.current ? this.visible(ref.name) : [];
        return of.flatMap((d) => this.memberOf(d, ref.name, depth + 1));
      }
      case 'new':
        return this.dens(ref.cls, file, depth + 1).flatMap((d): Den[] =>
          d.t === 'ns' ? [] : [{ t: 'inst', key: d.key }],
        );
      case 'any':
        return this.visible(ref.name);
      case 'field':
        return [{ t: 'unit', key: globalKey(file, ref.key), holds: { ref: ref.value, home: file } }];
      case 'call':
        // Declared return types only: `make().fit()` with `make(): Model` is `Model.fit`.
        return this.dens(ref.fn, file, depth + 1).flatMap((d) => {
          if (d.t === 'ns') return [];
          const info = this.unit(d.key);
          return info?.returns ? this.dens(info.returns, keyFile(d.key), depth + 1) : [];
        });
    }
  }

  /** What `require()` / `import * as` of a module gives: the module, and the value it is when it is one (`module.exports = f`). */
  private moduleValue(file: string, depth: number): Den[] {
    const whole = this.facts(file)?.exports[EXPORT_EQUALS];
    return [{ t: 'ns', file }, ...(whole ? this.dens(whole, file, depth + 1) : [])];
  }

  private exported(file: string, name: string, depth: number, seen: Set<string>): Den[] {
    const facts = this.facts(file);
    if (!facts || seen.has(file) || depth > MAX_DEPTH) return [];
    seen.add(file);
    if (Object.hasOwn(facts.exports, name)) return this.dens(facts.exports[name], file, depth + 1);
    const whole = Object.hasOwn(facts.exports, EXPORT_EQUALS) ? facts.exports[EXPORT_EQUALS] : undefined;
    if (whole) {
      // A single-value module: its default import is the value, its names are the value's members.
      const value = this.dens(whole, file, depth + 1);
      return name === 'default' ? value : value.flatMap((d) => this.memberOf(d, name, depth + 1));
    }
    if (name === 'default') return []; // `export *` does not re-export a default
    for (const spec of facts.starExports) {
      const target = this.module(spec, file);
      const found = target ? this.exported(target, name, depth + 1, seen) : [];
      if (found.length > 0) return found;
    }
    return [];
  }

  private memberOf(d: Den, name: string, depth: number): Den[] {
    if (depth > MAX_DEPTH) return [];
    if (d.t === 'ns') return this.exported(d.file, name, depth + 1, new Set());
    if (d.holds)
      return this.dens(d.holds.ref, d.holds.home, depth + 1).flatMap((x) => this.memberOf(x, name, depth + 1));
    const info = this.unit(d.key);
    if (!info) return [];
    const home = keyFile(d.key);
    if (info.members && Object.hasOwn(info.members, name)) return this.dens(info.members[name], home, depth + 1);
    const mixed = (info.mixins ?? []).flatMap((m) =>
      this.dens(m, home, depth + 1).flatMap((x) => this.memberOf(x, name, depth + 1)),
    );
    if (mixed.length > 0) return mixed;
    const next = info.alias ?? info.base;
    return next ? this.dens(next, home, depth + 1).flatMap((x) => this.memberOf(x, name, depth + 1)) : [];
  }

  /**
   * `x.name` with nothing known about `x`: the members called `name` of the classes the file can see
   * (its own and those it imports). Over-approximates a type checker, within what the file names.
   */
  private visible(name: string): Den[] {
    // An unknown receiver of `.map()`, `.filter()`, `.then()` is far likelier an array or a promise than one
    // of the file's classes: names of built-in methods are not matched (the stage is reported, not passed).
    if (BUILTIN_MEMBERS.has(name)) return [];
    // A base class named through an unresolvable receiver (`extends b.Base`, `b` a package) would come back
    // here while the table is being built: such a base contributes no members.
    if (this.buildingVisible) return [];
    if (!this.visibleMembers) {
      this.buildingVisible = true;
      const map = new Map<string, Den[]>();
      const file = this.current as string;
      const seen = new Set<string>();
      const add = (member: string, d: Den): void => {
        const list = map.get(member);
        if (list) list.push(d);
        else map.set(member, [d]);
      };
      const addClass = (key: string, depth: number): void => {
        const info = this.unit(key);
        if (!info || seen.has(key) || depth > MAX_DEPTH) return;
        seen.add(key);
        const home = keyFile(key);
        if (info.shape === 'class')
          for (const [member, ref] of Object.entries(info.members ?? {})) {
            for (const d of this.dens(ref, home, depth + 1)) if (d.t !== 'ns') add(member, d);
          }
        for (const next of [info.alias, info.base])
          if (next) for (const d of this.dens(next, home, depth + 1)) if (d.t !== 'ns') addClass(d.key, depth + 1);
        // Mixed-in modules: every name they export is a member.
        for (const m of info.mixins ?? []) {
          for (const d of this.dens(m, home, depth + 1)) {
            if (d.t !== 'ns') continue;
            const exports = this.facts(d.file)?.exports ?? {};
            for (const member of Object.keys(exports))
              for (const x of this.dens(exports[member], d.file, depth + 1)) if (x.t !== 'ns') add(member, x);
          }
        }
      };
      try {
        for (const v of this.factsOf(file)?.visible ?? [])
          for (const d of this.dens(v, file, 0)) if (d.t !== 'ns') addClass(d.key, 0);
      } finally {
        this.buildingVisible = false;
      }
      this.visibleMembers = map;
    }
    return this.visibleMembers.get(name) ?? [];
  }

  /** The declaration a stage argument stands for, following `const g = f` and `const s = new S()` to the function or class. */
  private stageTarget(ref: Ref, file: string, depth: number): { info: UnitInfo; home: string } | undefined {
    if (depth > MAX_DEPTH) return undefined;
    for (const d of this.dens(ref, file, depth + 1)) {
      if (d.t === 'ns') continue;
      if (d.holds) return this.stageTarget(d.holds.ref, d.holds.home, depth + 1);
      const info = this.unit(d.key);
      if (!info) continue;
      if (info.shape === 'function' || info.shape === 'class' || info.shape === 'method')
        return { info, home: keyFile(d.key) };
      if (info.shape === 'variable' && info.alias) return this.stageTarget(info.alias, keyFile(d.key), depth + 1);
      return undefined;
    }
    return undefined;
  }
}

// An inline function has no name to point at: its location is clipped to its first line, so a
// finding does not underline the whole body.
function firstLine(loc: Location): Location {
  const { start, end } = loc.range;
  if (end.line === start.line) return loc;
  return { file: loc.file, range: { start, end: { line: start.line, character: start.character + 1 } } };
}
