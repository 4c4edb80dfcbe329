import { EngineError } from '../errors';
import { describeTensor, elementCount, isFloat, type DType, type Tensor } from '../tensor/tensor';
import { DIFF_BIN_COUNT, OVERFLOW_BIN, diffBin, toHistogram } from './histogram';
import { Scratch, isBigIntData, toFloatView, type FloatView } from './numericView';
import { ExactSum } from './exactSum';
import { TailQuantile } from './tailQuantile';
import { countTopK } from './topk';
import { validateTolerance } from './tolerance';
import type { OutputComparison, OutputPartial, Tolerance, WorstElement } from './types';
import { unstack, type Stack } from '../tensor/stack';

/** Tuning for OutputAccumulator. */
export interface AccumulatorOptions {
  /** Initial size of the p99 tail buffer (values, 8 bytes each; default 4096). Small values exercise compaction in tests. */
  quantileBuffer?: number;
}

/** Where a candidate for the worst element was seen; turned into a WorstElement in finish(). */
interface WorstAt {
  caseId: string;
  dims: number[];
  flat: number;
  baseline: number | string;
  candidate: number | string;
  absDiff: number;
  relDiff: number;
}

/**
 * Compares one output across all fixture cases, one add() per case (or per batch slice), then finish().
 *
 * Semantics, per element: pass iff |cand − base| <= atol + rtol·|base|. NaN equals NaN only with
 * equalNan; an infinity equals only the identical infinity and never goes through the formula.
 * Integers and bool use the same formula (defaults atol = rtol = 0 make it exact); two int64/uint64
 * tensors are compared as BigInts, so 2^60 and 2^60+1 differ. Strings are equal or not: |diff| is 0 or
 * 1 and no tolerance makes a different string pass.
 *
 * Statistics cover every element of every case whose shapes agree. maxAbs, maxRel, meanAbs and p99Abs
 * are over the elements with a finite difference (matched NaN/Inf pairs count as 0; NaN/Inf mismatches
 * are left out and reported by nanMismatches/infMismatches and minPassingAtol = Infinity; so is a float64
 * difference that overflows to Infinity, which counts as a mismatch). p99Abs is the nearest-rank 99th
 * percentile, exact in memory proportional to the top 2% (see TailQuantile). The histogram counts every
 * element (non-finite mismatches in the overflow bin), so its counts sum to `elements`.
 *
 * Worst element: the first NaN/Inf (or string) mismatch if any — no tolerance can fix it, so it is what
 * to look at first — otherwise the first element with the largest finite |diff|.
 */
export class OutputAccumulator {
  private readonly atol: number;
  private readonly rtol: number;
  private readonly equalNan: boolean;

  private shape: number[] | undefined;
  private shapeMismatch: OutputComparison['shapeMismatch'];
  private elements = 0;
  /** Finite pairs whose difference overflowed float64: mismatches left out of the finite statistics. */
  private overflows = 0;
  /** Exact, so a sharded run's partial sums merge to the same mean. */
  private readonly sumAbs = new ExactSum();
  private maxAbs = 0;
  private maxRel = 0;
  private mismatches = 0;
  private nanMismatches = 0;
  private infMismatches = 0;
  private baselineNan = 0;
  private candidateNan = 0;
  private baselineInf = 0;
  private candidateInf = 0;
  private minPassingAtol = 0;
  /** A mismatch no atol can fix (NaN, Inf, string). */
  private unfixable = false;
  private readonly bins = new Float64Array(DIFF_BIN_COUNT);
  /** |diff| of the finite population, for p99. */
  private readonly tail: TailQuantile;
  private worstFinite: WorstAt | undefined;
  private firstUnfixable: WorstAt | undefined;
  private top1Rows = 0;
  private top1Agree = 0;
  private top5Rows = 0;
  private top5Agree = 0;
  private readonly scratchBase = new Scratch();
  private readonly scratchCand = new Scratch();

