import { Scratch, toFloatView, type FloatView } from './numericView';
import { ExactSum } from './exactSum';
import { argmax, countTopK } from './topk';
import type { OutputComparison } from './types';
import { elementCount, isFloat, type Tensor } from '../tensor/tensor';
import { unstack, type Stack } from '../tensor/stack';

/** Task metrics a case can be accepted by (`--accept METRIC=THRESHOLD`). */
export type AcceptMetric =
  'cosine' | 'snrDb' | 'top1' | 'top5' | 'maxAbs' | 'meanAbs' | 'mismatchPct' | 'accuracy' | 'accuracyDrop';

/** Metric -> threshold. */
export type AcceptCriteria = Partial<Record<AcceptMetric, number>>;

/** Whether a metric's threshold is a minimum (value ≥ threshold) or a maximum (value ≤ threshold). */
const ACCEPT_DIRECTION: Readonly<Record<AcceptMetric, 'min' | 'max'>> = {
  cosine: 'min',
  snrDb: 'min',
  top1: 'min',
  top5: 'min',
  accuracy: 'min',
  maxAbs: 'max',
  meanAbs: 'max',
  mismatchPct: 'max',
  accuracyDrop: 'max',
};

const ACCEPT_METRICS = Object.keys(ACCEPT_DIRECTION) as AcceptMetric[];

/** Task metrics of one output over every fixture; absent ones could not be computed (see the reasons). */
export interface OutputMetrics {
  cosine?: number;
  /** 10·log10(Σbase² / Σ(cand − base)²); Infinity when the outputs are identical. */
  snrDb?: number;
  /**
   * Share of rows (along the last axis) whose argmax agrees; top5: the baseline's argmax is among the candidate's 5
   * largest, only with more than 5 classes (with 5 or fewer it would hold on every row, whatever the models do).
   */
  top1?: number;
  top5?: number;
  /** With labels: each model's share of rows whose argmax is the label, and baseline minus candidate. */
  baselineAccuracy?: number;
  candidateAccuracy?: number;
  accuracyDrop?: number;
  /** Rows (along the last axis) the top-k and accuracy figures cover, and labels used. */
  rows: number;
  labelled: number;
}

/** A MetricsAccumulator's raw state, carried by sharded reports for `report merge`. */
export interface MetricsState {
  dot: number[];
  bb: number[];
  cc: number[];
  noise: number[];
  finite: boolean;
  any: boolean;
  rows: number;
  top1: number;
  top5: number;
  /** Rows with more than 5 classes, the ones `top5` counts over (absent in reports from before it was kept). */
  top5Rows?: number;
  labelled: number;
  baseCorrect: number;
  candCorrect: number;
}

/** One criterion as judged. */
export interface AcceptResult {
  metric: AcceptMetric;
  direction: 'min' | 'max';
  threshold: number;
  /** Absent when the metric could not be computed (then the criterion fails, with `reason`). */
  value?: number;
  passed: boolean;
  reason?: string;
}

/**
 * Streams the task metrics of one output, one add() per fixture case like OutputAccumulator. Sums are in
 * float64. Labels, when given, are looked up by case id: one integer class per row of the output.
 */
export class MetricsAccumulator {
  // Per-case sums added exactly, so shards of a fixture set merge to the unsharded figures bit for bit.
  private readonly dot = new ExactSum();
  private readonly bb = new ExactSum();
  private readonly cc = new ExactSum();
  private readonly noise = new ExactSum();
  private finite = true;
  private rows = 0;
  private top1 = 0;
  private top5 = 0;
  private top5Rows = 0;
  private labelled = 0;
  private baseCorrect = 0;
  private candCorrect = 0;
  private any = false;
  private readonly sb = new Scratch();
  private readonly sc = new Scratch();

  constructor(private readonly labels?: (caseId: string) => number[] | undefined) {}

  /** What `report merge` needs to combine shards: every count and exact sum. */
  state(): MetricsState {
    return {
      dot: this.dot.parts(),
      bb: this.bb.parts(),
      cc: this.cc.parts(),
      noise: this.noise.parts(),
      finite: this.finite,
      any: this.any,
      rows: this.rows,
      top1: this.top1,
      top5: this.top5,
      top5Rows: this.top5Rows,
      labelled: this.labelled,
      baseCorrect: this.baseCorrect,
      candCorrect: this.candCorrect,
    };
  }

