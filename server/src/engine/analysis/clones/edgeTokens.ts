/**
 * The punctuators that trim a clone's edges, as the compiler's `SyntaxKind` numbers (the values of
 * `FileTokens.norm` for them). Written out, so that matching stored tokens (pairs.ts) does not load the
 * compiler; tokenize.ts checks them against the compiler it loads, so a compiler that numbers them
 * differently fails the first tokenization instead of trimming the wrong tokens.
 */
export const EDGE_TOKENS = {
  SemicolonToken: 27,
  CloseBraceToken: 20,
  CloseParenToken: 22,
  CloseBracketToken: 24,
  CommaToken: 28,
  OpenBraceToken: 19,
  OpenParenToken: 21,
  OpenBracketToken: 23,
  EqualsToken: 64,
  DotToken: 25,
} as const;

const K = EDGE_TOKENS;

/** Tokens that end the previous construct: a clone should not start with one. */
export const CLOSERS: ReadonlySet<number> = new Set([
  K.SemicolonToken,
  K.CloseBraceToken,
  K.CloseParenToken,
  K.CloseBracketToken,
  K.CommaToken,
]);

/** Tokens that open the next construct: a clone should not end with one. */
export const OPENERS: ReadonlySet<number> = new Set([
  K.OpenBraceToken,
  K.OpenParenToken,
  K.OpenBracketToken,
  K.CommaToken,
  K.EqualsToken,
  K.DotToken,
]);
