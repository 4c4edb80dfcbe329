// Runs mocha over compiled test files inside whatever host loaded us (code-server's or VS Code's extension host)
// and writes an E2eSuiteResult JSON, because the host reports nothing back to the process that started it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fg from 'fast-glob';
import Mocha from 'mocha';
import { type E2eSuiteResult, type E2eTestResult, RESULTS_ENV } from './results';

/** Options for {@link runSuite}. */
export interface RunSuiteOptions {
  /** Folder searched for `**\/*.test.js`. */
  testsRoot: string;
  /** Where the JSON goes; defaults to $ML_PARITY_E2E_RESULTS, else a file in the OS temp dir. */
  resultsFile?: string;
  /** Host version recorded in the result. */
  hostVersion?: string;
  timeoutMs?: number;
}

/** Default results path when the driver did not set one. */
function defaultResultsFile(): string {
  return process.env[RESULTS_ENV] || path.join(os.tmpdir(), 'ml-parity-e2e-results.json');
}

function errorInfo(err: unknown): { message: string; stack?: string } {
  if (err instanceof Error) return { message: err.message, stack: err.stack };
  return { message: String(err) };
}

// Write then rename so the driver, which polls for the file, never reads half a JSON document.
function writeResult(file: string, result: E2eSuiteResult): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(result, null, 2));
  fs.renameSync(tmp, file);
}

/** Runs the suite, writes the result file, and rejects when any test failed (so VS Code's own runner fails too). */
export async function runSuite(opts: RunSuiteOptions): Promise<E2eSuiteResult> {
  const resultsFile = opts.resultsFile ?? defaultResultsFile();
  const startedAt = new Date().toISOString();
  const tests: E2eTestResult[] = [];
  let result: E2eSuiteResult;
  try {
    const mocha = new Mocha({ ui: 'bdd', color: false, timeout: opts.timeoutMs ?? 60_000, reporter: 'spec' });
    const files = fg.sync('**/*.test.js', { cwd: opts.testsRoot, absolute: true }).sort();
    if (files.length === 0) throw new Error(`no *.test.js files under ${opts.testsRoot}`);
    for (const f of files) mocha.addFile(f);
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (t) =>
        tests.push({ title: t.title, fullTitle: t.fullTitle(), state: 'passed', durationMs: t.duration ?? 0 }),
      );
      runner.on('pending', (t) =>
        tests.push({ title: t.title, fullTitle: t.fullTitle(), state: 'pending', durationMs: 0 }),
      );
      runner.on('fail', (t, err) =>
        tests.push({
          title: t.title,
          fullTitle: t.fullTitle(),
          state: 'failed',
          durationMs: t.duration ?? 0,
          error: errorInfo(err),
        }),
      );
    });
    result = summarize(tests, startedAt, opts.hostVersion);
  } catch (err) {
    result = { ...summarize(tests, startedAt, opts.hostVersion), fatal: errorInfo(err) };
  }
  writeResult(resultsFile, result);
  if (result.fatal) throw new Error(result.fatal.message);
  if (result.failed > 0) throw new Error(`${result.failed} end-to-end test(s) failed`);
  return result;
}

function summarize(tests: E2eTestResult[], startedAt: string, hostVersion?: string): E2eSuiteResult {
  const count = (s: E2eTestResult['state']): number => tests.filter((t) => t.state === s).length;
  return {
    passed: count('passed'),
    failed: count('failed'),
    pending: count('pending'),
    tests,
    startedAt,
    finishedAt: new Date().toISOString(),
    hostVersion,
  };
}
