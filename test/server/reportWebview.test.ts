import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../server/src/engine/config/load';
import { casesFromConfig, runVerify } from '../../server/src/engine/verify';
import type { VerifyReport } from '../../server/src/engine/verifyTypes';
import { EXAMPLE } from './workspace';
import { leakyState, sequencePool } from '../../scripts/onnx/inputModels';
import { verifyStage } from '../../server/src/engine/stageVerify/verifyStage';
import { git, write } from '../support/tmp';

const MEDIA = path.resolve(__dirname, '../../../media');
const CHROMIUM = '/usr/bin/chromium';

// The page the extension builds, minus the VS Code host: a stub API records what the script posts back.
function page(report: VerifyReport): string {
  return `<!DOCTYPE html><html><head><style>${fs.readFileSync(path.join(MEDIA, 'report.css'), 'utf8')}</style></head>
<body><main id="root"></main>
<script>
  window.posted = [];
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => undefined, setState: () => undefined });
</script>
<script>${fs.readFileSync(path.join(MEDIA, 'report.js'), 'utf8')}</script>
<script>window.postMessage({ type: 'report', report: ${JSON.stringify(report)} }, '*');</script>
</body></html>`;
}

describe('report webview script', function () {
  let browser: Browser | undefined;
  let report: VerifyReport;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    const cfg = loadConfig(EXAMPLE);
    report = await runVerify(casesFromConfig(cfg).filter((c) => c.name !== 'fuse-matmul-add'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
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
    const rows = await p.$$eval('section.case table.outputs tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const outputs = report.cases.flatMap((c) => c.outputs);
    assert.equal(rows.length, outputs.length);
    assert.deepEqual(rows.map((r) => r[1]), outputs.map((o) => (o.passed ? 'PASS' : 'FAIL')));
    const bars = await p.$$eval('svg.histogram', (svgs) => svgs.map((s) => s.querySelectorAll('rect').length));
    assert.deepEqual(bars, outputs.map((o) => o.histogram.counts.length));
    await p.click('section.case a');
    const posted = (await p.evaluate('window.posted')) as { type: string; file?: string }[];
    assert.deepEqual(posted[0], { type: 'ready' });
    assert.equal(posted[1]?.type, 'open');
    assert.equal(posted[1]?.file, report.cases[0]!.baseline!.resolved);
    await ctx.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  /** Loads a report into the page and returns it, failing on any script error. */
  async function open(r: VerifyReport) {
    const ctx = await browser!.newContext();
    const p = await ctx.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-report-'));
    fs.writeFileSync(path.join(dir, 'report.html'), page(r));
    await p.goto(`file://${path.join(dir, 'report.html')}`);
    await p.waitForSelector('section.case');
    assert.deepEqual(errors, []);
    return { p, close: async () => { await ctx.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
  }

  it('lists each input as fed and warns about defaulted dims', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-inputs-'));
    fs.writeFileSync(path.join(dir, 'a.onnx'), sequencePool({ reduce: 'sum' }));
    fs.writeFileSync(path.join(dir, 'b.onnx'), sequencePool({ reduce: 'max' }));
    const r = await runVerify([{ name: 'pool', baseline: path.join(dir, 'a.onnx'), candidate: path.join(dir, 'b.onnx'), count: 2, dims: { batch: 3 } }]);
    const { p, close } = await open(r);
    const rows = await p.$$eval('table.inputs tbody tr', (trs) => trs.map((tr) => [tr.className, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]));
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].slice(0, 4), ['defaulted', 'x', 'float32[3, 1, 4]', '[batch, time, 4]']);
    assert.equal(rows[0][5], 'uniform [-1, 1)');
    const warnings = await p.$$eval('ul.warnings li', (lis) => lis.map((li) => li.textContent));
    assert.deepEqual(warnings, [`Warning: ${r.cases[0].warnings![0]}`]);
    assert.match(warnings[0] ?? '', /dim 1 'time' defaulted to 1/);
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('plots max|Δ| per step of a stateful case and marks the first step beyond tolerance', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-steps-'));
    fs.writeFileSync(path.join(dir, 'a.onnx'), leakyState(0.9));
    fs.writeFileSync(path.join(dir, 'b.onnx'), leakyState(0.900005));
    const r = await runVerify([{
      name: 'leaky', baseline: path.join(dir, 'a.onnx'), candidate: path.join(dir, 'b.onnx'), count: 20, range: [0, 1],
      inputs: { state: { value: 0 } }, carry: { stateN: 'state' },
    }]);
    const first = r.cases[0].carry?.firstFailingStep;
    assert.equal(typeof first, 'number');
    const { p, close } = await open(r);
    const lines = await p.$$eval('svg.steps polyline', (ps) => ps.map((l) => l.getAttribute('points')!.split(' ').length));
    assert.deepEqual(lines, [20, 20], 'one series per output, one point per step');
    assert.equal(await p.$$eval('svg.steps line.first-failing', (ls) => ls.length), 1);
    assert.equal(await p.$$eval('svg.steps line.atol', (ls) => ls.length), 2);
    const text = await p.$eval('p.carry', (e) => e.textContent);
    assert.equal(text, `Carried stateN → state over 20 steps; first step beyond tolerance: ${first} (${r.cases[0].carry!.steps[first!].caseId}).`);
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('renders a verify-stage report: verdict, the smallest counterexample with both outcomes, notes', async () => {
    const repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-stage-report-')));
    const src = '/** @stage */\nexport function clip(xs: number[], hi: number): number[] {\n  return xs.map((x) => Math.min(x, hi));\n}\n';
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
    const html = page(report).replace(/window\.postMessage\(\{ type: 'report'[^<]*<\/script>/, `window.postMessage({ type: 'stageReport', report: ${JSON.stringify(r)} }, '*');</script>`);
    fs.writeFileSync(path.join(repo, 'report.html'), html);
    await p.goto(`file://${path.join(repo, 'report.html')}`);
    await p.waitForSelector('section.stage-counterexample');
    assert.deepEqual(errors, []);
    assert.match((await p.textContent('h1')) ?? '', /FAIL\s+Stage clip: not equivalent/);
    assert.equal(await p.textContent('pre.call'), r.counterexample!.display);
    const cells = await p.$$eval('section.stage-counterexample tr', (trs) => trs.map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]));
    assert.deepEqual(cells, [['HEAD', r.counterexample!.baseline.display], ['work tree', r.counterexample!.candidate.display], ['differs at', r.counterexample!.difference]]);
    await ctx.close();
    fs.rmSync(repo, { recursive: true, force: true });
  });
});
