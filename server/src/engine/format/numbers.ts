/**
 * How every report writes numbers: the CLI's text, JUnit and SARIF reporters and the report webview, which
 * bundles this module (scripts/buildWebview.ts). It must therefore stay free of node imports, and hold the
 * rules once: a second copy would let the editor and the terminal show the same report differently.
 */
import type { AcceptMetric } from '../compare/metrics';
import type { NonFiniteText } from '../jsonSafe';

/** A number as the engine makes it, or as JSON carries it to the editor (non-finite values as text). */
export type ReportNumber = number | NonFiniteText;

/** The number a {@link ReportNumber} stands for. */
export function toNumber(v: ReportNumber): number {
  return typeof v === 'string' ? Number(v) : v;
}

/**
 * Compact number for reports: 3 significant digits, exponent form below 1e-3 and from 1e6 up
 * (`2.4e-7`, `1.5e6`), trailing zeros dropped; `inf`, `-inf`, `nan` for non-finite values.
 */
export function formatNumber(v: ReportNumber): string {
  const x = toNumber(v);
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return '0';
  const ax = Math.abs(x);
  // rounding to 3 digits can carry into the next decade (999999 -> 1e6), so decide on the rounded value
  const rounded = Number(x.toPrecision(3));
  const ar = Math.abs(rounded);
  if (ax < 1e-3 || ar >= 1e6) {
    const [mantissa, exponent] = x.toExponential(2).split('e');
    return `${trimZeros(mantissa)}e${Number(exponent)}`;
  }
  return String(rounded);
}

/** A percentage (already ×100) with formatNumber's rules and a `%` sign. */
export function formatPercent(pct: ReportNumber): string {
  return `${formatNumber(pct)}%`;
}

/** A share in [0, 1] as a percentage: `0.925` → `92.5%`. */
export function formatShare(share: ReportNumber): string {
  return formatPercent(100 * toNumber(share));
}

/** `float32[8,3]`. */
export function formatShape(dtype: string, shape: readonly number[]): string {
  return `${dtype}[${shape.join(',')}]`;
}

/** `atol 1e-5 rtol 1.3e-6` (plus `equalNan` when set). */
export function formatTolerance(t: { atol: ReportNumber; rtol: ReportNumber; equalNan: boolean }): string {
  return `atol ${formatNumber(t.atol)} rtol ${formatNumber(t.rtol)}${t.equalNan ? ' equalNan' : ''}`;
}

const SHARES = new Set<AcceptMetric>(['top1', 'top5', 'accuracy', 'accuracyDrop']);

/**
 * A task metric's value or threshold: agreement and accuracy as percentages, `mismatchPct` with a `%`,
 * cosine with 7 digits (0.9995 and 0.99951 are different verdicts at a 0.9995 threshold), the rest compact.
 */
export function formatMetric(metric: AcceptMetric, value: ReportNumber): string {
  const v = toNumber(value);
  if (SHARES.has(metric)) return formatShare(v);
  if (metric === 'mismatchPct') return formatPercent(v);
  if (metric === 'cosine') return v === 1 ? '1' : String(Number(v.toPrecision(7)));
  if (metric === 'snrDb') return `${formatNumber(v)} dB`;
  return formatNumber(v);
}

/** An element's value at float32 precision: enough digits to tell neighbours apart, not 17 of noise. */
export function formatElement(v: number | string): string {
  return typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v)
    ? String(Number(v.toPrecision(8)))
    : String(v);
}

/** An input's value (a range bound, a fill value): integers exact, others to 6 digits. */
export function formatInputValue(v: ReportNumber): string {
  const x = toNumber(v);
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
}

function trimZeros(mantissa: string): string {
  return mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
}
