import { formatNumber, toNumber, type ReportNumber } from '../../server/src/engine/format/numbers';
import { svg } from './dom';
import type { CarryReport, OutputComparison } from './types';

function label(x: number, y: number, text: string, anchor: string): SVGElement {
  const t = svg('text', { x, y, 'text-anchor': anchor });
  t.textContent = text;
  return t;
}

function titled(el: SVGElement, text: string): SVGElement {
  const title = svg('title', {});
  title.textContent = text;
  el.append(title);
  return el;
}

/** Histogram of |diff| as bars on a log-spaced axis; bin 0 holds exact zeros, bins above atol are marked. */
export function histogram(hist: { edges: ReportNumber[]; counts: ReportNumber[] }, atol: ReportNumber): SVGElement {
  const width = 320;
  const height = 90;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height + 16}`, class: 'histogram', role: 'img' });
  const counts = hist.counts.map(toNumber);
  const max = Math.max(1, ...counts);
  const bar = width / Math.max(1, counts.length);
  counts.forEach((c, i) => {
    const hgt = c === 0 ? 0 : Math.max(1, (Math.log1p(c) / Math.log1p(max)) * height);
    const lo = hist.edges[i];
    const upper = hist.edges[i + 1];
    const rect = svg('rect', {
      x: i * bar + 1,
      y: height - hgt,
      width: Math.max(1, bar - 2),
      height: hgt,
      class: lo !== undefined && toNumber(lo) > toNumber(atol) ? 'bar over' : 'bar',
    });
    const range =
      lo === undefined
        ? ''
        : upper === undefined
          ? `≥ ${formatNumber(lo)}`
          : `[${formatNumber(lo)}, ${formatNumber(upper)})`;
    chart.append(titled(rect, `${range}: ${c}`));
  });
  const first = hist.edges[0];
  const last = hist.edges[hist.edges.length - 1];
  if (first !== undefined) chart.append(label(0, height + 13, formatNumber(first), 'start'));
  if (last !== undefined) chart.append(label(width, height + 13, formatNumber(last), 'end'));
  return chart;
}

/**
 * max|Δ| per step of a stateful (--carry) case, one line per output on a log axis, with each output's atol as a
 * dashed line and the first step beyond tolerance marked.
 */
export function stepsPlot(carry: CarryReport, outputs: OutputComparison[]): SVGElement {
  const width = 480;
  const height = 120;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height + 16}`, class: 'steps', role: 'img' });
  const steps = carry.steps;
  const all = steps
    .flatMap((s) => s.outputs.map((o) => toNumber(o.maxAbs)))
    .concat(outputs.map((o) => toNumber(o.tolerance.atol)))
    .filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.log10(Math.min(...all, 1e-12));
  const hi = Math.log10(Math.max(...all, 1e-12)) + 0.1;
  // Infinity sits at the top edge, 0 (and NaN) at the bottom.
  const y = (v: number): number =>
    v > 0 && Number.isFinite(v)
      ? height - ((Math.log10(v) - lo) / Math.max(1e-9, hi - lo)) * height
      : v > 0
        ? 0
        : height;
  const x = (i: number): number => (steps.length <= 1 ? width / 2 : (i / (steps.length - 1)) * width);
  outputs.forEach((o, k) => {
    const points = steps.map((s, i) => `${x(i).toFixed(1)},${y(toNumber(s.outputs[k]?.maxAbs ?? 0)).toFixed(1)}`);
    chart.append(
      titled(svg('polyline', { points: points.join(' '), class: `series s${k % 4}` }), `${o.name}: max|Δ| per step`),
    );
    const at = y(toNumber(o.tolerance.atol)).toFixed(1);
    chart.append(svg('line', { x1: 0, x2: width, y1: at, y2: at, class: `atol s${k % 4}` }));
  });
  if (carry.firstFailingStep !== undefined) {
    const mx = x(toNumber(carry.firstFailingStep)).toFixed(1);
    chart.append(svg('line', { x1: mx, x2: mx, y1: 0, y2: height, class: 'first-failing' }));
  }
  chart.append(label(0, height + 13, 'step 0', 'start'), label(width, height + 13, `step ${steps.length - 1}`, 'end'));
  return chart;
}
