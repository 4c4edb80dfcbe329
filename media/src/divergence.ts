import { formatNumber } from '../../server/src/engine/format/numbers';
import { divergenceLine, matchLine, searchLine } from '../../server/src/engine/locate/describe';
import { h, table, td } from './dom';
import type { Divergence } from './types';

/**
 * Where the models first diverge (verify --locate / "Explain divergence"): the CLI's sentence, how the pair was
 * matched, and the path from that node to the failing output, each node with its max|Δ|.
 */
export function divergenceSection(d: Divergence): HTMLElement {
  const parts: HTMLElement[] = [h('h3', {}, ['First divergence'])];
  if (!d.found) {
    parts.push(
      h('p', { class: 'error not-located' }, [divergenceLine(d)]),
      h('p', { class: 'muted search' }, [searchLine(d)]),
    );
    return h('div', { class: 'divergence' }, parts);
  }
  parts.push(h('p', { class: 'first' }, [divergenceLine(d)]));
  const matched = matchLine(d);
  if (matched) parts.push(h('p', { class: 'muted matched' }, [matched]));
  if (d.controlFlow) parts.push(h('p', { class: 'warnings' }, [d.controlFlow]));
  if (d.path.length) {
    parts.push(
      h('h4', {}, ['Path to the output']),
      table(
        'path',
        ['Op', 'Node', 'Output', 'max|Δ|', 'Diverges'],
        d.path.map((p) => ({
          attrs: { class: p.diverges ? 'diverges' : '' },
          cells: [
            p.opType,
            p.name,
            p.output,
            p.maxAbs === undefined
              ? td('not compared', { class: 'muted', title: 'the search did not compare this node' })
              : td(formatNumber(p.maxAbs), { class: 'n' }),
            p.diverges === undefined ? td('not compared', { class: 'muted' }) : p.diverges ? 'yes' : 'no',
          ],
        })),
      ),
    );
  }
  parts.push(h('p', { class: 'muted search' }, [searchLine(d)]));
  return h('div', { class: 'divergence' }, parts);
}
