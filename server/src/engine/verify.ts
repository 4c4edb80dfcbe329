import { OutputAccumulator } from './compare/accumulator';
import { applyAcceptance, withLabels } from './compare/acceptance';
import { MetricsAccumulator } from './compare/metrics';
import { emptyOutputWarnings } from './compare/emptyOutputs';
import { resolveTolerance } from './compare/tolerance';
import { EngineError, toEngineError } from './errors';
import { checkCaseNames } from './caseNames';
import type { OutputComparison } from './compare/types';
import { EMPTY_SHARD, shardStream } from './shard';
import { runCarried } from './carryStream';
import { CAST_HINT, comparisonDtype, inputCastPlan, isCastableInputDifference, noteCasts } from './castInputs';
import { syntheticStream } from './fixtures/generate';
import { defaultedDimWarnings, InputObserver } from './fixtures/inputUsage';
import { openFixtures } from './fixtures/load';
import type { FixtureStream } from './fixtures/types';
import { InferenceHost } from './inference/host';
import { planRun } from './inference/runPlan';
import { compareSignatures, isBlocking } from './onnx/compareSignatures';
import { externalDataDir, readModel, runtimeSource, withExternalData, type ModelBytes } from './onnx/modelSource';
import { parseModel } from './onnx/modelProto';
import type { Signature } from './onnx/signature';
import type { Stack } from './tensor/stack';
import type { Tensor } from './tensor/tensor';
import { runStream, type OutputPair } from './caseStream';
import { locateForCase } from './locate/forCase';
import type { CaseReport, ModelInfo, VerifyCase, VerifyReport } from './verifyTypes';
import { TOOL_VERSION } from './version';

