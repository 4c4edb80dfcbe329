import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { StageReport } from '../../../server/src/protocol';
import { pollUntil } from '../deadline';
import { activateExtension, waitForDiagnostics, wsUri } from './helpers';

const EDGE = 'v >= 0 && v <= MAX_MEASUREMENT';

describe('Verify against HEAD on a changed stage', function () {
  this.timeout(180_000);

  it('the code action runs the check; a divergence leaves a diagnostic carrying the counterexample', async () => {
    await activateExtension();
    const uri = wsUri('src/pipeline/preprocess.ts');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.getText().indexOf(EDGE);
    assert.ok(at >= 0, 'the cleaning condition of dropIncomplete');
    try {
      // Unsaved: zero stops being a valid measurement.
      const start = doc.positionAt(at);
      assert.ok(await editor.edit((e) => e.replace(new vscode.Range(start, start.translate(0, 'v >= 0'.length)), 'v > 0')), 'edit applied');
      const action = await pollUntil('the Verify against HEAD action', 60_000, async () => {
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(start, start));
        return actions.find((a) => a.title === "ML Parity: Verify 'dropIncomplete' against HEAD" && a.command);
      });
      const report = await vscode.commands.executeCommand<StageReport | undefined>(action.command!.command, ...(action.command!.arguments ?? []));
      assert.ok(report, 'the command returns the report');
      assert.equal(report.stage, 'dropIncomplete');
      assert.equal(report.status, 'not-equivalent', JSON.stringify(report.notes));
      assert.ok(report.counterexample && Number(report.failures) > 0, 'a counterexample');
      const [[, diag]] = await waitForDiagnostics('stage-divergence', 'src/pipeline/preprocess.ts', 30_000);
      assert.match(diag.message, /^dropIncomplete: NOT EQUIVALENT on \d+ of \d+ inputs; smallest counterexample: dropIncomplete\(/);
      assert.ok(diag.message.includes(report.counterexample.display), 'the diagnostic names the counterexample');
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });
});
