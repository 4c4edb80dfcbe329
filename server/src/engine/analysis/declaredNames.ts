import { ts } from 'ts-morph';
import { isUnitNode } from './units';

/** The names one file declares: all of them, and those a property access (`x.name`) can reach. */
export interface DeclaredNames {
  all: Set<string>;
  /**
   * Names of declarations that are not locals: members, properties, module-level and exported
   * declarations, … (interface and type-literal members outside any unit excluded: they hold no code).
   */
  members: Set<string>;
}

/**
 * Every name one file gives to a declaration of any kind (variables, parameters, functions, classes,
 * members, object-literal properties, imports, exports, `x.y = …` expando assignments, …).
 *
 * The checker resolves an identifier to a symbol whose declarations carry that same name, so an
 * identifier whose text no analysed file declares can only be a library or global symbol: the
 * reference graph skips its (costly) checker call without changing a single edge. Property names
 * (`rows.map`) are the costly ones (they need the type of `rows`) and can only resolve to a member,
 * property or module-level declaration, never to a local, hence the second, smaller set.
 * `DYNAMIC` is added when a declaration's name cannot be known without evaluating types or code.
 */
export function declaredNames(sf: ts.SourceFile): DeclaredNames {
  const all = new Set<string>(['default']);
  const members = new Set<string>(['default']);
  // `inUnit`: below a function, class or top-level variable (see units.ts), which a reference can point into.
  const visit = (node: ts.Node, inUnit: boolean): void => {
    const name = (node as ts.Node & { name?: ts.Node }).name;
    // `a.b` merely uses `b`, unless it is the target of an assignment (`exports.f = …`, `this.x = …`).
    if (name && !(ts.isPropertyAccessExpression(node) && !isAssignmentTarget(node))) {
      addName(name, all);
      if (!isLocal(node) && !(isSignature(node) && !inUnit)) addName(name, members);
    }
    // JS expando declarations: `F.prototype.m = …` also binds `prototype`; `exports['x'] = …` binds `x`.
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      for (let e: ts.Expression = node.left; ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e); e = e.expression) {
        const n = ts.isPropertyAccessExpression(e) ? e.name : ts.isStringLiteralLike(e.argumentExpression) ? e.argumentExpression : undefined;
        addName(n, all);
        addName(n, members);
      }
    }
    if (ts.isCallExpression(node) && isDefineProperty(node.expression)) {
      addName(node.arguments[1], all);
      addName(node.arguments[1], members);
    }
    // `{ [K in keyof T as `get${K}`]: … }` renames properties whose declarations keep the old name.
    if (ts.isMappedTypeNode(node) && node.nameType) members.add(DYNAMIC);
    const below = inUnit || isUnitNode(node);
    ts.forEachChild(node, (child) => visit(child, below));
  };
  visit(sf, false);
  if (all.has(DYNAMIC)) members.add(DYNAMIC);
  return { all, members };
}

/** Marker in a name set: some name is computed at runtime, so no identifier may be skipped. */
export const DYNAMIC = '\0dynamic';

/**
 * A member of an interface or type literal: outside every unit it has no code a reference could reach,
 * so `ctx.log` with `log` declared only in a top-level `interface` never yields an edge.
 */
function isSignature(node: ts.Node): boolean {
  return ts.isPropertySignature(node) || ts.isMethodSignature(node);
}

/** A declaration only visible by its plain name inside some function or block (never as `x.name`). */
function isLocal(node: ts.Node): boolean {
  if (ts.isParameter(node)) return !ts.isParameterPropertyDeclaration(node, node.parent);
  if (ts.isTypeParameterDeclaration(node) || ts.isImportClause(node) || ts.isImportSpecifier(node) || ts.isNamespaceImport(node)) return true;
  if (ts.isBindingElement(node) || ts.isVariableDeclaration(node)) {
    let stmt: ts.Node = node;
    while (ts.isBindingElement(stmt) || ts.isObjectBindingPattern(stmt) || ts.isArrayBindingPattern(stmt) || ts.isVariableDeclaration(stmt) || ts.isVariableDeclarationList(stmt)) stmt = stmt.parent;
    // Parameters, `for … of`, `catch (e)` and variables inside functions or blocks are locals.
    return !(ts.isVariableStatement(stmt) && isModuleLevel(stmt));
  }
  if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isEnumDeclaration(node) || ts.isModuleDeclaration(node)) return !isModuleLevel(node);
  return false;
}

/** Directly in a file or a namespace body: reachable as `ns.name`, `globalThis.name`, an export, … */
function isModuleLevel(node: ts.Node): boolean {
  return ts.isSourceFile(node.parent) || ts.isModuleBlock(node.parent);
}

function addName(name: ts.Node | undefined, out: Set<string>): void {
  if (!name) return;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name)) out.add(name.text);
  else if (ts.isComputedPropertyName(name)) {
    const e = name.expression;
    if (ts.isStringLiteralLike(e) || ts.isNumericLiteral(e)) out.add(e.text);
    // Well-known symbols (`[Symbol.iterator]`) cannot be reached through an identifier.
    else if (!(ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Symbol')) out.add(DYNAMIC);
  }
}

function isAssignmentTarget(node: ts.PropertyAccessExpression): boolean {
  const p = node.parent;
  return ts.isBinaryExpression(p) && p.left === node && p.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}

function isDefineProperty(e: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(e) && e.name.text === 'defineProperty';
}

/** How many files declare each name, kept up to date as files change. */
export class NameCounts {
  private readonly all = new Map<string, number>();
  private readonly members = new Map<string, number>();
  private readonly byFile = new Map<string, DeclaredNames>();

  set(file: string, names: DeclaredNames): void {
    this.delete(file);
    this.byFile.set(file, names);
    count(this.all, names.all, 1);
    count(this.members, names.members, 1);
  }

  delete(file: string): void {
    const old = this.byFile.get(file);
    if (!old) return;
    this.byFile.delete(file);
    count(this.all, old.all, -1);
    count(this.members, old.members, -1);
  }

  /**
   * True when an identifier with this text may resolve to a declaration in some analysed file;
   * `member`: the identifier is a property name (`x.name`, `{ name: y } = x`).
   */
  mayResolve(name: string, member: boolean): boolean {
    const counts = member ? this.members : this.all;
    return counts.has(name) || counts.has(DYNAMIC);
  }
}

function count(counts: Map<string, number>, names: Set<string>, delta: number): void {
  for (const n of names) {
    const c = (counts.get(n) ?? 0) + delta;
    if (c > 0) counts.set(n, c);
    else counts.delete(n);
  }
}
