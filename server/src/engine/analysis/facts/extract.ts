import { ts } from '../typescript';
import { declarationName, isUnitNode, localKey, nameNode, skipOuter, span } from '../units';
import { MODULE } from '../unitKeys';
import { collectExports } from './exports';
import { boundNames, hoistedVars, requireSpec, Scope, type Binding } from './scope';
import { Es5Classes, iifeResult, isIife, skipParens } from './es5';
import { mayHoldStageTags, StageRules } from './stageRules';
import { syntaxErrors, TS_ONLY } from './syntax';
import { LineRecorder } from './lines';
import type { FileFacts, LineFacts, Ref, UnitInfo } from './types';
import { Values } from './values';

// Read once: `ts` is ~2,200 getters in a dictionary-mode object, slow to look up per node.
const {
  createSourceFile,
  forEachChild,
  isAccessor,
  isArrowFunction,
  isBinaryExpression,
  isBlock,
  isCallExpression,
  isCaseBlock,
  isCatchClause,
  isClassDeclaration,
  isClassExpression,
  isClassLike,
  isConstructorDeclaration,
  isElementAccessExpression,
  isEnumDeclaration,
  isExportDeclaration,
  isExpressionStatement,
  isExternalModuleReference,
  isForInStatement,
  isForOfStatement,
  isForStatement,
  isFunctionDeclaration,
  isFunctionExpression,
  isFunctionLike,
  isGetAccessor,
  isIdentifier,
  isImportDeclaration,
  isImportEqualsDeclaration,
  isMethodDeclaration,
  isModuleBlock,
  isModuleDeclaration,
  isNamespaceImport,
  isObjectBindingPattern,
  isObjectLiteralExpression,
  isPropertyAccessExpression,
  isShorthandPropertyAssignment,
  isSourceFile,
  isStringLiteral,
  isStringLiteralLike,
  isTypeNode,
  isVariableDeclaration,
  isVariableDeclarationList,
  isVariableStatement,
} = ts;

/** What extraction needs to know about the file besides its text. */
export interface ExtractOptions {
  stageCalls: readonly string[];
  pipelineConstructors: readonly string[];
  /** Method names that make a class an estimator stage. */
  stageMethods: readonly string[];
  /** The file lies under a pipeline folder: its exported functions are stages. */
  inFolder: boolean;
  /** Test files register no stages; their top-level code is a root of the reachability walk. */
  isTest: boolean;
  target: ts.ScriptTarget;
}

/**
 * Parses one file and records what the analysis needs from it, from its syntax alone: units, the
 * references between them (resolved through lexical scopes, left symbolic where they leave the file),
 * imports, exports and stage mentions. No program, binder or checker: files are independent, so this
 * runs in parallel and an edit redoes one file.
 */
function extractFacts(file: string, text: string, options: ExtractOptions): { facts: FileFacts; lines: LineFacts } {
  // Parent pointers are set by the walk itself as it descends (one pass instead of two).
  const kind = scriptKind(file);
  // JSDoc is read only for `@stage` tags (stageRules.ts): a file that names none is parsed without it.
  const jsDocParsingMode = mayHoldStageTags(text) ? ts.JSDocParsingMode.ParseAll : ts.JSDocParsingMode.ParseNone;
  const sf = createSourceFile(file, text, { languageVersion: options.target, jsDocParsingMode }, false, kind);
  const extractor = new Extractor(sf, options, kind === ts.ScriptKind.JS || kind === ts.ScriptKind.JSX);
  return { facts: extractor.run(), lines: extractor.lines.facts() };
}

/**
 * Line facts of a text the analysis holds no facts for (an extraction: loads the compiler). They do not
 * depend on the options; as a test file, no stage rules run.
 */
export function parseLineFacts(file: string, text: string): LineFacts {
  const options: ExtractOptions = {
    stageCalls: [],
    pipelineConstructors: [],
    stageMethods: [],
    inFolder: false,
    isTest: true,
    target: ts.ScriptTarget.Latest,
  };
  return extractFacts(file, text, options).lines;
}

