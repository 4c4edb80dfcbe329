import { ts } from 'ts-morph';
import type { AnalysisConfig } from '../config/types';
import type { Location } from '../findings';
import type { Stage, StageKind } from './types';
import { declarationName, isTopLevelVariable, nameNode, nodeLocation, resolveAlias, skipOuter, unitKey, valueDeclaration } from './units';

/** A stage as one rule saw it; the analyzer merges candidates that share a `key` (the declaration's unit). */
export interface StageCandidate extends Stage {
  /** Unit key of the stage's declaration (see units.ts). */
  key: string;
  /** Higher wins when merging: an explicit registered name beats a declaration name. */
  specificity: number;
}

const ESTIMATOR_METHODS = new Set(['fit', 'transform', 'predict']);
const KIND_RANK: Record<StageKind, number> = { registered: 5, constructed: 4, tagged: 3, estimator: 2, folder: 1 };

/** Everything one (non-test) file declares or registers as a stage, by the configured rules. */
export function discoverStages(sf: ts.SourceFile, checker: ts.TypeChecker, config: AnalysisConfig, relFile: string, analysed: ReadonlySet<string>): StageCandidate[] {
  const out: StageCandidate[] = [];
  const stageCalls = new Set(config.stageCalls);
  const constructors = new Set(config.pipelineConstructors);
  const inFolder = config.pipelineFolders.some((f) => relFile.startsWith(f.replace(/\/+$/, '') + '/'));
  const resolver = new ArgResolver(checker, analysed);

  const visit = (node: ts.Node): void => {
    const tagged = stageTag(node);
    if (tagged !== undefined) out.push(candidate(node, 'tagged', tagged || undefined));
    if ((ts.isClassDeclaration(node) || ts.isClassExpression(node)) && isEstimator(node)) out.push(candidate(stageNode(node), 'estimator'));
    if (ts.isCallExpression(node) && stageCalls.has(calleeName(node.expression) ?? '')) registrationStages(node, resolver, out);
    if (ts.isNewExpression(node) && constructors.has(calleeName(node.expression) ?? '')) constructorStages(node, resolver, out);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (inFolder) out.push(...exportedFunctions(sf, checker).map((d) => candidate(d, 'folder')));
  return out;
}

/** Merges candidates of the same declaration: most specific name, first registration. */
export function mergeStages(candidates: readonly StageCandidate[]): (Stage & { key: string })[] {
  const byKey = new Map<string, StageCandidate>();
  const sorted = [...candidates].sort((a, b) => b.specificity - a.specificity || KIND_RANK[b.kind] - KIND_RANK[a.kind] || compareLoc(a.registration, b.registration));
  for (const c of sorted) {
    const prev = byKey.get(c.key);
    if (!prev) byKey.set(c.key, { ...c });
    else if (!prev.registration && c.registration) prev.registration = c.registration;
  }
  return [...byKey.values()]
    .map(({ specificity: _s, ...stage }) => stage)
    .sort((a, b) => compareLoc(a.location, b.location) || a.name.localeCompare(b.name));
}

function compareLoc(a: Location | undefined, b: Location | undefined): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  return a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

function candidate(decl: ts.Node, kind: StageKind, explicitName?: string, registration?: ts.Node): StageCandidate {
  const name = explicitName ?? declarationName(decl) ?? anonymousName(decl);
  return {
    key: unitKey(decl),
    name,
    kind,
    location: firstLine(nodeLocation(nameNode(decl))),
    registration: registration ? nodeLocation(registration) : undefined,
    body: nodeLocation(decl),
    specificity: explicitName ? 2 + (kind === 'registered' ? 3 : kind === 'tagged' ? 2 : 1) : 1,
  };
}

function anonymousName(decl: ts.Node): string {
  const sf = decl.getSourceFile();
  const { line } = sf.getLineAndCharacterOfPosition(decl.getStart(sf));
  return `<anonymous stage at line ${line + 1}>`;
}

// An inline function has no name to point at: its location is clipped to its first line, so a
// finding does not underline the whole body.
function firstLine(loc: Location): Location {
  const { start, end } = loc.range;
  if (end.line === start.line) return loc;
  return { file: loc.file, range: { start, end: { line: start.line, character: start.character + 1 } } };
}

/** `undefined` when untagged, `''` for a bare `@stage`, else the name given after the tag. */
function stageTag(node: ts.Node): string | undefined {
  if (!(ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isClassDeclaration(node) || isTopLevelVariable(node))) return undefined;
  for (const tag of ts.getJSDocTags(node)) {
    if (tag.tagName.text !== 'stage') continue;
    const text = ts.getTextOfJSDocComment(tag.comment)?.trim() ?? '';
    return text.split(/\s+/)[0] ?? '';
  }
  return undefined;
}

function isEstimator(node: ts.ClassLikeDeclaration): boolean {
  return node.members.some((m) => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && ESTIMATOR_METHODS.has(m.name.text));
}

/** `const X = class {…}` is a stage of the variable (that is what references resolve to). */
function stageNode(node: ts.Node): ts.Node {
  const p = node.parent;
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isClassExpression(node)) && p && isTopLevelVariable(p)) return p;
  return node;
}

function calleeName(e: ts.Expression): string | undefined {
  const x = skipOuter(e);
  if (ts.isIdentifier(x)) return x.text;
  if (ts.isPropertyAccessExpression(x)) return x.name.text;
  return undefined;
}

