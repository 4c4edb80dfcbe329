import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, workspaceRoot } from './helpers';

function git(cwd: string, ...args: string[]): { status: number | null; output: string } {
  const r = spawnSync(
    'git',
    ['-c', 'user.name=ML Parity e2e', '-c', 'user.email=e2e@ml-parity.invalid', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8' },
  );
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('git pre-commit hook', () => {
  it('mlParity.installHook writes a hook that blocks a real commit with a finding; uninstallHook removes it', async () => {
    await activateExtension();
    const root = workspaceRoot().fsPath;
    assert.ok(fs.existsSync(path.join(root, '.git')), 'the driver git-inits the workspace copy');
    const hook = path.join(root, '.git', 'hooks', 'pre-commit');
    fs.rmSync(hook, { force: true });

    const code = await vscode.commands.executeCommand<number | undefined>('mlParity.installHook');
    assert.equal(code, 0, 'install exit code');
    assert.ok(fs.statSync(hook).mode & 0o100, 'pre-commit is executable');
    assert.match(fs.readFileSync(hook, 'utf8'), /ml-parity/i);

    const stage = path.join(root, 'src', 'pipeline', 'suiteProbe.ts');
    fs.writeFileSync(
      stage,
      'export function suiteProbe(xs: number[]): number[] {\n  return xs.map((x) => x * 4);\n}\n',
    );
    try {
      assert.equal(git(root, 'add', 'src/pipeline/suiteProbe.ts').status, 0);
      const blocked = git(root, 'commit', '-m', 'an untested stage');
      assert.equal(blocked.status, 1, blocked.output);
      assert.match(blocked.output, /untested-stage[\s\S]*commit blocked/);
    } finally {
      git(root, 'reset', '-q', 'HEAD', '--', 'src/pipeline/suiteProbe.ts');
      fs.rmSync(stage, { force: true });
    }

    assert.equal(
      await vscode.commands.executeCommand<number | undefined>('mlParity.uninstallHook'),
      0,
      'uninstall exit code',
    );
    assert.ok(!fs.existsSync(hook) || !/ml-parity/i.test(fs.readFileSync(hook, 'utf8')), 'our hook is gone');
  });
});
