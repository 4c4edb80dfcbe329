import {
  ResponseError,
  ErrorCodes,
  LSPErrorCodes,
  type CancellationToken,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import { runVerify } from '../engine/verify';
import { casesFromConfig } from '../engine/verifyCases';
import type { VerifyCase, VerifyReport } from '../engine/verifyTypes';
import type { CaseSummary, VerifyCaseArgs } from '../protocol';
import { toPath } from './convert';
import type { WorkspaceFolderState } from './workspace';

export interface VerifyDeps {
  folders: () => readonly WorkspaceFolderState[];
  /** False in untrusted workspaces: running models is refused there. */
  trusted: () => boolean;
  /** Aborted when the server shuts down: running cases stop and their workers are killed. */
  stopped?: AbortSignal;
}

/** The folders a request names: the one whose root is `folderUri`, or all of them when it names none. */
export function foldersNamed(
  folders: readonly WorkspaceFolderState[],
  folderUri: string | undefined,
): readonly WorkspaceFolderState[] {
  if (folderUri === undefined) return folders;
  const root = toPath(folderUri);
  return folders.filter((f) => f.root === root);
}

/** Picks the cases to run: the named one (from whichever of the folders declares it) or all of them. */
function selectCases(folders: readonly WorkspaceFolderState[], caseName?: string): VerifyCase[] {
  const all = folders.flatMap((f) => casesFromConfig(f.config));
  return caseName ? all.filter((c) => c.name === caseName) : all;
}

/** The configured cases, for the client's picker. */
export function listCases(folders: readonly WorkspaceFolderState[]): CaseSummary[] {
  return folders.flatMap((f) =>
    f.config.verify.cases.map((c) => ({
      name: c.name,
      candidate: c.candidate,
      ...(c.baseline ? { baseline: c.baseline } : {}),
    })),
  );
}

/**
 * Runs verify cases through the engine's `runVerify` with work-done progress; `$/cancelRequest` aborts the
 * running inference child process and the request then fails with RequestCancelled. Serves both the
 * `mlParity/verify` request and the `mlParity.server.verify` command.
 */
export async function handleVerify(
  deps: VerifyDeps,
  params: VerifyCaseArgs,
  token: CancellationToken,
  progress: WorkDoneProgressReporter,
): Promise<VerifyReport | ResponseError<void>> {
  if (!deps.trusted()) {
    return new ResponseError(ErrorCodes.InvalidRequest, 'Verification is disabled in untrusted workspaces.');
  }
  const folders = foldersNamed(deps.folders(), params.folder);
  if (folders.length === 0)
    return new ResponseError(ErrorCodes.InvalidParams, `${params.folder} is not a workspace folder of this server`);
  const cases = selectCases(folders, params.caseName).map((c) => (params.locate ? { ...c, locate: true } : c));
  if (cases.length === 0) {
    const what = params.caseName
      ? `no verify case named '${params.caseName}'`
      : 'no verify cases in mlparity.config.json';
    return new ResponseError(ErrorCodes.InvalidParams, what);
  }
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort());
  const stop = (): void => abort.abort();
  if (deps.stopped?.aborted) abort.abort();
  deps.stopped?.addEventListener('abort', stop);
  progress.begin('ML Parity: verifying', 0, cases[0]?.name, true);
  let current = 0;
  try {
    const report = await runVerify(cases, {
      signal: abort.signal,
      onCase: (index) => (current = index),
      onProgress: (done, total, message) => {
        const within = total > 0 ? done / total : 0;
        progress.report(Math.round(((current + within) / cases.length) * 100), message);
      },
    });
    if (abort.signal.aborted) return new ResponseError(LSPErrorCodes.RequestCancelled, 'verification cancelled');
    return report;
  } finally {
    sub.dispose();
    deps.stopped?.removeEventListener('abort', stop);
    progress.done();
  }
}

/** Remembers each case's verdict in the folder(s) that declare it, for the code actions of the config file. */
export function recordVerdicts(folders: readonly WorkspaceFolderState[], report: VerifyReport): void {
  for (const c of report.cases)
    for (const f of folders)
      if (f.config.verify.cases.some((k) => k.name === c.name)) f.caseVerdicts.set(c.name, c.status);
}

/** One line for a message box: how many cases passed or which failed. */
export function verifySummary(report: VerifyReport): string {
  const failed = report.cases.filter((c) => c.status !== 'pass');
  return report.passed
    ? `ML Parity: ${report.cases.length} case(s) passed.`
    : `ML Parity: ${failed.length} of ${report.cases.length} case(s) failed (${failed.map((c) => c.name).join(', ')}).`;
}
