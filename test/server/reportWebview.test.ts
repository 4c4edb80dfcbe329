import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../server/src/engine/config/load';
import { runVerify } from '../../server/src/engine/verify';
import { casesFromConfig } from '../../server/src/engine/verifyCases';
import type { VerifyReport } from '../../server/src/engine/verifyTypes';
import { EXAMPLE } from './workspace';
import { identity } from '../../scripts/onnx/models';
import { nonFiniteReplacer, toJsonSafe, type JsonSafe } from '../../server/src/engine/jsonSafe';
import { leakyState, sequencePool } from '../../scripts/onnx/inputModels';
import { deepNet } from '../../scripts/onnx/deepNet';
import { verifyStage } from '../../server/src/engine/stageVerify/verifyStage';
import { git, write } from '../support/tmp';
import { buildWebview } from '../../scripts/buildWebview';
import { formatMetric, formatNumber, formatShare } from '../../server/src/engine/format/numbers';
import { criterionText } from '../../server/src/cli/reporters/acceptanceText';
import { divergenceLine, searchLine } from '../../server/src/engine/locate/describe';
import { renderVerifyText } from '../../server/src/cli/reporters/verifyText';

const MEDIA = path.resolve(__dirname, '../../../media');
const CHROMIUM = '/usr/bin/chromium';

// The page the extension builds, minus the VS Code host: a stub API records what the script posts back.
// Non-finite numbers are written as the language server sends them (toJsonSafe).
function page(report: JsonSafe<VerifyReport>): string {
  return `<!DOCTYPE html><html><head><style>${fs.readFileSync(path.join(MEDIA, 'report.css'), 'utf8')}</style></head>
<body><main id="root"></main>
<script>
  window.posted = [];
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => undefined, setState: () => undefined });
</script>
<script>${fs.readFileSync(path.join(MEDIA, 'report.js'), 'utf8')}</script>
<script>window.postMessage({ type: 'report', report: ${JSON.stringify(report, nonFiniteReplacer)} }, '*');</script>
</body></html>`;
}

