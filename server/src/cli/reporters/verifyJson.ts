import { nonFiniteReplacer } from '../../engine/jsonSafe';
import type { VerifyReport } from '../../engine/verifyTypes';

/**
 * The JSON report is the VerifyReport itself (documented in the README, "JSON report"), with non-finite numbers
 * written as the strings "Infinity", "-Infinity" and "NaN" since JSON has no literal for them.
 */
export function renderVerifyJson(report: VerifyReport): string {
  return JSON.stringify(report, nonFiniteReplacer, 2) + '\n';
}
