import { ts } from '../typescript';
import { declarationName, isUnitNode, localKey } from '../units';
import { scriptKind } from './extract';
import type { LineFacts, UnitSpan } from './types';

/** Line facts of a text the analysis holds no facts for (a parse: loads the compiler). */
export function parseLineFacts(file: string, text: string): LineFacts {
  return lineFacts(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKind(file)));
}

/**
 * Where a file's units and its top-level runtime code are (see LineFacts). Sets parent pointers as it
 * descends, so it works on a tree parsed without them.
 */
export function lineFacts(sf: ts.SourceFile): LineFacts {
  const units: UnitSpan[] = [];
  const code: [number, number][] = [];
  /** Visits `node`; `parent` is the index of the enclosing unit (-1: none). */
  const visit = (node: ts.Node, depth: number, parent: number): void => {
    ts.forEachChild(node, (c) => {
      (c as { parent: ts.Node }).parent = node;
      if (!isUnitNode(c)) return visit(c, depth, parent);
      const index = units.length;
      // Units of a declaration statement are named after it (by their first line when anonymous).
      const name = depth === 0 ? (declarationName(c) ?? null) : null;
      units.push([localKey(c), c.getStart(sf), c.end, depth, parent, name]);
      visit(c, depth + 1, index);
    });
  };
  for (const st of sf.statements) {
    (st as { parent: ts.Node }).parent = sf;
    if (!isTypeOnly(st)) code.push([st.getStart(sf), st.end]);
    // Units inside top-level code that is not a declaration (`register(() => …)`) are that code: depth 1.
    if (isUnitNode(st)) {
      units.push([localKey(st), st.getStart(sf), st.end, 0, -1, declarationName(st) ?? null]);
      visit(st, 1, units.length - 1);
    } else visit(st, isDeclaration(st) ? 0 : 1, -1);
  }
  return { units, code };
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
