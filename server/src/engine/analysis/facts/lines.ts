import { ts } from '../typescript';
import { declarationName } from '../units';
import type { LineFacts, UnitSpan } from './types';

// Read once: `ts` is ~2,200 getters in a dictionary-mode object, slow to look up per node.
const {
  canHaveModifiers,
  getModifiers,
  isClassDeclaration,
  isExportAssignment,
  isExportDeclaration,
  isFunctionDeclaration,
  isImportDeclaration,
  isInterfaceDeclaration,
  isTypeAliasDeclaration,
  isVariableStatement,
} = ts;

/**
 * Records LineFacts as the extraction walks a file (facts/extract.ts), so they name the units the
 * reference graph knows: a callback in a class's `extends` clause, which the graph does not walk, counts
 * as its class's code.
 */
export class LineRecorder {
  private readonly units: UnitSpan[] = [];
  private readonly code: [number, number][] = [];
  private parent = -1;
  private depth = 0;

  constructor(private readonly sf: ts.SourceFile) {}

  /** Before a top-level statement is walked. */
  statement(st: ts.Statement): void {
    if (!isTypeOnly(st)) this.code.push([st.getStart(this.sf), st.end]);
    // Units of a declaration statement are named after it; units inside other top-level code
    // (`register(() => …)`) are that code: depth 1, no name.
    this.depth = isDeclaration(st) ? 0 : 1;
    this.parent = -1;
  }

  /** A unit (key `key`) is entered; its parent pointers up to the file are set. Returns what `leave` takes. */
  enter(node: ts.Node, key: string): number {
    const saved = this.parent;
    const name = this.depth === 0 ? (declarationName(node) ?? null) : null;
    this.units.push([key, node.getStart(this.sf), node.end, this.depth, this.parent, name]);
    this.parent = this.units.length - 1;
    this.depth++;
    return saved;
  }

  /** The unit entered last is left. */
  leave(saved: number): void {
    this.parent = saved;
    this.depth--;
  }

  facts(): LineFacts {
    return { units: this.units, code: this.code };
  }
}

function isDeclaration(st: ts.Statement): boolean {
  return isFunctionDeclaration(st) || isClassDeclaration(st) || isVariableStatement(st) || isExportAssignment(st);
}

function isTypeOnly(st: ts.Statement): boolean {
  if (isInterfaceDeclaration(st) || isTypeAliasDeclaration(st)) return true;
  if (isImportDeclaration(st)) return st.importClause?.isTypeOnly === true;
  if (isExportDeclaration(st)) return st.isTypeOnly;
  return canHaveModifiers(st) && (getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
}
