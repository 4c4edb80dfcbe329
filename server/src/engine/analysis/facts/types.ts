import type { Finding } from '../../findings';
import type { StageKind } from '../types';

/**
 * What a name or expression stands for, as far as one file's syntax can tell. Extraction leaves
 * everything that crosses a file boundary symbolic; the linker (link.ts) resolves it against the
 * other files' facts. Plain data, so facts can be computed in a worker thread.
 */
export type Ref =
  /** A unit of this file (see units.ts), by its file-local key. */
  | { k: 'unit'; key: string }
  /** An imported binding: `name` is `*` for a namespace or `require()`, `default`, or an export name. */
  | { k: 'import'; spec: string; name: string }
  /** `of.name`: a member of a namespace, class, object literal or instance. */
  | { k: 'member'; of: Ref; name: string }
  /** An instance of the class `cls` refers to (`new C()`, a parameter typed `C`, `this`). */
  | { k: 'new'; cls: Ref }
  /** `x.name` where nothing is known about `x`: matched against the classes the file can see. */
  | { k: 'any'; name: string }
  /** What calling `fn` returns, from its declared return type (`function make(): Model`). */
  | { k: 'call'; fn: Ref }
  /** A class field (by the class's local key, which it belongs to) holding `value`: `scaler = new Scaler()`. */
  | { k: 'field'; key: string; value: Ref };

/** Offsets [start, end) in the file's text; the main thread turns them into lines and columns when needed. */
export type Span = [start: number, end: number];

/**
 * A unit something can point at by name (declarations, members, exported or registered inline
 * functions); units only reached by containment (callbacks inside a body) have edges but no info.
 */
export interface UnitInfo {
  /** File-local key. */
  key: string;
  /** Declared name, or undefined for an inline function. */
  name?: string;
  /** The name (the whole node for an inline function), for findings. */
  nameSpan: Span;
  /** Whole declaration. */
  body: Span;
  /** What a registration of this unit as a stage stands for (see stageTarget in link.ts). */
  shape: 'function' | 'class' | 'method' | 'variable' | 'other';
  /** Class or object-literal members (name → what the member is), for `x.name` resolution. */
  members?: Record<string, Ref>;
  /** `class X extends Base`: where inherited members come from. */
  base?: Ref;
  /** `Object.assign(X.prototype, A, B)`: objects or modules whose members X's instances also have. */
  mixins?: Ref[];
  /** Top-level variable: what its initializer is when that is another name, `new X()` or a member (`const g = f`). */
  alias?: Ref;
  /** Function or method with a declared return type naming a class: an instance of it. */
  returns?: Ref;
}

/** An `import`/`export … from` declaration (type-only ones excluded: they vanish at runtime). */
interface ImportDecl {
  spec: string;
  span: Span;
  reexport: boolean;
}

/** A stage as a rule saw it in this file, with the declaration it names still symbolic. */
export interface StageMention {
  kind: StageKind;
  target: Ref;
  explicitName?: string;
  registration?: Span;
  /** How the rule found it, for `check --stages` ("class with fit, predict", "passed to pipe()"…). */
  how: string;
  /**
   * A class with a base and none of the stage methods of its own: a stage only if the base chain (resolved
   * by the linker, often in another file) has these methods (`transform` alone does not count).
   */
  inherits?: string[];
}

/**
 * A unit's place in the text: its file-local key, [start, end) offsets from its first token, its depth
 * (0: a top-level declaration; 1: the outermost units of other top-level code), the index of the unit
 * enclosing it (-1: none), and for depth 0 its declared name (null: anonymous).
 */
export type UnitSpan = [key: string, start: number, end: number, depth: number, parent: number, name: string | null];

/**
 * Where a file's units and its top-level runtime code are, to map changed lines to declarations
 * without parsing again (stageVerify/lineIndex.ts). Units in document order, every one (inline
 * callbacks included, unlike FileFacts.units).
 */
export interface LineFacts {
  units: UnitSpan[];
  /** Top-level statements that run (not types, not `declare`, not type-only imports). */
  code: Span[];
}

/** Export key of a module that is a single value (`module.exports = f`, `export = f`): `require()` returns it. */
export const EXPORT_EQUALS = '=';

/** Everything the analysis needs from one file, computed from its text alone. */
export interface FileFacts {
  file: string;
  syntaxErrors: Finding[];
  units: UnitInfo[];
  /** Reference edges by local unit key: what each unit refers to (containment edges included, as `unit` refs). */
  refs: Record<string, Ref[]>;
  imports: ImportDecl[];
  /** Exported name → what it is (`default` included; EXPORT_EQUALS for `module.exports = x` / `export = x`). */
  exports: Record<string, Ref>;
  /** `export * from "spec"`. */
  starExports: string[];
  /** Module-level bindings that name classes (for `any` member refs): what each binding is. */
  visible: Ref[];
  stages: StageMention[];
}