/**
 * Facts and where the units are (kept beside the facts, not in them: only a changed file's are read), or
 * why extraction failed (a compiler bug on odd input must not take the analysis down).
 */
export type ExtractResult = { facts: FileFacts; lines: LineFacts } | { error: string };

export function tryExtractFacts(file: string, text: string, options: ExtractOptions): ExtractResult {
  try {
    return extractFacts(file, text, options);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** What `setParentNodes` would do, for one node as the walk reaches it. */
function adopt(child: ts.Node, parent: ts.Node): void {
  (child as { parent: ts.Node }).parent = parent;
}

const SK = ts.SyntaxKind;

class Extractor {
  private readonly file: string;
  private readonly facts: FileFacts;
  private readonly units = new Map<string, UnitInfo & { inline?: boolean }>();
  /** Per unit: ids of the refs recorded so far (a name used twice is one edge). */
  private readonly seen = new Map<string, { ids: Set<string>; refs: Ref[] }>();
  /** The unit the last ref came from and its entry in `seen`: refs come in runs from one unit. */
  private lastFrom: string | undefined;
  private lastEntry: { ids: Set<string>; refs: Ref[] } | undefined;
  private readonly values = new Values();
  private readonly stageRules: StageRules | undefined;
  /** A JavaScript file uses TypeScript-only syntax somewhere (worth the grammar check, see syntax.ts). */
  private tsSyntaxInJs = false;
  /** ES5 classes: constructor function key → prototype members and base, applied after the walk (see es5.ts). */
  private readonly es5 = new Es5Classes();
  /** Where the units are, recorded as the walk meets them. */
  readonly lines: LineRecorder;

  constructor(
    private readonly sf: ts.SourceFile,
    private readonly options: ExtractOptions,
    private readonly isJs: boolean,
  ) {
    this.file = sf.fileName;
    this.lines = new LineRecorder(sf);
    this.facts = {
      file: this.file,
      syntaxErrors: [],
      units: [],
      refs: {},
      imports: [],
      exports: {},
      starExports: [],
      visible: [],
      stages: [],
    };
    this.stageRules = options.isTest
      ? undefined
      : new StageRules(options, sf, this.facts.stages, (e, s) => this.values.valueOf(e, s));
  }

  run(): FileFacts {
    const scope = new Scope(undefined);
    this.declareModule(scope);
    for (const st of this.sf.statements) {
      adopt(st, this.sf);
      this.lines.statement(st);
      this.visit(st, MODULE, scope);
    }
    this.facts.syntaxErrors = syntaxErrors(this.sf, this.tsSyntaxInJs);
    for (const [key, base] of this.es5.apply(this.units, this.stageRules)) this.ref(key, base);
    this.mixins(scope);
    collectExports(this.sf, scope, this.values, this.facts);
    if (this.options.inFolder && !this.options.isTest) this.folderStages();
    for (const b of scope.names.values()) {
      const v = b.value;
      if (v && (v.k === 'import' || (v.k === 'unit' && this.units.get(v.key)?.shape === 'class')))
        this.facts.visible.push(v);
    }
    this.facts.units = this.namedUnits();
    // `x.name` with an unknown `x` can only resolve among the classes the file sees: with none, drop those refs.
    if (this.facts.visible.length === 0) {
      for (const [from, refs] of Object.entries(this.facts.refs))
        this.facts.refs[from] = refs.filter((r) => r.k !== 'any');
    }
    return this.facts;
  }

  /** `Object.assign(C.prototype, A, B)` at the top level: C's instances also have A's and B's members. */
  private mixins(scope: Scope): void {
    for (const st of this.sf.statements) {
      const call = isExpressionStatement(st) ? skipOuter(st.expression) : undefined;
      if (!call || !isCallExpression(call) || call.arguments.length < 2) continue;
      const callee = call.expression;
      if (
        !isPropertyAccessExpression(callee) ||
        !isIdentifier(callee.expression) ||
        callee.expression.text !== 'Object' ||
        callee.name.text !== 'assign'
      )
        continue;
      const target = call.arguments[0];
      if (!isPropertyAccessExpression(target) || target.name.text !== 'prototype' || !isIdentifier(target.expression))
        continue;
      const cls = scope.lookup(target.expression.text)?.ref;
      const info = cls?.k === 'unit' ? this.units.get(cls.key) : undefined;
      if (!info || info.shape !== 'class') continue;
      const sources = call.arguments.slice(1).flatMap((a) => this.values.valueOf(a, scope) ?? []);
      info.mixins = [...(info.mixins ?? []), ...sources];
    }
  }

  /**
   * Infos of the units something can point at: declarations, and inline functions that are exported,
   * registered or an object's member. The many callbacks inside bodies need none, and keeping them out
   * keeps the facts of a large workspace small.
   */
  private namedUnits(): UnitInfo[] {
    const wanted = new Set<string>();
    const want = (r: Ref | undefined): void => {
      if (!r) return;
      if (r.k === 'unit') wanted.add(r.key);
      else if (r.k === 'member') want(r.of);
      else if (r.k === 'new') want(r.cls);
      else if (r.k === 'call') want(r.fn);
      else if (r.k === 'field') want(r.value);
    };
    Object.values(this.facts.exports).forEach(want);
    this.facts.stages.forEach((m) => want(m.target));
    this.facts.visible.forEach(want);
    const out = new Set<UnitInfo & { inline?: boolean }>();
    for (const info of this.units.values()) {
      if (info.inline && !wanted.has(info.key)) continue;
      out.add(info);
      Object.values(info.members ?? {}).forEach(want);
      want(info.alias);
      want(info.base);
      want(info.returns);
      info.mixins?.forEach(want);
    }
    // Inline functions wanted only by a member or alias of a unit listed before them.
    for (const info of this.units.values()) if (info.inline && wanted.has(info.key)) out.add(info);
    for (const info of out) delete info.inline;
    return [...out];
  }

  // --- scopes -------------------------------------------------------------------------------------

  private declareModule(scope: Scope): void {
    for (const st of this.sf.statements) {
      if (isImportDeclaration(st)) this.declareImport(st, scope);
      else if (
        isImportEqualsDeclaration(st) &&
        isExternalModuleReference(st.moduleReference) &&
        isStringLiteralLike(st.moduleReference.expression)
      ) {
        const r: Ref = { k: 'import', spec: st.moduleReference.expression.text, name: '*' };
        scope.names.set(st.name.text, { ref: r, value: r });
      } else if ((isEnumDeclaration(st) || isModuleDeclaration(st)) && isIdentifier(st.name))
        scope.names.set(st.name.text, {});
    }
    this.declareBlock(this.sf.statements, scope, undefined);
  }

  private declareImport(st: ts.ImportDeclaration, scope: Scope): void {
    const clause = st.importClause;
    if (!clause || !isStringLiteralLike(st.moduleSpecifier)) return;
    const spec = st.moduleSpecifier.text;
    const bind = (local: string, name: string): void => {
      const r: Ref = { k: 'import', spec, name };
      scope.names.set(local, { ref: r, value: r });
    };
    if (clause.name) bind(clause.name.text, 'default');
    const nb = clause.namedBindings;
    if (nb && isNamespaceImport(nb)) bind(nb.name.text, '*');
    else if (nb) for (const el of nb.elements) bind(el.name.text, (el.propertyName ?? el.name).text);
  }

  /**
   * Declares a block's functions, classes and variables (`var`s of a function body via `hoisted`), then
   * their values, so initialisers see names declared later in the same block. `unit` is the unit whose
   * code the block belongs to (undefined at the top level, where variables are units of their own).
   */
  private declareBlock(
    statements: readonly ts.Statement[],
    scope: Scope,
    unit: string | undefined,
    hoisted: readonly ts.VariableDeclaration[] = [],
  ): void {
    const decls: ts.VariableDeclaration[] = [...hoisted];
    for (const st of statements) {
      if (isFunctionDeclaration(st) || isClassDeclaration(st)) {
        if (st.name) {
          const r: Ref = { k: 'unit', key: localKey(st) };
          scope.names.set(st.name.text, { ref: r, value: r });
        }
      } else if (
        isVariableStatement(st) &&
        (st.declarationList.flags & ts.NodeFlags.BlockScoped || unit === undefined)
      ) {
        decls.push(...st.declarationList.declarations);
      }
    }
    const values: [Binding, ts.VariableDeclaration][] = [];
    for (const d of decls) {
      const spec = d.initializer ? requireSpec(skipOuter(d.initializer)) : undefined;
      if (spec !== undefined) {
        for (const { name, property } of boundNames(d.name)) {
          const r: Ref = { k: 'import', spec, name: isIdentifier(d.name) ? '*' : (property ?? '*') };
          scope.names.set(name, { ref: r, value: r });
        }
        continue;
      }
      const ref: Ref | undefined = unit === undefined ? { k: 'unit', key: localKey(d) } : { k: 'unit', key: unit };
      for (const { name } of boundNames(d.name)) {
        const b: Binding = { ref };
        scope.names.set(name, b);
        if (isIdentifier(d.name)) values.push([b, d]);
      }
    }
    for (const [b, d] of values) b.value = unit === undefined ? b.ref : this.declValue(d, scope);
    for (const d of decls)
      if (isObjectBindingPattern(d.name) && d.initializer) this.destructure(d.name, d.initializer, scope);
  }

  /** `const { clean, b: scale } = steps`: each name is that member of what `steps` is, when that is known. */
  private destructure(pattern: ts.ObjectBindingPattern, init: ts.Expression, scope: Scope): void {
    const source = this.values.valueOf(init, scope);
    if (!source) return;
    for (const el of pattern.elements) {
      if (el.dotDotDotToken || !isIdentifier(el.name)) continue;
      const prop = el.propertyName
        ? isIdentifier(el.propertyName) || isStringLiteral(el.propertyName)
          ? el.propertyName.text
          : undefined
        : el.name.text;
      const b = prop !== undefined ? scope.names.get(el.name.text) : undefined;
      if (b && prop !== undefined) b.ref = b.value = { k: 'member', of: source, name: prop };
    }
  }

  private functionScope(fn: ts.SignatureDeclaration, key: string, outer: Scope): Scope {
    // `function find(this: Cheerio<T>)`: a function written to be mixed into a class says what `this` is.
    const thisParam = fn.parameters.find((p) => isIdentifier(p.name) && p.name.text === 'this');
    const scope = thisParam
      ? new Scope(outer, outer.thisClass, this.values.typeValue(thisParam.type, outer))
      : new Scope(outer);
    if ((isFunctionExpression(fn) || isClassExpression(fn)) && fn.name)
      scope.names.set(fn.name.text, { ref: { k: 'unit', key }, value: { k: 'unit', key } });
    // An IIFE's parameters hold its arguments: `(function (_super) { __extends(X, _super) … }(Base))`.
    const args = isIife(fn) ? (skipParens(fn).parent as ts.CallExpression).arguments : undefined;
    fn.parameters.forEach((p, i) => {
      const value =
        this.values.typeValue(p.type, outer) ?? (args?.[i] ? this.values.valueOf(args[i], outer) : undefined);
      for (const { name } of boundNames(p.name))
        scope.names.set(name, { ref: { k: 'unit', key }, value: isIdentifier(p.name) ? value : undefined });
    });
    const body = (fn as ts.FunctionLikeDeclaration).body;
    if (body && isBlock(body)) this.declareBlock(body.statements, scope, key, hoistedVars(body));
    return scope;
  }

  private blockScope(node: ts.Node, outer: Scope, unit: string): Scope {
    const scope = new Scope(outer);
    if (isBlock(node) || isModuleBlock(node)) this.declareBlock(node.statements, scope, unit);
    else if (isCaseBlock(node))
      this.declareBlock(
        node.clauses.flatMap((c) => [...c.statements]),
        scope,
        unit,
      );
    else if (isCatchClause(node) && node.variableDeclaration)
      for (const { name } of boundNames(node.variableDeclaration.name))
        scope.names.set(name, { ref: { k: 'unit', key: unit } });
    else if (
      (isForStatement(node) || isForInStatement(node) || isForOfStatement(node)) &&
      node.initializer &&
      isVariableDeclarationList(node.initializer)
    ) {
      for (const d of node.initializer.declarations)
        for (const { name } of boundNames(d.name)) scope.names.set(name, { ref: { k: 'unit', key: unit } });
    }
    return scope;
  }

  // --- values -------------------------------------------------------------------------------------

  private declValue(d: ts.VariableDeclaration, scope: Scope): Ref | undefined {
    return (
      this.values.typeValue(d.type, scope) ?? (d.initializer ? this.values.valueOf(d.initializer, scope) : undefined)
    );
  }

  // --- the walk -----------------------------------------------------------------------------------

  private ref(from: string, to: Ref): void {
    if (to.k === 'unit' && to.key === from) return;
    // Not `facts.refs[from]` per ref: a key made at run time is looked up in V8's string table each time.
    let entry = this.lastFrom === from ? this.lastEntry : this.seen.get(from);
    if (!entry) {
      entry = { ids: new Set(), refs: [] };
      this.seen.set(from, entry);
      this.facts.refs[from] = entry.refs;
    }
    this.lastFrom = from;
    this.lastEntry = entry;
    const id = refId(to);
    if (entry.ids.has(id)) return;
    entry.ids.add(id);
    entry.refs.push(to);
  }

  private visit(node: ts.Node, current: string, scope: Scope): void {
    if (this.isJs && !this.tsSyntaxInJs && (TS_ONLY.has(node.kind) || isTypeNode(node))) this.tsSyntaxInJs = true;
    switch (node.kind) {
      case SK.Identifier:
        if (isReference(node as ts.Identifier)) {
          const r = scope.lookup((node as ts.Identifier).text)?.ref;
          if (r) this.ref(current, r);
        }
        return;
      case SK.ImportDeclaration:
      case SK.ExportDeclaration:
        this.recordImport(node as ts.ImportDeclaration | ts.ExportDeclaration);
        return; // naming a binding is not using it
      case SK.ImportEqualsDeclaration:
      case SK.InterfaceDeclaration:
      case SK.TypeAliasDeclaration:
      case SK.ExportSpecifier:
      case SK.HeritageClause:
        return;
      case SK.PropertyAccessExpression:
        adopt((node as ts.PropertyAccessExpression).expression, node);
        adopt((node as ts.PropertyAccessExpression).name, node);
        this.visit((node as ts.PropertyAccessExpression).expression, current, scope);
        this.member(node as ts.PropertyAccessExpression, current, scope);
        return;
    }
    if (isTypeNode(node)) return;
    let unit = current;
    let inner = scope;
    let leave: number | undefined;
    if (isUnitNode(node)) {
      unit = localKey(node);
      leave = this.lines.enter(node, unit);
      this.addUnit(node, unit, scope);
      // Containment: running the outer code may run the inner function. Not a function declared at the top
      // level: loading a module only defines it (stageDeps.ts seeds what runs at load with the module key).
      if (current !== MODULE || !definesFunction(node)) this.ref(current, { k: 'unit', key: unit });
      const cls = node.parent && isClassLike(node.parent) ? node.parent : undefined;
      // A method only runs on an instance, so reaching it reaches its class (constructor, field initialisers).
      if (cls && !isConstructorDeclaration(node)) this.ref(unit, { k: 'unit', key: localKey(cls) });
      if (isClassLike(node)) inner = new Scope(scope, unit, { k: 'new', cls: { k: 'unit', key: unit } });
      else if (isFunctionLike(node)) {
        inner = this.functionScope(node, unit, scope);
        // `var X = /** @class */ (function () { function X() {} …; return X; }())`: the call gives the class.
        const info = isIife(node) ? this.units.get(unit) : undefined;
        if (info) {
          info.returns = iifeResult(node as ts.FunctionExpression, inner);
          this.es5.wrapped(info.returns, span(enclosingStatement(node), this.sf));
        }
      }
    } else if (isExpressionStatement(node)) {
      this.es5.statement(node.expression, scope, this.values);
      // `pipeline.stage("x", f)` at the top level belongs to `pipeline`: using the pipeline runs its stages.
      const owner = isSourceFile(node.parent) ? this.topLevelOwner(node.expression, scope) : undefined;
      if (owner) unit = owner;
    } else if (
      isBlock(node) ||
      isCaseBlock(node) ||
      isCatchClause(node) ||
      isForStatement(node) ||
      isForInStatement(node) ||
      isForOfStatement(node) ||
      isModuleBlock(node)
    ) {
      // A function's body block shares the function's scope (declared in functionScope).
      if (!(isBlock(node) && isFunctionLike(node.parent))) inner = this.blockScope(node, scope, unit);
    }
    this.stageRules?.visit(node, scope);
    const inClass = isClassLike(node);
    forEachChild(node, (child) => {
      adopt(child, node);
      // Class members that are not units (fields) belong to the class; containment edges from the class
      // to methods are deliberately absent: constructing an instance does not call its methods.
      if (inClass && isUnitNode(child) && !isConstructorDeclaration(child)) this.visit(child, localKey(child), inner);
      else this.visit(child, unit, inner);
    });
    if (leave !== undefined) this.lines.leave(leave);
  }

  /** `x.name`: a member of what `x` is, or of any class the file can see when that is unknown. */
  private member(pa: ts.PropertyAccessExpression, current: string, scope: Scope): void {
    const recv = skipOuter(pa.expression);
    // CommonJS export assignments (`exports.f = …`, `module.exports.f = …`) define, they do not use.
    if (isIdentifier(recv) && (recv.text === 'exports' || recv.text === 'module') && !scope.lookup(recv.text)) return;
    if (
      isPropertyAccessExpression(recv) &&
      isIdentifier(recv.expression) &&
      recv.expression.text === 'module' &&
      recv.name.text === 'exports'
    )
      return;
    const of = this.values.valueOf(recv, scope);
    this.ref(current, of ? { k: 'member', of, name: pa.name.text } : { k: 'any', name: pa.name.text });
  }

  /** The top-level variable a statement like `p.stage(...).pipe(...)` operates on, if any. */
  private topLevelOwner(expr: ts.Expression, scope: Scope): string | undefined {
    let cur: ts.Expression = skipOuter(expr);
    for (;;) {
      if (isCallExpression(cur) || isPropertyAccessExpression(cur) || isElementAccessExpression(cur))
        cur = skipOuter(cur.expression);
      else if (isBinaryExpression(cur) && cur.operatorToken.kind === SK.EqualsToken) cur = skipOuter(cur.left);
      else break;
    }
    if (!isIdentifier(cur)) return undefined;
    const r = scope.lookup(cur.text)?.ref;
    // Only top-level variables are units keyed by their declaration.
    return r?.k === 'unit' && r.key.endsWith(`#${SK.VariableDeclaration}`) ? r.key : undefined;
  }

  private recordImport(node: ts.ImportDeclaration | ts.ExportDeclaration): void {
    const spec = node.moduleSpecifier;
    // Type-only imports vanish at runtime: they neither run code nor create import cycles.
    const typeOnly = isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
    if (!spec || !isStringLiteralLike(spec) || typeOnly) return;
    this.facts.imports.push({ spec: spec.text, span: span(node, this.sf), reexport: isExportDeclaration(node) });
  }

  // --- units, exports -----------------------------------------------------------------------------

  private addUnit(node: ts.Node, key: string, scope: Scope): void {
    const info: UnitInfo & { inline?: boolean } = {
      key,
      name: declarationName(node),
      nameSpan: span(nameNode(node), this.sf),
      body: span(node, this.sf),
      shape: 'other',
    };
    if (isArrowFunction(node) || isFunctionExpression(node) || isClassExpression(node)) info.inline = true;
    if (isFunctionDeclaration(node)) info.shape = node.body ? 'function' : 'other';
    else if (isArrowFunction(node) || isFunctionExpression(node)) info.shape = 'function';
    else if (isMethodDeclaration(node) || isConstructorDeclaration(node) || isAccessor(node)) info.shape = 'method';
    if (
      isFunctionDeclaration(node) ||
      isArrowFunction(node) ||
      isFunctionExpression(node) ||
      isMethodDeclaration(node) ||
      isGetAccessor(node)
    ) {
      info.returns = this.values.typeValue(node.type, scope);
    } else if (isClassLike(node)) {
      info.shape = 'class';
      info.members = this.values.classMembers(node, key, scope);
      const ext = node.heritageClauses?.find((h) => h.token === SK.ExtendsKeyword)?.types[0];
      const base = ext ? this.values.valueOf(ext.expression, scope) : undefined;
      if (base) {
        info.base = base;
        this.values.bases.set(key, base);
        // Using a subclass runs its base's constructor and inherited methods: the base is reached with it.
        this.ref(key, base);
      }
    } else if (isVariableDeclaration(node)) {
      const init = node.initializer ? skipOuter(node.initializer) : undefined;
      if (init && (isArrowFunction(init) || isFunctionExpression(init))) {
        info.shape = 'function';
        info.returns = this.values.typeValue(init.type, scope);
      } else {
        info.shape = init && isClassExpression(init) ? 'class' : 'variable';
        info.alias = this.values.typeValue(node.type, scope) ?? (init ? this.values.valueOf(init, scope) : undefined);
        if (init && isObjectLiteralExpression(init)) info.members = this.values.objectMembers(init, key, scope);
      }
    }
    this.units.set(key, info);
  }

  /** Every exported function or class of a pipeline-folder file is a stage, but the pipeline classes themselves. */
  private folderStages(): void {
    const keys = new Set<string>();
    for (const r of Object.values(this.facts.exports)) {
      const info = r.k === 'unit' ? this.units.get(r.key) : undefined;
      const shape = info?.shape;
      if (r.k !== 'unit' || keys.has(r.key) || (shape !== 'function' && shape !== 'class')) continue;
      if (shape === 'class' && this.options.pipelineConstructors.includes(info?.name ?? '')) continue;
      keys.add(r.key);
      this.facts.stages.push({ kind: 'folder', target: r, how: `exported ${shape} in a pipeline folder` });
    }
  }
}

/** The statement a node is part of (`var X = (function () {…}())` for the IIFE inside it). */
function enclosingStatement(node: ts.Node): ts.Node {
  let n = node;
  while (n.parent && !isSourceFile(n.parent) && !isBlock(n.parent) && !isModuleBlock(n.parent)) n = n.parent;
  return n;
}

/** A short identity for a ref, to record each one once per unit. */
function refId(r: Ref): string {
  switch (r.k) {
    case 'unit':
      return r.key;
    case 'import':
      return `i${r.spec}\0${r.name}`;
    case 'member':
      return `${refId(r.of)}.${r.name}`;
    case 'new':
      return `new ${refId(r.cls)}`;
    case 'any':
      return `?.${r.name}`;
    case 'call':
      return `${refId(r.fn)}()`;
    case 'field':
      return `${r.key}:${refId(r.value)}`;
  }
}

/** False for a declaration's own name, a property key, a label: names that do not refer to anything in scope. */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (!p) return false;
  if ((p as ts.Node & { name?: ts.Node }).name === id) return isShorthandPropertyAssignment(p);
  switch (p.kind) {
    case SK.QualifiedName:
    case SK.LabeledStatement:
    case SK.BreakStatement:
    case SK.ContinueStatement:
      return false;
    case SK.BindingElement:
      return (p as ts.BindingElement).propertyName !== id;
    default:
      return true;
  }
}

/** A top-level function declaration, or a top-level variable holding a function: loading its module runs neither. */
function definesFunction(node: ts.Node): boolean {
  if (isFunctionDeclaration(node)) return true;
  const init = isVariableDeclaration(node) && node.initializer ? skipOuter(node.initializer) : undefined;
  return init !== undefined && (isArrowFunction(init) || isFunctionExpression(init));
}

/** How the analysis parses a file, by its extension. */
export function scriptKind(file: string): ts.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  if (/\.[mc]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}
