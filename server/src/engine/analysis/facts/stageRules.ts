import { ts } from '../typescript';
import { isTopLevelVariable, localKey, skipOuter, span, stageNode } from '../units';
import type { Scope } from './scope';
import type { Ref, StageMention } from './types';
import { isStageSet } from '../stages';

// Read once: `ts` is ~2,200 getters in a dictionary-mode object, slow to look up per node.
const {
  getJSDocTags,
  getTextOfJSDocComment,
  isArrayLiteralExpression,
  isArrowFunction,
  isCallExpression,
  isClassDeclaration,
  isClassExpression,
  isClassLike,
  isFunctionDeclaration,
  isFunctionExpression,
  isIdentifier,
  isMethodDeclaration,
  isNewExpression,
  isObjectLiteralExpression,
  isPropertyAccessExpression,
  isPropertyAssignment,
  isShorthandPropertyAssignment,
  isSpreadElement,
  isStringLiteral,
  isStringLiteralLike,
} = ts;

/**
 * The configurable stage rules, applied to each node of a (non-test) file as the extractor walks it:
 * `@stage` tags, estimator classes, registration calls and pipeline constructors. What a registered
 * argument names is left symbolic (a Ref) for the linker.
 */
export class StageRules {
  private readonly calls: Set<string>;
  private readonly constructors: Set<string>;
  private readonly methods: Set<string>;
  /** The file can hold `@stage` tags (without one in the text, JSDoc is not even parsed: see extract.ts). */
  private readonly tags: boolean;

  constructor(
    options: {
      stageCalls: readonly string[];
      pipelineConstructors: readonly string[];
      stageMethods: readonly string[];
    },
    private readonly sf: ts.SourceFile,
    private readonly out: StageMention[],
    private readonly valueOf: (e: ts.Expression, scope: Scope) => Ref | undefined,
  ) {
    this.calls = new Set(options.stageCalls);
    this.constructors = new Set(options.pipelineConstructors);
    this.methods = new Set(options.stageMethods);
    this.tags = mayHoldStageTags(sf.text);
  }