  /** The accumulator of a whole fixture set from its shards' states. */
  static merge(states: readonly MetricsState[]): MetricsAccumulator {
    const m = new MetricsAccumulator();
    for (const s of states) {
      for (const x of s.dot) m.dot.add(x);
      for (const x of s.bb) m.bb.add(x);
      for (const x of s.cc) m.cc.add(x);
      for (const x of s.noise) m.noise.add(x);
      m.finite &&= s.finite;
      m.any ||= s.any;
      m.rows += s.rows;
      m.top1 += s.top1;
      m.top5 += s.top5;
      m.top5Rows += s.top5Rows ?? 0;
      m.labelled += s.labelled;
      m.baseCorrect += s.baseCorrect;
      m.candCorrect += s.candCorrect;
    }
    return m;
  }

  add(caseId: string, base: Tensor, cand: Tensor): void {
    this.addStack(undefined, caseId, base, cand);
  }

  /**
   * Adds the cases of one batched run at once (`base` and `cand` hold `stack.rows` stacked along axis 0): bit for
   * bit what one add() per case on its rows gives, since each case's sums are still added exactly one by one.
   */
  addRows(stack: Stack, base: Tensor, cand: Tensor): void {
    if (base.dims.length >= 2) {
      this.addStack(stack, stack.ids[0], base, cand);
      return;
    }
    // rank 1: a case's scores are its whole part of the stack, one row whose length differs by case
    const b = unstack(base, stack.rows);
    const c = unstack(cand, stack.rows);
    stack.ids.forEach((id, j) => this.addStack(undefined, id, b[j], c[j]));
  }

  /** One case (`stack` undefined) or a stack of them. */
  private addStack(stack: Stack | undefined, caseId: string, base: Tensor, cand: Tensor): void {
    if (Array.isArray(base.data) || Array.isArray(cand.data)) return;
    // a stack's cases differ in shape only where the stacks' trailing dims do: then every case is skipped alike
    if (!sameDims(base.dims, cand.dims)) return;
    const b = toFloatView(base, this.sb);
    const c = toFloatView(cand, this.sc);
    this.any = true;
    const cases = stack ? stack.ids.length : 1;
    const rowSize = stack ? elementCount(base.dims.slice(1)) : b.length;
    for (let j = 0, off = 0; j < cases; j++) {
      const n = stack ? stack.rows[j] * rowSize : b.length;
      this.addSums(b, c, off, off + n);
      off += n;
    }
    const cols = base.dims.length ? base.dims[base.dims.length - 1] : 0;
    // top-k and accuracy read rows of scores: integer and bool outputs (indices, counts, masks) have none
    if (cols < 2 || !isFloat(base.dtype)) return;
    // from rank 2 on a row of scores never crosses a case: the last axis lies within every case's part
    const rows = b.length / cols;
    const counts = countTopK(b, c, rows, cols);
    this.top1 += counts.top1;
    if (cols > 5) {
      this.top5 += counts.top5;
      this.top5Rows += rows;
    }
    if (this.labels) {
      for (let j = 0, row = 0; j < cases; j++) {
        const caseRows = stack ? (stack.rows[j] * rowSize) / cols : rows;
        this.addLabels(stack ? stack.ids[j] : caseId, b, c, row, caseRows, cols);
        row += caseRows;
      }
    }
    this.rows += rows;
  }

  /** One case's sums over elements [start, end), added exactly (no array per case: this runs per fixture). */
  private addSums(b: FloatView, c: FloatView, start: number, end: number): void {
    let dot = 0;
    let bb = 0;
    let cc = 0;
    let noise = 0;
    for (let i = start; i < end; i++) {
      const x = b[i];
      const y = c[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        if (!Object.is(x, y)) this.finite = false;
        continue;
      }
      dot += x * y;
      bb += x * x;
      cc += y * y;
      noise += (y - x) * (y - x);
    }
    if (!(Number.isFinite(dot) && Number.isFinite(bb) && Number.isFinite(cc) && Number.isFinite(noise)))
      this.finite = false;
    else {
      this.dot.add(dot);
      this.bb.add(bb);
      this.cc.add(cc);
      this.noise.add(noise);
    }
  }

