import type { StageVerifyReport } from './types';

/**
 * The one-line verdict, the same in the CLI, the hook and the editor:
 * `movingAverage: NOT EQUIVALENT on 137 of 200 inputs; smallest counterexample: movingAverage([0, 0, 1], 2) → HEAD [0, 0.5], work tree [0, 1]`
 */
export function stageVerdictLine(r: StageVerifyReport): string {
  const origin = [
    r.inputs.generated > 0 ? `${r.inputs.generated} generated` : '',
    r.inputs.fixtures > 0 ? `${r.inputs.fixtures} from ${r.inputs.fixturesOrigin ?? 'fixtures'}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  if (r.status === 'equivalent') {
    return `${r.stage}: EQUIVALENT on ${r.inputs.total} of ${r.inputs.total} inputs (${r.baselineLabel} vs ${r.candidateLabel}; ${origin}; seed ${r.seed})${r.truncated ? ' (stopped early by the time budget)' : ''}`;
  }
  const c = r.counterexample;
  const ex = c
    ? `; ${c.shrunk ? 'smallest' : 'first'} counterexample: ${c.display} → ${r.baselineLabel} ${c.baseline.display}, ${r.candidateLabel} ${c.candidate.display}`
    : '';
  return `${r.stage}: NOT EQUIVALENT on ${r.failures} of ${r.inputs.total} inputs${ex}`;
}

/** The command that accepts an intended change to one stage (printed by the hook). */
export function acceptCommand(stage: string): string {
  return `ml-parity verify-stage ${/^[\w.$-]+$/.test(stage) ? stage : JSON.stringify(stage)} --accept`;
}
