import { ts } from '../typescript';
import { localKey, skipOuter } from '../units';
import { requireSpec, type Scope } from './scope';
import type { Ref } from './types';

// Read once: `ts` is ~2,200 getters in a dictionary-mode object, slow to look up per node.
const {
  getModifiers,
  isAccessor,
  isArrowFunction,
  isBinaryExpression,
  isClassExpression,
  isExpressionStatement,
  isFunctionExpression,
  isIdentifier,
  isMethodDeclaration,
  isPrivateIdentifier,
  isPropertyAccessExpression,
  isPropertyAssignment,
  isPropertyDeclaration,
  isShorthandPropertyAssignment,
  isStringLiteralLike,
  isTypeReferenceNode,
} = ts;

const SK = ts.SyntaxKind;

/**
 * What expressions and names stand for, from syntax: the values bindings hold (for `x.name` and
 * stage arguments) and the members of classes and object literals.
 */
export class Values {
  /** Base class (`extends`) per class key, for `super`. */
  readonly bases = new Map<string, Ref>();

  /** What an expression evaluates to, when its syntax says (a name in scope, `new C()`, `this`, `a.b`, `require()`). */
  valueOf(e: ts.Expression, scope: Scope): Ref | undefined {
    const x = skipOuter(e);
    switch (x.kind) {
      case SK.Identifier:
        return scope.lookup((x as ts.Identifier).text)?.value;
      case SK.ThisKeyword:
        return scope.thisValue;
      case SK.SuperKeyword: {
        const base = scope.thisClass ? this.bases.get(scope.thisClass) : undefined;
        return base ? { k: 'new', cls: base } : undefined;
      }
      case SK.NewExpression: {
        const cls = this.valueOf((x as ts.NewExpression).expression, scope);
        return cls ? { k: 'new', cls } : undefined;
      }
      case SK.PropertyAccessExpression: {
        const pa = x as ts.PropertyAccessExpression;
        const of = this.valueOf(pa.expression, scope);
        return of ? { k: 'member', of, name: pa.name.text } : undefined;
      }
      case SK.CallExpression: {
        const spec = requireSpec(x) ?? dynamicImportSpec(x as ts.CallExpression);
        if (spec !== undefined) return { k: 'import', spec, name: '*' };
        const fn = this.valueOf((x as ts.CallExpression).expression, scope);
        return fn ? { k: 'call', fn } : undefined;
      }
      case SK.AwaitExpression:
        return this.valueOf((x as ts.AwaitExpression).expression, scope);
      case SK.ArrowFunction:
      case SK.FunctionExpression:
      case SK.ClassExpression:
        return { k: 'unit', key: localKey(x) };
      default:
        return undefined;
    }
  }

  /** A parameter or variable typed `C` (or `ns.C`) holds an instance of C. */
  typeValue(type: ts.TypeNode | undefined, scope: Scope): Ref | undefined {
    if (!type || !isTypeReferenceNode(type)) return undefined;
    const n = type.typeName;
    // `async load(): Promise<Model>` is awaited into a Model (what `(await load()).fit()` calls).
    if (isIdentifier(n) && n.text === 'Promise' && type.typeArguments?.length === 1 && !scope.lookup('Promise'))
      return this.typeValue(type.typeArguments[0], scope);
    const cls = isIdentifier(n)
      ? scope.lookup(n.text)?.value
      : (() => {
          const of = isIdentifier(n.left) ? scope.lookup(n.left.text)?.value : undefined;
          return of ? ({ k: 'member', of, name: n.right.text } as Ref) : undefined;
        })();
    return cls ? { k: 'new', cls } : undefined;
  }

  /** `{ f, g: h, k: () => …, m() {} }`: what each property refers to. */
  objectMembers(obj: ts.ObjectLiteralExpression, owner: string, scope: Scope): Record<string, Ref> {
    const out: Record<string, Ref> = {};
    for (const p of obj.properties) {
      const name = p.name && (isIdentifier(p.name) || isStringLiteralLike(p.name)) ? p.name.text : undefined;
      if (name === undefined) continue;
      if (isShorthandPropertyAssignment(p)) {
        const r = scope.lookup(name)?.ref;
        if (r) out[name] = r;
      } else if (isMethodDeclaration(p) || isAccessor(p)) out[name] = { k: 'unit', key: localKey(p) };
      else if (isPropertyAssignment(p)) out[name] = this.valueRef(p.initializer, scope) ?? { k: 'unit', key: owner };
    }
    return out;
  }

  /** What a name bound to `e` refers to: the function it is, the declaration of the name it repeats, or the module it requires. */
  valueRef(e: ts.Expression, scope: Scope): Ref | undefined {
    const x = skipOuter(e);
    if (isArrowFunction(x) || isFunctionExpression(x) || isClassExpression(x)) return { k: 'unit', key: localKey(x) };
    if (isIdentifier(x)) return scope.lookup(x.text)?.ref;
    // `exports.Bayes = require('./bayes')`, `module.exports = require('./impl')`, `{ Bayes: require('./bayes') }`.
    const spec = requireSpec(x);
    if (spec !== undefined) return { k: 'import', spec, name: '*' };
    if (isPropertyAccessExpression(x)) {
      const of = this.valueOf(x.expression, scope);
      return of ? { k: 'member', of, name: x.name.text } : undefined;
    }
    return undefined;
  }

  /**
   * Members of a class: methods and accessors by their own unit, fields by the class (its constructor
   * initialises them), holding what their type or initialiser says (`scaler: Scaler`, `this.scaler = new
   * Scaler()` in the constructor), so `this.scaler.fit()` reaches `Scaler.fit`.
   */
  classMembers(node: ts.ClassLikeDeclaration, key: string, scope: Scope): Record<string, Ref> {
    const out: Record<string, Ref> = {};
    const field = (name: string, value: Ref | undefined): void => {
      out[name] = value ? { k: 'field', key, value } : { k: 'unit', key };
    };
    for (const m of node.members) {
      const name =
        m.name && (isIdentifier(m.name) || isPrivateIdentifier(m.name) || isStringLiteralLike(m.name))
          ? m.name.text
          : undefined;
      if (name === undefined) continue;
      if (isMethodDeclaration(m) || isAccessor(m)) out[name] = { k: 'unit', key: localKey(m) };
      else if (isPropertyDeclaration(m))
        field(name, this.typeValue(m.type, scope) ?? (m.initializer ? this.valueOf(m.initializer, scope) : undefined));
      else field(name, undefined);
    }
    for (const ctor of node.members.filter(ts.isConstructorDeclaration)) {
      for (const p of ctor.parameters)
        if (isIdentifier(p.name) && getModifiers(p)?.length) field(p.name.text, this.typeValue(p.type, scope));
      for (const st of ctor.body?.statements ?? []) {
        const e = isExpressionStatement(st) ? st.expression : undefined;
        if (!e || !isBinaryExpression(e) || e.operatorToken.kind !== SK.EqualsToken) continue;
        const left = e.left;
        if (
          !isPropertyAccessExpression(left) ||
          left.expression.kind !== SK.ThisKeyword ||
          out[left.name.text]?.k === 'field'
        )
          continue;
        field(left.name.text, this.valueOf(e.right, scope));
      }
    }
    return out;
  }
}

/** `import("spec")` with a literal specifier (the lazy loading of heavy modules ML code does). */
function dynamicImportSpec(call: ts.CallExpression): string | undefined {
  const arg = call.arguments[0];
  return call.expression.kind === SK.ImportKeyword && arg && isStringLiteralLike(arg) ? arg.text : undefined;
}
