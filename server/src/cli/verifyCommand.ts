import * as path from 'node:path';
import { loadConfig } from '../engine/config/load';
import { EngineError } from '../engine/errors';
import { runVerify, casesFromConfig } from '../engine/verify';
import { updateGolden } from '../engine/golden';
import type { VerifyCase, VerifyReport } from '../engine/verifyTypes';
import { EXIT, emit, type CliIO } from './io';
import { progressBar } from './progress';
import { stopOnSignals } from './signals';
import type { RangeFlags } from './options';
import type { InputSpec } from '../engine/fixtures/inputSpecs';
import type { ShardSpec } from '../engine/shard';
import { renderVerifyJson } from './reporters/verifyJson';
import { renderVerifyJunit } from './reporters/verifyJunit';
import { renderVerifySarif } from './reporters/verifySarif';
import { renderVerifyText } from './reporters/verifyText';

export type VerifyFormat = 'text' | 'json' | 'junit' | 'sarif';

/** Options as commander parses them from the command line. */
export interface VerifyFlags {
  baseline?: string;
  candidate?: string;
  fixtures?: string;
  count?: number;
  seed?: number;
  range: RangeFlags;
  dim: Record<string, number>;
  shape: Record<string, number[]>;
  value: Record<string, number>;
  atol?: number;
  rtol?: number;
  equalNan?: boolean;
  outputMap: Record<string, string>;
  timeout?: number;
  batchSize?: number;
  maxInputMb?: number;
  castInputs?: boolean;
  shard?: ShardSpec;
  carry: Record<string, string>;
  config?: string;
  case: string[];
  format: VerifyFormat;
  out?: string;
  updateGolden?: string;
}

export const RENDER: Record<VerifyFormat, (r: VerifyReport, cwd: string) => string> = {
  text: renderVerifyText,
  json: renderVerifyJson,
  junit: renderVerifyJunit,
  sarif: renderVerifySarif,
};

function caseFromFlags(f: VerifyFlags, cwd: string): VerifyCase {
  const abs = (p?: string): string | undefined => (p === undefined || p.startsWith('git:') ? p : path.resolve(cwd, p));
  const tolerance: NonNullable<VerifyCase['tolerance']> = {};
  if (f.atol !== undefined) tolerance.atol = f.atol;
  if (f.rtol !== undefined) tolerance.rtol = f.rtol;
  if (f.equalNan) tolerance.equalNan = true;
  return {
    name: path.basename(f.candidate!, '.onnx'),
    baseline: abs(f.baseline),
    candidate: abs(f.candidate)!,
    fixtures: abs(f.fixtures),
    count: f.count,
    seed: f.seed,
    range: f.range.all,
    dims: f.dim,
    inputs: inputSpecs(f),
    tolerance,
    outputMap: f.outputMap,
    timeoutMs: f.timeout,
    batchSize: f.batchSize,
    maxInputMb: f.maxInputMb,
    castInputs: f.castInputs,
    shard: f.shard,
    carry: f.carry,
  };
}

/** Flags given on the command line override the config's per-case settings. */
function applyOverrides(c: VerifyCase, f: VerifyFlags): VerifyCase {
  const tolerance = { ...c.tolerance };
  if (f.atol !== undefined) tolerance.atol = f.atol;
  if (f.rtol !== undefined) tolerance.rtol = f.rtol;
  if (f.equalNan) tolerance.equalNan = true;
  return {
    ...c,
    tolerance,
    count: f.count ?? c.count,
    seed: f.seed ?? c.seed,
    timeoutMs: f.timeout ?? c.timeoutMs,
    batchSize: f.batchSize ?? c.batchSize,
    maxInputMb: f.maxInputMb ?? c.maxInputMb,
    castInputs: f.castInputs || c.castInputs,
    shard: f.shard,
    carry: { ...c.carry, ...f.carry },
    range: f.range.all ?? c.range,
    dims: { ...c.dims, ...f.dim },
    inputs: inputSpecs(f, c.inputs),
  };
}

/** Per-input flags merged over the config's `inputs` (a flag replaces that input's setting of the same kind). */
function inputSpecs(f: VerifyFlags, base: Record<string, InputSpec> = {}): Record<string, InputSpec> | undefined {
  const out: Record<string, InputSpec> = {};
  for (const [name, spec] of Object.entries(base)) out[name] = { ...spec };
  const at = (name: string): InputSpec => (out[name] ??= {});
  for (const [name, shape] of Object.entries(f.shape)) at(name).shape = shape;
  for (const [name, value] of Object.entries(f.value)) {
    if (f.range.inputs[name]) throw new EngineError('usage', `input '${name}': give --value or --range, not both`);
    at(name).value = value;
    delete at(name).range;
  }
  for (const [name, r] of Object.entries(f.range.inputs)) {
    at(name).range = r;
    delete at(name).value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function selectCases(f: VerifyFlags, io: CliIO): VerifyCase[] {
  if (f.candidate) return [caseFromFlags(f, io.cwd)];
  if (f.baseline) throw new EngineError('usage', '--baseline needs --candidate');
  const cfg = loadConfig(f.config ? path.resolve(io.cwd, f.config) : io.cwd);
  if (!cfg.file) {
    throw new EngineError('usage', 'no --candidate given and no mlparity.config.json here; pass --candidate (and --baseline) or --config FILE', { file: io.cwd });
  }
  let cases = casesFromConfig(cfg).map((c) => applyOverrides(c, f));
  if (f.case.length > 0) {
    const unknown = f.case.filter((n) => !cases.some((c) => c.name === n));
    if (unknown.length) {
      throw new EngineError('usage', `no case named ${unknown.map((n) => `"${n}"`).join(', ')} (cases: ${cases.map((c) => c.name).join(', ')})`, { file: cfg.file });
    }
    cases = cases.filter((c) => f.case.includes(c.name));
  }
  if (cases.length === 0) throw new EngineError('usage', 'the config declares no verify cases', { file: cfg.file });
  return cases;
}

/** `ml-parity verify`: exit 0 when every case is equivalent, 1 when one is not, 2 on bad input. */
export async function runVerifyCommand(f: VerifyFlags, io: CliIO): Promise<number> {
  try {
    const cases = selectCases(f, io);
    if (f.updateGolden) {
      const written = await updateGolden(cases[0], path.resolve(io.cwd, f.updateGolden));
      io.stderr(`wrote ${written} golden test data sets to ${f.updateGolden}\n`);
      return EXIT.ok;
    }
    const bar = progressBar(io);
    const stopped = new AbortController();
    const release = stopOnSignals(() => stopped.abort());
    const report = await runVerify(cases, { onProgress: bar.update, signal: stopped.signal }).finally(release);
    bar.end();
    emit(io, RENDER[f.format](report, io.cwd), f.out);
    if (report.cases.some((c) => c.status === 'error')) {
      // Errors also go to stderr so a machine-readable stdout stays parseable and the reason is still seen.
      if (f.format !== 'text' || f.out) {
        for (const c of report.cases.filter((x) => x.error)) io.stderr(`error: ${c.name}: ${c.error!.message}\n`);
      }
      return EXIT.badInput;
    }
    return report.passed ? EXIT.ok : EXIT.failed;
  } catch (e) {
    if (e instanceof EngineError) {
      io.stderr(`error: ${e.format()}\n`);
      return EXIT.badInput;
    }
    throw e;
  }
}
