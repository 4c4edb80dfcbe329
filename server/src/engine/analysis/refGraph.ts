import { ts } from 'ts-morph';
import type { Location } from '../findings';
import { enclosingUnit, isTopLevelVariable, isUnitNode, keyFile, moduleKey, nodeLocation, resolveAlias, skipOuter, unitKey, valueDeclaration } from './units';

const IDENTIFIER = ts.SyntaxKind.Identifier;

/** An `import`/`export … from` of another analysed file. */
export interface ImportEdge {
  target: string;
  location: Location;
  /** `export … from`: importers of this file see the target's declarations through it. */
  reexport: boolean;
}

/** The part of the reference graph contributed by one file: recomputed only when it (or what it refers to) changes. */
export interface FileGraph {
  file: string;
  /** Outgoing references per unit of this file (unit key → unit keys, in any analysed file). */
  edges: Map<string, Set<string>>;
  imports: ImportEdge[];
  /** Files the edges point into (so a change there invalidates this graph). */
  targetFiles: Set<string>;
}

/**
 * Builds the reference graph of one file: who refers to which declaration, through aliases and re-exports.
 * `mayResolve(text, member)` says whether an identifier (a property name when `member`) can resolve into the analysed files (see
 * declaredNames.ts); others cannot produce an edge and are not shown to the checker.
 */
export function buildFileGraph(sf: ts.SourceFile, checker: ts.TypeChecker, analysed: ReadonlySet<string>, mayResolve: (name: string, member: boolean) => boolean = () => true): FileGraph {
  const graph: FileGraph = { file: sf.fileName, edges: new Map(), imports: [], targetFiles: new Set() };
  const addEdge = (from: string, to: string): void => {
    if (from === to) return;
    let set = graph.edges.get(from);
    if (!set) graph.edges.set(from, (set = new Set()));
    set.add(to);
    const f = keyFile(to);
    if (f !== sf.fileName) graph.targetFiles.add(f);
  };

  const visit = (node: ts.Node, current: string): void => {
    // Most nodes are identifiers (no children, never units): settle them first.
    if (node.kind === IDENTIFIER) {
      const id = node as ts.Identifier;
      if (mayResolve(id.text, isMemberName(id))) referenceEdge(id, current, checker, analysed, addEdge);
      return;
    }
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      recordImport(node, sf, checker, analysed, graph);
      return; // naming a binding is not using it
    }
    if (ts.isImportEqualsDeclaration(node) || ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (ts.isExportSpecifier(node)) return;
    let unit = current;
    if (isUnitNode(node)) {
      unit = unitKey(node);
      addEdge(current, unit); // containment: running the outer code may run the inner function
      const method = node.parent && (ts.isClassDeclaration(node.parent) || ts.isClassExpression(node.parent)) ? node.parent : undefined;
      // A method only runs on an instance, so reaching it reaches its class (constructor, field initialisers).
      if (method && !ts.isConstructorDeclaration(node)) addEdge(unit, unitKey(method));
    } else if (ts.isExpressionStatement(node) && ts.isSourceFile(node.parent)) {
      // `pipeline.stage("x", f)` at the top level belongs to `pipeline`: using the pipeline runs its stages.
      const owner = topLevelOwner(node.expression, checker);
      if (owner) unit = unitKey(owner);
    }
    if (ts.isShorthandPropertyAssignment(node)) {
      const sym = checker.getShorthandAssignmentValueSymbol(node);
      targetsOf(sym, checker, analysed).forEach((t) => addEdge(unit, t));
      return;
    }
    const inClass = ts.isClassDeclaration(node) || ts.isClassExpression(node);
    ts.forEachChild(node, (child) => {
      // Class members that are not units (fields) belong to the class; containment edges from the class
      // to methods are deliberately absent: constructing an instance does not call its methods.
      if (inClass && isUnitNode(child) && !ts.isConstructorDeclaration(child)) {
        visit(child, unitKey(child));
        return;
      }
      visit(child, unit);
    });
  };
  ts.forEachChild(sf, (child) => visit(child, moduleKey(sf.fileName)));
  // Containment edges from the module unit only matter for test files (their roots); dropping the
  // others keeps "imports the module" from counting as "runs the stage".
  return graph;
}