  /** @throws EngineError('config-invalid') for a negative or NaN atol/rtol. */
  constructor(
    readonly name: string,
    readonly candidateName: string,
    readonly dtype: DType,
    readonly tolerance: Tolerance,
    opts: AccumulatorOptions = {},
  ) {
    validateTolerance(tolerance);
    this.atol = tolerance.atol;
    this.rtol = tolerance.rtol;
    this.equalNan = tolerance.equalNan;
    this.tail = new TailQuantile(0.99, opts.quantileBuffer);
  }

  /**
   * Adds one case. Shapes that differ are recorded (the output fails) and the case is skipped.
   * @throws EngineError('signature-mismatch') when one side is strings and the other is not;
   *   EngineError('fixture-invalid') when a tensor's data length does not match its dims.
   */
  add(caseId: string, baseline: Tensor, candidate: Tensor): void {
    this.shape ??= [...baseline.dims];
    if (!sameDims(baseline.dims, candidate.dims)) {
      this.shapeMismatch ??= { caseId, baseline: [...baseline.dims], candidate: [...candidate.dims] };
      return;
    }
    checkLength(caseId, 'baseline', baseline);
    checkLength(caseId, 'candidate', candidate);
    const bStr = Array.isArray(baseline.data);
    const cStr = Array.isArray(candidate.data);
    if (bStr !== cStr) {
      throw new EngineError(
        'signature-mismatch',
        `output ${this.name}: cannot compare ${describeTensor(baseline)} with ${describeTensor(candidate)} (case ${caseId})`,
      );
    }
    const dims = baseline.dims;
    this.elements += baseline.data.length;
    if (bStr) {
      this.addStrings(caseId, dims, baseline.data as string[], candidate.data as string[]);
      return;
    }
    // scores along the last axis: [N, C] classes, [N, T, C] per-step logits (CTC), any rank >= 2; integer and
    // bool outputs are indices, counts or masks, where an argmax means nothing (and they must match exactly)
    const numericTop1 = isFloat(this.dtype) && dims.length >= 2 && dims[dims.length - 1] > 1;
    if (isBigIntData(baseline) && isBigIntData(candidate)) {
      this.addBigInts(caseId, dims, baseline.data, candidate.data);
      return;
    }
    const b = toFloatView(baseline, this.scratchBase);
    const c = toFloatView(candidate, this.scratchCand);
    this.addFloats(caseId, dims, b, c, 0, b.length);
    if (numericTop1) this.addTop1(dims, b, c);
  }

  /**
   * Adds the cases of one batched run at once: `baseline` and `candidate` hold `stack.rows` stacked along axis 0
   * (see holdsRows). The result is bit for bit that of one add() per case on its rows (each case's sum rounded
   * as add() rounds it, worst elements named by case and index within it), without a view, shape or call per
   * case; strings, two int64 tensors and shapes that differ go through add() per case.
   */
  addRows(stack: Stack, baseline: Tensor, candidate: Tensor): void {
    if (!this.stackable(baseline, candidate)) {
      const b = unstack(baseline, stack.rows);
      const c = unstack(candidate, stack.rows);
      stack.ids.forEach((id, j) => this.add(id, b[j], c[j]));
      return;
    }
    const dims = [...baseline.dims];
    dims[0] = stack.rows[0];
    this.shape ??= [...dims];
    this.elements += baseline.data.length;
    const b = toFloatView(baseline, this.scratchBase);
    const c = toFloatView(candidate, this.scratchCand);
    const rowSize = elementCount(dims.slice(1));
    let off = 0;
    for (let j = 0; j < stack.ids.length; j++) {
      // one dims array for every case: whatever keeps a case's dims copies them
      dims[0] = stack.rows[j];
      const n = stack.rows[j] * rowSize;
      this.addFloats(stack.ids[j], dims, b, c, off, n);
      off += n;
    }
    // top-k rows never cross a case: the last axis is within every case's rows
    if (isFloat(this.dtype) && dims.length >= 2 && dims[dims.length - 1] > 1) this.addTop1(dims, b, c);
  }