  visit(node: ts.Node, scope: Scope): void {
    const tagged = this.tags ? stageTag(node) : undefined;
    if (tagged !== undefined)
      this.out.push({ kind: 'tagged', target: unitRef(node), explicitName: tagged || undefined, how: '@stage tag' });
    if (isClassLike(node)) {
      const names = node.members.flatMap((m) =>
        isMethodDeclaration(m) && m.name && (isIdentifier(m.name) || isStringLiteral(m.name)) ? [m.name.text] : [],
      );
      const hasBase = node.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword) ?? false;
      this.estimator(unitRef(stageNode(node)), names, hasBase, 'class');
    }
    if (isCallExpression(node) && this.calls.has(calleeName(node.expression) ?? '')) this.registration(node, scope);
    if (isNewExpression(node) && this.constructors.has(calleeName(node.expression) ?? ''))
      this.constructed(node, scope);
  }

  /**
   * A class (`what`: "class", "ES5 class") with stage methods is an estimator; one with a base and none of
   * its own may inherit them (the linker decides). `transform` alone does not make one: utility classes
   * (an FFT) have it too.
   */
  estimator(target: Ref, memberNames: readonly string[], hasBase: boolean, what: string): void {
    const own = [...new Set(memberNames.filter((n) => this.methods.has(n)))];
    if (isStageSet(own)) this.out.push({ kind: 'estimator', target, how: `${what} with ${own.join(', ')}` });
    else if (hasBase) this.out.push({ kind: 'estimator', target, how: `${what}`, inherits: [...this.methods] });
  }

  private registration(call: ts.CallExpression, scope: Scope): void {
    const args = [...call.arguments];
    const first = args[0] ? skipOuter(args[0]) : undefined;
    const explicit = first && isStringLiteralLike(first) && args.length > 1 ? first.text : undefined;
    for (const arg of flattenArrays(explicit !== undefined ? args.slice(1) : args)) {
      const target = this.argRef(arg, scope);
      if (target)
        this.out.push({
          kind: 'registered',
          target,
          explicitName: explicit,
          registration: span(arg, this.sf),
          how: `passed to ${calleeName(call.expression)}()`,
        });
    }
  }

  private constructed(node: ts.NewExpression, scope: Scope): void {
    const how = `listed in new ${calleeName(node.expression)}()`;
    const add = (e: ts.Expression, name?: string): void => {
      const x = skipOuter(e);
      // sklearn-style `['scale', scaler]` pairs name the stage.
      if (isArrayLiteralExpression(x) && x.elements.length === 2 && isStringLiteralLike(skipOuter(x.elements[0]))) {
        add(x.elements[1], (skipOuter(x.elements[0]) as ts.StringLiteralLike).text);
        return;
      }
      if (isArrayLiteralExpression(x)) {
        x.elements.forEach((el) => add(el));
        return;
      }
      if (isObjectLiteralExpression(x)) {
        for (const p of x.properties) {
          if (isPropertyAssignment(p)) {
            const init = skipOuter(p.initializer);
            const key = isIdentifier(p.name) || isStringLiteralLike(p.name) ? p.name.text : undefined;
            // `{ steps: [...] }` lists stages; `{ clean: fn }` names one.
            add(init, isArrayLiteralExpression(init) || isObjectLiteralExpression(init) ? undefined : key);
          } else if (isShorthandPropertyAssignment(p)) add(p.name, p.name.text);
          else if (isMethodDeclaration(p) && isIdentifier(p.name))
            this.out.push({
              kind: 'constructed',
              target: unitRef(p),
              explicitName: p.name.text,
              registration: span(p, this.sf),
              how,
            });
        }
        return;
      }
      const target = this.argRef(x, scope);
      if (target)
        this.out.push({ kind: 'constructed', target, explicitName: name, registration: span(e, this.sf), how });
    };
    for (const a of node.arguments ?? []) add(a);
  }

  /** What a stage argument names: an inline function, a name in scope, `new X()`, `ns.f`. */
  private argRef(e: ts.Expression, scope: Scope): Ref | undefined {
    const x = skipOuter(e);
    if (isArrowFunction(x) || isFunctionExpression(x) || isClassExpression(x)) return unitRef(stageNode(x));
    if (isNewExpression(x)) return this.argRef(x.expression, scope);
    if (isIdentifier(x) || isPropertyAccessExpression(x)) return this.valueOf(x, scope);
    return undefined;
  }
}

function unitRef(node: ts.Node): Ref {
  return { k: 'unit', key: localKey(node) };
}

/** False when no JSDoc of `text` can hold a `@stage` tag (a tag name is written out: no escapes). */
export function mayHoldStageTags(text: string): boolean {
  return text.includes('@stage');
}

/** `undefined` when untagged, `''` for a bare `@stage`, else the name given after the tag. */
function stageTag(node: ts.Node): string | undefined {
  if (!(
    isFunctionDeclaration(node) ||
    isMethodDeclaration(node) ||
    isClassDeclaration(node) ||
    isTopLevelVariable(node)
  ))
    return undefined;
  for (const tag of getJSDocTags(node)) {
    if (tag.tagName.text !== 'stage') continue;
    const text = getTextOfJSDocComment(tag.comment)?.trim() ?? '';
    return text.split(/\s+/)[0] ?? '';
  }
  return undefined;
}

function calleeName(e: ts.Expression): string | undefined {
  const x = skipOuter(e);
  if (isIdentifier(x)) return x.text;
  if (isPropertyAccessExpression(x)) return x.name.text;
  return undefined;
}

function flattenArrays(args: readonly ts.Expression[]): ts.Expression[] {
  return args.flatMap((a) => {
    const x = skipOuter(a);
    return isArrayLiteralExpression(x)
      ? flattenArrays(x.elements.filter((e): e is ts.Expression => !isSpreadElement(e)))
      : [a];
  });
}