function referenceEdge(id: ts.Identifier, unit: string, checker: ts.TypeChecker, analysed: ReadonlySet<string>, addEdge: (f: string, t: string) => void): void {
  const parent = id.parent;
  // Skip a declaration's own name (but not `x` in `x = 1` or call arguments).
  if (parent && (parent as ts.Node & { name?: ts.Node }).name === id && !ts.isPropertyAccessExpression(parent) && !ts.isPropertyAssignment(parent)) {
    if (!ts.isShorthandPropertyAssignment(parent)) return;
  }
  let sym: ts.Symbol | undefined;
  try {
    sym = checker.getSymbolAtLocation(id);
  } catch {
    return;
  }
  targetsOf(sym, checker, analysed).forEach((t) => addEdge(unit, t));
}

/** `x.name`, `{ name: y } = x`, `{ name: y }`, `<C name={…}>`: a name looked up among properties, not in scope. */
function isMemberName(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p)) return p.name === id;
  if (ts.isQualifiedName(p)) return p.right === id;
  if (ts.isBindingElement(p)) return p.propertyName === id;
  return (p as ts.Node & { name?: ts.Node }).name === id && !ts.isShorthandPropertyAssignment(p);
}

/** Unit keys a symbol's declarations belong to (only in analysed files, never module units). */
export function targetsOf(sym: ts.Symbol | undefined, checker: ts.TypeChecker, analysed: ReadonlySet<string>): string[] {
  const real = resolveAlias(checker, sym);
  const out: string[] = [];
  for (const decl of real?.declarations ?? []) {
    const file = decl.getSourceFile().fileName;
    if (!analysed.has(file)) continue;
    const unit = enclosingUnit(valueDeclaration(decl, checker));
    if (unit) out.push(unitKey(unit));
  }
  return out;
}

/** The top-level variable a statement like `p.stage(...).pipe(...)` operates on, if any. */
function topLevelOwner(expr: ts.Expression, checker: ts.TypeChecker): ts.VariableDeclaration | undefined {
  let cur: ts.Expression = skipOuter(expr);
  for (;;) {
    if (ts.isCallExpression(cur) || ts.isPropertyAccessExpression(cur) || ts.isElementAccessExpression(cur)) cur = skipOuter(cur.expression);
    else if (ts.isBinaryExpression(cur) && cur.operatorToken.kind === ts.SyntaxKind.EqualsToken) cur = skipOuter(cur.left);
    else break;
  }
  if (!ts.isIdentifier(cur)) return undefined;
  const decl = checker.getSymbolAtLocation(cur)?.valueDeclaration;
  return decl && isTopLevelVariable(decl) && decl.getSourceFile() === expr.getSourceFile() ? decl : undefined;
}

function recordImport(node: ts.ImportDeclaration | ts.ExportDeclaration, sf: ts.SourceFile, checker: ts.TypeChecker, analysed: ReadonlySet<string>, graph: FileGraph): void {
  const spec = node.moduleSpecifier;
  // Type-only imports vanish at runtime: they neither run code nor create import cycles.
  const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
  if (!spec || typeOnly) return;
  const decl = checker.getSymbolAtLocation(spec)?.valueDeclaration;
  if (!decl || !ts.isSourceFile(decl) || !analysed.has(decl.fileName) || decl.fileName === sf.fileName) {
    if (decl && ts.isSourceFile(decl) && decl.fileName === sf.fileName) graph.imports.push({ target: sf.fileName, location: nodeLocation(node), reexport: ts.isExportDeclaration(node) });
    return;
  }
  graph.imports.push({ target: decl.fileName, location: nodeLocation(node), reexport: ts.isExportDeclaration(node) });
}
