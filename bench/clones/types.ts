import type { CloneType } from '../../server/src/engine/analysis/clones';

/** 1-based inclusive line range in a corpus file (path relative to the corpus root). */
export interface LineRange {
  file: string;
  start: number;
  end: number;
}

/** A clone as any tool reported it: the code ranges it says are duplicates of each other. */
export interface ReportedClone {
  occurrences: LineRange[];
}

/** A clone the benchmark planted: `copy` is a (possibly edited) copy of `source`. */
export interface Injection {
  type: CloneType;
  source: LineRange;
  copy: LineRange;
}

/** A corpus file: path relative to the corpus root, and content. */
export interface CorpusFile {
  rel: string;
  text: string;
}

/** Accuracy of one tool on the seeded corpus. */
export interface ToolScore {
  tool: string;
  recall: Record<CloneType, number>;
  /** TP / (TP + FP); pre-existing clones of the untouched corpus are excluded (see score.ts). */
  precision: number;
  reported: number;
  truePositives: number;
  falsePositives: number;
  /** Reported clones in code the injection left as it was, already reported on the corpus before injection. */
  preExisting: number;
  /** Reported clones between an injected copy and code its source was already a clone of (see score.ts). */
  implied: number;
}

export interface CloneBenchResult {
  corpus: { files: number; lines: number; injected: Record<CloneType, number> };
  scores: ToolScore[];
  timing: { tool: string; ms: number }[];
  incremental: { files: number; edits: number; p50Ms: number; p95Ms: number; maxMs: number };
  peakRssMb: number;
  markdown: string;
}
