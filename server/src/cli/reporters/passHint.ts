import { formatNumber } from '../../engine/format/numbers';
import type { OutputComparison } from '../../engine/compare/types';

/**
 * What it would take for a failing output to pass, for every report: the atol that would do it, or, when
 * NaN/Inf mismatches make that impossible ("atol ≥ inf"), that no tolerance can, and whether --equal-nan
 * would (NaN in both models, compared without it).
 */
export function passHint(o: OutputComparison): string {
  if (Number.isFinite(o.minPassingAtol))
    return `passing would need atol ≥ ${formatNumber(o.minPassingAtol)} at this rtol`;
  const nonFinite = o.nanMismatches + o.infMismatches;
  if (nonFinite === 0) return 'no atol makes it pass';
  const what = `${o.nanMismatches} NaN and ${o.infMismatches} Inf mismatch${nonFinite === 1 ? '' : 'es'}`;
  const nanBoth = !o.tolerance.equalNan && o.nonFinite.baselineNan > 0 && o.nonFinite.candidateNan > 0;
  const equalNan = nanBoth ? '; if NaN in both models at the same place counts as equal, pass --equal-nan' : '';
  return `no atol makes it pass: ${what}${equalNan}`;
}
