import * as vscode from 'vscode';
import type { VerifyReport } from '../../server/src/protocol';
import { ServerManager } from './client';
import { registerCommands } from './commands';
import { createLogger } from './logger';
import { ReportPanel } from './report';
import { StatusItem } from './status';

/** What `activate` returns, for tests and other extensions. */
export interface MlParityApi {
  /** Resolves once the language server has started (rejects if it could not). */
  ready: Promise<void>;
  lastReport(): VerifyReport | undefined;
}

let server: ServerManager | undefined;

export function activate(context: vscode.ExtensionContext): MlParityApi {
  const log = createLogger(context);
  const checksOutput = vscode.window.createOutputChannel('ML Parity Checks', 'ml-parity-output');
  const status = new StatusItem();
  const report = new ReportPanel(context.extensionUri);
  server = new ServerManager(context, log);
  let last: VerifyReport | undefined;
  server.onStatus((s) => status.show(s));
  context.subscriptions.push(
    checksOutput,
    status,
    report,
    server,
    ...registerCommands({
      context,
      server,
      log,
      report,
      checksOutput,
      setLastReport: (r) => (last = r),
      lastReport: () => last,
    }),
    // Trust enables verification, which the server decides at initialize: restart it.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void server?.restart()),
  );
  const ready = server.start();
  ready.catch(() =>
    status.show({ state: 'idle', findings: 0, error: 'ML Parity: server failed to start (see output)' }),
  );
  return { ready, lastReport: () => last };
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
