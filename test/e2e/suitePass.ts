// Phase (a): run the in-editor mocha suite through the workbench `payload` parameter and read back its JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser } from './browser';
import { type Cleanup } from './cleanup';
import { type CodeServer } from './codeServer';
import { PollAbort, pollUntil } from './deadline';
import { logPage } from './pageLog';
import { type E2eSuiteResult, isSuiteResult } from './suite/results';
import { workbenchUrl } from './workbenchUrl';

/** Inputs of {@link runSuitePass}. */
export interface SuitePassOptions {
  server: CodeServer;
  folder: string;
  extensionPath: string;
  testsPath: string;
  /** Must match what the extension host sees in ML_PARITY_E2E_RESULTS. */
  resultsFile: string;
  profileDir: string;
  shotsDir: string;
  timeoutMs: number;
  cleanup: Cleanup;
}

/** Opens the workbench with the test payload and waits for the suite's result file. */
export async function runSuitePass(o: SuitePassOptions): Promise<E2eSuiteResult> {
  fs.rmSync(o.resultsFile, { force: true });
  const ctx = await launchBrowser(o.profileDir);
  o.cleanup.add('suite browser', () => ctx.close());
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  logPage(page, path.join(o.shotsDir, 'suite-console.log'));
  let crashed = false;
  page.on('crash', () => (crashed = true));
  await page.goto(
    workbenchUrl({
      ...o.server,
      folder: o.folder,
      extensionDevelopmentPath: o.extensionPath,
      extensionTestsPath: o.testsPath,
    }),
  );
  try {
    const raw = await pollUntil(
      'the in-editor suite to write its result',
      o.timeoutMs,
      () => {
        if (crashed) throw new PollAbort('workbench page crashed');
        return fs.existsSync(o.resultsFile) ? fs.readFileSync(o.resultsFile, 'utf8') : undefined;
      },
      500,
    );
    const parsed: unknown = JSON.parse(raw);
    if (!isSuiteResult(parsed)) throw new Error(`malformed suite result in ${o.resultsFile}`);
    return parsed;
  } finally {
    await page.screenshot({ path: path.join(o.shotsDir, 'suite-end.png') }).catch(() => undefined);
    await ctx.close();
  }
}
