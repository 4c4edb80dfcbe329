import { ts } from '../typescript';
import { skipOuter } from '../units';
import type { Scope } from './scope';
import type { StageRules } from './stageRules';
import type { Ref, Span, UnitInfo } from './types';
import type { Values } from './values';

// Read once: `ts` is ~2,200 getters in a dictionary-mode object, slow to look up per node.
const {
  isArrayLiteralExpression,
  isArrowFunction,
  isBlock,
  isCallExpression,
  isFunctionExpression,
  isIdentifier,
  isObjectLiteralExpression,
  isParenthesizedExpression,
  isPropertyAccessExpression,
  isPropertyAssignment,
  isReturnStatement,
  isStringLiteralLike,
} = ts;

const SK = ts.SyntaxKind;

/** Helpers compilers emit to set up inheritance: `__extends(X, _super)` (tsc), `_inherits(X, Base)` (Babel), `util.inherits`. */
const EXTENDS_HELPERS = new Set(['__extends', '_inherits', '_inheritsLoose', 'inherits']);
/** Babel's `_createClass(X, [{ key: "fit", value: function fit() {} }], statics)`. */
const CREATE_CLASS_HELPERS = new Set(['_createClass', '__createClass', '_create_class']);

/**
 * Classes written (or down-levelled) the ES5 way: a constructor function whose methods are assigned to
 * its prototype (`X.prototype.fit = function …`, `X.prototype = { … }`, Babel's `_createClass`) and
 * whose base is set by a helper (`__extends`, `_inherits`, `Object.create(Base.prototype)`). The walk
 * reports each statement; `apply` turns the functions that got members into classes once the walk is done.
 */
export class Es5Classes {
  private readonly members = new Map<string, Record<string, Ref>>();
  private readonly bases = new Map<string, Ref>();
  /** Where each class's code ends (its last prototype assignment), so clones in its methods count as its own. */
  private readonly ends = new Map<string, number>();
  /** Constructor function key → the IIFE wrapping the whole down-levelled class. */
  private readonly wrappers = new Map<string, Span>();

  /** `var X = (function () { function X() {} … return X; }())`: the IIFE is the class's whole body. */
  wrapped(result: Ref | undefined, iife: Span): void {
    if (result?.k === 'unit') this.wrappers.set(result.key, iife);
  }

  /** An expression statement seen in the walk, in its scope. */
  statement(e: ts.Expression, scope: Scope, values: Values): void {
    this.current = e.end;
    const x = skipOuter(e);
    if (x.kind === SK.BinaryExpression) {
      const b = x as ts.BinaryExpression;
      if (b.operatorToken.kind !== SK.EqualsToken || !isPropertyAccessExpression(b.left)) return;
      const left = b.left;
      const right = skipOuter(b.right);
      if (isPrototype(left.expression)) {
        // X.prototype.fit = function () {}
        const key = ctorKey((left.expression as ts.PropertyAccessExpression).expression, scope);
        if (key) this.member(key, left.name.text, values.valueRef(right, scope) ?? { k: 'unit', key });
      } else if (left.name.text === 'prototype') {
        const key = ctorKey(left.expression, scope);
        if (!key) return;
        if (isObjectLiteralExpression(right)) {
          for (const [name, ref] of Object.entries(values.objectMembers(right, key, scope)))
            this.member(key, name, ref);
        } else if (
          isCallExpression(right) &&
          calleeName(right) === 'create' &&
          right.arguments[0] &&
          isPrototype(right.arguments[0])
        ) {
          // X.prototype = Object.create(Base.prototype)
          const base = values.valueOf((skipOuter(right.arguments[0]) as ts.PropertyAccessExpression).expression, scope);
          if (base) this.bases.set(key, base);
        }
      }
    } else if (x.kind === SK.CallExpression) {
      const call = x as ts.CallExpression;
      const name = calleeName(call);
      if (name === undefined || call.arguments.length < 2) return;
      if (EXTENDS_HELPERS.has(name)) {
        const key = ctorKey(call.arguments[0], scope);
        const base = values.valueOf(call.arguments[1], scope);
        if (key && base) this.bases.set(key, base);
      } else if (CREATE_CLASS_HELPERS.has(name)) {
        const key = ctorKey(call.arguments[0], scope);
        const protos = skipOuter(call.arguments[1]);
        if (!key || !isArrayLiteralExpression(protos)) return;
        for (const el of protos.elements) {
          const d = skipOuter(el);
          if (!isObjectLiteralExpression(d)) continue;
          const prop = (n: string): ts.Expression | undefined => {
            const p = d.properties.find((q) => isPropertyAssignment(q) && isIdentifier(q.name) && q.name.text === n);
            return p && isPropertyAssignment(p) ? skipOuter(p.initializer) : undefined;
          };
          const k = prop('key');
          const v = prop('value') ?? prop('get');
          if (k && isStringLiteralLike(k))
            this.member(key, k.text, (v && values.valueRef(v, scope)) ?? { k: 'unit', key });
        }
      }
    }
  }