describe('report webview script', function () {
  let browser: Browser | undefined;
  let report: VerifyReport;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      // CI installs Chromium (scripts/e2e/setup.sh): there a missing browser is a failure, not a skip.
      if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}; CI must run the webview test`);
      this.skip();
    }
    // The bundle the extension loads, built from the current sources (never a stale copy).
    await buildWebview();
    const cfg = loadConfig(EXAMPLE);
    report = await runVerify(casesFromConfig(cfg).filter((c) => c.name !== 'fuse-matmul-add'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
  });

  it('renders per-case and per-output results, histograms and file links from a real report', async () => {
    const ctx = await browser!.newContext();
    const p = await ctx.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-report-')), 'report.html');
    fs.writeFileSync(file, page(report));
    await p.goto(`file://${file}`);
    await p.waitForSelector('section.case');
    assert.deepEqual(errors, []);
    const headings = await p.$$eval('section.case h2', (hs) => hs.map((h) => h.textContent));
    assert.deepEqual(headings, ['PASS split-reduction', 'FAIL relu-to-leakyrelu']);
    const rows = await p.$$eval('section.case table.outputs tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    const outputs = report.cases.flatMap((c) => c.outputs);
    assert.equal(rows.length, outputs.length);
    assert.deepEqual(
      rows.map((r) => r[1]),
      outputs.map((o) => (o.passed ? 'PASS' : 'FAIL')),
    );
    const bars = await p.$$eval('svg.histogram', (svgs) => svgs.map((s) => s.querySelectorAll('rect').length));
    assert.deepEqual(
      bars,
      outputs.map((o) => o.histogram.counts.length),
    );
    await p.click('section.case a');
    const posted = await p.evaluate<{ type: string; file?: string }[]>('window.posted');
    assert.deepEqual(posted[0], { type: 'ready' });
    assert.equal(posted[1]?.type, 'open');
    assert.equal(posted[1]?.file, report.cases[0].baseline!.resolved);
    // Figures as the CLI's text report writes them: one formatting module for both.
    const text = renderVerifyText(report);
    rows.forEach((r, i) => {
      const o = outputs[i];
      assert.equal(r[3], formatNumber(o.maxAbs));
      assert.ok(text.includes(`max|Δ| ${r[3]}  max rel ${r[4]}`), `CLI text shows ${r[3]} / ${r[4]}`);
    });
    // A failed case without a divergence search says how to get one.
    const hints = await p.$$eval('section.case', (ss) => ss.map((s) => s.querySelector('p.locate-hint') !== null));
    assert.deepEqual(
      hints,
      report.cases.map((c) => c.status === 'fail'),
    );
    await ctx.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  /** Loads a report into the page and returns it, failing on any script error. */
  async function open(r: JsonSafe<VerifyReport>) {
    const ctx = await browser!.newContext();
    const p = await ctx.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-report-'));
    fs.writeFileSync(path.join(dir, 'report.html'), page(r));
    await p.goto(`file://${path.join(dir, 'report.html')}`);
    await p.waitForSelector('section.case', { timeout: 10_000 }).catch((e: Error) => {
      throw new Error(`${e.message}\npage errors: ${errors.join('; ')}`);
    });
    assert.deepEqual(errors, []);
    return {
      p,
      close: async () => {
        await ctx.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  it('shows the first divergence and the path to the output', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-locate-'));
    fs.writeFileSync(path.join(dir, 'a.onnx'), deepNet({}));
    fs.writeFileSync(path.join(dir, 'b.onnx'), deepNet({ perturb: { block: 10, amount: 0.05 }, renamed: true }));
    const r = await runVerify([
      { name: 'deep', baseline: path.join(dir, 'a.onnx'), candidate: path.join(dir, 'b.onnx'), count: 2, locate: true },
    ]);
    const { p, close } = await open(toJsonSafe(r));
    const d = r.cases[0].divergence!;
    const first = await p.$eval('div.divergence p.first', (e) => e.textContent ?? '');
    // The CLI's own sentence (text report), not a webview paraphrase.
    assert.equal(first, divergenceLine(d));
    assert.match(
      first,
      /^first divergence at Add 'add_b10' \(candidate 'node_\d+'\): inputs equal \(max\|Δ\| 0\), output max\|Δ\| 0\.05/,
    );
    assert.ok(renderVerifyText(r).includes(first), 'the text report prints the same line');
    assert.match(
      String(await p.$eval('div.divergence p.matched', (e) => e.textContent)),
      /matched by structural alignment/,
    );
    assert.equal(await p.$eval('div.divergence p.search', (e) => e.textContent), searchLine(d));
    const path_ = await p.$$eval('table.path tbody tr', (trs) =>
      trs.map((tr) => [tr.className, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]),
    );
    assert.deepEqual(path_[0]?.slice(0, 3), ['diverges', 'Add', 'add_b10']);
    assert.deepEqual(path_.at(-1)?.slice(1, 3), ['MatMul', 'head']);
    assert.equal(path_.length, d.path.length);
    // Every node the search compared shows its max|Δ| as the CLI writes it, and whether it diverges.
    d.path.forEach((n, i) => {
      const row = path_[i];
      assert.equal(row[4], n.maxAbs === undefined ? 'not compared' : formatNumber(n.maxAbs), `path row ${i}`);
      assert.equal(row[5], n.diverges === undefined ? 'not compared' : n.diverges ? 'yes' : 'no', `path row ${i}`);
    });
    assert.ok(
      d.path.some((n) => n.maxAbs !== undefined && n !== d.path[0]),
      'the path shows compared nodes past the first',
    );
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows each acceptance criterion, the task metrics with accuracy per model, and marks elementwise statistics informative', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-accept-'));
    fs.writeFileSync(path.join(dir, 'a.onnx'), deepNet({}));
    fs.writeFileSync(path.join(dir, 'h.onnx'), deepNet({ float16: true }));
    const a = path.join(dir, 'a.onnx');
    const r = await runVerify([
      {
        name: 'f16',
        baseline: a,
        candidate: path.join(dir, 'h.onnx'),
        count: 9,
        labels: [0, 1, 2, 3, 0, 1, 2, 3, 0],
        accept: { cosine: 0.999, top1: 0.99, accuracyDrop: 0 },
      },
      // Identical models: SNR is infinite (a value the webview has, so it must show it); no labels for accuracy.
      { name: 'self', baseline: a, candidate: a, count: 3, accept: { snrDb: 30, accuracy: 0.9 } },
    ]);
    assert.deepEqual(
      r.cases.map((c) => [c.name, c.status]),
      [
        ['f16', 'pass'],
        ['self', 'fail'],
      ],
    );
    assert.equal(r.cases[0].outputs[0].acceptance?.elementwisePassed, false, 'float16 fails elementwise');
    const { p, close } = await open(toJsonSafe(r));
    const cases = await p.$$eval('section.case', (ss) =>
      ss.map((s) => ({
        note: s.querySelector('p.acceptance-note')?.textContent,
        decided: [...s.querySelectorAll('table.outputs tbody tr')].map(
          (tr) => tr.querySelectorAll('td')[2]?.textContent,
        ),
        informative: [...s.querySelectorAll('table.outputs td.informative')].length,
        topk: [...s.querySelectorAll('table.outputs td.topk-informative')].map((td) => td.textContent),
        criteria: [...s.querySelectorAll('table.acceptance tbody tr')].map((tr) =>
          [...tr.querySelectorAll('td')].map((td) => td.textContent),
        ),
        heading: s.querySelector('div.output h5')?.textContent,
        elementwise: s.querySelector('p.informative-note')?.textContent,
        metricsHead: [...s.querySelectorAll('table.metrics th')].map((th) => th.textContent),
        metrics: [...s.querySelectorAll('table.metrics td')].map((td) => td.textContent),
        metricsTopk: [...s.querySelectorAll('table.metrics td.topk-informative')].map((td) => td.textContent),
      })),
    );
    const text = renderVerifyText(r);
    r.cases.forEach((c, k) => {
      const o = c.outputs[0];
      const shown = cases[k];
      assert.match(String(shown.note), /^Decided by acceptance criteria \(task metrics\) on 1 of 1 output\(s\)/);
      assert.match(String(shown.note), /informative only/);
      assert.deepEqual(shown.decided, ['task metrics']);
      assert.equal(shown.informative, 4, 'max abs, max rel, mismatch %, min passing atol are marked informative');
      // logits (no Softmax over the last axis): top-k is marked as the text report marks it
      assert.equal(o.topKInformative, true);
      assert.deepEqual(
        shown.topk,
        [o.top1Agreement, o.top5Agreement]
          .filter((v) => v !== undefined)
          .map((v) => `${formatShare(v)} (informative: not known to be class scores)`),
      );
      // ... in the task metrics too (4 classes: top-1 only, top-5 would hold trivially)
      assert.equal(o.metrics?.top5, undefined);
      assert.deepEqual(shown.metricsTopk, [
        `${formatMetric('top1', o.metrics!.top1!)} (informative: not known to be class scores)`,
      ]);
      // One row per criterion: metric, threshold, measured value (as the CLI writes it) or why there is none, verdict.
      assert.deepEqual(
        shown.criteria,
        o.acceptance!.criteria.map((cr) => [
          cr.metric,
          `${cr.direction === 'min' ? '≥' : '≤'} ${formatMetric(cr.metric, cr.threshold)}`,
          cr.value === undefined ? `not computed: ${cr.reason}` : formatMetric(cr.metric, cr.value),
          cr.passed ? 'PASS' : 'FAIL',
        ]),
      );
      for (const cr of o.acceptance!.criteria)
        assert.ok(text.includes(criterionText(cr)), `CLI text: ${criterionText(cr)}`);
      assert.equal(shown.heading, `Acceptance criteria: ${o.acceptance!.passed ? 'accepted' : 'NOT accepted'}`);
      assert.match(
        String(shown.elementwise),
        new RegExp(`^Elementwise comparison: ${o.acceptance!.elementwisePassed ? 'pass' : 'fail'}, informative only`),
      );
    });
    // float16 with labels: each model's accuracy and the drop.
    const m = r.cases[0].outputs[0].metrics!;
    assert.equal(m.labelled, 9);
    assert.deepEqual(cases[0].metricsHead.slice(-3), ['Accuracy (baseline)', 'Accuracy (candidate)', 'Accuracy drop']);
    assert.deepEqual(cases[0].metrics.slice(-3), [
      formatMetric('accuracy', m.baselineAccuracy!),
      formatMetric('accuracy', m.candidateAccuracy!),
      formatMetric('accuracyDrop', m.accuracyDrop!),
    ]);
    assert.equal(cases[0].criteria.map((c) => c[3]).join(), 'PASS,PASS,PASS');
    // Identical models: SNR infinite, shown as the CLI writes it; accuracy without labels fails and says why.
    assert.deepEqual(cases[1].criteria[0], ['snrDb', '≥ 30 dB', 'inf dB', 'PASS']);
    assert.equal(cases[1].criteria[1][0], 'accuracy');
    assert.match(String(cases[1].criteria[1][2]), /^not computed: .*label/);
    assert.equal(cases[1].criteria[1][3], 'FAIL');
    assert.ok(!cases[1].metricsHead.includes('Accuracy (baseline)'), 'no accuracy columns without labels');
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists each input as fed and warns about defaulted dims', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-inputs-'));
    fs.writeFileSync(path.join(dir, 'a.onnx'), sequencePool({ reduce: 'sum' }));
    fs.writeFileSync(path.join(dir, 'b.onnx'), sequencePool({ reduce: 'max' }));
    const r = await runVerify([
      {
        name: 'pool',
        baseline: path.join(dir, 'a.onnx'),
        candidate: path.join(dir, 'b.onnx'),
        count: 2,
        dims: { batch: 3 },
      },
    ]);
    const { p, close } = await open(r);
    const rows = await p.$$eval('table.inputs tbody tr', (trs) =>
      trs.map((tr) => [tr.className, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]),
    );
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].slice(0, 4), ['defaulted', 'x', 'float32[3, 1, 4]', '[batch, time, 4]']);
    assert.equal(rows[0][5], 'uniform [-1, 1)');
    const warnings = await p.$$eval('ul.warnings li', (lis) => lis.map((li) => li.textContent));
    assert.deepEqual(warnings, [`Warning: ${r.cases[0].warnings![0]}`]);
    assert.match(warnings[0] ?? '', /dim 1 'time' defaulted to 1/);
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows Infinity and NaN, not "–", for a report that crossed the LSP', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-nonfinite-'));
    fs.writeFileSync(path.join(dir, 'id.onnx'), identity('float32'));
    fs.writeFileSync(
      path.join(dir, 'nan.json'),
      JSON.stringify({ inputs: { x: { dims: [1, 3], type: 'float32', data: ['NaN', 0, 1] } } }),
    );
    const model = path.join(dir, 'id.onnx');
    const r = await runVerify([
      { name: 'nan', baseline: model, candidate: model, fixtures: path.join(dir, 'nan.json') },
    ]);
    assert.equal(r.cases[0].outputs[0].minPassingAtol, Infinity);
    // What the language server sends and the client posts to the webview (postMessage is JSON too).
    const { p, close } = await open(toJsonSafe(r));
    const row = await p.$$eval('section.case table.outputs tbody tr td', (tds) => tds.map((td) => td.textContent));
    // The CLI's text writes it `inf`; so does the webview (the same formatting module).
    assert.equal(row[6], formatNumber(Infinity), `min passing atol cell: ${row.join(' | ')}`);
    assert.equal(row[6], 'inf');
    assert.match(String(await p.$eval('p.worst', (e) => e.textContent ?? '')), /baseline NaN, candidate NaN/);
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('plots max|Δ| per step of a stateful case and marks the first step beyond tolerance', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-steps-'));
    fs.writeFileSync(path.join(dir, 'a.onnx'), leakyState(0.9));
    fs.writeFileSync(path.join(dir, 'b.onnx'), leakyState(0.900005));
    const r = await runVerify([
      {
        name: 'leaky',
        baseline: path.join(dir, 'a.onnx'),
        candidate: path.join(dir, 'b.onnx'),
        count: 20,
        range: [0, 1],
        inputs: { state: { value: 0 } },
        carry: { stateN: 'state' },
      },
    ]);
    const first = r.cases[0].carry?.firstFailingStep;
    assert.equal(typeof first, 'number');
    const { p, close } = await open(r);
    const lines = await p.$$eval('svg.steps polyline', (ps) =>
      ps.map((l) => l.getAttribute('points')!.split(' ').length),
    );
    assert.deepEqual(lines, [20, 20], 'one series per output, one point per step');
    assert.equal(await p.$$eval('svg.steps line.first-failing', (ls) => ls.length), 1);
    assert.equal(await p.$$eval('svg.steps line.atol', (ls) => ls.length), 2);
    const text = await p.$eval('p.carry', (e) => e.textContent);
    assert.equal(
      text,
      `Carried stateN → state over 20 steps; first step beyond tolerance: ${first} (${r.cases[0].carry!.steps[first!].caseId}).`,
    );
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('renders a verify-stage report: verdict, the smallest counterexample with both outcomes, notes', async () => {
    const repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-stage-report-')));
    const src =
      '/** @stage */\nexport function clip(xs: number[], hi: number): number[] {\n  return xs.map((x) => Math.min(x, hi));\n}\n';
    write(repo, 'src/clip.ts', src);
    git(repo, 'init', '-q');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'init');
    write(repo, 'src/clip.ts', src.replace('Math.min(x, hi)', 'Math.min(x, hi - 1)'));
    const r = await verifyStage({ root: repo, stage: 'clip', count: 30 });
    const ctx = await browser!.newContext();
    const p = await ctx.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    const html = page(report).replace(
      /window\.postMessage\(\{ type: 'report'[^<]*<\/script>/,
      `window.postMessage({ type: 'stageReport', report: ${JSON.stringify(r)} }, '*');</script>`,
    );
    fs.writeFileSync(path.join(repo, 'report.html'), html);
    await p.goto(`file://${path.join(repo, 'report.html')}`);
    await p.waitForSelector('section.stage-counterexample');
    assert.deepEqual(errors, []);
    assert.match((await p.textContent('h1')) ?? '', /FAIL\s+Stage clip: not equivalent/);
    assert.equal(await p.textContent('pre.call'), r.counterexample!.display);
    const cells = await p.$$eval('section.stage-counterexample tr', (trs) =>
      trs.map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]),
    );
    assert.deepEqual(cells, [
      ['HEAD', r.counterexample!.baseline.display],
      ['work tree', r.counterexample!.candidate.display],
      ['differs at', r.counterexample!.difference],
    ]);
    await ctx.close();
    fs.rmSync(repo, { recursive: true, force: true });
  });
});
