import * as path from 'node:path';
import { loadConfig } from '../engine/config/load';
import { EngineError } from '../engine/errors';
import { runVerify } from '../engine/verify';
import { caseFromModels, casesFromConfig, type CaseOverrides } from '../engine/verifyCases';
import type { Tolerance } from '../engine/compare/types';
import { updateGolden } from '../engine/golden';
import type { AcceptCriteria } from '../engine/compare/metrics';
import type { VerifyCase, VerifyReport } from '../engine/verifyTypes';
import { EXIT, emit, exitOnBadInput, type CliIO } from './io';
import { progressBar } from './progress';
import { stopOnSignals } from './signals';
import type { RangeFlags } from './options';
import type { InputSpec } from '../engine/fixtures/inputSpecs';
import type { ShardSpec } from '../engine/shard';
import { renderVerifyJson } from './reporters/verifyJson';
import { renderVerifyJunit } from './reporters/verifyJunit';
import { renderVerifySarif } from './reporters/verifySarif';
import { caseError, renderVerifyText } from './reporters/verifyText';

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
  locate?: boolean;
  accept: AcceptCriteria;
}

export const RENDER: Record<VerifyFormat, (r: VerifyReport, cwd: string) => string> = {
  text: renderVerifyText,
  json: renderVerifyJson,
  junit: renderVerifyJunit,
  sarif: renderVerifySarif,
};

/** Writes a finished report in the asked format and returns the exit code it stands for. */
export function writeReport(io: CliIO, report: VerifyReport, f: { format: VerifyFormat; out?: string }): number {
  emit(io, RENDER[f.format](report, io.cwd), f.out);
  if (report.cases.some((c) => c.status === 'error')) {
    // Errors also go to stderr so a machine-readable stdout stays parseable and the reason is still seen.
    if (f.format !== 'text' || f.out) {
      for (const c of report.cases) if (c.error) io.stderr(`error: ${c.name}: ${caseError(c.error, io.cwd)}\n`);
    }
    return EXIT.badInput;
  }
  return report.passed ? EXIT.ok : EXIT.failed;
}

/** The case settings the flags give; the engine layers them over the config's (or builds the case from them). */
function overridesFromFlags(f: VerifyFlags): CaseOverrides {
  const tolerance: Partial<Tolerance> = {};
  if (f.atol !== undefined) tolerance.atol = f.atol;
  if (f.rtol !== undefined) tolerance.rtol = f.rtol;
  if (f.equalNan) tolerance.equalNan = true;
  const inputs: Record<string, InputSpec> = {};
  const at = (name: string): InputSpec => (inputs[name] ??= {});
  for (const [name, shape] of Object.entries(f.shape)) at(name).shape = shape;
  for (const [name, value] of Object.entries(f.value)) {
    if (f.range.inputs[name]) throw new EngineError('usage', `input '${name}': give --value or --range, not both`);
    at(name).value = value;
  }
  for (const [name, r] of Object.entries(f.range.inputs)) at(name).range = r;
  return {
    count: f.count,
    seed: f.seed,
    range: f.range.all,
    dims: f.dim,
    inputs,
    tolerance,
    outputMap: f.outputMap,
    timeoutMs: f.timeout,
    batchSize: f.batchSize,
    // The flag turns the search on for every case; without it the config decides.
    locate: f.locate || undefined,
    accept: Object.keys(f.accept).length ? f.accept : undefined,
    maxInputMb: f.maxInputMb,
    // The flag turns casting on for every case; without it the config decides.
    castInputs: f.castInputs || undefined,
    shard: f.shard,
    carry: f.carry,
  };
}

function selectCases(f: VerifyFlags, io: CliIO): VerifyCase[] {
  const overrides = overridesFromFlags(f);
  if (f.fixtures && (f.count !== undefined || f.seed !== undefined)) {
    // with fixtures nothing is generated: a count or seed would be ignored while the user believes it applied
    const given = [f.count !== undefined ? '--count' : '', f.seed !== undefined ? '--seed' : ''].filter(Boolean);
    throw new EngineError(
      'usage',
      `${given.join(' and ')} set synthetic fixtures, but --fixtures ${f.fixtures} is given; drop one or the other`,
    );
  }
  if (f.candidate)
    return [caseFromModels({ baseline: f.baseline, candidate: f.candidate, fixtures: f.fixtures }, io.cwd, overrides)];
  if (f.baseline) throw new EngineError('usage', '--baseline needs --candidate');
  if (f.fixtures)
    throw new EngineError('usage', "--fixtures needs --candidate; with a config, set each case's fixtures there");
  const cfg = loadConfig(f.config ? path.resolve(io.cwd, f.config) : io.cwd);
  if (!cfg.file) {
    throw new EngineError(
      'usage',
      'no --candidate given and no mlparity.config.json here; pass --candidate (and --baseline) or --config FILE',
      { file: io.cwd },
    );
  }
  let cases = casesFromConfig(cfg, overrides);
  if (f.case.length > 0) {
    const unknown = f.case.filter((n) => !cases.some((c) => c.name === n));
    if (unknown.length) {
      throw new EngineError(
        'usage',
        `no case named ${unknown.map((n) => `"${n}"`).join(', ')} (cases: ${cases.map((c) => c.name).join(', ')})`,
        { file: cfg.file },
      );
    }
    cases = cases.filter((c) => f.case.includes(c.name));
  }
  if (cases.length === 0) throw new EngineError('usage', 'the config declares no verify cases', { file: cfg.file });
  refuseUnusedSyntheticFlags(f, cases, cfg.file);
  return cases;
}

/**
 * `--count` and `--seed` size synthetic fixtures: over config cases that read fixture files they would do nothing
 * while the user believes they applied. Refused (exit 2) rather than noted in the report: a CI job reads the exit
 * code, not a note, and selecting the synthetic cases is one flag away.
 */
function refuseUnusedSyntheticFlags(f: VerifyFlags, cases: VerifyCase[], configFile: string): void {
  const given = [f.count !== undefined ? '--count' : '', f.seed !== undefined ? '--seed' : ''].filter(Boolean);
  const reading = cases.filter((c) => c.fixtures !== undefined);
  if (given.length === 0 || reading.length === 0) return;
  const names = (cs: VerifyCase[]): string => cs.map((c) => `"${c.name}"`).join(', ');
  const synthetic = cases.filter((c) => c.fixtures === undefined);
  const remedy = synthetic.length
    ? `run the synthetic ones alone (${synthetic.map((c) => `--case ${c.name}`).join(' ')}) or set count/seed per case in the config`
    : `drop ${given.length === 1 ? 'it' : 'them'}`;
  throw new EngineError(
    'usage',
    `${given.join(' and ')} set${given.length === 1 ? 's' : ''} synthetic fixtures, but case${reading.length === 1 ? '' : 's'} ${names(reading)} read${reading.length === 1 ? 's' : ''} fixture files, where ${given.length === 1 ? 'it does' : 'they do'} nothing; ${remedy}`,
    { file: configFile },
  );
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
    return writeReport(io, report, f);
  } catch (e) {
    return exitOnBadInput(io, e);
  }
}
