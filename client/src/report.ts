import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { StageReport, VerifyReport } from '../../server/src/protocol';

/** Messages the webview script posts back. */
interface OpenFileMessage {
  type: 'open';
  file: string;
  line?: number;
}

function isOpenFile(m: unknown): m is OpenFileMessage {
  return (
    !!m &&
    typeof m === 'object' &&
    (m as OpenFileMessage).type === 'open' &&
    typeof (m as OpenFileMessage).file === 'string'
  );
}

/** The report page: strict CSP with a nonce, scripts and styles only from `media/`, no network. */
function reportHtml(
  webview: Pick<vscode.Webview, 'cspSource' | 'asWebviewUri'>,
  media: vscode.Uri,
  nonce: string,
): string {
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'report.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'report.css'));
  const csp = [
    `default-src 'none'`,
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>ML Parity Report</title>
</head>
<body>
<main id="root"><p class="empty">No verification has run yet. Run “ML Parity: Verify Refactor”.</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

/** One report panel, reused and refreshed when a new report arrives. */
export class ReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private report: VerifyReport | undefined;
  /** The last message posted: a verify report or a stage report, whichever came last. */
  private message: { type: 'report'; report: VerifyReport } | { type: 'stageReport'; report: StageReport } | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  show(report: VerifyReport | undefined): void {
    if (report) this.report = report;
    if (report) this.message = { type: 'report', report };
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('mlParity.report', 'ML Parity Report', vscode.ViewColumn.Beside, {
        enableScripts: true,
        localResourceRoots: [media],
        retainContextWhenHidden: false,
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m));
      this.panel.webview.html = reportHtml(this.panel.webview, media, crypto.randomBytes(16).toString('base64'));
    } else {
      this.panel.reveal(undefined, true);
    }
    this.post();
  }

  /** Updates an open panel (it also asks for the data itself once its script has loaded). */
  update(report: VerifyReport): void {
    this.report = report;
    this.message = { type: 'report', report };
    this.post();
  }

  /** A verify-stage result: shown in the panel (opened when `reveal`). */
  showStage(report: StageReport, reveal: boolean): void {
    this.message = { type: 'stageReport', report };
    if (reveal) this.show(undefined);
    else this.post();
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private post(): void {
    const message = this.message ?? (this.report ? { type: 'report', report: this.report } : undefined);
    if (this.panel && message) void this.panel.webview.postMessage(message);
  }

  private async onMessage(m: unknown): Promise<void> {
    if (m && typeof m === 'object' && (m as { type?: string }).type === 'ready') return this.post();
    if (!isOpenFile(m)) return;
    const uri = vscode.Uri.file(m.file);
    const line = Math.max(0, (m.line ?? 1) - 1);
    await vscode.window.showTextDocument(uri, {
      selection: new vscode.Range(line, 0, line, 0),
      viewColumn: vscode.ViewColumn.One,
    });
  }
}
