import { stageVerdictLine } from '../../engine/stageVerify/summary';
import type { StageVerifyReport } from '../../engine/stageVerify/types';

/** Text report of `verify-stage`: the verdict line, where the outcomes differ, then the notes. */
export function formatStageText(r: StageVerifyReport): string {
  const lines = [stageVerdictLine(r)];
  if (r.counterexample) lines.push(`  differs at ${r.counterexample.difference}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join('\n') + '\n';
}