export interface RunOptions {
  signal?: AbortSignal;
  /** Called after each batch: cases done so far, total cases, and a short message. */
  onProgress?: (done: number, total: number, message: string) => void;
  /** Called by {@link runVerify} before each case starts: its index among `total` cases, and its name. */
  onCase?: (index: number, total: number, name: string) => void;
  /** Overrides the worker script (bundled builds place it elsewhere). */
  workerPath?: string;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_BATCH_ROWS = 512;
const DEFAULT_COUNT = 16;
const DEFAULT_RANGE: [number, number] = [-1, 1];

/** Runs every case in order; one case's error does not stop the others. */
export async function runVerify(cases: VerifyCase[], opts: RunOptions = {}): Promise<VerifyReport> {
  const reports: CaseReport[] = [];
  for (const [i, c] of cases.entries()) {
    if (opts.signal?.aborted) break;
    opts.onCase?.(i, cases.length, c.name);
    reports.push(await runCase(c, opts));
  }
  return {
    schemaVersion: 1,
    tool: { name: 'ml-parity', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    passed: reports.length > 0 && reports.every((r) => r.status === 'pass'),
    cases: reports,
  };
}

interface Loaded {
  model: ModelBytes;
  signature: Signature;
  batchCoupling?: string;
  scoreOutputs: Set<string>;
  /** Removes what was materialised for the runtime (a git revision's model and external data). */
  release: () => void;
}

type Side = 'baseline' | 'candidate';

/** Runs `fn`, naming the side in any EngineError it throws: both models are often the same file. */
async function onSide<T>(side: Side, spec: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (
      !(e instanceof EngineError) ||
      e.code === 'cancelled' ||
      e.code === 'inference-timeout' ||
      e.code === 'inference-crashed'
    )
      throw e;
    // The error's location names the file; a git spec adds the revision it was read at.
    const which = spec.startsWith('git:') ? `${side} ${spec}` : side;
    throw new EngineError(e.code, `${which}: ${e.message}`, e.location);
  }
}

function load(side: Side, spec: string, candidatePath?: string): Promise<Loaded> {
  return onSide(side, spec, () => {
    const model = readModel(spec, process.cwd(), candidatePath);
    const parsed = parseModel(model.bytes, model.file);
    return {
      model,
      signature: parsed.signature,
      batchCoupling: parsed.batchCoupling,
      scoreOutputs: parsed.scoreOutputs,
      release: withExternalData(model, parsed.externalData),
    };
  });
}

function info(l: Loaded): ModelInfo {
  return { spec: l.model.spec, resolved: l.model.resolved, signature: l.signature };
}

/** The case's fixtures: read from its `fixtures` path, else generated from the model's inputs. */
export function fixturesFor(c: VerifyCase, sig: Signature): FixtureStream {
  if (c.fixtures) return openFixtures(c.fixtures, { maxInputMb: c.maxInputMb });
  return syntheticStream(sig.inputs, {
    count: c.count ?? DEFAULT_COUNT,
    seed: c.seed ?? 0,
    range: c.range ?? DEFAULT_RANGE,
    dims: c.dims ?? {},
    inputs: c.inputs,
    maxInputMb: c.maxInputMb,
  });
}

/**
 * Verifies one case. Never throws: bad input becomes status 'error' with a located message, so one
 * broken case cannot hide the results of the others.
 */
export async function runCase(c: VerifyCase, opts: RunOptions = {}): Promise<CaseReport> {
  const started = performance.now();
  const report: CaseReport = {
    name: c.name,
    status: 'error',
    mode: c.baseline ? 'models' : 'golden',
    fixtures: { origin: '', synthetic: false, count: 0 },
    signatureDifferences: [],
    run: { mode: 'single', rowsPerRun: 1 },
    outputs: [],
    warnings: [],
    timing: { totalMs: 0, fixturesMs: 0, modelLoadMs: 0, inferenceMs: 0, compareMs: 0, batched: false },
  };
  let host: InferenceHost | undefined;
  const loaded: Loaded[] = [];
  let observer: InputObserver | undefined;
  const onAbort = (): void => host?.dispose(new EngineError('cancelled', 'verification cancelled'));
  opts.signal?.addEventListener('abort', onAbort);
  try {
    if (opts.signal?.aborted) throw new EngineError('cancelled', 'verification cancelled');
    // Start the runtime first: its process start overlaps reading and parsing the models here.
    host = new InferenceHost(opts.workerPath);
    const candidate = await load('candidate', c.candidate);
    loaded.push(candidate);
    report.candidate = info(candidate);
    const baseline = c.baseline ? await load('baseline', c.baseline, candidate.model.file) : undefined;
    if (baseline) loaded.push(baseline);
    if (baseline) report.baseline = info(baseline);
    const reference = baseline ?? candidate;
    checkCaseNames(c, candidate.signature, baseline?.signature);
    if (c.carry && Object.keys(c.carry).length > 0) {
      if (!baseline) throw new EngineError('usage', '--carry compares two models step by step and needs a baseline');
      if (c.shard)
        throw new EngineError(
          'usage',
          '--carry runs the fixtures as one sequence, which --shard would cut; run it unsharded',
        );
    }

    if (baseline) {
      report.signatureDifferences = compareSignatures(baseline.signature, candidate.signature, c.outputMap);
      const blocking = report.signatureDifferences.filter(
        (d) => isBlocking(d) && !(c.castInputs && isCastableInputDifference(d)),
      );
      if (blocking.length > 0) {
        const hint = blocking.every(isCastableInputDifference) ? CAST_HINT : '';
        throw new EngineError(
          'signature-mismatch',
          `the models' inputs differ, so they cannot run on the same fixtures: ${blocking.map((d) => d.message).join('; ')}${hint}`,
          { file: candidate.model.file },
        );
      }
    }

    // Load both models in the worker while this process reads or generates the first fixtures.
    const timeoutMs = c.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const loadStart = performance.now();
    const loading = loadModels(host, candidate, baseline, timeoutMs).then(() => {
      report.timing.modelLoadMs = performance.now() - loadStart;
    });
    loading.catch(() => undefined); // awaited below; fixture errors may be reported first
    const labelled = withLabels(
      fixturesFor(c, reference.signature),
      reference.signature.inputs.map((i) => i.name),
      c.labels,
    );
    let fixtures = labelled.stream;
    if (c.shard) {
      const part = shardStream(fixtures, c.shard);
      fixtures = part.stream;
      report.shard = part.info;
      if (fixtures.count === 0)
        report.warnings?.push(`${EMPTY_SHARD}: shard ${c.shard.index}/${c.shard.count} of ${part.info.total} fixtures`);
    }
    report.fixtures = { origin: fixtures.origin, synthetic: fixtures.synthetic, count: fixtures.count };
    observer = new InputObserver(reference.signature.inputs);
    if (fixtures.synthetic) observer.describeSynthetic(c.dims ?? {}, c.range ?? DEFAULT_RANGE, c.inputs);
    const watch = observer;
    const cast = c.castInputs
      ? inputCastPlan(reference.signature, baseline ? { candidate: candidate.signature } : {})
      : undefined;
    if (cast) noteCasts(observer, cast);

    const pairs = outputPairs(baseline?.signature ?? candidate.signature, candidate.signature, c);
    const accumulators = pairs.map(
      (p) =>
        new OutputAccumulator(
          p.base,
          p.cand,
          p.dtype,
          resolveTolerance(p.tolDtype ?? p.dtype, c.tolerance, c.outputs?.[p.base]),
        ),
    );
    const maxRows = c.batchSize ?? DEFAULT_BATCH_ROWS;
    // Task metrics (cosine, SNR, top-k, accuracy) are collected beside the elementwise statistics.
    const metrics = pairs.map(() => new MetricsAccumulator((id) => labelled.labels.get(id)));
    const withMetrics = accumulators.map((a, k) => ({
      tolerance: a.tolerance,
      add: (id: string, b: Tensor, cand: Tensor): void => {
        a.add(id, b, cand);
        metrics[k].add(id, b, cand);
      },
      addRows: (stack: Stack, b: Tensor, cand: Tensor): void => {
        a.addRows(stack, b, cand);
        metrics[k].addRows(stack, b, cand);
      },
    }));
    const carry = c.carry && Object.keys(c.carry).length > 0 ? c.carry : undefined;
    report.run = carry
      ? { mode: 'single', rowsPerRun: 1, reason: 'a stateful sequence (--carry) runs one step at a time' }
      : planRun(maxRows, [
          ...(baseline ? [{ side: 'baseline' as const, ...baseline }] : []),
          { side: 'candidate', ...candidate },
        ]);
    if (carry) {
      for (const [out, input] of Object.entries(carry)) watch.noteCarry(input, out);
      // a stateful sequence: one fixture per step, each model fed its own state (see carryStream.ts)
      report.carry = await runCarried({
        host,
        ready: loading,
        timeoutMs,
        fixtures,
        inputs: reference.signature.inputs,
        pairs,
        accumulators: withMetrics,
        carry,
        cast,
        castFixtures: c.castInputs,
        onFixtureCast: (name, from) => watch.noteFixtureCast(name, from),
        onBound: (feeds) => watch.observe(feeds),
        timing: report.timing,
        onProgress: (done, total) => opts.onProgress?.(done, total, `${c.name}: step ${done}/${total}`),
      });
    } else {
      await runStream({
        host,
        ready: loading,
        keys: baseline ? ['candidate', 'baseline'] : ['candidate'],
        timeoutMs,
        fixtures,
        inputs: reference.signature.inputs,
        goldenOutputs: baseline ? undefined : candidate.signature.outputs,
        pairs,
        accumulators: withMetrics,
        maxRows,
        batching: report.run.mode === 'batched',
        run: report.run,
        timing: report.timing,
        observe: watch,
        cast,
        castFixtures: c.castInputs,
        onFixtureCast: (name, from) => watch.noteFixtureCast(name, from),
        onProgress: (done, total) => opts.onProgress?.(done, total, `${c.name}: ${done}/${total} fixtures`),
      });
    }

    const finish = (a: OutputAccumulator): OutputComparison => a.finish({ partial: !!c.shard });
    report.outputs = accumulators.map((a, k) =>
      pairs[k].candDtype ? { ...finish(a), candidateDtype: pairs[k].candDtype } : finish(a),
    );
    report.outputs.forEach((o, k) => {
      // argmax agreement on what is not known to be class scores (logits, an embedding, a regression) is no verdict
      if (o.top1Agreement !== undefined && !reference.scoreOutputs.has(o.name)) o.topKInformative = true;
      applyAcceptance(o, metrics[k].finish(), c.accept, c.outputs?.[o.name]?.accept);
      if (o.partial) o.partial.metrics = metrics[k].state();
    });
    report.warnings = [...(report.warnings ?? []), ...emptyOutputWarnings(report.outputs)];
    // a float output whose dtype changed (float16 conversion) was compared numerically: its verdict decides
    const compared = new Set(pairs.filter((p) => p.candDtype).map((p) => p.base));
    const outputDiffs = report.signatureDifferences.filter(
      (d) =>
        d.side === 'output' &&
        d.kind !== 'symbolic-dim' &&
        d.kind !== 'extra-output' &&
        !(d.kind === 'dtype' && compared.has(d.name)),
    );
    report.status = report.outputs.every((o) => o.passed) && outputDiffs.length === 0 ? 'pass' : 'fail';
    if (c.locate && baseline && report.status === 'fail') {
      opts.onProgress?.(report.fixtures.count, report.fixtures.count, `${c.name}: locating the first divergence`);
      report.divergence = await locateForCase({
        host,
        c,
        baseline: { ...baseline.model, externalDataDir: externalDataDir(baseline.model) },
        candidate: { ...candidate.model, externalDataDir: externalDataDir(candidate.model) },
        outputs: report.outputs,
        fixtures,
        inputs: reference.signature.inputs,
        timeoutMs,
      });
    }
  } catch (e) {
    const err = toEngineError(e, 'inference-failed');
    report.status = 'error';
    report.error = { code: err.code, message: err.message, ...err.location };
  } finally {
    if (observer) {
      report.inputs = observer.finish();
      report.warnings = [...defaultedDimWarnings(report.inputs), ...(report.warnings ?? [])];
    }
    opts.signal?.removeEventListener('abort', onAbort);
    host?.dispose();
    for (const l of loaded) l.release();
    report.timing.totalMs = performance.now() - started;
  }
  return report;
}

async function loadModels(
  host: InferenceHost,
  candidate: Loaded,
  baseline: Loaded | undefined,
  timeoutMs: number,
): Promise<void> {
  const m = candidate.model;
  await onSide('candidate', m.spec, () => host.load('candidate', runtimeSource(m), timeoutMs, m.file));
  if (baseline) {
    const b = baseline.model;
    await onSide('baseline', b.spec, () => host.load('baseline', runtimeSource(b), timeoutMs, b.file));
  }
}

/**
 * Outputs compared elementwise: present on both sides with the same dtype, or two float dtypes (compared in
 * float64 with the less precise dtype's default tolerance). Other differences are already listed.
 */
function outputPairs(base: Signature, cand: Signature, c: VerifyCase): OutputPair[] {
  const candByName = new Map(cand.outputs.map((o) => [o.name, o]));
  return base.outputs.flatMap((o) => {
    const cName = c.outputMap?.[o.name] ?? o.name;
    const co = candByName.get(cName);
    const tolDtype = co && comparisonDtype(o.dtype, co.dtype);
    if (!co || !tolDtype) return [];
    return [
      co.dtype === o.dtype
        ? { base: o.name, cand: cName, dtype: o.dtype }
        : { base: o.name, cand: cName, dtype: o.dtype, candDtype: co.dtype, tolDtype },
    ];
  });
}
