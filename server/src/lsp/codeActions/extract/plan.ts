import { Node, SyntaxKind, ts, VariableDeclarationKind, type Identifier, type ImportDeclaration } from 'ts-morph';
import type { BlockCopy } from './blockCopy';
import { classifyIdentifier, escapes, isWriteTarget, valueSymbol, type IdentifierRole } from './classify';

const LITERALS: ReadonlySet<SyntaxKind> = new Set([
  SyntaxKind.NumericLiteral,
  SyntaxKind.StringLiteral,
  SyntaxKind.NoSubstitutionTemplateLiteral,
  SyntaxKind.BigIntLiteral,
]);

/** A parameter of the extracted function and the argument each copy passes for it. */
interface ExtractParam {
  name: string;
  /** Type text; may contain `import("/abs/path")` references, relativized by the edit builder. */
  type: string;
  /** One argument expression per copy. */
  args: string[];
}

/** A module-level import of the first copy's file that the function body needs. */
interface NeededImport {
  declaration: ImportDeclaration;
  /** Local name bound by the import. */
  name: string;
}

/** Everything needed to write the shared function and replace each copy by a call. */
export interface ExtractPlan {
  copies: BlockCopy[];
  params: ExtractParam[];
  /** Body statements (first copy, literals replaced by parameters), without indentation. */
  body: string;
  /** Names (in the first copy) of the block's variables some copy uses after the block. */
  returns: string[];
  /** Per copy: for each returned name it uses afterwards, its local name there. */
  bindings: { name: string; local: string }[][];
  declKind: 'const' | 'let';
  imports: NeededImport[];
}

export type PlanResult = { ok: true; plan: ExtractPlan } | { ok: false; reason: string };

/** Compares the copies token by token and works out parameters and results (type-2 clones). */
export function planExtraction(copies: BlockCopy[]): PlanResult {
  const [first] = copies;
  if (!first || copies.length < 2) return fail('need at least two copies');
  const n = first.leaves.length;
  if (copies.some((c) => c.leaves.length !== n)) return fail('the copies differ in structure');
  const params: ExtractParam[] = [];
  const freeParams = new Map<ts.Symbol, ExtractParam>();
  const literalParams = new Map<string, ExtractParam>();
  const substitutions: { start: number; end: number; text: string }[] = [];
  const renames = copies.map(() => new Map<string, string>());
  const imports = new Map<string, NeededImport>();
  const taken = new Set(first.leaves.filter(Node.isIdentifier).map((l) => l.getText()));

  for (let i = 0; i < n; i++) {
    const leaves = copies.map((c) => c.leaves[i]);
    const lead = leaves[0];
    const texts = leaves.map((l) => l.getText());
    if (leaves.some((l) => l.getKind() !== lead.getKind())) return fail('the copies differ in structure');
    if (leaves.some((l, k) => escapes(l, copies[k]))) return fail('the block returns, awaits or uses `this`');
    if (Node.isIdentifier(lead)) {
      const roles = leaves.map((l, k) => classifyIdentifier(l as Identifier, copies[k]));
      const role = roles[0];
      if (roles.some((r) => r !== role)) return fail(`'${texts[0]}' means different things in the copies`);
      const problem = identifierProblem(role, texts, renames);
      if (problem) return fail(problem);
      if (role === 'free') {
        if (leaves.some((l) => isWriteTarget(l as Identifier)))
          return fail(`the block assigns to outer variable '${texts[0]}'`);
        const sym = valueSymbol(lead)?.compilerSymbol;
        if (!sym) return fail(`cannot resolve '${texts[0]}'`);
        const existing = freeParams.get(sym);
        if (existing && existing.args.some((a, k) => a !== texts[k]))
          return fail(`'${texts[0]}' is not renamed consistently`);
        if (!existing) {
          const p: ExtractParam = { name: texts[0], type: typeText(lead), args: texts };
          freeParams.set(sym, p);
          params.push(p);
        }
      } else if (role === 'import') {
        const decl = importOf(lead);
        if (decl) imports.set(texts[0], { declaration: decl, name: texts[0] });
      }
    } else if (LITERALS.has(lead.getKind()) && texts.some((t) => t !== texts[0])) {
      const key = JSON.stringify(texts);
      let p = literalParams.get(key);
      if (!p) {
        p = { name: freshName('value', taken), type: lead.getType().getBaseTypeOfLiteralType().getText(), args: texts };
        literalParams.set(key, p);
        params.push(p);
      }
      substitutions.push({ start: lead.getStart(), end: lead.getEnd(), text: p.name });
    } else if (texts.some((t) => t !== texts[0])) {
      return fail('the copies differ in more than names and literals');
    }
  }

  const returnSlots = returnedSlots(copies);
  const returns = returnSlots.map((r) => r.name);
  const bindings = copies.map((_, k) =>
    returnSlots
      .filter((r) => r.usedAfter[k])
      .map((r) => ({ name: r.name, local: copies[k].leaves[r.index].getText() })),
  );
  return {
    ok: true,
    plan: {
      copies,
      params,
      body: dedent(applySubstitutions(first, substitutions)),
      returns,
      bindings,
      declKind: returnSlots.some((r) => r.isLet) ? 'let' : 'const',
      imports: [...imports.values()],
    },
  };
}

