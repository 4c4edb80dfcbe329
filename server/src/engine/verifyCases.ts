/**
 * Building runnable verify cases, once for every front door: the config's defaults, then the case, then
 * overrides (CLI flags, an editor command) layered in that order; model paths and `git:` specs resolved
 * against the folder they were written relative to.
 */
import * as path from 'node:path';
import type { AcceptCriteria } from './compare/metrics';
import type { Tolerance } from './compare/types';
import type { MlParityConfig } from './config/types';
import type { InputSpec } from './fixtures/inputSpecs';
import { parseGitSpec } from './onnx/modelSource';
import type { ShardSpec } from './shard';
import type { VerifyCase } from './verifyTypes';

/** Settings given over a case: each field that is set wins over the config's. */
export interface CaseOverrides {
  count?: number;
  seed?: number;
  range?: [number, number];
  /** Merged over the case's dims, name by name. */
  dims?: Record<string, number>;
  /** Per input: a shape replaces the shape; a value replaces the value and drops the range, and vice versa. */
  inputs?: Record<string, InputSpec>;
  /** Merged over the case's tolerance, field by field. */
  tolerance?: Partial<Tolerance>;
  /** Merged over the case's output map, name by name. */
  outputMap?: Record<string, string>;
  timeoutMs?: number;
  batchSize?: number;
  castInputs?: boolean;
  maxInputMb?: number;
  /** Merged over the case's carry map, name by name. */
  carry?: Record<string, string>;
  shard?: ShardSpec;
  /** On failure, search for the first divergence (`--locate`). */
  locate?: boolean;
  locateFixtures?: number;
  /** Merged over the case's acceptance criteria, metric by metric (`--accept`). */
  accept?: AcceptCriteria;
}

/**
 * A model or fixtures path resolved against `base`. `git:REV:path` keeps its revision with the path made
 * absolute; `git:REV` (the candidate's own path at REV) stays as it is.
 */
export function resolveSpec(spec: string, base: string): string {
  const git = parseGitSpec(spec);
  if (!git) return path.resolve(base, spec);
  return git.path === undefined ? spec : `git:${git.rev}:${path.resolve(base, git.path)}`;
}

function resolveOptional(spec: string | undefined, base: string): string | undefined {
  return spec === undefined ? undefined : resolveSpec(spec, base);
}

/** The config's cases: paths resolved against the config folder, then defaults < case < overrides. */
export function casesFromConfig(cfg: MlParityConfig, overrides: CaseOverrides = {}): VerifyCase[] {
  const d = cfg.verify.defaults;
  const defaults: CaseOverrides = {
    count: d.count,
    seed: d.seed,
    batchSize: d.batchSize,
    timeoutMs: d.timeoutMs,
    castInputs: d.castInputs,
    maxInputMb: d.maxInputMb,
    tolerance: definedOnly({ atol: d.atol, rtol: d.rtol, equalNan: d.equalNan }),
  };
  return cfg.verify.cases.map((c) => {
    const resolved: VerifyCase = {
      ...c,
      baseline: resolveOptional(c.baseline, cfg.root),
      candidate: resolveSpec(c.candidate, cfg.root),
      fixtures: resolveOptional(c.fixtures, cfg.root),
    };
    return layerCase(layerCase(resolved, defaults, false), overrides, true);
  });
}

/** One case from models named directly (CLI flags), paths relative to `base`; named after the candidate. */
export function caseFromModels(
  models: { baseline?: string; candidate: string; fixtures?: string },
  base: string,
  overrides: CaseOverrides = {},
): VerifyCase {
  const c: VerifyCase = {
    name: path.basename(models.candidate, '.onnx'),
    baseline: resolveOptional(models.baseline, base),
    candidate: resolveSpec(models.candidate, base),
    fixtures: resolveOptional(models.fixtures, base),
  };
  return layerCase(c, overrides, true);
}

/** `o` over `c` when `wins`, else `c` over `o` (defaults fill only what the case leaves unset). */
function layerCase(c: VerifyCase, o: CaseOverrides, wins: boolean): VerifyCase {
  const pick = <T>(mine: T | undefined, theirs: T | undefined): T | undefined =>
    wins ? (theirs ?? mine) : (mine ?? theirs);
  const merge = <T extends object>(mine: T | undefined, theirs: T | undefined): T | undefined => {
    if (mine === undefined && theirs === undefined) return undefined;
    return wins ? ({ ...mine, ...theirs } as T) : ({ ...theirs, ...mine } as T);
  };
  return definedOnly({
    ...c,
    count: pick(c.count, o.count),
    seed: pick(c.seed, o.seed),
    range: pick(c.range, o.range),
    timeoutMs: pick(c.timeoutMs, o.timeoutMs),
    batchSize: pick(c.batchSize, o.batchSize),
    castInputs: pick(c.castInputs, o.castInputs),
    maxInputMb: pick(c.maxInputMb, o.maxInputMb),
    shard: pick(c.shard, o.shard),
    locate: pick(c.locate, o.locate),
    locateFixtures: pick(c.locateFixtures, o.locateFixtures),
    accept: merge(c.accept, o.accept),
    carry: merge(c.carry, o.carry),
    dims: merge(c.dims, o.dims),
    tolerance: merge(c.tolerance, o.tolerance),
    outputMap: merge(c.outputMap, o.outputMap),
    inputs: wins ? layerInputs(c.inputs, o.inputs) : layerInputs(o.inputs, c.inputs),
  });
}

/** Per-input specs of `over` merged into `base`: a value and a range replace each other. */
export function layerInputs(
  base: Record<string, InputSpec> | undefined,
  over: Record<string, InputSpec> | undefined,
): Record<string, InputSpec> | undefined {
  if (!over || Object.keys(over).length === 0) return base;
  const out: Record<string, InputSpec> = {};
  for (const [name, spec] of Object.entries(base ?? {})) out[name] = { ...spec };
  for (const [name, spec] of Object.entries(over)) {
    const merged: InputSpec = { ...out[name] };
    if (spec.shape !== undefined) merged.shape = spec.shape;
    if (spec.value !== undefined || spec.range !== undefined) {
      delete merged.value;
      delete merged.range;
      if (spec.value !== undefined) merged.value = spec.value;
      if (spec.range !== undefined) merged.range = spec.range;
    }
    out[name] = merged;
  }
  return out;
}

/** The object without its undefined fields (reports and tests compare cases as plain data). */
function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