  /** Whether addRows can compare the stack in one pass: numbers, the same shapes, lengths that fit them. */
  private stackable(baseline: Tensor, candidate: Tensor): boolean {
    return (
      sameDims(baseline.dims, candidate.dims) &&
      !Array.isArray(baseline.data) &&
      !Array.isArray(candidate.data) &&
      !(isBigIntData(baseline) && isBigIntData(candidate)) &&
      baseline.data.length === elementCount(baseline.dims) &&
      candidate.data.length === baseline.data.length
    );
  }

  /** The hot loop over elements [off, off + n) of one case: locals instead of fields, no allocation, rare cases out of line. */
  private addFloats(caseId: string, dims: number[], b: FloatView, c: FloatView, off: number, n: number): void {
    const atol = this.atol;
    const rtol = this.rtol;
    const bins = this.bins;
    const tail = this.tail;
    let zeros = 0;
    let sum = 0;
    let mismatches = 0;
    let maxAbs = this.maxAbs;
    let maxRel = this.maxRel;
    let minAtol = this.minPassingAtol;
    let worst = -1;
    const end = off + n;
    for (let i = off; i < end; i++) {
      const bv = b[i];
      const cv = c[i];
      const d = cv - bv;
      if (d === 0) {
        zeros++;
        continue;
      }
      if (d - d !== 0) {
        // NaN or Inf on a side, or a float64 difference that overflowed
        if (this.nonFinite(caseId, dims, i - off, bv, cv)) mismatches++;
        else zeros++;
        continue;
      }
      const ad = d < 0 ? -d : d;
      const ab = bv < 0 ? -bv : bv;
      sum += ad;
      if (ad > maxAbs) {
        maxAbs = ad;
        worst = i;
      }
      // multiplying first skips most divisions (measured ~25% faster); base 0: ad / 0 = Infinity as specified
      if (ad > maxRel * ab) maxRel = Math.max(maxRel, ad / ab);
      const scaled = rtol * ab;
      if (ad > atol + scaled) mismatches++;
      if (ad - scaled > minAtol) minAtol = passingAtol(ad, scaled);
      tail.add(ad);
      bins[diffBin(ad)]++;
    }
    bins[0] += zeros;
    tail.addZeros(zeros);
    this.sumAbs.add(sum);
    this.mismatches += mismatches;
    this.maxAbs = maxAbs;
    this.maxRel = maxRel;
    this.minPassingAtol = minAtol;
    if (worst >= 0) this.worstFinite = worstAt(caseId, dims, worst - off, b[worst], c[worst]);
  }

  /** A pair with NaN or Inf on at least one side; returns whether it is a mismatch. */
  private nonFinite(caseId: string, dims: number[], i: number, bv: number, cv: number): boolean {
    if (Number.isFinite(bv) && Number.isFinite(cv)) {
      // |cand - base| > Number.MAX_VALUE: no finite atol covers it
      this.overflows++;
      this.bins[OVERFLOW_BIN]++;
      this.markUnfixable(caseId, dims, i, bv, cv, Infinity, Math.abs((cv - bv) / bv));
      return true;
    }
    const bNan = bv !== bv;
    const cNan = cv !== cv;
    if (bNan) this.baselineNan++;
    else if (!Number.isFinite(bv)) this.baselineInf++;
    if (cNan) this.candidateNan++;
    else if (!Number.isFinite(cv)) this.candidateInf++;
    let equal: boolean;
    if (bNan || cNan) {
      equal = bNan && cNan && this.equalNan;
      if (!equal) this.nanMismatches++;
    } else {
      equal = bv === cv;
      if (!equal) this.infMismatches++;
    }
    // a match counts as a zero difference, which the caller tallies
    if (equal) return false;
    this.bins[OVERFLOW_BIN]++;
    this.markUnfixable(caseId, dims, i, bv, cv, Math.abs(cv - bv), bv === 0 ? Infinity : Math.abs((cv - bv) / bv));
    return true;
  }

