import type { Signature } from '../onnx/signature';
import type { RunInfo } from '../verifyTypes';
import { signaturesAllowBatching } from './batching';

/** A model as the plan sees it: which side it is, its signature, and what its graph says about batching. */
export interface PlannedModel {
  side: 'baseline' | 'candidate';
  signature: Signature;
  /** Why the graph couples rows (see batchCouplingReason), if it does. */
  batchCoupling?: string;
}

/**
 * Decides before running whether fixtures may be stacked: only when asked for more than one row per run,
 * every input and output has a free leading axis, and no graph couples rows. The probe checks the rest.
 */
export function planRun(maxRows: number, models: readonly PlannedModel[]): RunInfo {
  const single = (reason: string): RunInfo => ({ mode: 'single', rowsPerRun: 1, reason });
  if (maxRows <= 1) return single('a batch size of 1 was asked for');
  if (!signaturesAllowBatching(...models.map((m) => m.signature))) {
    return single('an input or output has no free leading (batch) axis');
  }
  const coupled = models.find((m) => m.batchCoupling);
  if (coupled) return single(`the ${coupled.side} couples rows: ${coupled.batchCoupling}`);
  return { mode: 'batched', rowsPerRun: maxRows };
}

/** One line saying how a case ran, for every human-readable report. */
export function describeRun(run: RunInfo, probeMs?: number): string {
  if (run.mode === 'single') return `one fixture per run: ${run.reason ?? 'not stacked'}`;
  const p = run.probe;
  const cost = probeMs === undefined ? '' : `, ${Math.round(probeMs)} ms`;
  const probe = p ? ` (checked: the first ${p.fixtures} fixtures gave bit-identical outputs stacked and alone${cost})` : '';
  return `batched, up to ${run.rowsPerRun} rows per run${probe}`;
}

/** How a case split into shards ran: one fixture per run if any shard did (its reason), else batched. */
export function mergeRunInfo(runs: readonly (RunInfo | undefined)[]): RunInfo {
  const known = runs.filter((r): r is RunInfo => !!r);
  const single = known.find((r) => r.mode === 'single');
  if (single) return { ...single };
  if (known.length === 0) return { mode: 'single', rowsPerRun: 1, reason: 'not recorded in the shard reports' };
  const probe = known.find((r) => r.probe)?.probe;
  return { mode: 'batched', rowsPerRun: Math.max(...known.map((r) => r.rowsPerRun)), ...(probe ? { probe } : {}) };
}

/** The probe's cost as recorded by the first shard that probed, for a merged report. */
export function probeMsOf(cases: readonly { timing: { probeMs?: number } }[]): { probeMs?: number } {
  const ms = cases.find((c) => c.timing.probeMs !== undefined)?.timing.probeMs;
  return ms === undefined ? {} : { probeMs: ms };
}
