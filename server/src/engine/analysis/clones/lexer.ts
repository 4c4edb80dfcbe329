import { ts } from '../typescript';

const K = ts.SyntaxKind;

/** Receives each token; `kind` is final (after regex/template re-scans). */
export type TokenVisitor = (kind: ts.SyntaxKind, start: number, end: number) => void;

/** JSX-capable variant for .tsx/.jsx and plain JavaScript (as the TypeScript compiler does). */
export function variantFor(file: string): ts.LanguageVariant {
  return /\.(tsx|jsx|js|mjs|cjs)$/i.test(file) ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard;
}

// After these a `/` divides; after anything else it starts a regular expression.
const ENDS_EXPRESSION = new Set<ts.SyntaxKind>([
  K.Identifier,
  K.PrivateIdentifier,
  K.NumericLiteral,
  K.BigIntLiteral,
  K.StringLiteral,
  K.RegularExpressionLiteral,
  K.NoSubstitutionTemplateLiteral,
  K.TemplateTail,
  K.CloseParenToken,
  K.CloseBracketToken,
  K.CloseBraceToken,
  K.PlusPlusToken,
  K.MinusMinusToken,
  K.ThisKeyword,
  K.SuperKeyword,
  K.TrueKeyword,
  K.FalseKeyword,
  K.NullKeyword,
]);

export function isTrivia(kind: ts.SyntaxKind): boolean {
  return kind >= K.FirstTriviaToken && kind <= K.LastTriviaToken;
}

/**
 * Runs the TypeScript scanner over `text` without a parser. The parser normally tells the scanner when
 * a `/` is a regex and when a `}` resumes a template; a small brace stack and the previous token stand
 * in for it so regexes and `${…}` do not derail the token stream.
 */
export function scanTokens(text: string, variant: ts.LanguageVariant, withTrivia: boolean, visit: TokenVisitor): void {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, !withTrivia, variant, text);
  // true = a `${` awaiting its `}`, false = an ordinary `{`.
  const braces: boolean[] = [];
  let prev: ts.SyntaxKind = K.Unknown;
  for (let kind = scanner.scan(); kind !== K.EndOfFileToken; kind = scanner.scan()) {
    if (isTrivia(kind)) {
      visit(kind, scanner.getTokenStart(), scanner.getTokenEnd());
      continue;
    }
    if ((kind === K.SlashToken || kind === K.SlashEqualsToken) && !ENDS_EXPRESSION.has(prev)) {
      kind = scanner.reScanSlashToken();
    } else if (kind === K.OpenBraceToken) {
      braces.push(false);
    } else if (kind === K.CloseBraceToken && braces.length > 0 && braces[braces.length - 1]) {
      kind = scanner.reScanTemplateToken(false);
      if (kind === K.TemplateTail) braces.pop();
    } else if (kind === K.CloseBraceToken) {
      braces.pop();
    }
    if (kind === K.TemplateHead) braces.push(true);
    visit(kind, scanner.getTokenStart(), scanner.getTokenEnd());
    prev = kind;
  }
}
