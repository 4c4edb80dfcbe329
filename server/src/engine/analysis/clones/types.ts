import type { Location } from '../../findings';

/** One source file handed to the detector: absolute path and current content. */
export interface SourceFileText {
  file: string;
  text: string;
}

/** Detection thresholds. Defaults (`DEFAULT_CLONE_OPTIONS`) follow jscpd: 50 tokens, 5 lines. */
export interface CloneOptions {
  /** Minimum clone length in (non-ignored) tokens, per occurrence. */
  minTokens: number;
  /** Minimum number of source lines spanned, per occurrence. */
  minLines: number;
  /** Type-3 acceptance threshold, 0..1: matched tokens × 2 / (tokens of both occurrences). */
  minSimilarity: number;
}

export const DEFAULT_CLONE_OPTIONS: Readonly<CloneOptions> = { minTokens: 50, minLines: 5, minSimilarity: 0.8 };

/** 1: identical tokens; 2: identical up to identifier/literal renaming; 3: near-miss with small gaps. */
export type CloneType = 1 | 2 | 3;

/** A set of code fragments that are clones of each other (one class per duplicated region, not per pair). */
export interface CloneClass {
  /** Stable while the duplicated code is unchanged (hash of the first occurrence's normalized tokens). */
  id: string;
  type: CloneType;
  /** Smallest token count among the occurrences (comments and ignored code not counted). */
  tokens: number;
  /** Largest token count among the occurrences. */
  maxTokens: number;
  /** Smallest number of source lines an occurrence spans, first token to last (blank and comment lines inside included). */
  lines: number;
  /** Largest such line span. */
  maxLines: number;
  /** Lowest similarity between any two occurrences (1 for type 1 and 2). */
  similarity: number;
  /** Sorted by file, then position; 0-based lines, ranges from the first token's start to the last token's end. */
  occurrences: Location[];
}
