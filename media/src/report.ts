// The report webview's script, bundled into media/report.js by scripts/buildWebview.ts. Runs under a nonce-only
// CSP: no network, no inline handlers, DOM built with createElement (report strings are never parsed as HTML).
// Numbers go through the CLI's own formatting module, so the editor and the terminal show the same figures.
import { toNumber } from '../../server/src/engine/format/numbers';
import { stepsPlot } from './charts';
import { divergenceSection } from './divergence';
import { badge, fileLink, h } from './dom';
import { vscode } from './host';
import { inputsTable } from './inputs';
import { outputDetail, outputsTable } from './outputs';
import { stageView } from './stage';
import type { CaseReport, VerifyReport, WebviewMessage } from './types';

const root = document.getElementById('root') ?? document.body;

function modelsList(c: CaseReport): HTMLElement {
  const items: HTMLElement[] = [];
  if (c.baseline) items.push(h('li', {}, ['Baseline: ', fileLink(c.baseline.resolved)]));
  if (c.candidate) items.push(h('li', {}, ['Candidate: ', fileLink(c.candidate.resolved)]));
  items.push(
    h('li', {}, [
      `Fixtures: ${c.fixtures.count} ${c.fixtures.synthetic ? 'synthetic' : 'from '}`,
      c.fixtures.synthetic ? undefined : fileLink(c.fixtures.origin),
    ]),
  );
  if (c.status !== 'error') {
    const probe = c.run.probe?.identical
      ? ` (first ${c.run.probe.fixtures} fixtures bit-identical stacked and alone)`
      : '';
    const ran =
      c.run.mode === 'batched'
        ? `batched, up to ${c.run.rowsPerRun} rows per run${probe}`
        : `one fixture per run: ${c.run.reason}`;
    items.push(h('li', { class: 'ran' }, [`Ran: ${ran}`]));
  }
  return h('ul', { class: 'meta' }, items);
}

/** Says up front when task metrics, not tolerances, decide a case (the statistics further down are then informative). */
function acceptanceNote(c: CaseReport): HTMLElement | undefined {
  const judged = c.outputs.filter((o) => o.acceptance);
  if (judged.length === 0) return undefined;
  const failed = judged.filter((o) => !o.acceptance?.passed).map((o) => o.name);
  return h('p', { class: 'acceptance-note' }, [
    `Decided by acceptance criteria (task metrics) on ${judged.length} of ${c.outputs.length} output(s): ` +
      (failed.length ? `not accepted: ${failed.join(', ')}. ` : 'every criterion holds. ') +
      'Elementwise statistics (max abs, max rel, mismatch %, min passing atol, histogram, worst element) are informative only there.',
  ]);
}

function caseSection(c: CaseReport): HTMLElement {
  const items: (HTMLElement | SVGElement)[] = [h('h2', {}, [badge(c.status), ' ', c.name]), modelsList(c)];
  if (c.error) {
    items.push(
      h('p', { class: 'error' }, [
        `${c.error.code}: ${c.error.message} `,
        c.error.file
          ? fileLink(c.error.file, c.error.line === undefined ? undefined : toNumber(c.error.line))
          : undefined,
      ]),
    );
  }
  if (c.warnings?.length)
    items.push(
      h(
        'ul',
        { class: 'warnings' },
        c.warnings.map((w) => h('li', {}, [`Warning: ${w}`])),
      ),
    );
  if (c.inputs?.length) items.push(h('h3', {}, ['Inputs']), inputsTable(c.inputs));
  if (c.carry) {
    const carry = c.carry;
    const pairs = Object.entries(carry.carry)
      .map(([o, i]) => `${o} → ${i}`)
      .join(', ');
    const step = carry.firstFailingStep === undefined ? undefined : carry.steps[toNumber(carry.firstFailingStep)];
    const first =
      carry.firstFailingStep === undefined
        ? 'no step exceeded tolerance'
        : `first step beyond tolerance: ${carry.firstFailingStep} (${step?.caseId ?? 'unknown fixture'})`;
    items.push(
      h('h3', {}, ['Steps']),
      h('p', { class: 'carry' }, [`Carried ${pairs} over ${carry.steps.length} steps; ${first}.`]),
      stepsPlot(carry, c.outputs),
    );
  }
  if (c.signatureDifferences.length) {
    items.push(
      h('h3', {}, ['Signature differences']),
      h(
        'ul',
        { class: 'sig' },
        c.signatureDifferences.map((d) => h('li', {}, [`${d.side} ${d.name}: ${d.message}`])),
      ),
    );
  }
  const note = acceptanceNote(c);
  if (note) items.push(note);
  if (c.outputs.length) items.push(outputsTable(c.outputs), ...c.outputs.map(outputDetail));
  if (c.divergence) items.push(divergenceSection(c.divergence));
  else if (c.status === 'fail')
    items.push(
      h('p', { class: 'muted locate-hint' }, [
        'Where do the models part ways? Run “Explain divergence” on this case in the config file, or verify with --locate.',
      ]),
    );
  return h('section', { class: `case ${c.status}` }, items);
}

function render(report: VerifyReport): void {
  const failed = report.cases.filter((c) => c.status !== 'pass').length;
  root.replaceChildren(
    h('header', {}, [
      h('h1', {}, [badge(report.passed ? 'pass' : 'fail'), ' ML Parity report']),
      h('p', { class: 'muted' }, [
        `${report.cases.length} case(s), ${failed} not passing · ${new Date(report.createdAt).toLocaleString()} · ${report.tool.name} ${report.tool.version}`,
      ]),
    ]),
    ...report.cases.map(caseSection),
  );
  vscode.setState({ report });
}

window.addEventListener('message', (e: MessageEvent<WebviewMessage | undefined>) => {
  const m = e.data;
  if (m?.type === 'report') render(m.report);
  if (m?.type === 'stageReport') {
    root.replaceChildren(...stageView(m.report));
    vscode.setState({ stageReport: m.report });
  }
});
const saved = vscode.getState();
if (saved?.report) render(saved.report);
if (saved?.stageReport) {
  root.replaceChildren(...stageView(saved.stageReport));
}
vscode.postMessage({ type: 'ready' });
