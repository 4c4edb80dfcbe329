import type { StageTolerance } from './compare';
import type { Counterexample, StageCall, StageShape } from './types';

/** What the parent asks the stage worker to do (one request per worker process). */
export interface StageRunRequest {
  name: string;
  /** CommonJS bundles of the two versions. */
  baseline: { code: string; file: string };
  candidate: { code: string; file: string };
  /** A file in the project: the bundles' package imports (node_modules) resolve from here. */
  requireFrom: string;
  shape: StageShape;
  /** Generated inputs (0 when some parameter cannot be generated). */
  count: number;
  seed: number;
  fixtures: StageCall[];
  callTimeoutMs: number;
  /** Milliseconds for the whole run; undefined = no limit. */
  budgetMs?: number;
  tolerance: StageTolerance;
  labels: { baseline: string; candidate: string };
}

export type StageWorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | {
      type: 'result';
      /** Inputs actually run, by origin. */
      generated: number;
      fixtures: number;
      failures: number;
      counterexample?: Counterexample;
      /** Inputs on which both versions hit the call timeout (not judged). */
      bothTimedOut: number;
      truncated: boolean;
    }
  | { type: 'error'; message: string; which?: 'baseline' | 'candidate' };
