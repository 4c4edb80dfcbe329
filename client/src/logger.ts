import * as vscode from 'vscode';

/** The one leveled log of the extension; the language client writes its own lines into the same channel. */
export type Logger = vscode.LogOutputChannel;

export function createLogger(context: vscode.ExtensionContext): Logger {
  const channel = vscode.window.createOutputChannel('ML Parity', { log: true });
  context.subscriptions.push(channel);
  return channel;
}
