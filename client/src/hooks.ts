import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import type { Logger } from './logger';
import { entryPoint } from './paths';

/** The CLI shipped inside the extension (bundle when packaged, tsc output in development). */
function cliPath(context: vscode.ExtensionContext): string {
  return entryPoint(context, 'dist/cli.js', 'out/server/src/cli/bin.js');
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `ml-parity <args>` with the extension's own CLI in a folder. The hook logic lives in the CLI; this
 * only starts it. ELECTRON_RUN_AS_NODE makes the editor's runtime behave as plain node.
 */
function runCli(context: vscode.ExtensionContext, args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath(context), ...args],
      { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** `hook install|uninstall|run` in the first workspace folder, logged; returns the CLI result. */
export async function runHookCommand(
  context: vscode.ExtensionContext,
  log: Logger,
  sub: 'install' | 'uninstall' | 'run',
): Promise<CliResult | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('ML Parity: open a folder first.');
    return undefined;
  }
  // The hook must run this extension's own CLI: in a packaged extension nothing else is on disk.
  const args = sub === 'install' ? ['hook', sub, '--cli', cliPath(context)] : ['hook', sub];
  const result = await runCli(context, args, folder.uri.fsPath);
  log.info(`ml-parity hook ${sub} exited with ${result.code}`);
  if (result.stderr.trim()) log.info(result.stderr.trim());
  return result;
}