function registrationStages(call: ts.CallExpression, r: ArgResolver, out: StageCandidate[]): void {
  const args = [...call.arguments];
  const first = args[0] ? skipOuter(args[0]) : undefined;
  const explicit = first && ts.isStringLiteralLike(first) && args.length > 1 ? first.text : undefined;
  const fnArgs = explicit !== undefined ? args.slice(1) : args;
  for (const arg of flattenArrays(fnArgs)) {
    const decl = r.resolve(arg);
    if (decl) out.push(candidate(decl, 'registered', explicit, arg));
  }
}

function constructorStages(node: ts.NewExpression, r: ArgResolver, out: StageCandidate[]): void {
  const add = (e: ts.Expression, name?: string): void => {
    const x = skipOuter(e);
    // sklearn-style `['scale', scaler]` pairs name the stage.
    if (ts.isArrayLiteralExpression(x) && x.elements.length === 2 && ts.isStringLiteralLike(skipOuter(x.elements[0]))) {
      add(x.elements[1], (skipOuter(x.elements[0]) as ts.StringLiteralLike).text);
      return;
    }
    if (ts.isArrayLiteralExpression(x)) {
      x.elements.forEach((el) => add(el));
      return;
    }
    if (ts.isObjectLiteralExpression(x)) {
      for (const p of x.properties) {
        if (ts.isPropertyAssignment(p)) {
          const init = skipOuter(p.initializer);
          const key = ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name) ? p.name.text : undefined;
          // `{ steps: [...] }` lists stages; `{ clean: fn }` names one.
          add(init, ts.isArrayLiteralExpression(init) || ts.isObjectLiteralExpression(init) ? undefined : key);
        } else if (ts.isShorthandPropertyAssignment(p)) add(p.name, p.name.text);
        else if (ts.isMethodDeclaration(p) && ts.isIdentifier(p.name)) out.push(candidate(p, 'constructed', p.name.text, p));
      }
      return;
    }
    const decl = r.resolve(x);
    if (decl) out.push(candidate(decl, 'constructed', name, e));
  };
  for (const a of node.arguments ?? []) add(a);
}

function flattenArrays(args: readonly ts.Expression[]): ts.Expression[] {
  return args.flatMap((a) => {
    const x = skipOuter(a);
    return ts.isArrayLiteralExpression(x) ? flattenArrays(x.elements.filter((e): e is ts.Expression => !ts.isSpreadElement(e))) : [a];
  });
}

/** Exported functions of a module: ES exports, `export { a }` lists and CommonJS `module.exports`/`exports.x`. */
function exportedFunctions(sf: ts.SourceFile, checker: ts.TypeChecker): ts.Node[] {
  // CommonJS JS files have a module symbol the public API does not hand out for the source file node.
  const mod = checker.getSymbolAtLocation(sf) ?? (sf as ts.SourceFile & { symbol?: ts.Symbol }).symbol;
  if (!mod) return [];
  const out = new Set<ts.Node>();
  for (const exp of checker.getExportsOfModule(mod)) {
    for (const decl of resolveAlias(checker, exp)?.declarations ?? []) {
      const value = valueDeclaration(decl, checker);
      if (value.getSourceFile() !== sf) continue; // re-exported from elsewhere: that file decides
      if (ts.isFunctionDeclaration(value) && value.body) out.add(value);
      else if (ts.isVariableDeclaration(value) && value.initializer) {
        const init = skipOuter(value.initializer);
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) out.add(isTopLevelVariable(value) ? value : init);
      } else if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) out.add(stageNode(value));
    }
  }
  return [...out];
}

/** Resolves a stage argument to the declaration that runs: identifier, import, property access, `new X()`, inline function. */
class ArgResolver {
  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly analysed: ReadonlySet<string>,
  ) {}

  resolve(e: ts.Expression, depth = 0): ts.Node | undefined {
    if (depth > 8) return undefined; // `const a = b; const b = a` style loops
    const x = skipOuter(e);
    if (ts.isArrowFunction(x) || ts.isFunctionExpression(x) || ts.isClassExpression(x)) return stageNode(x);
    if (ts.isNewExpression(x)) return this.resolve(x.expression, depth + 1);
    let target: ts.Node | undefined;
    if (ts.isIdentifier(x)) target = this.declOf(x);
    else if (ts.isPropertyAccessExpression(x)) target = this.declOf(x.name);
    if (!target || !this.analysed.has(target.getSourceFile().fileName)) return undefined;
    if (ts.isFunctionDeclaration(target) || ts.isMethodDeclaration(target) || ts.isClassDeclaration(target)) return target;
    if (ts.isVariableDeclaration(target) || ts.isPropertyAssignment(target)) {
      const init = target.initializer && skipOuter(target.initializer);
      if (!init) return undefined;
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init) || ts.isClassExpression(init)) return isTopLevelVariable(target) ? target : init;
      if (ts.isIdentifier(init) || ts.isPropertyAccessExpression(init) || ts.isNewExpression(init)) return this.resolve(init, depth + 1);
    }
    if (ts.isShorthandPropertyAssignment(target)) {
      const v = this.checker.getShorthandAssignmentValueSymbol(target)?.declarations?.[0];
      return v && ts.isVariableDeclaration(v) && v.initializer ? this.resolve(v.name as ts.Identifier, depth + 1) : undefined;
    }
    return undefined;
  }

  private declOf(id: ts.Node): ts.Node | undefined {
    try {
      return resolveAlias(this.checker, this.checker.getSymbolAtLocation(id))?.declarations?.[0];
    } catch {
      return undefined;
    }
  }
}
