import { Node, SyntaxKind, type Identifier, type Symbol as MorphSymbol } from 'ts-morph';
import type { BlockCopy } from './blockCopy';

/**
 * What an identifier inside a copied block refers to:
 * - `member`: a property name (`a.b`, `{ b: 1 }`), must be identical across copies;
 * - `local`: declared inside the block, may be renamed consistently;
 * - `global`: declared in a lib/.d.ts file or nowhere (Math, console), must be identical;
 * - `import`: bound by an import of the copy's file, must be identical and is re-imported;
 * - `free`: any other outside declaration (a parameter, an outer local, a module constant): a parameter.
 */
export type IdentifierRole = 'member' | 'local' | 'global' | 'import' | 'free';

/** The symbol of the value an identifier denotes (for `{ x }` shorthand: the variable, not the property). */
export function valueSymbol(id: Identifier): MorphSymbol | undefined {
  const parent = id.getParent();
  if (Node.isShorthandPropertyAssignment(parent)) return parent.getValueSymbol();
  return id.getSymbol();
}

function isMemberName(id: Identifier): boolean {
  const p = id.getParent();
  if (!p) return false;
  if (Node.isPropertyAccessExpression(p) || Node.isQualifiedName(p)) return p.getLastChild() === id;
  if (
    Node.isPropertyAssignment(p) ||
    Node.isMethodDeclaration(p) ||
    Node.isPropertySignature(p) ||
    Node.isPropertyDeclaration(p)
  ) {
    return p.getNameNode() === id;
  }
  if (Node.isBindingElement(p)) return p.getPropertyNameNode() === id;
  return false;
}

export function classifyIdentifier(id: Identifier, copy: BlockCopy): IdentifierRole {
  if (isMemberName(id)) return 'member';
  const decls = valueSymbol(id)?.getDeclarations() ?? [];
  if (decls.length === 0) return 'global';
  if (decls.some((d) => d.getSourceFile() === copy.source && d.getStart() >= copy.start && d.getEnd() <= copy.end))
    return 'local';
  if (decls.every((d) => d.getSourceFile().isDeclarationFile() || d.getSourceFile().isInNodeModules())) return 'global';
  if (decls.some((d) => Node.isImportSpecifier(d) || Node.isImportClause(d) || Node.isNamespaceImport(d)))
    return 'import';
  return 'free';
}

/** True when the identifier is assigned to (`x = ...`, `x += ...`, `x++`): such outer variables cannot be parameters. */
export function isWriteTarget(id: Identifier): boolean {
  const p = id.getParent();
  if (Node.isBinaryExpression(p) && p.getLeft() === id) {
    const op = p.getOperatorToken().getKind();
    return op >= SyntaxKind.FirstAssignment && op <= SyntaxKind.LastAssignment;
  }
  return Node.isPrefixUnaryExpression(p) || Node.isPostfixUnaryExpression(p)
    ? [SyntaxKind.PlusPlusToken, SyntaxKind.MinusMinusToken].includes(p.getOperatorToken())
    : false;
}

/** Control flow that would escape the block (a `return` of the enclosing function, `this`, `await`, ...). */
export function escapes(leaf: Node, copy: BlockCopy): boolean {
  const kind = leaf.getKind();
  const inside = (n: Node | undefined): boolean => !!n && n.getStart() >= copy.start && n.getEnd() <= copy.end;
  switch (kind) {
    case SyntaxKind.ReturnKeyword:
      return !inside(leaf.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a) || Node.isArrowFunction(a)));
    case SyntaxKind.BreakKeyword:
    case SyntaxKind.ContinueKeyword:
      return !inside(
        leaf.getFirstAncestor(
          (a) => Node.isIterationStatement(a) || Node.isSwitchStatement(a) || Node.isFunctionLikeDeclaration(a),
        ),
      );
    case SyntaxKind.AwaitKeyword:
    case SyntaxKind.YieldKeyword:
    case SyntaxKind.ThisKeyword:
    case SyntaxKind.SuperKeyword:
      return true;
    default:
      return leaf.getText() === 'arguments' && Node.isIdentifier(leaf) && classifyIdentifier(leaf, copy) === 'global';
  }
}
