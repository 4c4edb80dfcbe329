import type { OutputAccumulator } from './compare/accumulator';
import { EngineError } from './errors';
import { bindExpected, bindInputs } from './fixtures/bind';
import type { InputObserver } from './fixtures/inputUsage';
import type { FixtureStream } from './fixtures/types';
import { makeBatches, splitOutput, type Batch, type BoundCase } from './inference/batching';
import { probeCases, probeDifference } from './inference/batchProbe';
import type { InferenceHost } from './inference/host';
import type { CastPlan } from './inference/messages';
import type { ValueInfo } from './onnx/signature';
import { holdsRows } from './tensor/stack';
import type { Tensor } from './tensor/tensor';
import type { CaseReport, RunInfo } from './verifyTypes';

/** A baseline output and the candidate output it is compared with. */
export interface OutputPair {
  base: string;
  cand: string;
  dtype: Tensor['dtype'];
  /** Set when the candidate's output has another float dtype (a float16 conversion). */
  candDtype?: Tensor['dtype'];
  /** The dtype whose default tolerance applies, when it is not `dtype`. */
  tolDtype?: Tensor['dtype'];
}

export interface StreamRun {
  host: InferenceHost;
  /** Settles when the worker has loaded the models; the first chunk of fixtures is read meanwhile. */
  ready: Promise<void>;
  /** Worker sessions to run on every batch: candidate first, then the baseline if any. */
  keys: string[];
  timeoutMs: number;
  fixtures: FixtureStream;
  /** The reference model's inputs, which the fixtures are bound to. */
  inputs: ValueInfo[];
  /** Golden mode: the candidate's outputs, which the fixtures' expected tensors are bound to. */
  goldenOutputs?: ValueInfo[];
  pairs: OutputPair[];
  /** One per pair: anything that takes each case's baseline and candidate tensors. */
  accumulators: Pick<OutputAccumulator, 'add' | 'addRows'>[];
  maxRows: number;
  /** Whether stacking is allowed so far (signatures, static op check); the probe may still turn it off. */
  batching: boolean;
  /** Updated as the run learns how fixtures could be fed (probe, outputs that do not split). */
  run: RunInfo;
  timing: CaseReport['timing'];
  /** Sees every case's inputs as bound, once, stacked as first batched (to report what was fed). */
  observe?: Pick<InputObserver, 'observe' | 'observeStack'>;
  /** `--cast-inputs`: per session, inputs to cast in the worker; fixtures of another dtype are cast when bound. */
  cast?: CastPlan;
  castFixtures?: boolean;
  onFixtureCast?: (input: string, from: Tensor['dtype']) => void;
  onProgress?: (done: number, total: number) => void;
}

interface BatchOutputs {
  batch: Batch;
  outputs: Record<string, Record<string, Tensor>>;
}

/** How many batches may wait in the worker's queue: enough to keep it busy, few enough to bound memory. */
const IN_FLIGHT = 2;

/**
 * Reads fixtures a chunk at a time, sends each batch to the worker as soon as it is bound, and compares
 * finished batches in order while the worker runs the next ones, so reading, inference and comparison
 * overlap instead of following each other.
 */
