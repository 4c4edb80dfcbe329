import { ts } from '../typescript';
import type { Ref } from './types';

// Read once: `ts` is ~2,200 getters in a dictionary-mode object, slow to look up per node.
const {
  forEachChild,
  isCallExpression,
  isForInStatement,
  isForOfStatement,
  isForStatement,
  isIdentifier,
  isObjectBindingPattern,
  isOmittedExpression,
  isStringLiteral,
  isStringLiteralLike,
  isVariableDeclarationList,
  isVariableStatement,
} = ts;

/** What a name in scope stands for: `ref` is the unit a reference to it points at, `value` what it holds. */
export interface Binding {
  ref?: Ref;
  value?: Ref;
}

/**
 * One lexical scope: its own names, the enclosing scope, the class whose body it is in (for `super`) and
 * what `this` is (an instance of that class, or what a `this: C` parameter declares).
 */
export class Scope {
  readonly names = new Map<string, Binding>();
  constructor(
    readonly parent: Scope | undefined,
    readonly thisClass: string | undefined = parent?.thisClass,
    readonly thisValue: Ref | undefined = parent?.thisValue,
  ) {}

  lookup(name: string): Binding | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
}

/** Names a binding pattern (or plain name) declares, with the property each one reads (for `{ a: b } = require(…)`). */
export function boundNames(
  name: ts.BindingName,
  out: { name: string; property?: string }[] = [],
  property?: string,
): { name: string; property?: string }[] {
  if (isIdentifier(name)) out.push({ name: name.text, property });
  else if (isObjectBindingPattern(name)) {
    for (const el of name.elements) {
      const prop =
        el.propertyName && (isIdentifier(el.propertyName) || isStringLiteral(el.propertyName))
          ? el.propertyName.text
          : isIdentifier(el.name)
            ? el.name.text
            : undefined;
      boundNames(el.name, out, el.dotDotDotToken ? undefined : prop);
    }
  } else {
    for (const el of name.elements) if (!isOmittedExpression(el)) boundNames(el.name, out);
  }
  return out;
}

/** `var` declarations anywhere in a function body (not in nested functions): they are hoisted to it. */
export function hoistedVars(node: ts.Node, out: ts.VariableDeclaration[] = []): ts.VariableDeclaration[] {
  forEachChild(node, (child) => {
    if (isVariableStatement(child)) {
      if (!(child.declarationList.flags & ts.NodeFlags.BlockScoped)) out.push(...child.declarationList.declarations);
    } else if (
      (isForStatement(child) || isForInStatement(child) || isForOfStatement(child)) &&
      child.initializer &&
      isVariableDeclarationList(child.initializer)
    ) {
      if (!(child.initializer.flags & ts.NodeFlags.BlockScoped)) out.push(...child.initializer.declarations);
      hoistedVars(child.statement, out);
    } else if (STATEMENT_CONTAINERS.has(child.kind)) hoistedVars(child, out);
  });
  return out;
}

// Only statements can declare a `var`: expressions (and the functions inside them) are not searched.
const STATEMENT_CONTAINERS = new Set([
  ts.SyntaxKind.Block,
  ts.SyntaxKind.IfStatement,
  ts.SyntaxKind.WhileStatement,
  ts.SyntaxKind.DoStatement,
  ts.SyntaxKind.TryStatement,
  ts.SyntaxKind.CatchClause,
  ts.SyntaxKind.SwitchStatement,
  ts.SyntaxKind.CaseBlock,
  ts.SyntaxKind.CaseClause,
  ts.SyntaxKind.DefaultClause,
  ts.SyntaxKind.LabeledStatement,
]);

/** `require("spec")` with a literal specifier. */
export function requireSpec(e: ts.Expression): string | undefined {
  if (
    !isCallExpression(e) ||
    !isIdentifier(e.expression) ||
    e.expression.text !== 'require' ||
    e.arguments.length !== 1
  )
    return undefined;
  const arg = e.arguments[0];
  return isStringLiteralLike(arg) ? arg.text : undefined;
}
