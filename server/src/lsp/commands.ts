import {
  ErrorCodes,
  LSPErrorCodes,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  type CancellationToken,
  type Connection,
  type ExecuteCommandParams,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import { isEngineError } from '../engine/errors';
import { runHookChecks, unjudgedNote } from '../engine/hooks/run';
import type { HookRunResult } from '../engine/hooks/types';
import { toJsonSafe } from '../engine/jsonSafe';
import type { VerifyReport } from '../engine/verifyTypes';
import { stageVerdictLine } from '../engine/stageVerify/summary';
import type { StageVerifyReport } from '../engine/stageVerify/types';
import {
  ServerCommands,
  type HookChecksArgs,
  type HookChecksResult,
  type StageReport,
  type VerifyCaseArgs,
  type VerifyReport as WireVerifyReport,
  type VerifyStageArgs,
} from '../protocol';
import { stageArgs } from './stageVerify';
import { describeError, type Logger } from './logger';
import { foldersNamed, verifySummary } from './verify';
import type { WorkspaceFolderState } from './workspace';

/** Advertised as `executeCommandProvider.commands`. */
export const SERVER_COMMANDS: string[] = [
  ServerCommands.verify,
  ServerCommands.runHookChecks,
  ServerCommands.verifyStage,
];

export interface CommandDeps {
  connection: Connection;
  folders: () => readonly WorkspaceFolderState[];
  trusted: () => boolean;
  log: Logger;
  /** The server's one verify path (status bar and last report included). */
  verify: (
    args: VerifyCaseArgs,
    token: CancellationToken,
    progress: WorkDoneProgressReporter,
  ) => Promise<VerifyReport | ResponseError<void>>;
  /** One stage against HEAD (diagnostics included). */
  verifyStage: (
    args: VerifyStageArgs,
    token: CancellationToken,
    progress: WorkDoneProgressReporter,
  ) => Promise<StageVerifyReport | ResponseError<void>>;
}

/** The first argument when it is an object, else an empty one (clients may send no arguments at all). */
function firstArg<T extends object>(params: ExecuteCommandParams): Partial<T> {
  const a: unknown = params.arguments?.[0];
  return a && typeof a === 'object' ? a : {};
}

function stringField(o: object, key: string): string | undefined {
  const v: unknown = (o as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * `workspace/executeCommand`: every result also ends in a `window/showMessage`, since editors such as Neovim
 * show no command result otherwise. Errors come back as error responses and are shown the same way.
 */
export async function handleExecuteCommand(
  deps: CommandDeps,
  params: ExecuteCommandParams,
  token: CancellationToken,
  progress: WorkDoneProgressReporter,
): Promise<WireVerifyReport | HookChecksResult | StageReport | ResponseError<void>> {
  const result = await run(deps, params, token, progress);
  if (result instanceof ResponseError) {
    show(deps, MessageType.Error, `ML Parity: ${result.message}`);
    return result;
  }
  return result;
}

async function run(
  deps: CommandDeps,
  params: ExecuteCommandParams,
  token: CancellationToken,
  progress: WorkDoneProgressReporter,
): Promise<WireVerifyReport | HookChecksResult | StageReport | ResponseError<void>> {
  switch (params.command) {
    case ServerCommands.verify: {
      const arg = firstArg<VerifyCaseArgs>(params);
      const caseName = stringField(arg, 'caseName');
      const folder = stringField(arg, 'folder');
      const locate = (arg as Record<string, unknown>).locate === true;
      const report = await deps.verify(
        { ...(caseName ? { caseName } : {}), ...(folder ? { folder } : {}), ...(locate ? { locate } : {}) },
        token,
        progress,
      );
      if (report instanceof ResponseError) return report;
      show(deps, report.passed ? MessageType.Info : MessageType.Error, verifySummary(report));
      return toJsonSafe(report);
    }
    case ServerCommands.runHookChecks: {
      const results = await hookChecks(deps, stringField(firstArg<HookChecksArgs>(params), 'folder'), token, progress);
      if (results instanceof ResponseError) return results;
      const blocked = results.filter((r) => !r.passed);
      show(
        deps,
        blocked.length ? MessageType.Error : MessageType.Info,
        blocked.length
          ? `ML Parity: the commit would be blocked: ${blocked.map(hookSummary).join('; ')}`
          : `ML Parity: pre-commit checks passed${results
              .map(unjudgedNote)
              .filter((n) => n !== undefined)
              .map((n) => `; ${n}`)
              .join('')}.`,
      );
      return toJsonSafe(results);
    }
    case ServerCommands.verifyStage: {
      const args = stageArgs(params.arguments?.[0]);
      if (!args) return new ResponseError(ErrorCodes.InvalidParams, 'expected [{ stage, uri }]');
      const report = await deps.verifyStage(args, token, progress);
      if (report instanceof ResponseError) return report;
      show(
        deps,
        report.status === 'equivalent' ? MessageType.Info : MessageType.Error,
        `ML Parity: ${stageVerdictLine(report)}`,
      );
      return toJsonSafe(report);
    }
    default:
      return new ResponseError(ErrorCodes.InvalidParams, `unknown command ${params.command}`);
  }
}

/** The pre-commit checks on the staged content of each named folder (they run models, so trust is required). */
async function hookChecks(
  deps: CommandDeps,
  folderUri: string | undefined,
  token: CancellationToken,
  progress: WorkDoneProgressReporter,
): Promise<HookRunResult[] | ResponseError<void>> {
  if (!deps.trusted())
    return new ResponseError(ErrorCodes.InvalidRequest, 'Pre-commit checks are disabled in untrusted workspaces.');
  const folders = foldersNamed(deps.folders(), folderUri);
  if (folders.length === 0)
    return new ResponseError(
      ErrorCodes.InvalidParams,
      folderUri ? `${folderUri} is not a workspace folder of this server` : 'no workspace folder is open',
    );
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort());
  progress.begin('ML Parity: pre-commit checks', 0, undefined, true);
  try {
    const results: HookRunResult[] = [];
    for (const [i, folder] of folders.entries()) {
      progress.report(Math.round((i / folders.length) * 100), folder.root);
      results.push(
        await runHookChecks({ root: folder.root, signal: abort.signal, onProgress: (m) => progress.report(m) }),
      );
      if (abort.signal.aborted) return new ResponseError(LSPErrorCodes.RequestCancelled, 'pre-commit checks cancelled');
    }
    return results;
  } catch (e) {
    deps.log.error(`pre-commit checks failed: ${describeError(e)}`);
    return new ResponseError(ErrorCodes.InternalError, isEngineError(e) ? e.format() : describeError(e));
  } finally {
    sub.dispose();
    progress.done();
  }
}

function hookSummary(r: HookRunResult): string {
  const findings = r.analysis?.blocking ?? [];
  const cases = r.verify.filter((c) => c.status !== 'pass');
  const stages = (r.stages ?? []).filter((s) => s.blocking);
  const parts = [
    ...(findings.length
      ? [`${findings.length} finding(s) (${[...new Set(findings.map((f) => f.rule))].join(', ')})`]
      : []),
    ...(cases.length ? [`${cases.length} case(s) not passing (${cases.map((c) => c.name).join(', ')})`] : []),
    ...stages.map((s) => `${s.message}${s.own ? '' : ` (${s.reason})`}`),
  ];
  return `${r.root}: ${parts.join(', ') || 'blocked'}`;
}

function show(deps: CommandDeps, type: MessageType, message: string): void {
  void deps.connection.sendNotification(ShowMessageNotification.type, { type, message }).catch(() => undefined);
}