  private addBigInts(
    caseId: string,
    dims: number[],
    b: BigInt64Array | BigUint64Array,
    c: BigInt64Array | BigUint64Array,
  ): void {
    let zeros = 0;
    for (let i = 0; i < b.length; i++) {
      const bv = b[i];
      const cv = c[i];
      if (bv === cv) {
        zeros++;
        continue;
      }
      // BigInt difference first: exact, then one rounding to number for the statistics
      const ad = Math.abs(Number(cv - bv));
      if (this.recordDiff(ad, Math.abs(Number(bv)), false)) {
        const ab = Math.abs(Number(bv));
        const relDiff = ab === 0 ? Infinity : ad / ab;
        this.worstFinite = {
          caseId,
          dims: [...dims],
          flat: i,
          baseline: exactInt(bv),
          candidate: exactInt(cv),
          absDiff: ad,
          relDiff,
        };
      }
    }
    this.tail.addZeros(zeros);
    this.bins[0] += zeros;
  }

  private addStrings(caseId: string, dims: number[], b: string[], c: string[]): void {
    let zeros = 0;
    for (let i = 0; i < b.length; i++) {
      if (b[i] === c[i]) {
        zeros++;
        continue;
      }
      this.recordDiff(1, 1, true);
      this.markUnfixable(caseId, dims, i, b[i], c[i], 1, 1);
    }
    this.tail.addZeros(zeros);
    this.bins[0] += zeros;
  }

  /** Statistics for one non-zero finite |diff| (out-of-line twin of the hot loop's body). Returns true on a new worst. */
  private recordDiff(ad: number, ab: number, alwaysMismatch: boolean): boolean {
    this.sumAbs.add(ad);
    const rel = ab === 0 ? Infinity : ad / ab;
    if (rel > this.maxRel) this.maxRel = rel;
    const scaled = this.rtol * ab;
    if (alwaysMismatch || ad > this.atol + scaled) this.mismatches++;
    if (!alwaysMismatch && ad - scaled > this.minPassingAtol) this.minPassingAtol = passingAtol(ad, scaled);
    this.tail.add(ad);
    this.bins[diffBin(ad)]++;
    if (ad > this.maxAbs) {
      this.maxAbs = ad;
      return true;
    }
    return false;
  }

  private markUnfixable(
    caseId: string,
    dims: number[],
    i: number,
    baseline: number | string,
    candidate: number | string,
    absDiff: number,
    relDiff: number,
  ): void {
    this.unfixable = true;
    this.firstUnfixable ??= { caseId, dims: [...dims], flat: i, baseline, candidate, absDiff, relDiff };
  }

  private addTop1(dims: number[], b: FloatView, c: FloatView): void {
    const cols = dims[dims.length - 1];
    const rows = b.length / cols;
    const counts = countTopK(b, c, rows, cols);
    this.top1Rows += rows;
    this.top1Agree += counts.top1;
    // with five classes or fewer every class is in the top 5: nothing to report
    if (cols > 5) {
      this.top5Rows += rows;
      this.top5Agree += counts.top5;
    }
  }