  /** Accuracy of both models over one case's rows (from `row`), against its labels if it has any. */
  private addLabels(caseId: string, b: FloatView, c: FloatView, row: number, rows: number, cols: number): void {
    const labels = this.labels?.(caseId);
    if (!labels) return;
    for (let r = 0; r < rows; r++) {
      const label = labels[r];
      if (label === undefined) continue;
      this.labelled++;
      const off = (row + r) * cols;
      if (argmax(b, off, cols) === label) this.baseCorrect++;
      if (argmax(c, off, cols) === label) this.candCorrect++;
    }
  }

  finish(): OutputMetrics {
    const m: OutputMetrics = { rows: this.rows, labelled: this.labelled };
    if (!this.any) return m;
    if (this.finite) {
      const [dot, bb, cc, noise] = [this.dot.value(), this.bb.value(), this.cc.value(), this.noise.value()];
      const norm = Math.sqrt(bb) * Math.sqrt(cc);
      m.cosine = norm > 0 ? dot / norm : bb === cc ? 1 : 0;
      m.snrDb = noise === 0 ? Infinity : 10 * Math.log10(bb / noise);
    }
    if (this.rows > 0) {
      m.top1 = this.top1 / this.rows;
    }
    if (this.top5Rows > 0) m.top5 = this.top5 / this.top5Rows;
    if (this.labelled > 0) {
      m.baselineAccuracy = this.baseCorrect / this.labelled;
      m.candidateAccuracy = this.candCorrect / this.labelled;
      m.accuracyDrop = m.baselineAccuracy - m.candidateAccuracy;
    }
    return m;
  }
}

/** Judges criteria against an output's statistics and metrics; a metric that is unavailable fails. */
export function judge(criteria: AcceptCriteria, o: OutputComparison, m: OutputMetrics): AcceptResult[] {
  return (Object.entries(criteria) as [AcceptMetric, number][]).map(([metric, threshold]) => {
    const direction = ACCEPT_DIRECTION[metric];
    const value = metricValue(metric, o, m);
    if (value === undefined) return { metric, direction, threshold, passed: false, reason: unavailable(metric, o, m) };
    const passed = direction === 'min' ? value >= threshold : value <= threshold;
    return { metric, direction, threshold, value, passed };
  });
}

function metricValue(metric: AcceptMetric, o: OutputComparison, m: OutputMetrics): number | undefined {
  if (o.shapeMismatch) return undefined;
  switch (metric) {
    case 'maxAbs':
      return o.nanMismatches || o.infMismatches ? Infinity : o.maxAbs;
    case 'meanAbs':
      return o.nanMismatches || o.infMismatches ? Infinity : o.meanAbs;
    case 'mismatchPct':
      return o.mismatchPct;
    case 'accuracy':
      return m.candidateAccuracy;
    default:
      return m[metric];
  }
}

function unavailable(metric: AcceptMetric, o: OutputComparison, m: OutputMetrics): string {
  if (o.shapeMismatch) return 'the shapes differ';
  if ((metric === 'cosine' || metric === 'snrDb') && m.rows >= 0)
    return 'NaN or Inf differs between the models, or the output is not numeric';
  if (metric === 'top5' && m.rows > 0)
    return 'top-5 agreement needs more than 5 classes on the last axis (with 5 or fewer it holds on every row)';
  if (metric === 'top1' || metric === 'top5' || m.rows === 0)
    return 'the output has no scores (a float output with a last axis of 2 or more classes)';
  return "no labels: give a `label` tensor per fixture or the case's `labels`";
}

/** Parses `METRIC=THRESHOLD`; undefined with a message when it is not one. */
export function parseCriterion(text: string): { metric: AcceptMetric; threshold: number } | string {
  const m = /^([A-Za-z0-9]+)=(.+)$/.exec(text);
  if (!m) return `"${text}" is not METRIC=THRESHOLD`;
  const metric = m[1] as AcceptMetric;
  if (!ACCEPT_METRICS.includes(metric)) return `"${m[1]}" is not a metric (one of ${ACCEPT_METRICS.join(', ')})`;
  const threshold = Number(m[2]);
  if (!Number.isFinite(threshold)) return `"${m[2]}" is not a number`;
  return { metric, threshold };
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