function fail(reason: string): PlanResult {
  return { ok: false, reason };
}

// Locals may be renamed, but consistently (a bijection per copy); members, globals and imports must match.
function identifierProblem(role: IdentifierRole, texts: string[], renames: Map<string, string>[]): string | undefined {
  if (role === 'member' || role === 'global' || role === 'import') {
    return texts.every((t) => t === texts[0]) ? undefined : `'${texts[0]}' differs between the copies`;
  }
  if (role === 'local') {
    for (let k = 1; k < texts.length; k++) {
      const seen = renames[k].get(texts[0]);
      if (seen !== undefined && seen !== texts[k]) return `'${texts[0]}' is not renamed consistently`;
      renames[k].set(texts[0], texts[k]);
    }
  }
  return undefined;
}

function importOf(id: Identifier): ImportDeclaration | undefined {
  const decl = valueSymbol(id)?.getDeclarations()[0];
  return decl?.getFirstAncestorByKind(SyntaxKind.ImportDeclaration);
}

// Widened: a `const LIMIT = 10` outside the block is a number parameter, since another copy may pass 20.
function typeText(id: Identifier): string {
  const t = id.getType();
  const widened = t.isLiteral() || t.isBooleanLiteral() ? t.getBaseTypeOfLiteralType() : t;
  return widened.getText(
    undefined,
    ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope,
  );
}

function freshName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

interface ReturnSlot {
  /** Leaf index of the declared name (the same in every copy). */
  index: number;
  name: string;
  /** Declared with `let` and assigned again after the block in some copy. */
  isLet: boolean;
  usedAfter: boolean[];
}

// Variables declared by the block's own statements that some copy reads after the block.
function returnedSlots(copies: BlockCopy[]): ReturnSlot[] {
  const first = copies[0];
  const slots: ReturnSlot[] = [];
  for (const stmt of first.statements) {
    if (!Node.isVariableStatement(stmt)) continue;
    const isLet = stmt.getDeclarationKind() !== VariableDeclarationKind.Const;
    for (const decl of stmt.getDeclarations()) {
      for (const id of declaredNames(decl.getNameNode())) {
        const index = first.leaves.indexOf(id);
        if (index < 0) continue;
        const uses = copies.map((c) => usesAfterBlock(c.leaves[index] as Identifier, c));
        const usedAfter = uses.map((u) => u.length > 0);
        // `let` only survives when some copy still assigns the variable after the block.
        const reassigned = isLet && uses.some((u) => u.some(isWriteTarget));
        if (usedAfter.some(Boolean)) slots.push({ index, name: id.getText(), isLet: reassigned, usedAfter });
      }
    }
  }
  return slots;
}

function declaredNames(name: Node): Identifier[] {
  if (Node.isIdentifier(name)) return [name];
  return name
    .getDescendantsOfKind(SyntaxKind.BindingElement)
    .map((b) => b.getNameNode())
    .filter(Node.isIdentifier);
}

function usesAfterBlock(id: Identifier, copy: BlockCopy): Identifier[] {
  const sym = id.getSymbol()?.compilerSymbol;
  if (!sym) return [];
  return copy.source
    .getDescendantsOfKind(SyntaxKind.Identifier)
    .filter((use) => use.getStart() >= copy.end && valueSymbol(use)?.compilerSymbol === sym);
}

function applySubstitutions(copy: BlockCopy, subs: { start: number; end: number; text: string }[]): string {
  let text = copy.source.getFullText().slice(copy.start, copy.end);
  for (const s of [...subs].sort((a, b) => b.start - a.start)) {
    text = text.slice(0, s.start - copy.start) + s.text + text.slice(s.end - copy.start);
  }
  // The first line starts at the statement, so it carries no indentation of its own: restore it.
  const lineStart = copy.source.getFullText().lastIndexOf('\n', copy.start - 1) + 1;
  const prefix = copy.source.getFullText().slice(lineStart, copy.start);
  return (/^[ \t]*$/.test(prefix) ? prefix : '') + text;
}

/** Removes the common leading indentation of all non-blank lines. */
function dedent(text: string): string {
  const lines = text.split('\n');
  const indentOf = (l: string): number => l.search(/[^ \t]|$/);
  const indents = lines.filter((l) => l.trim()).map(indentOf);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(cut, indentOf(l)))).join('\n');
}
