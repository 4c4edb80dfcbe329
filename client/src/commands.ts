import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { WorkDoneProgress, type WorkDoneProgressReport, type WorkDoneProgressBegin } from 'vscode-languageclient/node';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import { LastReportRequest, ListCasesRequest, ServerCommands, VerifyRequest, type StageReport, type VerifyCaseArgs, type VerifyReport, type VerifyStageArgs } from '../../server/src/protocol';
import type { ServerManager } from './client';
import { runHookCommand } from './hooks';
import type { Logger } from './logger';
import type { ReportPanel } from './report';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  server: ServerManager;
  log: Logger;
  report: ReportPanel;
  /** Output channel in the `ml-parity-output` language for CLI output (colourised by the grammar). */
  checksOutput: vscode.OutputChannel;
  setLastReport: (r: VerifyReport) => void;
  lastReport: () => VerifyReport | undefined;
}

/** Case to run: the argument, the only case, or the user's pick; undefined when the user backed out. */
async function pickCase(deps: CommandDeps, arg: VerifyCaseArgs | undefined): Promise<string | null | undefined> {
  if (arg?.caseName) return arg.caseName;
  const cases = (await deps.server.current?.sendRequest(ListCasesRequest)) ?? [];
  if (cases.length <= 1) return null;
  const picked = await vscode.window.showQuickPick(
    [{ label: 'All cases', name: null as string | null }, ...cases.map((c) => ({ label: c.name, description: c.candidate, name: c.name as string | null }))],
    { title: 'ML Parity: Verify Refactor', placeHolder: 'Which case?' },
  );
  return picked ? picked.name : undefined;
}

async function verifyRefactor(deps: CommandDeps, arg?: VerifyCaseArgs): Promise<VerifyReport | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('ML Parity: verification runs models and is disabled in untrusted workspaces.');
    return undefined;
  }
  const client = deps.server.current;
  if (!client) {
    void vscode.window.showErrorMessage('ML Parity: the language server is not running.', 'Show Output').then((b) => b && deps.log.show());
    return undefined;
  }
  const caseName = await pickCase(deps, arg);
  if (caseName === undefined) return undefined;
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'ML Parity: verifying', cancellable: true },
    async (progress, token) => {
      const workDoneToken = crypto.randomUUID();
      let last = 0;
      const sub = client.onProgress(WorkDoneProgress.type, workDoneToken, (v) => {
        if (v.kind === 'end') return;
        const p = v as WorkDoneProgressBegin | WorkDoneProgressReport;
        const pct = p.percentage ?? last;
        progress.report({ message: p.message, increment: Math.max(0, pct - last) });
        last = pct;
      });
      try {
        return await client.sendRequest(VerifyRequest, { ...(caseName ? { caseName } : {}), ...(arg?.folder ? { folder: arg.folder } : {}), workDoneToken }, token);
      } catch (e) {
        if (!token.isCancellationRequested) {
          deps.log.error(`verify failed: ${e instanceof Error ? e.message : String(e)}`);
          void vscode.window.showErrorMessage(`ML Parity: ${e instanceof Error ? e.message : String(e)}`);
        }
        return undefined;
      } finally {
        sub.dispose();
      }
    },
  );
  if (!report) return undefined;
  deps.setLastReport(report);
  deps.report.update(report);
  const failed = report.cases.filter((c) => c.status !== 'pass');
  const message = report.passed
    ? `ML Parity: ${report.cases.length} case(s) passed.`
    : `ML Parity: ${failed.length} of ${report.cases.length} case(s) failed (${failed.map((c) => c.name).join(', ')}).`;
  const show = report.passed ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
  void show(message, 'Open Report').then((b) => b && deps.report.show(report));
  return report;
}

/**
 * "Verify against HEAD" on a stage (the code action's server command lands here): the server compares the
 * stage as edited with HEAD; progress with Cancel; a divergence opens the report view (the server shows the
 * verdict line and leaves a diagnostic on the stage). Returns the report, or undefined when cancelled or failed.
 */
async function verifyStage(deps: CommandDeps, args: VerifyStageArgs | undefined): Promise<StageReport | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('ML Parity: verifying a stage runs its code and is disabled in untrusted workspaces.');
    return undefined;
  }
  const client = deps.server.current;
  if (!client || !args) return undefined;
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `ML Parity: verifying ${args.stage} against ${args.against ?? 'HEAD'}`, cancellable: true },
    async (progress, token) => {
      const workDoneToken = crypto.randomUUID();
      const sub = client.onProgress(WorkDoneProgress.type, workDoneToken, (v) => {
        if (v.kind !== 'end') progress.report({ message: v.message });
      });
      try {
        return (await client.sendRequest(ExecuteCommandRequest.type, { command: ServerCommands.verifyStage, arguments: [args], workDoneToken }, token)) as StageReport;
      } catch (e) {
        // The server already showed its error message (and cancelling is not a failure).
        if (!token.isCancellationRequested) deps.log.error(`verify-stage failed: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      } finally {
        sub.dispose();
      }
    },
  );
  if (report) deps.report.showStage(report, report.status !== 'equivalent');
  return report;
}

async function showReport(deps: CommandDeps): Promise<void> {
  const fromServer = await deps.server.current?.sendRequest(LastReportRequest).catch(() => null);
  deps.report.show(fromServer ?? deps.lastReport());
}

async function hook(deps: CommandDeps, sub: 'install' | 'uninstall' | 'run'): Promise<number | undefined> {
  const result = await runHookCommand(deps.context, deps.log, sub);
  if (!result) return undefined;
  if (sub === 'run') {
    deps.checksOutput.clear();
    deps.checksOutput.append(result.stdout + result.stderr);
    deps.checksOutput.show(true);
  }
  const ok = result.code === 0;
  const text = { install: 'pre-commit hook installed', uninstall: 'pre-commit hook removed', run: 'pre-commit checks passed' }[sub];
  if (ok) void vscode.window.showInformationMessage(`ML Parity: ${text}.`);
  else void vscode.window.showErrorMessage(`ML Parity: hook ${sub} failed (exit ${result.code}).`, 'Show Output').then((b) => b && (sub === 'run' ? deps.checksOutput.show() : deps.log.show()));
  return result.code;
}

/** Registers every palette command; ids match the `contributes.commands` entries. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mlParity.verifyRefactor', (arg?: VerifyCaseArgs) => verifyRefactor(deps, arg)),
    vscode.commands.registerCommand('mlParity.showReport', () => showReport(deps)),
    vscode.commands.registerCommand('mlParity.verifyStage', (arg?: VerifyStageArgs) => verifyStage(deps, arg)),
    vscode.commands.registerCommand('mlParity.installHook', () => hook(deps, 'install')),
    vscode.commands.registerCommand('mlParity.uninstallHook', () => hook(deps, 'uninstall')),
    vscode.commands.registerCommand('mlParity.runPrecommitChecks', () => hook(deps, 'run')),
    vscode.commands.registerCommand('mlParity.restartServer', () => deps.server.restart()),
    vscode.commands.registerCommand('mlParity.showOutput', () => deps.log.show()),
  ];
}
