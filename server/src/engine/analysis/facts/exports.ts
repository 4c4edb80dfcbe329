import { ts } from '../typescript';
import { isModuleExports, localKey, skipOuter } from '../units';
import { MODULE } from '../unitKeys';
import { boundNames, requireSpec, type Scope } from './scope';
import { EXPORT_EQUALS, type FileFacts, type Ref } from './types';
import type { Values } from './values';

// Read once: `ts` is ~2,200 getters in a dictionary-mode object, slow to look up per node.
const {
  canHaveModifiers,
  getModifiers,
  isArrayLiteralExpression,
  isBinaryExpression,
  isCallExpression,
  isClassDeclaration,
  isExportAssignment,
  isExportDeclaration,
  isExpressionStatement,
  isFunctionDeclaration,
  isIdentifier,
  isNamespaceExport,
  isObjectLiteralExpression,
  isPropertyAccessExpression,
  isSpreadAssignment,
  isSpreadElement,
  isStringLiteralLike,
  isVariableStatement,
} = ts;

const SK = ts.SyntaxKind;

/**
 * A file's export table: ES exports (declarations, `export { a as b }`, `export … from`, `export *`,
 * `export default`) and CommonJS (`exports.f = …`, `module.exports = { … }`), each as what it refers to.
 */
export function collectExports(sf: ts.SourceFile, scope: Scope, values: Values, facts: FileFacts): void {
  const exp = facts.exports;
  for (const st of sf.statements) {
    const mods = canHaveModifiers(st) ? getModifiers(st) : undefined;
    const exported = mods?.some((m) => m.kind === SK.ExportKeyword) ?? false;
    const isDefault = mods?.some((m) => m.kind === SK.DefaultKeyword) ?? false;
    if (exported && (isFunctionDeclaration(st) || isClassDeclaration(st))) {
      const name = isDefault ? 'default' : st.name?.text;
      if (name) exp[name] = { k: 'unit', key: localKey(st) };
    } else if (exported && isVariableStatement(st)) {
      for (const d of st.declarationList.declarations)
        for (const { name } of boundNames(d.name)) exp[name] = { k: 'unit', key: localKey(d) };
    } else if (isExportAssignment(st)) {
      // `export default x` / `export = x` (the module itself is x, as with `module.exports = x`).
      const r = (isIdentifier(st.expression) ? scope.lookup(st.expression.text)?.ref : undefined) ?? {
        k: 'unit',
        key: localKey(st),
      };
      exp[st.isExportEquals ? EXPORT_EQUALS : 'default'] = r;
    } else if (isExportDeclaration(st)) exportDeclaration(st, scope, facts);
    else if (isExpressionStatement(st)) commonJsExport(st.expression, scope, values, facts);
  }
}

function exportDeclaration(st: ts.ExportDeclaration, scope: Scope, facts: FileFacts): void {
  const exp = facts.exports;
  const spec = st.moduleSpecifier && isStringLiteralLike(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
  const clause = st.exportClause;
  if (!clause) {
    if (spec !== undefined) facts.starExports.push(spec);
  } else if (isNamespaceExport(clause)) {
    if (spec !== undefined) exp[clause.name.text] = { k: 'import', spec, name: '*' };
  } else {
    for (const el of clause.elements) {
      const local = (el.propertyName ?? el.name).text;
      const r: Ref | undefined = spec !== undefined ? { k: 'import', spec, name: local } : scope.lookup(local)?.ref;
      if (r) exp[el.name.text] = r;
    }
  }
}

/**
 * `exports.f = …`, `module.exports.f = …`, `module.exports = { … }`, `module.exports = f`,
 * `module.exports = merge(require('./a'), …)`.
 */
function commonJsExport(e: ts.Expression, scope: Scope, values: Values, facts: FileFacts): void {
  if (!isBinaryExpression(e) || e.operatorToken.kind !== SK.EqualsToken) return;
  const left = e.left;
  if (isModuleExports(left)) {
    const right = skipOuter(e.right);
    if (isObjectLiteralExpression(right)) {
      Object.assign(facts.exports, values.objectMembers(right, MODULE, scope));
      // `{ ...require('./a') }`: a's names too.
      for (const p of right.properties) if (isSpreadAssignment(p)) facts.starExports.push(...requiredBy(p.expression));
    } else {
      const r = values.valueRef(right, scope);
      if (r) facts.exports[EXPORT_EQUALS] = r;
      // An export table built by a call from required modules (natural's `buildExportMap([require('./a'), …])`,
      // `Object.assign({}, require('./a'))`): whatever it exports comes from them, as with `export *`.
      else if (isCallExpression(right)) facts.starExports.push(...right.arguments.flatMap(requiredBy));
    }
    return;
  }
  if (!isPropertyAccessExpression(left)) return;
  const target = left.expression;
  if (!((isIdentifier(target) && target.text === 'exports') || isModuleExports(target))) return;
  const r = values.valueRef(e.right, scope);
  if (r) facts.exports[left.name.text] = r;
}

/** The modules `require()`d by `e` itself, or by the elements of an array or spread it is. */
function requiredBy(e: ts.Expression): string[] {
  const x = skipOuter(e);
  const spec = requireSpec(x);
  if (spec !== undefined) return [spec];
  if (isArrayLiteralExpression(x)) return x.elements.flatMap(requiredBy);
  if (isSpreadElement(x)) return requiredBy(x.expression);
  return [];
}
