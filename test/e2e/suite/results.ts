// The JSON the in-editor suite writes and the driver reads: the only channel back out of the extension host.

/** Outcome of one mocha test inside the editor. */
export interface E2eTestResult {
  title: string;
  fullTitle: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: { message: string; stack?: string };
}

/** Whole-suite outcome; `fatal` is set when the suite could not run at all (e.g. a test file failed to load). */
export interface E2eSuiteResult {
  passed: number;
  failed: number;
  pending: number;
  tests: E2eTestResult[];
  startedAt: string;
  finishedAt: string;
  /** `vscode.version` of the host the suite ran in. */
  hostVersion?: string;
  fatal?: { message: string; stack?: string };
}

/** Env var through which the driver tells the suite where to write its result. */
export const RESULTS_ENV = 'ML_PARITY_E2E_RESULTS';

/** Type guard for a parsed results file. */
export function isSuiteResult(v: unknown): v is E2eSuiteResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.passed === 'number' && typeof r.failed === 'number' && Array.isArray(r.tests);
}

/** Human-readable lines for the failures in a result (empty when all passed). */
export function describeFailures(r: E2eSuiteResult): string[] {
  const lines: string[] = [];
  if (r.fatal) lines.push(`suite could not run: ${r.fatal.message}`);
  for (const t of r.tests) {
    if (t.state === 'failed')
      lines.push(
        `✗ ${t.fullTitle}\n    ${(t.error?.message ?? 'failed')
          .trim()
          .replace(/\n\s*\n/g, '\n')
          .replace(/\n/g, '\n    ')}`,
      );
  }
  return lines;
}
