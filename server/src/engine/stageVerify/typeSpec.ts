import { ts } from '../analysis/typescript';
import type { ParamSpec, TypeSpec } from './types';
import { isTypedArrayName } from './values';

const MAX_DEPTH = 6;

/**
 * The parameters of a signature as input specs, read with the TypeScript checker. `decl` is the
 * function-like declaration whose body is scanned for integer use (indexing, slicing, loop bounds).
 */
export function paramSpecs(
  checker: ts.TypeChecker,
  sig: ts.Signature,
  decl: ts.SignatureDeclaration | undefined,
  extra: ReadonlySet<string> = new Set(),
): ParamSpec[] {
  const integers = new Set([...(decl ? integerUses(decl) : []), ...extra]);
  return sig.parameters.map((sym, i) => {
    const pdecl = sym.valueDeclaration && ts.isParameter(sym.valueDeclaration) ? sym.valueDeclaration : undefined;
    const rest = !!pdecl?.dotDotDotToken;
    const optional = !!pdecl && (!!pdecl.questionToken || !!pdecl.initializer || rest);
    const at: ts.Node | undefined = pdecl ?? decl ?? sym.declarations?.[0] ?? sig.declaration;
    const type = at ? checker.getTypeOfSymbolAtLocation(sym, at) : checker.getTypeOfSymbol(sym);
    const typeText = checker.typeToString(type);
    const prefixes = pdecl ? bindingPaths(pdecl.name) : new Map([[sym.name, '']]);
    // Paths are relative to the parameter: '' is the parameter itself, '.w' a destructured or accessed field.
    const intPaths = new Set<string>();
    for (const used of integers) {
      for (const [local, p] of prefixes) {
        if (used === local) intPaths.add(p);
        else if (used.startsWith(local + '.')) intPaths.add(p + used.slice(local.length));
      }
    }
    const reader = new SpecReader(checker, at, intPaths);
    const r = reader.read(type, '', 0);
    let spec = r.spec;
    if (spec && rest && spec.kind !== 'array' && spec.kind !== 'tuple') spec = undefined;
    return {
      name: sym.name || `arg${i}`,
      typeText,
      spec,
      unsupported: spec ? undefined : (r.why ?? `type ${typeText}`),
      optional,
      rest,
    };
  });
}

/** Local names a parameter binds, with their path inside the argument ('' for the argument itself). */
function bindingPaths(name: ts.BindingName, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (ts.isIdentifier(name)) out.set(name.text, prefix);
  else if (ts.isObjectBindingPattern(name)) {
    for (const el of name.elements) {
      const key =
        el.propertyName && ts.isIdentifier(el.propertyName)
          ? el.propertyName.text
          : ts.isIdentifier(el.name)
            ? el.name.text
            : undefined;
      if (key !== undefined) for (const [k, v] of bindingPaths(el.name, `${prefix}.${key}`)) out.set(k, v);
    }
  }
  return out;
}

const INDEX_METHODS = new Set([
  'slice',
  'subarray',
  'splice',
  'at',
  'fill',
  'copyWithin',
  'substring',
  'substr',
  'repeat',
  'padStart',
  'padEnd',
  'toFixed',
  'toPrecision',
]);

/**
 * Names (`w`, `opts.window`) the body uses as an integer: inside an index `a[i + w]`, as an argument of
 * slice/subarray/at/…, as a size (`new Array(n)`), or in a for-loop condition or a comparison with a
 * `.length`. Such a parameter gets integer inputs.
 */
export function integerUses(decl: ts.Node): Set<string> {
  const out = new Set<string>();
  const collect = (n: ts.Node): void => {
    const name = chainName(n);
    // `this.window` in a method is the constructor's `window` (stored as a field) as far as inputs go.
    if (name) out.add(name.startsWith('this.') ? name.slice(5) : name);
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, collect);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isElementAccessExpression(n)) collect(n.argumentExpression);
    else if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const callee = n.expression;
      const method = ts.isPropertyAccessExpression(callee)
        ? callee.name.text
        : ts.isIdentifier(callee)
          ? callee.text
          : '';
      if (
        (ts.isPropertyAccessExpression(callee) && INDEX_METHODS.has(method)) ||
        (ts.isIdentifier(callee) && (method === 'Array' || isTypedArrayName(method)))
      )
        n.arguments?.forEach(collect);
    } else if (ts.isForStatement(n) && n.condition) collect(n.condition);
    else if (
      ts.isBinaryExpression(n) &&
      isComparison(n.operatorToken.kind) &&
      (isLength(n.left) || isLength(n.right))
    ) {
      collect(isLength(n.left) ? n.right : n.left);
    }
    ts.forEachChild(n, visit);
  };
  visit(decl);
  return out;
}

