// Phase (b): drive the real workbench UI like a user and screenshot every step.
import * as path from 'node:path';
import { type Frame, type Locator, type Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { type Cleanup } from './cleanup';
import { type CodeServer } from './codeServer';
import { pollUntil } from './deadline';
import { logPage } from './pageLog';
import { hookStep } from './hookStep';
import { ACCEPTED_CASE, LOCATED_CASE } from './reportCases';
import {
  findWebviewFrame,
  notificationTexts,
  problemsText,
  runCommand,
  statusBarText,
  waitForWorkbench,
} from './workbench';
import { workbenchUrl } from './workbenchUrl';

/** Names of the UI steps, in run order. */
export const UI_STEPS = ['problems', 'status', 'verify', 'report', 'hook'] as const;
export type UiStepName = (typeof UI_STEPS)[number];
/** The development pass leaves the hook to the in-editor suite; the .vsix pass commits through it. */
export const DEFAULT_UI_STEPS: readonly UiStepName[] = UI_STEPS.filter((s) => s !== 'hook');

/** Outcome of one UI step. */
export interface UiStepResult {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
  error?: string;
  screenshot?: string;
}

/** Inputs of {@link runUiPass}. */
export interface UiPassOptions {
  server: CodeServer;
  folder: string;
  /** Development extension to load; omitted, the workbench runs the installed extensions only. */
  extensionPath?: string;
  profileDir: string;
  shotsDir: string;
  steps: readonly UiStepName[];
  /** Texts that must all appear in the Problems panel. */
  expectProblems: string[];
  /** Status bar item prefix of the extension. */
  statusPrefix: string;
  cleanup: Cleanup;
  /** Screenshot and console-log file name prefix (default none; the vsix pass uses `vsix-`). */
  prefix?: string;
  /** The verify result notification must match this (default: any pass/fail/error result). */
  expectVerify?: RegExp;
  /** The CLI the installed hook must run (default: the development extension's compiled CLI). */
  hookCli?: string;
  /** The workspace has the cases of reportCases.ts: the report must show their acceptance and divergence. */
  reportCases?: boolean;
}

const STEP_TIMEOUT_MS = 90_000;

/** Runs the selected steps; a failing step is recorded and the next one still runs. */
export async function runUiPass(o: UiPassOptions): Promise<UiStepResult[]> {
  const ctx = await launchBrowser(o.profileDir);
  o.cleanup.add('ui browser', () => ctx.close());
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const prefix = o.prefix ?? '';
  logPage(page, path.join(o.shotsDir, `${prefix}ui-console.log`));
  const results: UiStepResult[] = [];
  let shot = 0;
  const snap = async (name: string): Promise<string> => {
    const file = path.join(o.shotsDir, `${prefix}${String(++shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    return file;
  };
  const step = async (name: string, fn: () => Promise<string | undefined>): Promise<boolean> => {
    const t0 = Date.now();
    let r: UiStepResult;
    try {
      const detail = await fn();
      r = { name, ok: true, ms: Date.now() - t0, detail };
    } catch (err) {
      r = { name, ok: false, ms: Date.now() - t0, error: err instanceof Error ? err.message : String(err) };
    }
    r.screenshot = await snap(r.ok ? name : `${name}-FAILED`).catch(() => undefined);
    results.push(r);
    console.log(
      `[e2e ${prefix}ui] ${r.ok ? 'ok  ' : 'FAIL'} ${name} (${r.ms} ms)${r.detail ? ` — ${r.detail}` : ''}${r.error ? ` — ${r.error}` : ''}`,
    );
    return r.ok;
  };

  try {
    const opened = await step('open-workbench', async () => {
      await page.goto(workbenchUrl({ ...o.server, folder: o.folder, extensionDevelopmentPath: o.extensionPath }));
      await waitForWorkbench(page);
      return undefined;
    });
    if (!opened) return results;
    const impl: Record<UiStepName, () => Promise<string | undefined>> = {
      problems: () => problemsStep(page, o.expectProblems),
      status: () => statusStep(page, o.statusPrefix),
      verify: () => verifyStep(page, snap, o.expectVerify),
      report: () => reportStep(page, snap, o.reportCases ?? false),
      hook: () =>
        hookStep(
          page,
          o.folder,
          o.hookCli ?? path.join(o.extensionPath ?? '', 'out/server/src/cli/bin.js'),
          STEP_TIMEOUT_MS,
        ),
    };
    for (const name of o.steps) await step(name, impl[name]);
    if (o.steps.includes('verify'))
      await step('status-after-verify', () => statusStep(page, o.statusPrefix, /verify\b.*\b(pass|fail)/));
  } finally {
    await ctx.close();
  }
  return results;
}

async function problemsStep(page: Page, expected: string[]): Promise<string> {
  await runCommand(page, 'View: Focus Problems');
  const text = await pollUntil(
    `Problems panel to list ${expected.join(', ')}`,
    STEP_TIMEOUT_MS,
    async () => {
      const t = await problemsText(page);
      return expected.every((e) => t.includes(e)) ? t : undefined;
    },
    500,
  );
  const lines = text.split('\n').filter((l) => expected.some((e) => l.includes(e)));
  return `${lines.length} matching line(s): ${lines.slice(0, 4).join(' | ')}`;
}

async function statusStep(page: Page, prefix: string, shows?: RegExp): Promise<string> {
  const what = `a status bar item starting "${prefix}"${shows ? ` showing ${shows}` : ''}`;
  return pollUntil(
    what,
    STEP_TIMEOUT_MS,
    async () => {
      const t = await statusBarText(page, prefix);
      return t !== undefined && (!shows || shows.test(t)) ? t : undefined;
    },
    300,
  );
}

// Progress shows as the "ML Parity: verifying" notification or the status item's "verifying" state. Checked on
// every animation frame inside the page, because a fast run shows it only briefly.
const PROGRESS_PROBE = `(() => {
  const texts = [...document.querySelectorAll('.notification-toast, .part.statusbar .statusbar-item')].map(e => e.textContent || '');
  return texts.some(t => /ML Parity/.test(t) && /verifying/i.test(t));
})()`;

async function verifyStep(page: Page, snap: (name: string) => Promise<string>, expect?: RegExp): Promise<string> {
  const before = new Set(await notificationTexts(page));
  const progressSeen = page
    .waitForFunction(PROGRESS_PROBE, undefined, { polling: 'raf', timeout: STEP_TIMEOUT_MS })
    .then(
      () => true,
      () => false,
    );
  await runCommand(page, 'ML Parity: Verify Refactor');
  // With several cases configured the command asks which one; take "All cases".
  const picker = page.locator('.quick-input-widget');
  const asked = await pollUntil(
    'the case picker or progress',
    STEP_TIMEOUT_MS,
    async () => {
      if ((await picker.isVisible()) && /All cases/.test(await picker.innerText())) return 'picker';
      return (await page.evaluate(PROGRESS_PROBE)) ? 'progress' : undefined;
    },
    100,
  );
  if (asked === 'picker') {
    await snap('verify-pick-case');
    await page.keyboard.press('Enter');
  }
  const progress = await progressSeen;
  await snap('verify-progress').catch(() => undefined);
  const result = await pollUntil(
    'a verify result notification',
    STEP_TIMEOUT_MS,
    async () => {
      const fresh = (await notificationTexts(page)).filter((t) => !before.has(t) && !/verifying/i.test(t));
      return fresh.find((t) => /ML Parity/.test(t) && /\b(pass(ed)?|fail(ed)?|error)\b/i.test(t));
    },
    250,
  );
  if (!progress) throw new Error(`no progress indicator seen (result: ${result})`);
  if (expect && !expect.test(result))
    throw new Error(`verify result does not match ${expect}: ${result.replace(/\s+/g, ' ')}`);
  return `progress seen; notification: ${result.replace(/\s+/g, ' ').slice(0, 200)}`;
}

async function reportStep(page: Page, snap: (name: string) => Promise<string>, reportCases: boolean): Promise<string> {
  // The result notification's button is the user's path to the report; the command is the fallback.
  const button = page.locator('.notification-toast .monaco-button', { hasText: 'Open Report' }).first();
  const via = (await button.isVisible().catch(() => false)) ? 'notification button' : 'command palette';
  if (via === 'notification button') await button.click();
  else await runCommand(page, 'ML Parity: Show Report');
  const frame = await findWebviewFrame(page, 'table', STEP_TIMEOUT_MS);
  const rows = await pollUntil('report table rows', STEP_TIMEOUT_MS, async () => {
    const n = await frame.locator('table tbody tr, table tr').count();
    return n > 0 ? n : undefined;
  });
  const plots = await pollUntil('a plot in the report', STEP_TIMEOUT_MS, async () => {
    const n = await frame.locator('svg, canvas').count();
    return n > 0 ? n : undefined;
  });
  const opened = `opened via ${via}: ${rows} table row(s), ${plots} plot element(s)`;
  if (!reportCases) return opened;
  return `${opened}; ${await acceptanceShown(frame, snap)}; ${await divergenceShown(frame, snap)}`;
}

/** Rendered text of the report's section for one case (its h2 ends with the case name). */
function caseSection(frame: Frame, name: string): Locator {
  return frame.locator('section.case', { has: frame.locator('h2', { hasText: new RegExp(`\\b${name}$`) }) });
}

/** The accepted case shows each criterion with its threshold, measured value and verdict, and says what decided it. */
async function acceptanceShown(frame: Frame, snap: (name: string) => Promise<string>): Promise<string> {
  const section = caseSection(frame, ACCEPTED_CASE);
  const criteria = await pollUntil(`acceptance criteria of ${ACCEPTED_CASE}`, STEP_TIMEOUT_MS, async () => {
    const texts = await section.locator('table.acceptance tbody tr').allInnerTexts();
    return texts.length > 0 ? texts.map((t) => t.replace(/\s+/g, ' ').trim()) : undefined;
  });
  // Two outputs (probs, logits), each judged by both criteria; the measured values as the CLI writes them.
  const want = [/^top1 ≥ 99% 100% PASS$/, /^cosine ≥ 0\.999 0\.999\d+ PASS$/];
  const rowsOk = criteria.length === 4 && criteria.every((c, i) => want[i % 2]?.test(c));
  if (!rowsOk) throw new Error(`criterion rows, wanted ${want.join(', ')} per output: ${criteria.join(' | ')}`);
  const heading = (await section.locator('h2').innerText()).replace(/\s+/g, ' ').trim();
  if (heading !== `PASS ${ACCEPTED_CASE}`) throw new Error(`${ACCEPTED_CASE} heading: ${heading}`);
  const note = await section.locator('p.acceptance-note').innerText();
  if (!/Decided by acceptance criteria \(task metrics\).*informative only/s.test(note))
    throw new Error(`no acceptance note: ${note}`);
  const elementwise = await section.locator('p.informative-note').allInnerTexts();
  if (!elementwise.every((t) => /^Elementwise comparison: fail, informative only/.test(t)) || elementwise.length !== 2)
    throw new Error(`elementwise notes: ${elementwise.join(' | ')}`);
  await section.locator('table.acceptance').first().scrollIntoViewIfNeeded();
  await snap('report-acceptance');
  return `${ACCEPTED_CASE}: ${criteria.join(' / ')}`;
}

/** The located case shows the CLI's first-divergence sentence (Relu replaced by LeakyRelu) and the path. */
async function divergenceShown(frame: Frame, snap: (name: string) => Promise<string>): Promise<string> {
  const section = caseSection(frame, LOCATED_CASE);
  const first = (await section.locator('div.divergence p.first').innerText()).trim();
  if (
    !/^first divergence at Relu '[^']+' \(candidate LeakyRelu '[^']+'\): inputs equal \(max\|Δ\| 0\), output max\|Δ\| [0-9.e-]+$/.test(
      first,
    )
  )
    throw new Error(`first divergence line: ${first}`);
  const path = await section.locator('table.path tbody tr').count();
  if (path < 1) throw new Error('no path to the output');
  await section.locator('div.divergence').scrollIntoViewIfNeeded();
  await snap('report-divergence');
  return `${LOCATED_CASE}: ${first} (${path} node(s) on the path)`;
}
