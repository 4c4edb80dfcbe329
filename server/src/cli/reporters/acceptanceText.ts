// The acceptance sentences of the text, JUnit and SARIF reports. Each function also takes a report as JSON
// carries it to the editor (JsonSafe): the webview test checks the report view shows these very sentences.
import { formatMetric } from '../../engine/format/numbers';
import type { JsonSafe } from '../../engine/jsonSafe';
import type { AcceptResult, OutputMetrics } from '../../engine/compare/metrics';
import type { OutputComparison } from '../../engine/compare/types';

/** `cosine 0.99951 ≥ 0.999 ok` or `top1 92% ≥ 99% FAILED` or `accuracy FAILED (no labels ...)`. */
export function criterionText(r: JsonSafe<AcceptResult>): string {
  const op = r.direction === 'min' ? '≥' : '≤';
  if (r.value === undefined)
    return `${r.metric} ${op} ${formatMetric(r.metric, r.threshold)} FAILED (${r.reason ?? 'not available'})`;
  return `${r.metric} ${formatMetric(r.metric, r.value)} ${op} ${formatMetric(r.metric, r.threshold)} ${r.passed ? 'ok' : 'FAILED'}`;
}

/** The acceptance verdict of an output, with the elementwise verdict marked informative; undefined without criteria. */
export function acceptanceLine(o: JsonSafe<OutputComparison>): string | undefined {
  const a = o.acceptance;
  if (!a) return undefined;
  return `accepted by task metrics: ${a.passed ? 'yes' : 'NO'} (${a.criteria.map(criterionText).join('; ')}); elementwise ${a.elementwisePassed ? 'pass' : 'fail'}, informative only`;
}

/** `cosine 0.9995  snr 41.2 dB  top1 100%  top5 100%  accuracy 90% → 88% (drop 2%)`. */
export function metricsLine(m: JsonSafe<OutputMetrics>): string {
  const parts: string[] = [];
  if (m.cosine !== undefined) parts.push(`cosine ${formatMetric('cosine', m.cosine)}`);
  if (m.snrDb !== undefined) parts.push(`snr ${formatMetric('snrDb', m.snrDb)}`);
  if (m.top1 !== undefined) parts.push(`top1 ${formatMetric('top1', m.top1)}`);
  if (m.top5 !== undefined) parts.push(`top5 ${formatMetric('top5', m.top5)}`);
  if (m.baselineAccuracy !== undefined && m.candidateAccuracy !== undefined) {
    parts.push(
      `accuracy ${formatMetric('accuracy', m.baselineAccuracy)} → ${formatMetric('accuracy', m.candidateAccuracy)} (drop ${formatMetric('accuracyDrop', m.accuracyDrop ?? 0)}, ${m.labelled} labels)`,
    );
  }
  return parts.join('  ');
}
