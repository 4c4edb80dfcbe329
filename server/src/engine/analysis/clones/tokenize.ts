import { ts } from '../typescript';
import { ignoredLines } from './ignoreComments';
import { hasIgnoreMarker } from './ignoreMarker';
import { compilerHelperMask } from './compilerHelpers';
import { moduleStatementMask } from './importStatements';
import { variantFor, scanTokens } from './lexer';
import { computeLineStarts } from './lineStarts';
import { EDGE_TOKENS } from './edgeTokens';

const K = ts.SyntaxKind;

/** Normalized codes for type-2 matching: every identifier is one symbol, every literal another. */
const NORM_IDENTIFIER = 5000;
const NORM_LITERAL = 5001;

// The numbers pairs.ts trims clone edges by must be this compiler's (see edgeTokens.ts).
for (const [name, kind] of Object.entries(EDGE_TOKENS)) {
  if (K[name as keyof typeof EDGE_TOKENS] !== kind)
    throw new Error(`edgeTokens.ts: ${name} is ${K[name as keyof typeof EDGE_TOKENS]} in this TypeScript, not ${kind}`);
}

/**
 * A file's significant tokens as parallel typed arrays (compact, cache-friendly for hashing).
 * Comments, whitespace, import/re-export statements and ignored lines are already removed.
 */
export interface FileTokens {
  file: string;
  count: number;
  /** Kind, with identifiers and literals collapsed (type-2 view). */
  norm: Int32Array;
  /** Kind for punctuation/keywords, hash of the text for identifiers and literals (type-1 view). */
  exact: Int32Array;
  start: Int32Array;
  end: Int32Array;
  /** 0-based line of each token's first and last character. */
  line: Int32Array;
  endLine: Int32Array;
  /** 1 where removed tokens precede this one: no match may span the gap. */
  brk: Uint8Array;
  lineStarts: readonly number[];
}

function isTrivia(kind: number): boolean {
  return kind >= K.FirstTriviaToken && kind <= K.LastTriviaToken;
}

// Contextual keywords that code mostly uses as plain names (`type`, `get`, `out`, `module`, …): the
// scanner reports them as keywords, but a rename from or to one is still a rename.
const NAME_LIKE_KEYWORDS: ReadonlySet<number> = new Set([
  K.AccessorKeyword,
  K.AssertKeyword,
  K.AssertsKeyword,
  K.ConstructorKeyword,
  K.DeclareKeyword,
  K.GetKeyword,
  K.GlobalKeyword,
  K.InferKeyword,
  K.IntrinsicKeyword,
  K.IsKeyword,
  K.ModuleKeyword,
  K.NamespaceKeyword,
  K.OutKeyword,
  K.OverrideKeyword,
  K.RequireKeyword,
  K.SetKeyword,
  K.TypeKeyword,
  K.UniqueKeyword,
  K.UsingKeyword,
]);

function normalize(kind: number): number {
  if (NAME_LIKE_KEYWORDS.has(kind)) return NORM_IDENTIFIER;
  switch (kind) {
    case K.Identifier:
    case K.PrivateIdentifier:
      return NORM_IDENTIFIER;
    case K.StringLiteral:
    case K.NumericLiteral:
    case K.BigIntLiteral:
    case K.RegularExpressionLiteral:
    case K.NoSubstitutionTemplateLiteral:
    case K.TemplateHead:
    case K.TemplateMiddle:
    case K.TemplateTail:
      return NORM_LITERAL;
    default:
      return kind;
  }
}

/** FNV-1a over a slice of the text: the exact identity of an identifier or literal. */
function hashText(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Tokenizes one file with the TypeScript scanner (pure; the variant follows the file extension). */
export function tokenize(file: string, text: string): FileTokens {
  const kinds: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  scanTokens(text, variantFor(file), false, (kind, start, end) => {
    if (isTrivia(kind)) return;
    kinds.push(kind);
    starts.push(start);
    ends.push(end);
  });
  const raw = { kinds, starts, ends, text };
  const removed = moduleStatementMask(raw);
  compilerHelperMask(raw, removed);
  const lineStarts = computeLineStarts(text);
  const ignored = hasIgnoreMarker(text) ? ignoredLines(text, variantFor(file)) : undefined;

  const n = kinds.length;
  const out = {
    norm: new Int32Array(n),
    exact: new Int32Array(n),
    start: new Int32Array(n),
    end: new Int32Array(n),
    line: new Int32Array(n),
    endLine: new Int32Array(n),
    brk: new Uint8Array(n),
  };
  let count = 0;
  let pendingBreak = false;
  let lineIdx = 0;
  for (let i = 0; i < n; i++) {
    // Tokens arrive in order, so the line index only moves forward.
    while (lineIdx + 1 < lineStarts.length && lineStarts[lineIdx + 1] <= starts[i]) lineIdx++;
    let endLineIdx = lineIdx;
    while (endLineIdx + 1 < lineStarts.length && lineStarts[endLineIdx + 1] < ends[i]) endLineIdx++;
    if (removed[i] || (ignored && touchesIgnored(ignored, lineIdx, endLineIdx))) {
      pendingBreak = true;
      continue;
    }
    const kind = kinds[i];
    const norm = normalize(kind);
    out.norm[count] = norm;
    out.exact[count] = norm === kind ? kind : hashText(text, starts[i], ends[i]);
    out.start[count] = starts[i];
    out.end[count] = ends[i];
    out.line[count] = lineIdx;
    out.endLine[count] = endLineIdx;
    out.brk[count] = pendingBreak ? 1 : 0;
    pendingBreak = false;
    count++;
  }
  return {
    file,
    count,
    norm: out.norm.subarray(0, count),
    exact: out.exact.subarray(0, count),
    start: out.start.subarray(0, count),
    end: out.end.subarray(0, count),
    line: out.line.subarray(0, count),
    endLine: out.endLine.subarray(0, count),
    brk: out.brk.subarray(0, count),
    lineStarts,
  };
}

function touchesIgnored(ignored: Set<number>, first: number, last: number): boolean {
  for (let l = first; l <= last; l++) if (ignored.has(l)) return true;
  return false;
}
