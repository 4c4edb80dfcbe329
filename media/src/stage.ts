import { toNumber } from '../../server/src/engine/format/numbers';
import { badge, fileLink, h } from './dom';
import type { StageReport } from './types';

/** A verify-stage report: the verdict, the smallest counterexample with both outcomes, and the notes. */
export function stageView(r: StageReport): HTMLElement[] {
  const ok = r.status === 'equivalent';
  const c = r.counterexample;
  const items: HTMLElement[] = [
    h('header', {}, [
      h('h1', {}, [badge(ok ? 'pass' : 'fail'), ` Stage ${r.stage}: ${ok ? 'equivalent' : 'not equivalent'}`]),
      h('p', { class: 'muted' }, [
        `${r.baselineLabel} vs ${r.candidateLabel} · ${r.failures} of ${r.inputs.total} inputs differ · seed ${r.seed} · `,
        fileLink(r.location.file, toNumber(r.location.range.start.line) + 1),
      ]),
    ]),
  ];
  if (c) {
    items.push(
      h('section', { class: 'case fail stage-counterexample' }, [
        h('h2', {}, [c.shrunk ? 'Smallest counterexample' : 'First counterexample']),
        h('pre', { class: 'call' }, [c.display]),
        h('table', {}, [
          h('tr', {}, [h('th', {}, [r.baselineLabel]), h('td', {}, [h('code', {}, [c.baseline.display])])]),
          h('tr', {}, [h('th', {}, [r.candidateLabel]), h('td', {}, [h('code', {}, [c.candidate.display])])]),
          h('tr', {}, [h('th', {}, ['differs at']), h('td', {}, [c.difference])]),
        ]),
      ]),
    );
  }
  if (r.notes.length)
    items.push(
      h(
        'ul',
        { class: 'notes' },
        r.notes.map((n) => h('li', {}, [n])),
      ),
    );
  return items;
}
