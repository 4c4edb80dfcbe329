import {
  formatElement,
  formatMetric,
  formatNumber,
  formatPercent,
  formatShare,
  formatTolerance,
} from '../../server/src/engine/format/numbers';
import { histogram } from './charts';
import { badge, h, table, td } from './dom';
import type { Acceptance, OutputComparison, OutputMetrics } from './types';

const INFORMATIVE = 'informative only: the acceptance criteria decide this output';

/** A statistic's cell; with acceptance criteria it is marked informative. */
function stat(text: string, informative: boolean): HTMLElement {
  return td(text, informative ? { class: 'n informative', title: INFORMATIVE } : { class: 'n' });
}

const TOPK_INFORMATIVE = 'informative: not known to be class scores';

/**
 * A value only some outputs have (top-k needs a float class axis): absent ones say why instead of a bare dash;
 * on an output not known to hold class scores (no Softmax over its last axis) it is marked, as in every format.
 */
function optional(v: OutputComparison['top1Agreement'], o: OutputComparison): HTMLElement {
  if (v === undefined) return td('–', { class: 'n', title: 'not a score output (no float class axis)' });
  return o.topKInformative
    ? td(`${formatShare(v)} (${TOPK_INFORMATIVE})`, { class: 'n topk-informative', title: TOPK_INFORMATIVE })
    : td(formatShare(v), { class: 'n' });
}

/** One row per output: the verdict (and what decided it) and the elementwise statistics. */
export function outputsTable(outputs: OutputComparison[]): HTMLElement {
  return table(
    'outputs',
    [
      'Output',
      'Result',
      'Decided by',
      'Max abs',
      'Max rel',
      'Mismatch %',
      'Min passing atol',
      'Top-1 agreement',
      'Top-5 agreement',
    ],
    outputs.map((o) => {
      const informative = !!o.acceptance;
      return {
        cells: [
          o.name === o.candidateName ? o.name : `${o.name} → ${o.candidateName}`,
          badge(o.passed ? 'pass' : 'fail'),
          informative ? 'task metrics' : 'tolerance',
          stat(formatNumber(o.maxAbs), informative),
          stat(formatNumber(o.maxRel), informative),
          stat(formatPercent(o.mismatchPct), informative),
          stat(formatNumber(o.minPassingAtol), informative),
          optional(o.top1Agreement, o),
          optional(o.top5Agreement, o),
        ],
      };
    }),
  );
}

/** Each criterion: metric, threshold, measured value (or why there is none) and its verdict. */
function acceptanceSection(a: Acceptance): HTMLElement[] {
  const rows = a.criteria.map((c) => ({
    cells: [
      c.metric,
      td(`${c.direction === 'min' ? '≥' : '≤'} ${formatMetric(c.metric, c.threshold)}`, { class: 'n' }),
      c.value === undefined
        ? td(`not computed: ${c.reason ?? 'unknown reason'}`, { class: 'error' })
        : td(formatMetric(c.metric, c.value), { class: 'n' }),
      badge(c.passed ? 'pass' : 'fail'),
    ],
    attrs: { class: c.passed ? 'criterion pass' : 'criterion fail' },
  }));
  return [
    h('h5', {}, [`Acceptance criteria: ${a.passed ? 'accepted' : 'NOT accepted'}`]),
    table('acceptance', ['Metric', 'Threshold', 'Measured', 'Result'], rows),
    h('p', { class: 'informative-note' }, [
      `Elementwise comparison: ${a.elementwisePassed ? 'pass' : 'fail'}, informative only (the histogram and worst element below too).`,
    ]),
  ];
}

/** The task metrics measured for an output; accuracy per model and its drop when the fixtures carry labels. */
function metricsTable(m: OutputMetrics, topKInformative: boolean): HTMLElement | undefined {
  const cols: [string, HTMLElement][] = [];
  const cell = (text: string): HTMLElement => td(text, { class: 'n' });
  // Argmax agreement on an output not known to hold class scores is marked as in the outputs table.
  const topk = (text: string): HTMLElement =>
    topKInformative
      ? td(`${text} (${TOPK_INFORMATIVE})`, { class: 'n topk-informative', title: TOPK_INFORMATIVE })
      : cell(text);
  if (m.cosine !== undefined) cols.push(['Cosine', cell(formatMetric('cosine', m.cosine))]);
  if (m.snrDb !== undefined) cols.push(['SNR', cell(formatMetric('snrDb', m.snrDb))]);
  if (m.top1 !== undefined) cols.push(['Top-1', topk(formatMetric('top1', m.top1))]);
  if (m.top5 !== undefined) cols.push(['Top-5', topk(formatMetric('top5', m.top5))]);
  if (m.baselineAccuracy !== undefined)
    cols.push(['Accuracy (baseline)', cell(formatMetric('accuracy', m.baselineAccuracy))]);
  if (m.candidateAccuracy !== undefined)
    cols.push(['Accuracy (candidate)', cell(formatMetric('accuracy', m.candidateAccuracy))]);
  if (m.accuracyDrop !== undefined) cols.push(['Accuracy drop', cell(formatMetric('accuracyDrop', m.accuracyDrop))]);
  if (cols.length === 0) return undefined;
  const over = `${m.rows} rows${m.labelled ? `, ${m.labelled} labels` : ''}`;
  return h('div', { class: 'metrics' }, [
    h('h5', {}, ['Task metrics ', h('span', { class: 'muted' }, [`(${over})`])]),
    table(
      'metrics',
      cols.map(([k]) => k),
      [{ cells: cols.map(([, v]) => v) }],
    ),
  ]);
}

/** An output's details: dtype, shape and tolerance; acceptance and task metrics; the |diff| histogram; the worst element. */
export function outputDetail(o: OutputComparison): HTMLElement {
  const parts: (HTMLElement | SVGElement)[] = [
    h('h4', {}, [
      `${o.name} `,
      h('span', { class: 'muted' }, [
        `${o.dtype}${o.candidateDtype ? ` (candidate ${o.candidateDtype})` : ''} [${o.shape.join(', ')}], ${formatTolerance(o.tolerance)}`,
      ]),
    ]),
  ];
  if (o.acceptance) parts.push(...acceptanceSection(o.acceptance));
  const metrics = o.metrics && metricsTable(o.metrics, o.topKInformative === true);
  if (metrics) parts.push(metrics);
  if (o.shapeMismatch) {
    const s = o.shapeMismatch;
    parts.push(
      h('p', { class: 'error' }, [
        `Shape mismatch in ${s.caseId}: [${s.baseline.join(',')}] vs [${s.candidate.join(',')}]`,
      ]),
    );
  } else {
    parts.push(histogram(o.histogram, o.tolerance.atol));
  }
  if (o.worst) {
    const w = o.worst;
    parts.push(
      h('p', { class: 'worst' }, [
        `Worst element: ${w.caseId} [${w.index.join(', ')}] baseline ${formatElement(w.baseline)}, candidate ${formatElement(w.candidate)} (|diff| ${formatNumber(w.absDiff)}, rel ${formatNumber(w.relDiff)})`,
      ]),
    );
  }
  return h('div', { class: `output${o.acceptance ? ' accepted-by-metrics' : ''}` }, parts);
}
