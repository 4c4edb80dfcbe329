import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VerifyReport } from '../../../server/src/engine/verifyTypes';
import { activateExtension, wsUri } from './helpers';

async function verify(caseName: string): Promise<VerifyReport> {
  const report = await vscode.commands.executeCommand<VerifyReport | undefined>('mlParity.verifyRefactor', {
    caseName,
  });
  assert.ok(report, `mlParity.verifyRefactor returned a report for ${caseName}`);
  return report;
}

describe('mlParity.verifyRefactor', function () {
  this.timeout(180_000);

  it('passes fuse-matmul-add (MatMul+Add fused into Gemm)', async () => {
    const api = await activateExtension();
    const report = await verify('fuse-matmul-add');
    assert.equal(report.cases.length, 1);
    const [c] = report.cases;
    assert.equal(c.name, 'fuse-matmul-add');
    assert.equal(c.status, 'pass', c.error?.message);
    assert.equal(report.passed, true);
    assert.ok(c.outputs.length > 0, 'compared at least one output');
    assert.equal(api.lastReport()?.createdAt, report.createdAt, 'the API exposes the last report');
  });

  it('fails relu-to-leakyrelu (a real behaviour change)', async () => {
    await activateExtension();
    const report = await verify('relu-to-leakyrelu');
    const [c] = report.cases;
    assert.equal(c.name, 'relu-to-leakyrelu');
    assert.equal(c.status, 'fail', c.error?.message);
    assert.equal(report.passed, false);
  });

  it("the config file's Verify refactor action names the server command, which runs the Verify Refactor UI here", async () => {
    await activateExtension();
    const config = wsUri('mlparity.config.json');
    const doc = await vscode.workspace.openTextDocument(config);
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('"split-reduction"'));
    const found = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      config,
      new vscode.Range(line, 12, line, 12),
      'source.mlParity.verify',
    );
    const action = found.find((a): a is vscode.CodeAction => 'kind' in a && !!a.command);
    assert.ok(action?.command, `a verify action: ${found.map((a) => a.title).join(' | ')}`);
    assert.equal(action.command.command, 'mlParity.server.verify');
    const report = await vscode.commands.executeCommand<VerifyReport | undefined>(
      action.command.command,
      ...((action.command.arguments ?? []) as unknown[]),
    );
    assert.deepEqual(
      report?.cases.map((c) => [c.name, c.status]),
      [['split-reduction', 'pass']],
    );
  });

  it('offers "Explain divergence" on a failed case only, and it reports where the models part ways', async () => {
    await activateExtension();
    const config = wsUri('mlparity.config.json');
    const doc = await vscode.workspace.openTextDocument(config);
    const actionsAt = async (name: string): Promise<vscode.CodeAction[]> => {
      const line = doc
        .getText()
        .split('\n')
        .findIndex((l) => l.includes(`"${name}"`));
      const found = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
        'vscode.executeCodeActionProvider',
        config,
        new vscode.Range(line, 12, line, 12),
        'source.mlParity.verify',
      );
      return found.filter((a): a is vscode.CodeAction => 'kind' in a);
    };
    await verify('split-reduction');
    assert.deepEqual(
      (await actionsAt('split-reduction')).map((a) => a.title),
      ["ML Parity: Verify refactor 'split-reduction'"],
    );
    await verify('relu-to-leakyrelu');
    const actions = await actionsAt('relu-to-leakyrelu');
    assert.deepEqual(
      actions.map((a) => a.title),
      ["ML Parity: Verify refactor 'relu-to-leakyrelu'", "ML Parity: Explain divergence of 'relu-to-leakyrelu'"],
    );
    const explain = actions[1]?.command;
    assert.ok(explain);
    const report = await vscode.commands.executeCommand<VerifyReport | undefined>(
      explain.command,
      ...((explain.arguments ?? []) as unknown[]),
    );
    const d = report?.cases[0]?.divergence;
    assert.equal(d?.found, true, d?.reason);
    assert.equal(d?.baseline?.opType, 'Relu');
    assert.equal(d?.candidate?.opType, 'LeakyRelu');
  });
});
