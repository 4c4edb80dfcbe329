import * as path from 'node:path';
import { OutputAccumulator } from './compare/accumulator';
import { resolveTolerance } from './compare/tolerance';
import type { MlParityConfig } from './config/types';
import { EngineError, toEngineError } from './errors';
import { bindExpected, bindInputs } from './fixtures/bind';
import { generateFixtures } from './fixtures/generate';
import { loadFixtures } from './fixtures/load';
import type { FixtureSet } from './fixtures/types';
import { makeBatches, signaturesAllowBatching, splitOutput, type Batch, type BoundCase } from './inference/batching';
import { InferenceHost } from './inference/host';
import { compareSignatures, isBlocking } from './onnx/compareSignatures';
import { parseGitSpec, readModel, type ModelBytes } from './onnx/modelSource';
import { parseModel } from './onnx/modelProto';
import type { Signature, SignatureDifference } from './onnx/signature';
import type { Tensor } from './tensor/tensor';
import type { CaseReport, ModelInfo, VerifyCase, VerifyReport } from './verifyTypes';
import { TOOL_VERSION } from './version';

export interface RunOptions {
  signal?: AbortSignal;
  /** Called after each batch: cases done so far, total cases, and a short message. */
  onProgress?: (done: number, total: number, message: string) => void;
  /** Overrides the worker script (bundled builds place it elsewhere). */
  workerPath?: string;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_BATCH_ROWS = 512;
export const DEFAULT_COUNT = 16;

/** Turns config cases into runnable cases: paths resolved against the config folder, defaults merged. */
export function casesFromConfig(cfg: MlParityConfig): VerifyCase[] {
  const d = cfg.verify.defaults;
  const abs = (p: string | undefined): string | undefined => {
    if (p === undefined) return undefined;
    if (p.startsWith('git:')) {
      const parts = p.slice(4).split(':');
      return parts.length > 1 ? `git:${parts[0]}:${path.resolve(cfg.root, parts.slice(1).join(':'))}` : p;
    }
    return path.resolve(cfg.root, p);
  };
  return cfg.verify.cases.map((c) => ({
    ...c,
    baseline: abs(c.baseline),
    candidate: abs(c.candidate)!,
    fixtures: abs(c.fixtures),
    count: c.count ?? d.count,
    seed: c.seed ?? d.seed,
    batchSize: c.batchSize ?? d.batchSize,
    timeoutMs: c.timeoutMs ?? d.timeoutMs,
    tolerance: { ...pickTolerance(d), ...c.tolerance },
  }));
}

function pickTolerance(d: MlParityConfig['verify']['defaults']): VerifyCase['tolerance'] {
  const t: NonNullable<VerifyCase['tolerance']> = {};
  if (d.atol !== undefined) t.atol = d.atol;
  if (d.rtol !== undefined) t.rtol = d.rtol;
  if (d.equalNan !== undefined) t.equalNan = d.equalNan;
  return t;
}

/** Runs every case in order; one case's error does not stop the others. */
export async function runVerify(cases: VerifyCase[], opts: RunOptions = {}): Promise<VerifyReport> {
  const reports: CaseReport[] = [];
  for (const c of cases) {
    if (opts.signal?.aborted) break;
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
}

function load(spec: string, candidatePath?: string): Loaded {
  const model = readModel(spec, process.cwd(), candidatePath);
  return { model, signature: parseModel(model.bytes, model.file).signature };
}

function info(l: Loaded): ModelInfo {
  return { spec: l.model.spec, resolved: l.model.resolved, signature: l.signature };
}

async function fixturesFor(c: VerifyCase, sig: Signature): Promise<FixtureSet> {
  if (c.fixtures) return loadFixtures(c.fixtures);
  return generateFixtures(sig.inputs, {
    count: c.count ?? DEFAULT_COUNT,
    seed: c.seed ?? 0,
    range: c.range ?? [-1, 1],
    dims: c.dims ?? {},
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
    outputs: [],
    timing: { totalMs: 0, fixturesMs: 0, modelLoadMs: 0, inferenceMs: 0, compareMs: 0, batched: false },
  };
  let host: InferenceHost | undefined;
  const onAbort = (): void => host?.dispose(new EngineError('cancelled', 'verification cancelled'));
  opts.signal?.addEventListener('abort', onAbort);
  try {
    if (opts.signal?.aborted) throw new EngineError('cancelled', 'verification cancelled');
    const candidate = load(c.candidate);
    report.candidate = info(candidate);
    const baseline = c.baseline ? load(c.baseline, candidate.model.file) : undefined;
    if (baseline) report.baseline = info(baseline);
    const reference = baseline ?? candidate;

    if (baseline) {
      report.signatureDifferences = compareSignatures(baseline.signature, candidate.signature, c.outputMap);
      const blocking = report.signatureDifferences.filter(isBlocking);
      if (blocking.length > 0) {
        throw new EngineError(
          'signature-mismatch',
          `the models' inputs differ, so they cannot run on the same fixtures: ${blocking.map((d) => d.message).join('; ')}`,
          { file: candidate.model.file },
        );
      }
    }

    // Start the runtime and load both models while this process reads or generates the fixtures.
    host = new InferenceHost(opts.workerPath);
    const timeoutMs = c.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const loadStart = performance.now();
    const loading = loadModels(host, candidate, baseline, timeoutMs).then(() => {
      report.timing.modelLoadMs = performance.now() - loadStart;
    });
    loading.catch(() => undefined); // awaited below; fixture errors may be reported first
    const fixtures = await fixturesFor(c, reference.signature);
    report.timing.fixturesMs = performance.now() - loadStart;
    report.fixtures = { origin: fixtures.origin, synthetic: fixtures.synthetic, count: fixtures.cases.length };
    if (fixtures.cases.length === 0) {
      throw new EngineError('fixture-empty', 'the fixture set holds no cases', { file: c.fixtures });
    }
    if (!baseline && fixtures.cases.some((fc) => !fc.expected || fc.expected.length === 0)) {
      throw new EngineError(
        'usage',
        'golden mode (a candidate without a baseline) needs fixtures with expected outputs (output_K.pb); write them with --update-golden',
        { file: c.fixtures },
      );
    }

    await loading;

    const bound: BoundCase[] = fixtures.cases.map((fc) => ({
      id: fc.id,
      feeds: bindInputs(fc, reference.signature.inputs, fc.source),
    }));
    const expected = baseline
      ? undefined
      : new Map(fixtures.cases.map((fc) => [fc.id, bindExpected(fc, candidate.signature.outputs, fc.source)]));

    const pairs = outputPairs(baseline?.signature ?? candidate.signature, candidate.signature, c, report.signatureDifferences);
    const accumulators = pairs.map(
      (p) =>
        new OutputAccumulator(p.base, p.cand, p.dtype, resolveTolerance(p.dtype, c.tolerance, c.outputs?.[p.base])),
    );

    const allowed = signaturesAllowBatching(reference.signature, candidate.signature) && (c.batchSize ?? DEFAULT_BATCH_ROWS) > 1;
    const batches = makeBatches(bound, c.batchSize ?? DEFAULT_BATCH_ROWS, allowed);
    report.timing.batched = batches.some((b) => b.cases.length > 1);

    const runBatch = async (b: Batch): Promise<BatchOutputs> => {
      const t = performance.now();
      const what = `running ${b.cases.length === 1 ? `case ${b.cases[0].id}` : `cases ${b.cases[0].id}..${b.cases[b.cases.length - 1].id}`}`;
      const out = await host!.run(baseline ? ['candidate', 'baseline'] : ['candidate'], b.feeds, timeoutMs, what);
      const cand = out.candidate;
      const base = baseline ? out.baseline : undefined;
      report.timing.inferenceMs += performance.now() - t;
      return { batch: b, cand, base };
    };

    let done = 0;
    // Keep the worker busy with the next batch while this process compares the current one.
    let next: Promise<BatchOutputs> | undefined = batches.length > 0 ? runBatch(batches[0]) : undefined;
    for (let i = 0; i < batches.length; i++) {
      const current = await next!;
      next = i + 1 < batches.length ? runBatch(batches[i + 1]) : undefined;
      const t = performance.now();
      const ok = accumulate(current, pairs, accumulators, expected);
      report.timing.compareMs += performance.now() - t;
      if (!ok) {
        // The model's outputs did not split back per case: rerun these cases one by one.
        if (next) await next.catch(() => undefined);
        for (const bc of current.batch.cases) {
          const single = await runBatch({ cases: [bc], rows: [-1], feeds: Object.fromEntries(bc.feeds) });
          accumulate(single, pairs, accumulators, expected);
        }
        next = i + 1 < batches.length ? runBatch(batches[i + 1]) : undefined;
      }
      done += current.batch.cases.length;
      opts.onProgress?.(done, bound.length, `${c.name}: ${done}/${bound.length} fixtures`);
    }

    report.outputs = accumulators.map((a) => a.finish());
    const outputDiffs = report.signatureDifferences.filter((d) => d.side === 'output' && d.kind !== 'symbolic-dim' && d.kind !== 'extra-output');
    report.status = report.outputs.every((o) => o.passed) && outputDiffs.length === 0 ? 'pass' : 'fail';
  } catch (e) {
    const err = toEngineError(e, 'inference-failed');
    report.status = 'error';
    report.error = { code: err.code, message: err.message, ...err.location };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    host?.dispose();
    report.timing.totalMs = performance.now() - started;
  }
  return report;
}

async function loadModels(host: InferenceHost, candidate: Loaded, baseline: Loaded | undefined, timeoutMs: number): Promise<void> {
  await host.load('candidate', modelSource(candidate.model), timeoutMs, candidate.model.file);
  if (baseline) await host.load('baseline', modelSource(baseline.model), timeoutMs, baseline.model.file);
}

/** A plain file goes to the worker by path; a git revision's bytes exist only in memory. */
function modelSource(m: ModelBytes): string | Uint8Array {
  return parseGitSpec(m.spec) ? m.bytes : m.file;
}

interface OutputPair {
  base: string;
  cand: string;
  dtype: Tensor['dtype'];
}

interface BatchOutputs {
  batch: Batch;
  cand: Record<string, Tensor>;
  base?: Record<string, Tensor>;
}

/** Outputs compared elementwise: present on both sides with the same dtype (other differences are already listed). */
function outputPairs(base: Signature, cand: Signature, c: VerifyCase, diffs: SignatureDifference[]): OutputPair[] {
  const candByName = new Map(cand.outputs.map((o) => [o.name, o]));
  const dtypeDiff = new Set(diffs.filter((d) => d.kind === 'dtype' && d.side === 'output').map((d) => d.name));
  return base.outputs.flatMap((o) => {
    const cName = c.outputMap?.[o.name] ?? o.name;
    if (!candByName.has(cName) || dtypeDiff.has(o.name)) return [];
    return [{ base: o.name, cand: cName, dtype: o.dtype }];
  });
}

/** Feeds one batch's outputs into the accumulators; false when outputs cannot be split per case. */
function accumulate(
  out: BatchOutputs,
  pairs: OutputPair[],
  accs: OutputAccumulator[],
  expected: Map<string, Map<string, Tensor>> | undefined,
): boolean {
  const { batch } = out;
  const candParts: Tensor[][] = [];
  const baseParts: (Tensor[] | undefined)[] = [];
  for (const p of pairs) {
    const c = out.cand[p.cand];
    const parts = c && splitOutput(c, batch.rows);
    if (!parts) return false;
    candParts.push(parts);
    if (out.base) {
      const b = out.base[p.base];
      const bp = b && splitOutput(b, batch.rows);
      if (!bp) return false;
      baseParts.push(bp);
    } else baseParts.push(undefined);
  }
  pairs.forEach((p, k) => {
    batch.cases.forEach((bc, j) => {
      const base = baseParts[k]?.[j] ?? expected?.get(bc.id)?.get(p.cand);
      if (!base) throw new EngineError('fixture-invalid', `case ${bc.id} has no expected output "${p.cand}"`);
      accs[k].add(bc.id, base, candParts[k][j]);
    });
  });
  return true;
}