  /**
   * Makes the constructor functions that got prototype members or a base into classes, and estimators when
   * they qualify; returns the (class key, base) pairs, which the caller links as references.
   */
  apply(units: ReadonlyMap<string, UnitInfo>, rules: StageRules | undefined): [string, Ref][] {
    const based: [string, Ref][] = [];
    for (const key of new Set([...this.members.keys(), ...this.bases.keys()])) {
      const info = units.get(key);
      if (!info || info.shape !== 'function') continue;
      const members = this.members.get(key) ?? {};
      const base = this.bases.get(key);
      info.shape = 'class';
      info.body = this.wrappers.get(key) ?? [info.body[0], Math.max(info.body[1], this.ends.get(key) ?? 0)];
      info.members = { ...members, ...info.members };
      if (base) {
        info.base = base;
        based.push([key, base]);
      }
      rules?.estimator({ k: 'unit', key }, Object.keys(members), base !== undefined, 'ES5 class');
    }
    return based;
  }

  private current = 0;

  private member(key: string, name: string, ref: Ref): void {
    this.ends.set(key, Math.max(this.ends.get(key) ?? 0, this.current));
    let m = this.members.get(key);
    if (!m) this.members.set(key, (m = {}));
    m[name] = ref;
  }
}

/** `X.prototype` */
function isPrototype(e: ts.Expression): boolean {
  const x = skipOuter(e);
  return isPropertyAccessExpression(x) && x.name.text === 'prototype';
}

/** The unit a constructor's name holds: a function declaration or a variable initialised with a function. */
function ctorKey(e: ts.Expression, scope: Scope): string | undefined {
  const x = skipOuter(e);
  if (!isIdentifier(x)) return undefined;
  const v = scope.lookup(x.text)?.value;
  return v?.k === 'unit' ? v.key : undefined;
}

function calleeName(call: ts.CallExpression): string | undefined {
  const c = skipOuter(call.expression);
  if (isIdentifier(c)) return c.text;
  if (isPropertyAccessExpression(c)) return c.name.text;
  return undefined;
}

/** The outermost parenthesised expression around `node` (or `node`). */
export function skipParens(node: ts.Node): ts.Node {
  let n = node;
  while (n.parent && isParenthesizedExpression(n.parent)) n = n.parent;
  return n;
}

/** A function expression called where it is written: `(function () { … }())`, `(function () { … })()`. */
export function isIife(fn: ts.Node): boolean {
  if (!isFunctionExpression(fn) && !isArrowFunction(fn)) return false;
  const top = skipParens(fn);
  return !!top.parent && isCallExpression(top.parent) && top.parent.expression === top;
}

/** What an IIFE returns when its body ends in `return X;` with X declared inside it (the down-levelled class pattern). */
export function iifeResult(fn: ts.FunctionExpression | ts.ArrowFunction, scope: Scope): Ref | undefined {
  const body = fn.body;
  if (!body || !isBlock(body)) return undefined;
  const last = body.statements[body.statements.length - 1];
  if (!last || !isReturnStatement(last) || !last.expression) return undefined;
  const x = skipOuter(last.expression);
  return isIdentifier(x) ? scope.names.get(x.text)?.value : undefined;
}
