import type { DType } from '../tensor/tensor';
import type { AcceptResult, MetricsState, OutputMetrics } from './metrics';
import type { TailSnapshot } from './tailQuantile';

/** Pass when |cand - base| <= atol + rtol * |base|, elementwise. */
export interface Tolerance {
  atol: number;
  rtol: number;
  /** NaN in both at the same position counts as equal. */
  equalNan: boolean;
}

/**
 * Histogram of |diff|: counts[i] holds values in [edges[i], edges[i+1]); log-spaced bins, zeros in bin 0.
 * The accumulator uses 18 bins: exact zeros [0, 5e-324), then (0, 1e-12), one per decade from 1e-12 to
 * 1e3, and a last bin with no upper edge (edges.length === counts.length) holding |diff| >= 1e3 and
 * every NaN/Inf mismatch. Counts sum to `elements`.
 */
export interface Histogram {
  edges: number[];
  counts: number[];
}

export interface WorstElement {
  /** Which fixture case it came from. */
  caseId: string;
  /** Multi-dimensional index inside that case's output. */
  index: number[];
  /** A number, or a string for string outputs and for int64 values beyond 2^53 (kept exact). */
  baseline: number | string;
  candidate: number | string;
  absDiff: number;
  relDiff: number;
}

/** Statistics for one output over the whole fixture set. */
export interface OutputComparison {
  /** Output name on the baseline side. */
  name: string;
  /** Output name on the candidate side (differs when an outputMap renamed it). */
  candidateName: string;
  dtype: DType;
  /** The candidate's dtype when it differs (a float16 conversion; compared in float64 with float16 tolerance). */
  candidateDtype?: DType;
  /** Shape of the output in the first case. */
  shape: number[];
  tolerance: Tolerance;
  passed: boolean;
  elements: number;
  maxAbs: number;
  maxRel: number;
  meanAbs: number;
  p99Abs: number;
  mismatches: number;
  mismatchPct: number;
  /** Positions where exactly one side is NaN (or both, without equalNan). */
  nanMismatches: number;
  /** Positions where an infinity is not matched by the identical infinity. */
  infMismatches: number;
  /** NaN / Inf counts on each side, to spot a model that started producing them. */
  nonFinite: { baselineNan: number; candidateNan: number; baselineInf: number; candidateInf: number };
  /**
   * The first NaN/Inf/string mismatch if there is one (no tolerance fixes it), else the first element with
   * the largest finite |diff|. Absent when every element is identical.
   */
  worst?: WorstElement;
  /** Smallest atol that would make every element pass at the configured rtol (Infinity if none would). */
  minPassingAtol: number;
  histogram: Histogram;
  /**
   * For float outputs of rank >= 2 with a last dim > 1 (never integer or bool ones), read as rows of scores along the last axis ([N, C]
   * classes, [N, T, C] per-step logits): share of rows whose argmax agrees.
   */
  top1Agreement?: number;
  /** As top1Agreement, when the last dim is > 5: share of rows whose baseline argmax is in the candidate's top 5. */
  top5Agreement?: number;
  /**
   * Set when top-k agreement was computed on an output not known to hold class scores (not made by a Softmax or
   * LogSoftmax over its last axis: logits, an embedding, a regression): every report marks it informative.
   */
  topKInformative?: boolean;
  /** Set when shapes differ in some case: then no elementwise statistics are meaningful. */
  shapeMismatch?: { caseId: string; baseline: number[]; candidate: number[] };
  /** Task metrics (cosine, SNR, top-k, accuracy with labels), computed for every numeric output. */
  metrics?: OutputMetrics;
  /**
   * Set when the case has acceptance criteria: `passed` above is then theirs, and the elementwise
   * verdict is informative only.
   */
  acceptance?: { criteria: AcceptResult[]; passed: boolean; elementwisePassed: boolean };
  /** Set when p99Abs was merged from shards and could not be pinned down: the true p99 lies in [low, high]. */
  p99Bound?: [number, number];
  /** Only in a sharded run's report (`--shard`): the state `report merge` combines. */
  partial?: OutputPartial;
}

/** An output's statistics in a form that merges exactly across shards of one fixture set. */
export interface OutputPartial {
  /** Non-overlapping terms summing exactly to the sum of finite |diff| (see ExactSum). */
  sumAbs: number[];
  /** Finite pairs whose difference overflowed float64. */
  overflows: number;
  tail: TailSnapshot;
  topK: { top1Rows: number; top1Agree: number; top5Rows: number; top5Agree: number };
  /** The task metrics' sums and counts (see MetricsAccumulator.state). */
  metrics?: MetricsState;
  /** minPassingAtol over the finite elements (the reported one is Infinity when something is unfixable). */
  finiteMinPassingAtol: number;
  worstFinite?: WorstElement;
  firstUnfixable?: WorstElement;
}
