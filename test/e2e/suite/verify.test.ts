import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VerifyReport } from '../../../server/src/engine/verifyTypes';
import { activateExtension } from './helpers';

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
});
