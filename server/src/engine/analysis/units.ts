import * as path from 'node:path';
import { ts } from './typescript';

// Read once: `ts` is ~2,200 getters in a dictionary-mode object, slow to look up per node.
const {
  isArrowFunction,
  isAsExpression,
  isBinaryExpression,
  isClassExpression,
  isExportAssignment,
  isFunctionDeclaration,
  isFunctionExpression,
  isIdentifier,
  isNonNullExpression,
  isParenthesizedExpression,
  isPrivateIdentifier,
  isPropertyAccessExpression,
  isPropertyAssignment,
  isPropertyDeclaration,
  isSatisfiesExpression,
  isSourceFile,
  isStringLiteral,
  isVariableDeclaration,
  isVariableStatement,
} = ts;

/**
 * A "unit" is a node of the reachability graph: a function, method, class, top-level variable or
 * `export default`. Keys are `file#pos#kind` (unitKeys.ts), stable as long as the file's text is unchanged;
 * facts (facts/types.ts) hold the file-local part `pos#kind` and the linker prefixes the file.
 */
export function localKey(node: ts.Node): string {
  return `${node.pos}#${node.kind}`;
}

export function isTopLevelVariable(node: ts.Node): node is ts.VariableDeclaration {
  return (
    isVariableDeclaration(node) && isVariableStatement(node.parent.parent) && isSourceFile(node.parent.parent.parent)
  );
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
      return isSourceFile(node.parent);
    case SK.VariableDeclaration:
      return isTopLevelVariable(node);
    default:
      return false;
  }
}

/** Strips parentheses, `as`, `satisfies` and non-null assertions. */
export function skipOuter(e: ts.Expression): ts.Expression {
  let cur = e;
  for (;;) {
    if (isParenthesizedExpression(cur) || isAsExpression(cur) || isSatisfiesExpression(cur) || isNonNullExpression(cur))
      cur = cur.expression;
    else return cur;
  }
}

/** [start, end) of a node, from its first token (not its leading trivia). */
export function span(node: ts.Node, sf: ts.SourceFile): [number, number] {
  return [node.getStart(sf), node.end];
}

/**
 * The parent of an expression, past the parentheses, `as`, `satisfies` and non-null assertions around it (a
 * JSDoc cast in JS, `/** @type {any} *\/ (class {…})`, is parentheses).
 */
function outerParent(node: ts.Node): ts.Node | undefined {
  let p = node.parent;
  while (p && (isParenthesizedExpression(p) || isAsExpression(p) || isSatisfiesExpression(p) || isNonNullExpression(p)))
    p = p.parent;
  return p;
}

/** `const X = class {…}` / `const f = () => …` is a stage of the variable (that is what references resolve to). */
export function stageNode(node: ts.Node): ts.Node {
  const p = outerParent(node);
  if ((isArrowFunction(node) || isFunctionExpression(node) || isClassExpression(node)) && p && isTopLevelVariable(p))
    return p;
  return node;
}

/** The declaration's name if it has one, else its first line (inline arrows). */
export function nameNode(node: ts.Node): ts.Node {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name;
  const p = outerParent(node);
  if (!(isArrowFunction(node) || isFunctionExpression(node) || isClassExpression(node)) || !p) return node;
  if (isVariableDeclaration(p) || isPropertyAssignment(p) || isPropertyDeclaration(p)) return p.name;
  // `exports.f = () => …` / `module.exports.f = …`
  if (isBinaryExpression(p) && p.right === node && isPropertyAccessExpression(p.left)) return p.left.name;
  return node;
}

/** `module.exports` */
export function isModuleExports(e: ts.Expression): boolean {
  return (
    isPropertyAccessExpression(e) &&
    isIdentifier(e.expression) &&
    e.expression.text === 'module' &&
    e.name.text === 'exports'
  );
}

/** Name of a declaration for messages; undefined for anonymous functions. */
export function declarationName(node: ts.Node): string | undefined {
  // `module.exports = () => …`: the module is the function, so it goes by the file's name.
  const p = node.parent;
  if (
    p &&
    isBinaryExpression(p) &&
    p.right === node &&
    isModuleExports(p.left) &&
    !(isFunctionExpression(node) && node.name)
  ) {
    return path.basename(node.getSourceFile().fileName).replace(/\.[^.]+$/, '');
  }
  const n = nameNode(node);
  if (isIdentifier(n) || isStringLiteral(n) || isPrivateIdentifier(n)) return n.text;
  if (isExportAssignment(node) || (isFunctionDeclaration(node) && !node.name)) return 'default';
  return undefined;
}
