import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, workspaceRoot } from './helpers';

describe('git pre-commit hook', () => {
  it('mlParity.installHook writes .git/hooks/pre-commit, uninstallHook removes it', async () => {
    await activateExtension();
    const root = workspaceRoot().fsPath;
    assert.ok(fs.existsSync(path.join(root, '.git')), 'the driver git-inits the workspace copy');
    const hook = path.join(root, '.git', 'hooks', 'pre-commit');
    fs.rmSync(hook, { force: true });

    const code = await vscode.commands.executeCommand<number | undefined>('mlParity.installHook');
    assert.equal(code, 0, 'install exit code');
    assert.ok(fs.existsSync(hook), 'pre-commit exists');
    assert.ok(fs.statSync(hook).mode & 0o100, 'pre-commit is executable');
    assert.match(fs.readFileSync(hook, 'utf8'), /ml-parity/i);

    assert.equal(
      await vscode.commands.executeCommand<number | undefined>('mlParity.uninstallHook'),
      0,
      'uninstall exit code',
    );
    assert.ok(!fs.existsSync(hook) || !/ml-parity/i.test(fs.readFileSync(hook, 'utf8')), 'our hook is gone');
  });
});
