import {
  ResponseError,
  ErrorCodes,
  LSPErrorCodes,
  type CancellationToken,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import { casesFromConfig, runCase } from '../engine/verify';
import type { CaseReport, VerifyCase, VerifyReport } from '../engine/verifyTypes';
import type { CaseSummary, VerifyParams } from '../protocol';
import { TOOL_VERSION } from '../engine/version';
import type { WorkspaceFolderState } from './workspace';

export interface VerifyDeps {
  folders: () => readonly WorkspaceFolderState[];
  /** False in untrusted workspaces: running models is refused there. */
  trusted: () => boolean;
  /** Aborted when the server shuts down: running cases stop and their workers are killed. */
  stopped?: AbortSignal;
  /** Receives every finished report (the server keeps the last one and announces it). */
  onReport: (report: VerifyReport) => void;
}

/** Picks the cases to run: the named one (from whichever folder declares it) or all of them. */
export function selectCases(folders: readonly WorkspaceFolderState[], caseName?: string): VerifyCase[] {
  const all = folders.flatMap((f) => casesFromConfig(f.config));
  return caseName ? all.filter((c) => c.name === caseName) : all;
}

/** The configured cases, for the client's picker. */
export function listCases(folders: readonly WorkspaceFolderState[]): CaseSummary[] {
  return folders.flatMap((f) =>
    f.config.verify.cases.map((c) => ({ name: c.name, candidate: c.candidate, ...(c.baseline ? { baseline: c.baseline } : {}) })),
  );
}

/** Folds case reports into the report shape the CLI writes as JSON. */
export function buildReport(cases: CaseReport[]): VerifyReport {
  return {
    schemaVersion: 1,
    tool: { name: 'ml-parity', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    passed: cases.length > 0 && cases.every((c) => c.status === 'pass'),
    cases,
  };
}

/**
 * Runs verify cases with work-done progress; `$/cancelRequest` aborts the running inference child process
 * and the request then fails with RequestCancelled.
 */
export async function handleVerify(
  deps: VerifyDeps,
  params: VerifyParams,
  token: CancellationToken,
  progress: WorkDoneProgressReporter,
): Promise<VerifyReport | ResponseError<void>> {
  if (!deps.trusted()) {
    return new ResponseError(ErrorCodes.InvalidRequest, 'Verification is disabled in untrusted workspaces.');
  }
  const cases = selectCases(deps.folders(), params.caseName);
  if (cases.length === 0) {
    const what = params.caseName ? `no verify case named '${params.caseName}'` : 'no verify cases in mlparity.config.json';
    return new ResponseError(ErrorCodes.InvalidParams, what);
  }
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort());
  const stop = (): void => abort.abort();
  if (deps.stopped?.aborted) abort.abort();
  deps.stopped?.addEventListener('abort', stop);
  progress.begin('ML Parity: verifying', 0, cases[0]?.name, true);
  try {
    const reports: CaseReport[] = [];
    for (const [i, c] of cases.entries()) {
      if (abort.signal.aborted) break;
      const report = await runCase(c, {
        signal: abort.signal,
        onProgress: (done, total, message) => {
          const within = total > 0 ? done / total : 0;
          progress.report(Math.round(((i + within) / cases.length) * 100), message);
        },
      });
      reports.push(report);
    }
    if (abort.signal.aborted) return new ResponseError(LSPErrorCodes.RequestCancelled, 'verification cancelled');
    const report = buildReport(reports);
    deps.onReport(report);
    return report;
  } finally {
    sub.dispose();
    deps.stopped?.removeEventListener('abort', stop);
    progress.done();
  }
}
