import { formatNumber, formatPercent, formatShape } from '../../engine/format/numbers';
import type { OutputComparison } from '../../engine/compare/types';

/**
 * One text line per output for terminal and JUnit reporters, e.g.
 * `PASS  probs  float32[8,3]  max|Δ| 2.4e-7  max rel 1.1e-6  mean|Δ| 3e-8  p99 2e-7  mismatches 0/240 (0%)  top1 100%`.
 * A renamed output shows as `base->cand`; NaN/Inf mismatches are appended when present; a shape
 * mismatch replaces the statistics; string outputs show mismatch counts only.
 */
/** Said after top-k figures of an output not known to hold class scores. */
const TOPK_INFORMATIVE = '(top-k informative: not known to be class scores)';

export function outputVerdictLine(o: OutputComparison): string {
  const name = o.candidateName && o.candidateName !== o.name ? `${o.name}->${o.candidateName}` : o.name;
  const parts = [
    o.passed ? 'PASS' : 'FAIL',
    name,
    formatShape(o.candidateDtype ? `${o.dtype}/${o.candidateDtype}` : o.dtype, o.shape),
  ];
  if (o.shapeMismatch) {
    const s = o.shapeMismatch;
    parts.push(`shape mismatch in case ${s.caseId}: [${s.baseline.join(',')}] vs [${s.candidate.join(',')}]`);
    return parts.join('  ');
  }
  const nonFinite = o.nanMismatches + o.infMismatches;
  // Statistics leave NaN/Inf mismatches out: say so first, so "max|Δ| 0" never reads as agreement.
  if (nonFinite > 0) parts.push(`NON-FINITE MISMATCHES ${nonFinite} (NaN ${o.nanMismatches}, Inf ${o.infMismatches})`);
  if (o.dtype !== 'string') {
    parts.push(
      `${nonFinite > 0 ? 'max finite|Δ|' : 'max|Δ|'} ${formatNumber(o.maxAbs)}`,
      `max rel ${formatNumber(o.maxRel)}`,
      `mean|Δ| ${formatNumber(o.meanAbs)}`,
      o.p99Bound
        ? `p99 ${formatNumber(o.p99Abs)} (merged: within [${formatNumber(o.p99Bound[0])}, ${formatNumber(o.p99Bound[1])}])`
        : `p99 ${formatNumber(o.p99Abs)}`,
    );
  }
  parts.push(`mismatches ${o.mismatches}/${o.elements} (${formatPercent(o.mismatchPct)})`);
  if (o.top1Agreement !== undefined) parts.push(`top1 ${formatPercent(100 * o.top1Agreement)}`);
  if (o.top5Agreement !== undefined) parts.push(`top5 ${formatPercent(100 * o.top5Agreement)}`);
  if (o.top1Agreement !== undefined && o.topKInformative) parts.push(TOPK_INFORMATIVE);
  return parts.join('  ');
}
