import { OutputAccumulator } from './compare/accumulator';
import { formatNumber } from './format/numbers';
import { EngineError } from './errors';
import { bindInputs } from './fixtures/bind';
import type { FixtureStream } from './fixtures/types';
import type { InferenceHost } from './inference/host';
import type { CastPlan } from './inference/messages';
import type { ValueInfo } from './onnx/signature';
import type { OutputPair } from './caseStream';
import { describeTensor, type Tensor } from './tensor/tensor';
import type { CaseReport } from './verifyTypes';

/** One step of a carried sequence: how far apart the two models' outputs were at that step. */
interface StepStats {
  caseId: string;
  /** Per compared output, in the case's output order. */
  outputs: { name: string; maxAbs: number; meanAbs: number; mismatches: number }[];
}

/** What a stateful (`--carry`) run adds to its case report. */
export interface CarryReport {
  /** Baseline output name -> input name it feeds at the next step. */
  carry: Record<string, string>;
  steps: StepStats[];
  /** Index into `steps` of the first step where some output exceeded its tolerance (absent when none did). */
  firstFailingStep?: number;
}

export interface CarryRun {
  host: InferenceHost;
  ready: Promise<void>;
  timeoutMs: number;
  fixtures: FixtureStream;
  inputs: ValueInfo[];
  pairs: OutputPair[];
  /** One per pair: the case's accumulators (or anything that takes the same cases and knows their tolerance). */
  accumulators: Pick<OutputAccumulator, 'add' | 'tolerance'>[];
  /** Baseline output -> input; the candidate's output is found through the pairs (outputMap). */
  carry: Record<string, string>;
  cast?: CastPlan;
  castFixtures?: boolean;
  onFixtureCast?: (input: string, from: Tensor['dtype']) => void;
  onBound?: (feeds: ReadonlyMap<string, Tensor>) => void;
  timing: CaseReport['timing'];
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the fixtures as one sequence, as a stateful model runs in production: at step k > 0 each model gets,
 * for every carried pair OUT -> IN, its *own* OUT of step k - 1 as IN (the fixture's IN is used at step 0
 * only), so differences accumulate as they would. One fixture per run, baseline and candidate run separately.
 * Every output is compared at every step, into the case's accumulators and into per-step statistics.
 */
export async function runCarried(r: CarryRun): Promise<CarryReport> {
  const steps: StepStats[] = [];
  let firstFailingStep: number | undefined;
  const candOut = new Map(r.pairs.map((p) => [p.base, p.cand]));
  let carriedBase: Record<string, Tensor> | undefined;
  let carriedCand: Record<string, Tensor> | undefined;
  await r.ready;
  for (let k = 0; k < r.fixtures.count; k++) {
    const t0 = performance.now();
    const [fc] = r.fixtures.read(k, k + 1);
    const feeds = bindInputs(fc, r.inputs, fc.source, { cast: r.castFixtures, onCast: r.onFixtureCast });
    r.onBound?.(feeds);
    r.timing.fixturesMs += performance.now() - t0;
    const base = Object.fromEntries(feeds);
    const cand = Object.fromEntries(feeds);
    if (carriedBase && carriedCand) {
      for (const [out, input] of Object.entries(r.carry)) {
        base[input] = fit(carriedBase[out], feeds.get(input), `baseline output '${out}'`, input, fc.id, false);
        // with --cast-inputs the candidate's own state may be in its own dtype (float16): the worker's cast keeps it
        cand[input] = fit(
          carriedCand[candOut.get(out) ?? out],
          feeds.get(input),
          `candidate output '${candOut.get(out) ?? out}'`,
          input,
          fc.id,
          !!r.cast,
        );
      }
    }
    const t1 = performance.now();
    const what = `running step ${k} (case ${fc.id})`;
    const b = (await r.host.run(['baseline'], base, r.timeoutMs, what)).baseline;
    const c = (await r.host.run(['candidate'], cand, r.timeoutMs, what, r.cast)).candidate;
    r.timing.inferenceMs += performance.now() - t1;

    const t2 = performance.now();
    const step: StepStats = { caseId: fc.id, outputs: [] };
    r.pairs.forEach((p, i) => {
      const bt = b[p.base];
      const ct = c[p.cand];
      if (!bt || !ct)
        throw new EngineError('inference-failed', `step ${k}: output '${p.base}' missing from a model's results`);
      r.accumulators[i].add(fc.id, bt, ct);
      const one = new OutputAccumulator(p.base, p.cand, p.dtype, r.accumulators[i].tolerance, { quantileBuffer: 16 });
      one.add(fc.id, bt, ct);
      const s = one.finish();
      step.outputs.push({
        name: p.base,
        maxAbs: s.maxAbs,
        meanAbs: s.meanAbs,
        mismatches: s.mismatches + (s.shapeMismatch ? 1 : 0),
      });
    });
    if (firstFailingStep === undefined && step.outputs.some((o) => o.mismatches > 0)) firstFailingStep = k;
    steps.push(step);
    r.timing.compareMs += performance.now() - t2;
    carriedBase = b;
    carriedCand = c;
    r.onProgress?.(k + 1, r.fixtures.count);
  }
  return firstFailingStep === undefined
    ? { carry: { ...r.carry }, steps }
    : { carry: { ...r.carry }, steps, firstFailingStep };
}

/** A carried output as the next step's input: it must have the input's dtype and the shape the fixture gives it. */
function fit(
  t: Tensor | undefined,
  fixture: Tensor | undefined,
  what: string,
  input: string,
  caseId: string,
  anyDtype: boolean,
): Tensor {
  if (!t)
    throw new EngineError(
      'inference-failed',
      `case ${caseId}: ${what} was not produced, so it cannot be carried into '${input}'`,
    );
  if (fixture && ((!anyDtype && t.dtype !== fixture.dtype) || t.dims.join() !== fixture.dims.join())) {
    throw new EngineError(
      'usage',
      `case ${caseId}: ${what} is ${describeTensor(t)} but input '${input}' is fed ${describeTensor(fixture)}; --carry needs an output shaped like the input it feeds`,
    );
  }
  return t;
}

/** Text lines for reports: what was carried and where the two sequences first parted. */
export function carryLines(c: CarryReport, outputs: readonly { name: string }[]): string[] {
  const pairs = Object.entries(c.carry)
    .map(([o, i]) => `${o} -> ${i}`)
    .join(', ');
  const lines = [`stateful: carried ${pairs} over ${c.steps.length} step${c.steps.length === 1 ? '' : 's'}`];
  if (c.firstFailingStep === undefined) lines.push('no step exceeded tolerance');
  else {
    const s = c.steps[c.firstFailingStep];
    const bad = s.outputs
      .filter((o) => o.mismatches > 0)
      .map((o) => `${o.name} max|Δ| ${formatNumber(o.maxAbs)} (${o.mismatches} mismatches)`);
    lines.push(`first step exceeding tolerance: step ${c.firstFailingStep} (case ${s.caseId}): ${bad.join(', ')}`);
  }
  for (const [i, o] of outputs.entries()) {
    const series = c.steps.map((s) => s.outputs[i]?.maxAbs ?? 0);
    const shown =
      series.length > 12
        ? [...series.slice(0, 6).map(formatNumber), '…', ...series.slice(-5).map(formatNumber)]
        : series.map(formatNumber);
    lines.push(`max|Δ| per step, ${o.name}: ${shown.join(' ')}`);
  }
  return lines;
}
