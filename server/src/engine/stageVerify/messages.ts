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

/**
 * A message from the stage worker, checked as far as the host relies on it, or a description of what
 * arrived instead (the stage's own code shares the worker's process and could send anything).
 */
export function parseStageMessage(m: unknown): StageWorkerMessage | string {
  if (typeof m !== 'object' || m === null) return `a ${m === null ? 'null' : typeof m} message`;
  const f: Record<string, unknown> = { ...m };
  const counts = (...keys: string[]): number[] | undefined => {
    const values = keys.map((k) => f[k]);
    return values.every((v) => typeof v === 'number') ? values : undefined;
  };
  switch (f.type) {
    case 'progress': {
      const c = counts('done', 'total');
      return c ? { type: 'progress', done: c[0], total: c[1] } : 'a progress message without its counts';
    }
    case 'result': {
      const c = counts('generated', 'fixtures', 'failures', 'bothTimedOut');
      const { truncated, counterexample } = f;
      if (!c || typeof truncated !== 'boolean' || !(counterexample === undefined || isCounterexample(counterexample)))
        return 'a result message with missing or mistyped fields';
      const [generated, fixtures, failures, bothTimedOut] = c;
      return {
        type: 'result',
        generated,
        fixtures,
        failures,
        bothTimedOut,
        truncated,
        ...(counterexample ? { counterexample } : {}),
      };
    }
    case 'error': {
      const message = typeof f.message === 'string' ? f.message : 'no reason given';
      const which = f.which === 'baseline' || f.which === 'candidate' ? f.which : undefined;
      return { type: 'error', message, ...(which ? { which } : {}) };
    }
    default:
      return `a message of no known type (${describe(f.type)})`;
  }
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v;
}

// The counterexample's values were encoded by the worker; the check stops at the fields the report reads.
function isCounterexample(v: unknown): v is Counterexample {
  if (typeof v !== 'object' || v === null) return false;
  const c: Record<string, unknown> = { ...v };
  return (
    typeof c.display === 'string' &&
    typeof c.difference === 'string' &&
    typeof c.call === 'object' &&
    c.call !== null &&
    typeof c.baseline === 'object' &&
    typeof c.candidate === 'object' &&
    typeof c.shrunk === 'boolean'
  );
}
