import { ts } from '../typescript';

const K = ts.SyntaxKind;
// Import/export clauses are short; a longer search means the heuristic misread something.
const MAX_CLAUSE_TOKENS = 4000;

/** Token view needed to recognise module statements: kinds plus where each token sits. */
export interface RawTokens {
  kinds: readonly number[];
  starts: readonly number[];
  ends: readonly number[];
  text: string;
}

/**
 * Marks tokens of import declarations (`import … from 'm'`, `import 'm'`, `import x = require('m')`)
 * and re-exports (`export * from 'm'`, `export { a } from 'm'`) so they take part in no clone:
 * every file has them and their order carries no logic.
 */
export function moduleStatementMask(tokens: RawTokens): Uint8Array {
  const { kinds } = tokens;
  const mask = new Uint8Array(kinds.length);
  for (let i = 0; i < kinds.length; i++) {
    if ((kinds[i] !== K.ImportKeyword && kinds[i] !== K.ExportKeyword) || !atStatementStart(tokens, i)) continue;
    let end = -1;
    if (kinds[i] === K.ImportKeyword) end = importEnd(kinds, i);
    else if (kinds[i] === K.ExportKeyword) end = reExportEnd(kinds, i);
    if (end < 0) continue;
    mask.fill(1, i, end);
    i = end - 1;
  }
  return mask;
}

function atStatementStart({ kinds, starts, ends, text }: RawTokens, i: number): boolean {
  if (i === 0) return true;
  const prev = kinds[i - 1];
  if (prev === K.SemicolonToken || prev === K.CloseBraceToken) return true;
  // Automatic semicolon insertion: a line break before the keyword also ends the previous statement.
  // Only the trivia between the two tokens is searched (a search back to the previous line break would
  // be quadratic on a long line, as minified code has).
  for (let c = ends[i - 1]; c < starts[i]; c++) if (text.charCodeAt(c) === 10) return true;
  return false;
}

function importEnd(kinds: readonly number[], i: number): number {
  const next = kinds[i + 1];
  if (next === K.OpenParenToken || next === K.DotToken || next === undefined) return -1; // import() / import.meta
  const limit = Math.min(kinds.length, i + MAX_CLAUSE_TOKENS);
  for (let j = i + 1; j < limit; j++) {
    const k = kinds[j];
    if (k === K.StringLiteral && (j === i + 1 || kinds[j - 1] === K.FromKeyword)) return statementTail(kinds, j + 1);
    if (k === K.EqualsToken) return importEqualsEnd(kinds, j + 1, limit);
    if (k === K.SemicolonToken) return -1;
  }
  return -1;
}

function importEqualsEnd(kinds: readonly number[], j: number, limit: number): number {
  for (; j < limit; j++) {
    if (kinds[j] === K.SemicolonToken) return j + 1;
    if (kinds[j] === K.CloseParenToken) return statementTail(kinds, j + 1);
  }
  return -1;
}

function reExportEnd(kinds: readonly number[], i: number): number {
  let j = i + 1;
  if (kinds[j] === K.TypeKeyword) j++;
  if (kinds[j] === K.AsteriskToken) {
    const limit = Math.min(kinds.length, j + 6);
    for (; j < limit; j++) {
      if (kinds[j] === K.FromKeyword && kinds[j + 1] === K.StringLiteral) return statementTail(kinds, j + 2);
    }
    return -1;
  }
  if (kinds[j] !== K.OpenBraceToken) return -1;
  const limit = Math.min(kinds.length, j + MAX_CLAUSE_TOKENS);
  for (; j < limit && kinds[j] !== K.CloseBraceToken; j++);
  if (kinds[j + 1] === K.FromKeyword && kinds[j + 2] === K.StringLiteral) return statementTail(kinds, j + 3);
  return -1;
}

/** Optional import attributes (`with { type: 'json' }`) and the closing semicolon. */
function statementTail(kinds: readonly number[], j: number): number {
  if ((kinds[j] === K.WithKeyword || kinds[j] === K.AssertKeyword) && kinds[j + 1] === K.OpenBraceToken) {
    j += 2;
    while (j < kinds.length && kinds[j] !== K.CloseBraceToken) j++;
    j++;
  }
  return kinds[j] === K.SemicolonToken ? j + 1 : j;
}
