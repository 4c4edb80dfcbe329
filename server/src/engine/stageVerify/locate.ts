import { isModuleExports, nameNode } from '../analysis/units';
import { ts } from '../analysis/typescript';
import { integerUses, paramSpecs } from './typeSpec';
import { ESTIMATOR_METHODS, type StageShape } from './types';

/** How the bundle's entry reaches the stage in its module. */
export type StageAccess =
  /** A top-level binding, exported or not: an export is appended to a copy of the file. */
  | { kind: 'local'; name: string }
  /** What the module exports under this name ('default': `export default` or `module.exports = …`). */
  | { kind: 'export'; name: string };

type Declared = ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration;

function isDeclared(n: ts.Node): n is Declared {
  return (
    ts.isFunctionDeclaration(n) ||
    ts.isArrowFunction(n) ||
    ts.isFunctionExpression(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isClassDeclaration(n) ||
    ts.isClassExpression(n)
  );
}

/** The stage declaration whose name (as the analysis reports it) starts at `pos`. */
export function declarationAt(sf: ts.SourceFile, pos: number): Declared | undefined {
  let found: Declared | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (isDeclared(n) && (nameNode(n).getStart(sf) === pos || n.getStart(sf) === pos)) found = n;
    else ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** A top-level function, class or function-valued variable named `name` (the baseline's copy of a stage). */
export function declarationNamed(sf: ts.SourceFile, name: string): Declared | undefined {
  for (const st of sf.statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name?.text === name) return st;
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer && unwrap(d.initializer);
        if (ts.isIdentifier(d.name) && d.name.text === name && init && isDeclared(init)) return init;
      }
    }
  }
  return undefined;
}

function unwrap(e: ts.Expression): ts.Expression {
  return ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)
    ? unwrap(e.expression)
    : e;
}

/** How to reach a declaration from outside its module, or why it cannot be reached. */
export function accessOf(node: Declared): StageAccess | string {
  const p = node.parent;
  if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && ts.isSourceFile(p)) {
    if (node.name) return { kind: 'local', name: node.name.text };
    return { kind: 'export', name: 'default' };
  }
  let outer: ts.Node = node;
  while (
    ts.isParenthesizedExpression(outer.parent) ||
    ts.isAsExpression(outer.parent) ||
    ts.isSatisfiesExpression(outer.parent)
  )
    outer = outer.parent;
  const q = outer.parent;
  if (
    ts.isVariableDeclaration(q) &&
    ts.isIdentifier(q.name) &&
    ts.isVariableStatement(q.parent.parent) &&
    ts.isSourceFile(q.parent.parent.parent)
  ) {
    return { kind: 'local', name: q.name.text };
  }
  if (ts.isExportAssignment(q)) return { kind: 'export', name: 'default' };
  if (ts.isBinaryExpression(q) && q.right === outer && q.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    if (isModuleExports(q.left)) return { kind: 'export', name: 'default' };
    const l = q.left;
    if (
      ts.isPropertyAccessExpression(l) &&
      (isModuleExports(l.expression) || (ts.isIdentifier(l.expression) && l.expression.text === 'exports'))
    ) {
      return { kind: 'export', name: l.name.text };
    }
  }
  if (ts.isPropertyAssignment(q) && ts.isObjectLiteralExpression(q.parent)) {
    const assign = q.parent.parent;
    if (ts.isBinaryExpression(assign) && isModuleExports(assign.left) && ts.isIdentifier(q.name))
      return { kind: 'export', name: q.name.text };
  }
  return 'it is declared inline (not a top-level function, class or variable, nor an export); move it to a top-level declaration to verify it';
}

/** Parameters of a function stage, or constructor and fit/transform/predict of a class stage. */
export function shapeOf(checker: ts.TypeChecker, node: Declared): StageShape | string {
  if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
    const ctorType = checker.getTypeAtLocation(node.name ?? node);
    const sym = ts.isClassDeclaration(node) && node.name ? checker.getSymbolAtLocation(node.name) : undefined;
    const staticSide = sym ? checker.getTypeOfSymbolAtLocation(sym, node) : ctorType;
    const ctorSig = checker.getSignaturesOfType(staticSide, ts.SignatureKind.Construct)[0];
    if (!ctorSig) return 'the class has no constructor signature';
    const instance = ctorSig.getReturnType();
    // Fields the methods index with (`this.window`) make the constructor argument of that name an integer.
    const fieldInts = new Set<string>();
    const addUses = (d: ts.Node | undefined): void => {
      if (d) for (const u of integerUses(d)) fieldInts.add(u);
    };
    const methods: Extract<StageShape, { kind: 'class' }>['methods'] = [];
    for (const m of ESTIMATOR_METHODS) {
      const prop = checker.getPropertyOfType(instance, m);
      if (!prop) continue;
      const decl = prop.valueDeclaration;
      const sig = checker.getSignaturesOfType(checker.getTypeOfSymbolAtLocation(prop, node), ts.SignatureKind.Call)[0];
      if (!sig) continue;
      addUses(decl);
      methods.push({ name: m, params: paramSpecs(checker, sig, decl && ts.isFunctionLike(decl) ? decl : undefined) });
    }
    if (methods.length === 0) return 'the class has no fit, transform or predict method';
    const ctorDecl =
      ctorSig.declaration && ts.isConstructorDeclaration(ctorSig.declaration) ? ctorSig.declaration : undefined;
    for (const member of node.members) addUses(member);
    return { kind: 'class', ctor: paramSpecs(checker, ctorSig, ctorDecl, fieldInts), methods };
  }
  const sig = checker.getSignatureFromDeclaration(node);
  if (!sig) return 'no call signature';
  return { kind: 'function', params: paramSpecs(checker, sig, node) };
}