function isComparison(k: ts.SyntaxKind): boolean {
  return (
    k === ts.SyntaxKind.LessThanToken ||
    k === ts.SyntaxKind.LessThanEqualsToken ||
    k === ts.SyntaxKind.GreaterThanToken ||
    k === ts.SyntaxKind.GreaterThanEqualsToken ||
    k === ts.SyntaxKind.EqualsEqualsEqualsToken ||
    k === ts.SyntaxKind.ExclamationEqualsEqualsToken
  );
}

function isLength(n: ts.Node): boolean {
  return ts.isPropertyAccessExpression(n) && n.name.text === 'length';
}

/** `w` or `opts.window` for an identifier or a property chain on one; undefined otherwise. */
function chainName(n: ts.Node): string | undefined {
  if (ts.isIdentifier(n)) return n.text;
  if (n.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(n) && n.name.text !== 'length') {
    const base = chainName(n.expression);
    return base === undefined ? undefined : `${base}.${n.name.text}`;
  }
  return undefined;
}

class SpecReader {
  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly at: ts.Node | undefined,
    private readonly intPaths: ReadonlySet<string>,
  ) {}

  read(type: ts.Type, path: string, depth: number): { spec?: TypeSpec; why?: string } {
    const c = this.checker;
    const F = ts.TypeFlags;
    const text = (): string => c.typeToString(type);
    if (depth > MAX_DEPTH) return { why: `type ${text()} nests too deeply (recursive?)` };
    if (type.flags & (F.Any | F.Unknown)) return { why: `type ${text()} (add a type, or JSDoc in JS)` };
    if (type.flags & F.Never) return { why: 'type never' };
    if (type.flags & F.NumberLiteral) return { spec: { kind: 'literal', value: (type as ts.NumberLiteralType).value } };
    if (type.flags & F.StringLiteral) return { spec: { kind: 'literal', value: (type as ts.StringLiteralType).value } };
    if (type.flags & F.BooleanLiteral) return { spec: { kind: 'literal', value: text() === 'true' } };
    if (type.flags & F.Number) return { spec: { kind: 'number', integer: this.intPaths.has(path) } };
    if (type.flags & F.String) return { spec: { kind: 'string' } };
    if (type.flags & F.Boolean) return { spec: { kind: 'boolean' } };
    if (type.flags & F.BigInt) return { spec: { kind: 'bigint' } };
    if (type.flags & (F.Undefined | F.Void)) return { spec: { kind: 'undefined' } };
    if (type.flags & F.Null) return { spec: { kind: 'null' } };
    if (type.flags & F.TypeParameter) {
      const constraint = c.getBaseConstraintOfType(type);
      if (!constraint || constraint === type || constraint.flags & F.Unknown)
        return { why: `type parameter ${text()} has no constraint to generate from` };
      return this.read(constraint, path, depth + 1);
    }
    if (type.isUnion()) {
      const options: TypeSpec[] = [];
      for (const t of type.types) {
        const r = this.read(t, path, depth + 1);
        if (!r.spec) return r;
        options.push(r.spec);
      }
      return { spec: mergeBooleans(options) };
    }
    if (type.flags & F.Object) return this.readObject(type as ts.ObjectType, path, depth);
    if (type.isIntersection()) return this.readProps(type, path, depth);
    return { why: `type ${text()} is not supported for generated inputs` };
  }

  private readObject(type: ts.ObjectType, path: string, depth: number): { spec?: TypeSpec; why?: string } {
    const c = this.checker;
    const name = type.getSymbol()?.getName() ?? '';
    const args = (t: ts.Type): readonly ts.Type[] => c.getTypeArguments(t as ts.TypeReference);
    if (c.isTupleType(type)) {
      const target = (type as ts.TypeReference).target as ts.TupleType;
      const elements: { type: TypeSpec; optional: boolean; rest: boolean }[] = [];
      for (const [i, t] of args(type).entries()) {
        const flags = target.elementFlags[i] ?? ts.ElementFlags.Required;
        const r = this.read(t, `${path}[${i}]`, depth + 1);
        if (!r.spec) return r;
        elements.push({
          type: r.spec,
          optional: !!(flags & ts.ElementFlags.Optional),
          rest: !!(flags & ts.ElementFlags.Variable),
        });
      }
      return { spec: { kind: 'tuple', elements } };
    }
    if (c.isArrayType(type)) {
      const r = this.read(args(type)[0], `${path}[]`, depth + 1);
      return r.spec ? { spec: { kind: 'array', element: r.spec } } : r;
    }
    if (isTypedArrayName(name)) return { spec: { kind: 'typedArray', name } };
    if (name === 'Map' || name === 'ReadonlyMap') {
      const [k, v] = args(type).map((t, i) => this.read(t, `${path}${i === 0 ? '.key' : '.value'}`, depth + 1));
      return k?.spec && v?.spec
        ? { spec: { kind: 'map', key: k.spec, value: v.spec } }
        : { why: k?.why ?? v?.why ?? 'Map without type arguments' };
    }
    if (name === 'Set' || name === 'ReadonlySet') {
      const e = this.read(args(type)[0], `${path}[]`, depth + 1);
      return e.spec ? { spec: { kind: 'set', element: e.spec } } : e;
    }
    if (c.getSignaturesOfType(type, ts.SignatureKind.Call).length > 0)
      return { why: `function-typed parameter ${c.typeToString(type)} cannot be generated` };
    if (['Date', 'Promise', 'RegExp', 'Buffer', 'ArrayBuffer', 'DataView', 'WeakMap', 'WeakSet'].includes(name))
      return { why: `type ${name} is not supported for generated inputs` };
    return this.readProps(type, path, depth);
  }

  private readProps(type: ts.Type, path: string, depth: number): { spec?: TypeSpec; why?: string } {
    const c = this.checker;
    if (c.getIndexInfosOfType(type).length > 0 && c.getPropertiesOfType(type).length === 0) {
      return { why: `index-signature type ${c.typeToString(type)} is not supported for generated inputs` };
    }
    const props: { name: string; type: TypeSpec; optional: boolean }[] = [];
    for (const p of c.getPropertiesOfType(type)) {
      const decl = p.valueDeclaration;
      // Methods of a class-typed parameter cannot be generated: such a parameter needs recorded inputs.
      if (decl && (ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl)))
        return { why: `parameter type ${c.typeToString(type)} has methods` };
      const pt = this.at ? c.getTypeOfSymbolAtLocation(p, this.at) : c.getTypeOfSymbol(p);
      const optional = !!(p.flags & ts.SymbolFlags.Optional);
      const r = this.read(optional ? c.getNonNullableType(pt) : pt, `${path}.${p.name}`, depth + 1);
      if (!r.spec) return r;
      props.push({ name: p.name, type: r.spec, optional });
    }
    return { spec: { kind: 'object', props } };
  }
}

/** `true | false` (how the checker spells boolean inside a union) back to one boolean option. */
function mergeBooleans(options: TypeSpec[]): TypeSpec {
  const isBool = (s: TypeSpec, v: boolean): boolean => s.kind === 'literal' && s.value === v;
  if (options.some((o) => isBool(o, true)) && options.some((o) => isBool(o, false))) {
    options = [...options.filter((o) => !isBool(o, true) && !isBool(o, false)), { kind: 'boolean' }];
  }
  return options.length === 1 ? options[0] : { kind: 'union', options };
}

/** `(xs: number[], w: number)` for reports and the signature check. */
export function signatureText(params: readonly ParamSpec[]): string {
  return `(${params.map((p) => `${p.rest ? '...' : ''}${p.name}${p.optional && !p.rest ? '?' : ''}: ${p.typeText}`).join(', ')})`;
}
