import { scriptKind } from '../analysis/facts/extract';
import { globalKey } from '../analysis/unitKeys';
import { ts } from '../analysis/typescript';
import { declarationName, isUnitNode, localKey } from '../analysis/units';

export interface UnitLines {
  start: number;
  end: number;
  depth: number;
  /** Name of the top-level declaration it belongs to (undefined: inside top-level code, `register(() => …)`). */
  name: string | undefined;
  /** Unit keys of it and of every unit nested in it: a stage reaching any of them runs these lines. */
  keys: string[];
}

/** Per line of one text: the innermost unit (see analysis/units.ts) and whether it is top-level runtime code. */
export class LineIndex {
  private readonly units: UnitLines[] = [];
  /** Lines of top-level statements that run (not types, not `declare`); inside units or not. */
  private readonly code: [number, number][] = [];

  constructor(file: string, text: string) {
    // Keys are positions in the text the analysis read, which has no BOM.
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const sf = ts.createSourceFile(file, body, ts.ScriptTarget.Latest, true, scriptKind(file));
    const line = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line;
    /** Visits `node`, adding the keys of the units in it to `keys`. */
    const visit = (node: ts.Node, depth: number, top: string | undefined, keys: string[]): void => {
      if (isUnitNode(node)) {
        const name = depth === 0 ? (declarationName(node) ?? `line ${line(node.getStart(sf)) + 1}`) : top;
        const own = [globalKey(file, localKey(node))];
        this.units.push({ start: line(node.getStart(sf)), end: line(node.end), depth, name, keys: own });
        ts.forEachChild(node, (c) => visit(c, depth + 1, name, own));
        for (const k of own) keys.push(k);
        return;
      }
      ts.forEachChild(node, (c) => visit(c, depth, top, keys));
    };
    for (const st of sf.statements) {
      if (!isTypeOnly(st)) this.code.push([line(st.getStart(sf)), line(st.end)]);
      // Units of a declaration statement are named after it; units inside top-level code are that code.
      visit(st, isDeclaration(st) ? 0 : 1, undefined, []);
    }
  }

  /** Whether line `l` is in a top-level statement that runs. */
  isCode(l: number): boolean {
    return this.code.some(([a, b]) => a <= l && l <= b);
  }

  /** The innermost unit holding both lines. */
  spanning(a: number, b: number): UnitLines | undefined {
    let best: UnitLines | undefined;
    for (const u of this.units) if (u.start <= a && b <= u.end && (!best || u.depth > best.depth)) best = u;
    return best;
  }
}

function isDeclaration(st: ts.Statement): boolean {
  return (
    ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isVariableStatement(st) || ts.isExportAssignment(st)
  );
}

function isTypeOnly(st: ts.Statement): boolean {
  if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) return true;
  if (ts.isImportDeclaration(st)) return st.importClause?.isTypeOnly === true;
  if (ts.isExportDeclaration(st)) return st.isTypeOnly;
  return ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
}
