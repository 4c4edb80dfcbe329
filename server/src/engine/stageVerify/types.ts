import type { Location } from '../findings';
import type { StageTolerance } from './compare';
import type { Encoded, TypedArrayName } from './values';

/** What inputs of one parameter look like, read from its TypeScript type (plain data: it crosses to the worker). */
export type TypeSpec =
  /** `integer`: the code indexes, slices or loops with it, so fractions would only test the impossible. */
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'string' }
  | { kind: 'bigint' }
  | { kind: 'undefined' }
  | { kind: 'null' }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'array'; element: TypeSpec }
  | { kind: 'typedArray'; name: TypedArrayName }
  | { kind: 'tuple'; elements: { type: TypeSpec; optional: boolean; rest: boolean }[] }
  | { kind: 'object'; props: { name: string; type: TypeSpec; optional: boolean }[] }
  | { kind: 'map'; key: TypeSpec; value: TypeSpec }
  | { kind: 'set'; element: TypeSpec }
  | { kind: 'union'; options: TypeSpec[] };

/** A parameter: its name, the type as written, and the spec (undefined when no input can be made for it). */
export interface ParamSpec {
  name: string;
  typeText: string;
  spec?: TypeSpec;
  /** Why no spec could be made (e.g. `any`, a function type, a type parameter). */
  unsupported?: string;
  optional: boolean;
  rest: boolean;
}

export type EstimatorMethod = 'fit' | 'transform' | 'predict';
export const ESTIMATOR_METHODS: readonly EstimatorMethod[] = ['fit', 'transform', 'predict'];

/** How a stage is called: a function with its parameters, or a class built then fitted/applied. */
export type StageShape =
  | { kind: 'function'; params: ParamSpec[] }
  | { kind: 'class'; ctor: ParamSpec[]; methods: { name: EstimatorMethod; params: ParamSpec[] }[] };

/** One call of a stage with concrete (encoded) arguments. */
export type StageCall =
  | { kind: 'function'; args: Encoded[] }
  | { kind: 'class'; ctor: Encoded[]; calls: { method: EstimatorMethod; args: Encoded[] }[] };

/** What one version did on one call (encoded so it survives the trip from the worker). */
export type Outcome =
  | { kind: 'returned'; value: Encoded; display: string }
  | { kind: 'threw'; name: string; message: string; display: string }
  | { kind: 'timeout'; ms: number; display: string };

/** The fixtures file (`--inputs`, and what `ml-parity record` writes): calls per stage name. */
export interface StageFixturesFile {
  version: 1;
  stages: Record<string, { calls: StageCall[]; source?: string }>;
}

/** Where a version of a stage comes from. */
export type SourceSpec =
  /** The files on disk, optionally with unsaved buffers over them (absolute path → text). */
  | { kind: 'worktree'; overrides?: ReadonlyMap<string, string> }
  /** The git index (what a commit would contain). */
  | { kind: 'index' }
  /** A git revision. */
  | { kind: 'revision'; rev: string };

export interface StageVerifyOptions {
  /** Workspace root (holding mlparity.config.json, if any) inside a git repository. */
  root: string;
  stage: string;
  /** Baseline: default `{ kind: 'revision', rev: 'HEAD' }`. */
  baseline?: SourceSpec;
  /** Candidate: default the work tree. */
  candidate?: SourceSpec;
  /** Generated inputs; 0 runs only fixtures. Default 200. */
  count?: number;
  seed?: number;
  /** Extra calls from a fixtures file or a recording. */
  fixtures?: StageCall[];
  /** Where `fixtures` came from, for the report. */
  fixturesOrigin?: string;
  /** Per-call limit, default 2000 ms; a call still running is stopped and counts as its outcome. */
  callTimeoutMs?: number;
  /** Limit for the whole run (the hook's per-stage budget); inputs not reached are reported. */
  budgetMs?: number;
  tolerance?: StageTolerance;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Keep a started stage process ready for the next run (a long-lived caller such as the language server). */
  prefork?: boolean;
}

/** A failing input, shrunk when it was generated. */
export interface Counterexample {
  call: StageCall;
  /** `movingAverage([0, 0, 1], 2)` */
  display: string;
  baseline: Outcome;
  candidate: Outcome;
  /** First difference between the two outcomes. */
  difference: string;
  /** True when fast-check shrank it from a larger failing input. */
  shrunk: boolean;
}

export interface StageVerifyReport {
  stage: string;
  kind: 'function' | 'class';
  /** Declaration of the stage in the candidate. */
  location: Location;
  baselineLabel: string;
  candidateLabel: string;
  status: 'equivalent' | 'not-equivalent';
  /** Inputs run, by origin. */
  inputs: { generated: number; fixtures: number; total: number; fixturesOrigin?: string };
  failures: number;
  seed: number;
  counterexample?: Counterexample;
  /** True when the time budget stopped the run before every input was tried. */
  truncated: boolean;
  /** What the verdict rests on and what it could not check, one sentence each. */
  notes: string[];
  durationMs: number;
}
