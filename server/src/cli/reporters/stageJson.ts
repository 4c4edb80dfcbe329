import { TOOL_VERSION } from '../../engine/version';
import type { StageVerifyReport } from '../../engine/stageVerify/types';

/** JSON report of `verify-stage`; `counterexample.inputs` holds the call's arguments in the fixtures encoding. */
export function formatStageJson(r: StageVerifyReport): string {
  const c = r.counterexample;
  const json = {
    tool: 'ml-parity',
    version: TOOL_VERSION,
    stage: r.stage,
    kind: r.kind,
    file: r.location.file,
    line: r.location.range.start.line + 1,
    baseline: r.baselineLabel,
    candidate: r.candidateLabel,
    status: r.status,
    inputs: r.inputs,
    failures: r.failures,
    seed: r.seed,
    truncated: r.truncated,
    counterexample: c
      ? { inputs: c.call, call: c.display, baseline: c.baseline, candidate: c.candidate, difference: c.difference, shrunk: c.shrunk }
      : undefined,
    notes: r.notes,
    durationMs: r.durationMs,
  };
  return JSON.stringify(json, null, 2) + '\n';
}