  /**
   * The statistics so far. Call once after the last add(). With `partial`, also what `report merge` needs to
   * combine this run with other shards of the same fixtures into exactly the unsharded statistics.
   */
  finish(opts: { partial?: boolean } = {}): OutputComparison {
    const finitePopulation = this.elements - this.nanMismatches - this.infMismatches - this.overflows;
    const worst = this.firstUnfixable ?? this.worstFinite;
    const result: OutputComparison = {
      name: this.name,
      candidateName: this.candidateName,
      dtype: this.dtype,
      shape: this.shape ?? [],
      tolerance: { ...this.tolerance },
      passed: this.mismatches === 0 && !this.shapeMismatch,
      elements: this.elements,
      maxAbs: this.maxAbs,
      maxRel: this.maxRel,
      meanAbs: finitePopulation > 0 ? this.sumAbs.value() / finitePopulation : 0,
      p99Abs: this.tail.quantile(),
      mismatches: this.mismatches,
      mismatchPct: this.elements > 0 ? (100 * this.mismatches) / this.elements : 0,
      nanMismatches: this.nanMismatches,
      infMismatches: this.infMismatches,
      nonFinite: {
        baselineNan: this.baselineNan,
        candidateNan: this.candidateNan,
        baselineInf: this.baselineInf,
        candidateInf: this.candidateInf,
      },
      minPassingAtol: this.unfixable ? Infinity : this.minPassingAtol,
      histogram: toHistogram(this.bins),
    };
    if (worst) result.worst = toWorstElement(worst);
    if (this.top1Rows > 0) result.top1Agreement = this.top1Agree / this.top1Rows;
    if (this.top5Rows > 0) result.top5Agreement = this.top5Agree / this.top5Rows;
    if (this.shapeMismatch) result.shapeMismatch = this.shapeMismatch;
    if (opts.partial) result.partial = this.partial();
    return result;
  }

  private partial(): OutputPartial {
    const p: OutputPartial = {
      sumAbs: this.sumAbs.parts(),
      overflows: this.overflows,
      tail: this.tail.snapshot(),
      topK: { top1Rows: this.top1Rows, top1Agree: this.top1Agree, top5Rows: this.top5Rows, top5Agree: this.top5Agree },
      finiteMinPassingAtol: this.minPassingAtol,
    };
    if (this.worstFinite) p.worstFinite = toWorstElement(this.worstFinite);
    if (this.firstUnfixable) p.firstUnfixable = toWorstElement(this.firstUnfixable);
    return p;
  }
}

/**
 * Smallest atol with ad <= atol + scaled in floating point: ad − scaled can round so that adding
 * `scaled` back falls just short, so step up an ulp until the pass test really holds.
 */
export function passingAtol(ad: number, scaled: number): number {
  let m = ad - scaled;
  while (m + scaled < ad) m = nextUp(m);
  return m;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The next double above a finite x >= 0. */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  u64[0] += 1n;
  return f64[0];
}

function worstAt(caseId: string, dims: number[], flat: number, bv: number, cv: number): WorstAt {
  const absDiff = Math.abs(cv - bv);
  const ab = Math.abs(bv);
  const relDiff = ab === 0 ? (absDiff > 0 ? Infinity : 0) : absDiff / ab;
  return { caseId, dims: [...dims], flat, baseline: bv, candidate: cv, absDiff, relDiff };
}

function toWorstElement(w: WorstAt): WorstElement {
  return {
    caseId: w.caseId,
    index: unravel(w.flat, w.dims),
    baseline: w.baseline,
    candidate: w.candidate,
    absDiff: w.absDiff,
    relDiff: w.relDiff,
  };
}

/** Row-major multi-dimensional index of a flat offset. */
export function unravel(flat: number, dims: readonly number[]): number[] {
  const index = new Array<number>(dims.length);
  for (let k = dims.length - 1; k >= 0; k--) {
    const size = dims[k];
    index[k] = size > 0 ? flat % size : 0;
    flat = size > 0 ? Math.floor(flat / size) : 0;
  }
  return index;
}

/** A BigInt as a number when that is exact, else as its decimal string. */
function exactInt(v: bigint): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkLength(caseId: string, side: string, t: Tensor): void {
  const expected = elementCount(t.dims);
  if (t.data.length !== expected) {
    throw new EngineError(
      'fixture-invalid',
      `case ${caseId}: ${side} ${describeTensor(t)} holds ${t.data.length} values, expected ${expected}`,
    );
  }
}