export async function runStream(r: StreamRun): Promise<void> {
  const expected = new Map<string, Map<string, Tensor>>();
  const inFlight: Promise<BatchOutputs>[] = [];
  let done = 0;
  let batching = r.batching;
  let probed = !batching;
  // The probe's verdict, settled once the first stacked batch and its fixtures run alone are back; it is
  // awaited before any stacked outputs are used, so reading and inference go on meanwhile.
  let probe: Promise<string | undefined> | undefined;
  const runAlone = (why: string): void => {
    batching = false;
    Object.assign(r.run, { mode: 'single', rowsPerRun: 1, reason: why });
  };

  // Inference time is the wall time during which the worker had at least one batch, not a sum of latencies.
  let busySince = 0;
  let pending = 0;
  const send = (b: Batch): Promise<BatchOutputs> => {
    if (pending++ === 0) busySince = performance.now();
    const first = b.cases[0].id;
    const last = b.cases[b.cases.length - 1].id;
    const what = `running ${b.cases.length === 1 ? `case ${first}` : `cases ${first}..${last}`}`;
    const p = r.host.run(r.keys, b.feeds, r.timeoutMs, what, r.cast).then((outputs) => {
      if (--pending === 0) r.timing.inferenceMs += performance.now() - busySince;
      return { batch: b, outputs };
    });
    p.catch(() => undefined); // awaited in order by drain(); this only marks it handled meanwhile
    return p;
  };

  const drain = async (): Promise<void> => {
    const next = inFlight.shift();
    if (!next) return;
    const out = await next;
    if (probe) {
      const why = await probe;
      probe = undefined;
      if (why) {
        runAlone(why);
        // nothing stacked is used: this batch and any stacked one still in flight run again, one per run
        r.timing.batched = false;
      }
    }
    const stackedAfterProbe = !batching && out.batch.cases.length > 1;
    const t = performance.now();
    const ok = !stackedAfterProbe && accumulate(out, r, expected);
    r.timing.compareMs += performance.now() - t;
    if (!ok) {
      // The outputs did not split back per case (rows are not independent): rerun these cases one by one.
      if (!stackedAfterProbe) runAlone('the outputs do not keep one row per input row when fixtures are stacked');
      for (const bc of out.batch.cases) {
        const single = await send(alone(bc));
        accumulate(single, r, expected);
      }
    }
    for (const bc of out.batch.cases) expected.delete(bc.id);
    done += out.batch.cases.length;
    r.onProgress?.(done, r.fixtures.count);
  };

  const chunk = Math.max(1, r.maxRows);
  for (let start = 0; start < r.fixtures.count; start += chunk) {
    const t = performance.now();
    const cases = r.fixtures.read(start, Math.min(r.fixtures.count, start + chunk));
    const bound: BoundCase[] = cases.map((fc) => ({
      id: fc.id,
      feeds: bindInputs(fc, r.inputs, fc.source, { cast: r.castFixtures, onCast: r.onFixtureCast }),
    }));
    // stacked now, before the probe can turn batching off (nothing changes `batching` until drain() runs)
    const batches = makeBatches(bound, r.maxRows, batching);
    if (r.observe) for (const b of batches) observeBatch(r.observe, b);
    if (r.goldenOutputs) {
      for (const fc of cases) {
        if (!fc.expected?.length) {
          throw new EngineError(
            'usage',
            `golden mode (a candidate without a baseline) needs fixtures with expected outputs (output_K.pb), and case ${fc.id} has none; write them with --update-golden`,
            { file: fc.source || undefined },
          );
        }
        expected.set(fc.id, bindExpected(fc, r.goldenOutputs, fc.source));
      }
    }
    r.timing.fixturesMs += performance.now() - t;
    if (start === 0) await r.ready;
    const first = probed ? undefined : batches.find((b) => b.cases.length > 1);
    let firstSent: Promise<BatchOutputs> | undefined;
    if (first) {
      // Before trusting stacked runs, run the first fixtures of the first stacked batch alone as well and
      // compare bit for bit; the stacked run is kept and used when they agree. The singles queue right
      // behind it in the worker; drain() waits for the verdict before it uses any stacked outputs.
      probed = true;
      firstSent = send(first);
      const singles = probeCases(first).map((bc) => send(alone(bc)));
      probe = judgeProbe(first, firstSent, singles, r);
      probe.catch(() => undefined); // awaited by drain(); this only marks it handled meanwhile
    }
    for (const b of batches) {
      while (inFlight.length >= IN_FLIGHT) await drain();
      if (!batching && b.cases.length > 1) {
        // the probe found stacking unsafe while this chunk was being sent: the rest goes one per run
        for (const bc of b.cases) {
          while (inFlight.length >= IN_FLIGHT) await drain();
          inFlight.push(send(alone(bc)));
        }
        continue;
      }
      if (b.cases.length > 1) r.timing.batched = true;
      inFlight.push(b === first && firstSent ? firstSent : send(b));
    }
    // Yield so queued batches are written to the worker and finished ones are compared between chunks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  while (inFlight.length > 0) await drain();
  if (r.run.mode === 'batched' && !r.timing.batched) {
    runAlone(
      r.fixtures.count <= 1
        ? 'there is one fixture'
        : 'no two consecutive fixtures could be stacked (their shapes differ)',
    );
  }
}

/** Why stacking changed the numbers (undefined: it did not), once the stacked batch and the singles are back. */
async function judgeProbe(
  first: Batch,
  stacked: Promise<BatchOutputs>,
  singles: Promise<BatchOutputs>[],
  r: StreamRun,
): Promise<string | undefined> {
  const s = await stacked;
  const t = performance.now();
  const a = await Promise.all(singles);
  const why = probeDifference(
    first,
    s.outputs,
    a.map((x) => x.outputs),
  );
  r.run.probe = { fixtures: a.length, identical: !why };
  r.timing.probeMs = performance.now() - t;
  return why;
}

function observeBatch(o: NonNullable<StreamRun['observe']>, b: Batch): void {
  if (b.cases.length === 1) o.observe(b.cases[0].feeds);
  else o.observeStack(b.feeds, b.rows);
}

/** A case run on its own, outside any stack. */
function alone(bc: BoundCase): Batch {
  return { cases: [bc], rows: [-1], feeds: Object.fromEntries(bc.feeds) };
}

/** Feeds one batch's outputs into the accumulators; false when they cannot be split per case. */
function accumulate(out: BatchOutputs, r: StreamRun, expected: Map<string, Map<string, Tensor>>): boolean {
  const { batch } = out;
  const cand = out.outputs[r.keys[0]];
  const base = r.keys.length > 1 ? out.outputs[r.keys[1]] : undefined;
  if (base && batch.cases.length > 1) {
    // two models on a stack: each output is compared once per batch, with the same per-case results
    for (const p of r.pairs) {
      const [b, c] = [base[p.base], cand[p.cand]];
      if (!b || !c || !holdsRows(b, batch.rows) || !holdsRows(c, batch.rows)) return false;
    }
    const stack = { ids: batch.cases.map((bc) => bc.id), rows: batch.rows };
    r.pairs.forEach((p, k) => r.accumulators[k].addRows(stack, base[p.base], cand[p.cand]));
    return true;
  }
  const candParts: Tensor[][] = [];
  const baseParts: (Tensor[] | undefined)[] = [];
  for (const p of r.pairs) {
    const parts = cand[p.cand] && splitOutput(cand[p.cand], batch.rows);
    if (!parts) return false;
    candParts.push(parts);
    if (base) {
      const bp = base[p.base] && splitOutput(base[p.base], batch.rows);
      if (!bp) return false;
      baseParts.push(bp);
    } else baseParts.push(undefined);
  }
  r.pairs.forEach((p, k) => {
    batch.cases.forEach((bc, j) => {
      const reference = baseParts[k]?.[j] ?? expected.get(bc.id)?.get(p.cand);
      if (!reference) throw new EngineError('fixture-invalid', `case ${bc.id} has no expected output "${p.cand}"`);
      r.accumulators[k].add(bc.id, reference, candParts[k][j]);
    });
  });
  return true;
}
