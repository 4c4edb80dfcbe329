import { Node, SyntaxKind, type SourceFile, type Statement } from 'ts-morph';

/** One copy of a clone, cut down to whole statements of one block. */
export interface BlockCopy {
  source: SourceFile;
  statements: Statement[];
  /** Offsets of the first statement's start (no trivia) and the last statement's end. */
  start: number;
  end: number;
  /** Leaf tokens of the statements, in order: the unit the copies are compared by. */
  leaves: Node[];
}

// Statement lists that a clone range can cover a run of.
function statementLists(source: SourceFile): Statement[][] {
  const lists: Statement[][] = [source.getStatements()];
  for (const kind of [
    SyntaxKind.Block,
    SyntaxKind.CaseClause,
    SyntaxKind.DefaultClause,
    SyntaxKind.ModuleBlock,
  ] as const) {
    for (const n of source.getDescendantsOfKind(kind)) lists.push(n.getStatements());
  }
  return lists;
}

/** Leaf nodes (tokens, identifiers, literals) below a node, in source order, skipping JSDoc. */
function leavesOf(node: Node): Node[] {
  const out: Node[] = [];
  const visit = (n: Node): void => {
    if (Node.isJSDoc(n)) return;
    const children = n.getChildren();
    if (children.length === 0) {
      if (n.getKind() !== SyntaxKind.EndOfFileToken) out.push(n);
      return;
    }
    children.forEach(visit);
  };
  visit(node);
  return out;
}

/**
 * The longest run of sibling statements lying wholly inside [start, end): clone ranges are token ranges and
 * may begin or end mid-statement; only whole statements can be moved into a function.
 */
export function blockCopy(source: SourceFile, start: number, end: number): BlockCopy | undefined {
  let best: Statement[] = [];
  for (const list of statementLists(source)) {
    const inside = list.filter((s) => s.getStart() >= start && s.getEnd() <= end);
    if (inside.length === 0) continue;
    const span = (ss: Statement[]): number => ss[ss.length - 1].getEnd() - ss[0].getStart();
    if (best.length === 0 || span(inside) > span(best)) best = inside;
  }
  if (best.length === 0) return undefined;
  return {
    source,
    statements: best,
    start: best[0].getStart(),
    end: best[best.length - 1].getEnd(),
    leaves: best.flatMap(leavesOf),
  };
}
