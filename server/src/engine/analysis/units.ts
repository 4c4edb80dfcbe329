import { ts } from 'ts-morph';
import type { Location } from '../findings';
import { range } from './types';

/**
 * A "unit" is a node of the reachability graph: a function, method, class, top-level variable or
 * `export default`. Keys are `file#pos#kind`, stable as long as the file's text is unchanged.
 */
export function unitKey(node: ts.Node): string {
  return `${node.getSourceFile().fileName}#${node.pos}#${node.kind}`;
}

/** Key of the code at the top level of a file (imports excluded); only test files use it, as roots. */
export function moduleKey(file: string): string {
  return `${file}#module`;
}

/** File part of a unit key. */
export function keyFile(key: string): string {
  return key.slice(0, key.indexOf('#'));
}

export function isTopLevelVariable(node: ts.Node): node is ts.VariableDeclaration {
  return ts.isVariableDeclaration(node) && ts.isVariableStatement(node.parent.parent) && ts.isSourceFile(node.parent.parent.parent);
}

// Read once: every `ts.X` goes through a getter of the compiler's module object.
const SK = ts.SyntaxKind;

// Asked for every node the reference graph visits: one switch on the kind instead of a chain of guards.
export function isUnitNode(node: ts.Node): boolean {
  switch (node.kind) {
    case SK.FunctionDeclaration:
    case SK.MethodDeclaration:
    case SK.Constructor:
    case SK.GetAccessor:
    case SK.SetAccessor:
    case SK.ClassDeclaration:
    case SK.ClassExpression:
    case SK.ArrowFunction:
    case SK.FunctionExpression:
      return true;
    case SK.ExportAssignment:
      return ts.isSourceFile(node.parent);
    case SK.VariableDeclaration:
      return isTopLevelVariable(node);
    default:
      return false;
  }
}

/** The unit whose code contains `node` (the node itself if it is a unit); undefined at the top level. */
export function enclosingUnit(node: ts.Node): ts.Node | undefined {
  for (let n: ts.Node | undefined = node; n && !ts.isSourceFile(n); n = n.parent) {
    if (isUnitNode(n)) return n;
  }
  return undefined;
}

/** Function-like value a declaration stands for (`const f = () => …` → the arrow). */
export function functionOf(decl: ts.Node): ts.Node | undefined {
  if (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isArrowFunction(decl) || ts.isFunctionExpression(decl)) return decl;
  if (ts.isClassDeclaration(decl) || ts.isClassExpression(decl)) return decl;
  if ((ts.isVariableDeclaration(decl) || ts.isPropertyAssignment(decl) || ts.isPropertyDeclaration(decl)) && decl.initializer) {
    const init = skipOuter(decl.initializer);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init) || ts.isClassExpression(init)) return init;
  }
  return undefined;
}

/** Strips parentheses, `as`, `satisfies` and non-null assertions. */
export function skipOuter(e: ts.Expression): ts.Expression {
  let cur = e;
  for (;;) {
    if (ts.isParenthesizedExpression(cur) || ts.isAsExpression(cur) || ts.isSatisfiesExpression(cur) || ts.isNonNullExpression(cur)) cur = cur.expression;
    else return cur;
  }
}

/** Follows import/export aliases to the symbol that owns the declarations. */
export function resolveAlias(checker: ts.TypeChecker, sym: ts.Symbol | undefined): ts.Symbol | undefined {
  if (!sym) return undefined;
  if (sym.flags & ts.SymbolFlags.Alias) {
    try {
      return checker.getAliasedSymbol(sym);
    } catch {
      return sym;
    }
  }
  return sym;
}

/**
 * The node that holds a declaration's value: `{ clean }` → `clean`'s declaration, `exports.f = () => …`
 * and `{ f: () => … }` → the function, `{ f: g }` → `g`'s declaration. Other declarations map to themselves.
 */
export function valueDeclaration(decl: ts.Node, checker: ts.TypeChecker, depth = 0): ts.Node {
  if (depth > 8) return decl; // `a = b; b = a` style loops
  if (ts.isShorthandPropertyAssignment(decl)) {
    const v = checker.getShorthandAssignmentValueSymbol(decl)?.declarations?.[0];
    return v ? valueDeclaration(v, checker, depth + 1) : decl;
  }
  const parent = decl.parent as ts.Node | undefined;
  const assign = ts.isBinaryExpression(decl) ? decl : parent && ts.isBinaryExpression(parent) && parent.left === decl ? parent : undefined;
  const init = assign ? assign.right : ts.isPropertyAssignment(decl) ? decl.initializer : undefined;
  if (!init) return decl;
  const x = skipOuter(init);
  if (ts.isArrowFunction(x) || ts.isFunctionExpression(x) || ts.isClassExpression(x)) return x;
  if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) {
    const target = resolveAlias(checker, checker.getSymbolAtLocation(ts.isIdentifier(x) ? x : x.name))?.declarations?.[0];
    if (target) return valueDeclaration(target, checker, depth + 1);
  }
  return decl;
}

/** Location of a node, from its first token (not its leading trivia) to its end. */
export function nodeLocation(node: ts.Node): Location {
  const sf = node.getSourceFile();
  const s = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const e = sf.getLineAndCharacterOfPosition(node.end);
  return { file: sf.fileName, range: range(s.line, s.character, e.line, e.character) };
}

/** The declaration's name if it has one, else its first line (inline arrows). */
export function nameNode(node: ts.Node): ts.Node {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name;
  const p = node.parent;
  if (!(ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isClassExpression(node)) || !p) return node;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name;
  // `exports.f = () => …` / `module.exports.f = …`
  if (ts.isBinaryExpression(p) && p.right === node && ts.isPropertyAccessExpression(p.left)) return p.left.name;
  return node;
}

/** Name of a declaration for messages; undefined for anonymous functions. */
export function declarationName(node: ts.Node): string | undefined {
  const n = nameNode(node);
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
  if (ts.isExportAssignment(node) || (ts.isFunctionDeclaration(node) && !node.name)) return 'default';
  return undefined;
}
