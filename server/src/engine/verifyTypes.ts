import type { AcceptCriteria } from './compare/metrics';
import type { OutputComparison, Tolerance } from './compare/types';
import type { Divergence } from './locate/types';
import type { InputSpec } from './fixtures/inputSpecs';
import type { InputUsage } from './fixtures/inputUsage';
import type { ShardInfo, ShardSpec } from './shard';
import type { CarryReport } from './carryStream';
import type { Signature, SignatureDifference } from './onnx/signature';

/** One verification case, as the config file or the CLI flags describe it (paths already resolved). */
export interface VerifyCase {
  name: string;
  /** Path, or `git:REV` / `git:REV:path`; absent in golden mode. */
  baseline?: string;
  candidate: string;
  /** Folder or file; absent means synthetic fixtures. */
  fixtures?: string;
  count?: number;
  seed?: number;
  range?: [number, number];
  dims?: Record<string, number>;
  /** Defaults for every output, overriding the dtype defaults. */
  tolerance?: Partial<Tolerance>;
  /** Per-output overrides (tolerance, acceptance criteria), keyed by baseline output name. */
  outputs?: Record<string, Partial<Tolerance> & { accept?: AcceptCriteria }>;
  /** Task-metric acceptance: when given, an output passes iff every criterion holds (`--accept`). */
  accept?: AcceptCriteria;
  /** Class label per fixture case, in order, for accuracy (else a `label` tensor in each fixture). */
  labels?: number[];
  /** Baseline output name -> candidate output name, for renamed outputs. */
  outputMap?: Record<string, string>;
  /** Milliseconds before a hung inference is killed. */
  timeoutMs?: number;
  /** Max rows per batched run along a symbolic batch axis. */
  batchSize?: number;
  /** On failure, search for the first node where the models diverge (`--locate`). */
  locate?: boolean;
  /** How many of the worst failing fixtures the search runs on (default 2). */
  locateFixtures?: number;
  /** Largest input tensor per fixture, synthetic or read from a fixture file, in megabytes (default 1024). */
  maxInputMb?: number;
  /**
   * Feed each model its own input dtype: fixtures are cast to the reference model's input dtypes, then to each
   * other model's (a float16 conversion with float16 I/O). Stated in the report's inputs.
   */
  castInputs?: boolean;
  /**
   * Stateful models: baseline output name -> input name. The fixtures become one sequence and each model gets its
   * own output of step k as that input at step k + 1.
   */
  carry?: Record<string, string>;
  /** `--shard I/N`: run only this slice of the fixtures; the report carries what `report merge` needs. */
  shard?: ShardSpec;
  /** Synthetic inputs per input name: concrete shape, fixed value or own range. */
  inputs?: Record<string, InputSpec>;
}

/** How the fixtures were fed to the runtime; every report says it, since stacking could change the numbers. */
export interface RunInfo {
  /** 'batched': consecutive fixtures stacked along the batch axis; 'single': one fixture per run. */
  mode: 'batched' | 'single';
  /** At most this many rows per run. */
  rowsPerRun: number;
  /** Why the fixtures ran one per run (set when mode is 'single'). */
  reason?: string;
  /**
   * The run-time check that batching changes nothing: the first fixtures of the first stacked batch were also
   * run alone and compared bit for bit with their slice of the stacked outputs.
   */
  probe?: { fixtures: number; identical: boolean };
}

export type CaseStatus = 'pass' | 'fail' | 'error';

export interface ModelInfo {
  /** As the user gave it (path or git:REV[:path]). */
  spec: string;
  /** The file read (for git specs: `REV:path`). */
  resolved: string;
  signature: Signature;
}

/** The result of one case: everything a reporter needs, plain JSON-serializable data. */
export interface CaseReport {
  name: string;
  status: CaseStatus;
  mode: 'models' | 'golden';
  baseline?: ModelInfo;
  candidate?: ModelInfo;
  fixtures: { origin: string; synthetic: boolean; count: number };
  signatureDifferences: SignatureDifference[];
  /** How the fixtures ran: stacked, or one per run and why. */
  run: RunInfo;
  outputs: OutputComparison[];
  /** With `locate`, on a failed case: where the models first diverge (or why that could not be found). */
  divergence?: Divergence;
  /** Set by `--carry`: per-step statistics and the first step that exceeded tolerance. */
  carry?: CarryReport;
  /** Set by `--shard`: which slice of the fixtures this report covers. */
  shard?: ShardInfo;
  /** Each model input as fed: dtype, shape, value range, generator settings, defaulted dims. */
  inputs?: InputUsage[];
  /** Things the user must know to trust the verdict (a defaulted dim, a cast input...); every reporter shows them. */
  warnings?: string[];
  /** Set when status is 'error': what went wrong, located. */
  error?: { code: string; message: string; file?: string; line?: number; column?: number };
  /**
   * Wall-clock milliseconds: fixtures read or generated, models loaded by the runtime (overlapping the
   * fixtures), time spent waiting on inference (IPC included), and comparison in this process.
   */
  timing: {
    totalMs: number;
    fixturesMs: number;
    modelLoadMs: number;
    inferenceMs: number;
    compareMs: number;
    batched: boolean;
    /** The batching probe's single runs (see RunInfo.probe), when it ran. */
    probeMs?: number;
  };
}

export interface VerifyReport {
  /** Bumped on any breaking change to this JSON shape. */
  schemaVersion: 1;
  tool: { name: 'ml-parity'; version: string };
  createdAt: string;
  passed: boolean;
  cases: CaseReport[];
}
