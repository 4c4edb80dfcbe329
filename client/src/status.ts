import * as vscode from 'vscode';
import type { StatusParams } from '../../server/src/protocol';

/** Status bar text for a server status; pure so it can be tested without VS Code. */
function statusText(s: StatusParams): string {
  if (s.error) return 'ML Parity $(warning) error';
  if (s.state === 'analysing') return 'ML Parity $(sync~spin) analysing';
  if (s.state === 'verifying') return 'ML Parity $(sync~spin) verifying';
  const notes = s.notes?.length ?? 0;
  const findings = `${s.findings} finding${s.findings === 1 ? '' : 's'}${notes ? `, ${notes} note${notes === 1 ? '' : 's'}` : ''}`;
  if (!s.lastVerify) return `ML Parity: ${findings}`;
  return `ML Parity: ${findings} | verify ${s.lastVerify.passed ? '$(check) pass' : '$(x) fail'}`;
}

/** The status bar item: analysing / N findings / last verify; click opens the report (or the log on error). */
export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mlParity.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'ML Parity';
    this.show({ state: 'idle', findings: 0 });
    this.item.show();
  }

  show(s: StatusParams): void {
    this.item.text = statusText(s);
    this.item.command = s.error ? 'mlParity.showOutput' : 'mlParity.showReport';
    const tip =
      s.error ??
      (s.lastVerify
        ? `Last verify: ${s.lastVerify.failed}/${s.lastVerify.cases} cases failed`
        : 'Show the ML Parity report');
    // Notes say what the analysis left out or did not compare: never only in the log.
    this.item.tooltip = s.notes?.length ? `${tip}\n\nNotes:\n${s.notes.map((n) => `- ${n}`).join('\n')}` : tip;
    this.item.backgroundColor =
      s.error || s.lastVerify?.passed === false ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
