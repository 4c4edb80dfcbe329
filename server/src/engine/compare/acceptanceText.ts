import type { AcceptMetric, AcceptResult, OutputMetrics } from './metrics';
import { formatNumber } from './summary';
import type { OutputComparison } from './types';

const PERCENT = new Set<AcceptMetric>(['top1', 'top5', 'accuracy', 'accuracyDrop']);

function value(metric: AcceptMetric, v: number): string {
  if (PERCENT.has(metric)) return `${formatNumber(100 * v)}%`;
  if (metric === 'mismatchPct') return `${formatNumber(v)}%`;
  if (metric === 'cosine') return v === 1 ? '1' : String(Number(v.toPrecision(7)));
  return formatNumber(v);
}

/** `cosine 0.99951 ≥ 0.999 ok` or `top1 92% ≥ 99% FAILED` or `accuracy FAILED (no labels ...)`. */
function criterionText(r: AcceptResult): string {
  const op = r.direction === 'min' ? '≥' : '≤';
  if (r.value === undefined)
    return `${r.metric} ${op} ${value(r.metric, r.threshold)} FAILED (${r.reason ?? 'not available'})`;
  return `${r.metric} ${value(r.metric, r.value)} ${op} ${value(r.metric, r.threshold)} ${r.passed ? 'ok' : 'FAILED'}`;
}

/** The acceptance verdict of an output, with the elementwise verdict marked informative; undefined without criteria. */
export function acceptanceLine(o: OutputComparison): string | undefined {
  const a = o.acceptance;
  if (!a) return undefined;
  return `accepted by task metrics: ${a.passed ? 'yes' : 'NO'} (${a.criteria.map(criterionText).join('; ')}); elementwise ${a.elementwisePassed ? 'pass' : 'fail'}, informative only`;
}

/** `cosine 0.9995  snr 41.2 dB  top1 100%  top5 100%  accuracy 90% → 88% (drop 2%)`. */
export function metricsLine(m: OutputMetrics): string {
  const parts: string[] = [];
  if (m.cosine !== undefined) parts.push(`cosine ${value('cosine', m.cosine)}`);
  if (m.snrDb !== undefined) parts.push(`snr ${formatNumber(m.snrDb)} dB`);
  if (m.top1 !== undefined) parts.push(`top1 ${value('top1', m.top1)}`);
  if (m.top5 !== undefined) parts.push(`top5 ${value('top5', m.top5)}`);
  if (m.baselineAccuracy !== undefined && m.candidateAccuracy !== undefined) {
    parts.push(
      `accuracy ${value('accuracy', m.baselineAccuracy)} → ${value('accuracy', m.candidateAccuracy)} (drop ${value('accuracyDrop', m.accuracyDrop ?? 0)}, ${m.labelled} labels)`,
    );
  }
  return parts.join('  ');
}
