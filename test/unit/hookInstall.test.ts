import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runHookCommand, type HookAction, type HookCommandOptions } from '../../server/src/cli/hookCommand';
import type { CliIO } from '../../server/src/cli/io';
import { hookStatus, installHook } from '../../server/src/engine/hooks/install';
import { cliBundleDir } from '../support/cliBundle';
import { git, REPO_ROOT, tempDir, write, tryCommit } from '../support/tmp';

// Installs into real temporary repositories and commits through the installed hook.
const CLI = path.join(REPO_ROOT, 'bin', 'ml-parity');
const CONFIG = JSON.stringify({
  analysis: {
    include: ['src/**/*.ts', 'test/**/*.ts'],
    pipelineFolders: ['src/pipeline'],
    testGlobs: ['test/**/*.test.ts'],
  },
});
const UNTESTED = 'export function shift(xs: number[]): number[] {\n  return xs.map((x) => x + 1);\n}\n';

async function hook(
  action: HookAction,
  root: string,
  extra: Partial<HookCommandOptions> = {},
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { cwd: root, isTTY: false, stdout: (s) => out.push(s), stderr: (s) => err.push(s) };
  const code = await runHookCommand(action, { root, node: process.execPath, cli: CLI, ...extra }, io);
  return { code, out: out.join(''), err: err.join('') };
}

/** A committed repository whose ML Parity workspace sits in `dir` (the repository root by default). */
function repoWithWorkspace(dir = ''): string {
  const repo = tempDir('mlp-hooki-');
  const at = (rel: string): string => (dir ? `${dir}/${rel}` : rel);
  git(repo, 'init', '-q');
  write(repo, at('mlparity.config.json'), CONFIG);
  write(
    repo,
    at('src/pipeline/scale.ts'),
    'export function scale(xs: number[]): number[] {\n  return xs.map((x) => x * 2);\n}\n',
  );
  write(repo, at('test/scale.test.ts'), "import { scale } from '../src/pipeline/scale';\nscale([1]);\n");
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'init');
  return repo;
}

function stageUntested(repo: string, rel = 'src/pipeline/shift.ts'): void {
  write(repo, rel, UNTESTED);
  git(repo, 'add', '.');
}

/** Bytes and permission bits, to check a restore is exact. */
function fingerprint(file: string): { bytes: string; mode: number } {
  return { bytes: fs.readFileSync(file).toString('base64'), mode: fs.statSync(file).mode & 0o777 };
}

describe('hook install / uninstall / status', function () {
  this.timeout(60_000);
  const made: string[] = [];
  const track = (dir: string): string => (made.push(dir), dir);
  after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('chains an existing hook: it still runs first, its failure still blocks, uninstall restores it exactly', async () => {
    const repo = track(repoWithWorkspace());
    const marker = path.join(track(tempDir('mlp-marker-')), 'ran');
    const original = path.join(repo, '.git', 'hooks', 'pre-commit');
    write(
      repo,
      '.git/hooks/pre-commit',
      `#!/bin/sh\n# the team's own hook\necho "own hook ran" >> '${marker}'\nif [ -f '${marker}.fail' ]; then exit 3; fi\n`,
    );
    fs.chmodSync(original, 0o750);
    const before = fingerprint(original);

    const installed = await hook('install', repo);
    assert.equal(installed.code, 0, installed.err);
    assert.match(installed.out, /Installed the ML Parity pre-commit check \(git-hook\)/);
    assert.match(installed.out, /previous hook runs first: .*pre-commit\.ml-parity-chained/);

    stageUntested(repo);
    const blocked = tryCommit(repo);
    assert.equal(blocked.status, 1, blocked.output);
    assert.equal(fs.readFileSync(marker, 'utf8'), 'own hook ran\n');
    assert.match(blocked.output, /untested-stage Stage 'shift'/);

    fs.writeFileSync(`${marker}.fail`, '');
    git(repo, 'reset', '-q', 'HEAD', '--', 'src/pipeline/shift.ts');
    write(
      repo,
      'src/pipeline/scale.ts',
      'export function scale(xs: number[]): number[] {\n  return xs.map((x) => 2 * x);\n}\n',
    );
    git(repo, 'add', 'src/pipeline/scale.ts');
    const ownFails = tryCommit(repo);
    assert.equal(ownFails.status, 1, 'the chained hook exit code blocks the commit');
    assert.doesNotMatch(ownFails.output, /ML Parity pre-commit/, 'ours does not run after the chained hook failed');
    fs.rmSync(`${marker}.fail`);
    assert.equal(tryCommit(repo).status, 0);

    const removed = await hook('uninstall', repo);
    assert.equal(removed.code, 0, removed.err);
    assert.match(removed.out, /Restored your previous hook/);
    assert.deepEqual(fingerprint(original), before);
    assert.ok(!fs.existsSync(`${original}.ml-parity-chained`));
    assert.deepEqual(hookStatus(repo).installed, []);
  });

  it('is idempotent: installing twice leaves one hook and one chained copy', async () => {
    const repo = track(repoWithWorkspace());
    write(repo, '.git/hooks/pre-commit', '#!/bin/sh\nexit 0\n');
    fs.chmodSync(path.join(repo, '.git/hooks/pre-commit'), 0o755);
    assert.equal((await hook('install', repo)).code, 0);
    const second = await hook('install', repo);
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, /Refreshed/);
    const hooks = fs
      .readdirSync(path.join(repo, '.git', 'hooks'))
      .filter((f) => f.startsWith('pre-commit') && !f.endsWith('.sample'));
    assert.deepEqual(hooks.sort(), ['pre-commit', 'pre-commit.ml-parity-chained']);
    assert.equal(
      fs.readFileSync(path.join(repo, '.git/hooks/pre-commit.ml-parity-chained'), 'utf8'),
      '#!/bin/sh\nexit 0\n',
    );
    const status = await hook('status', repo);
    assert.match(status.out, /^installed \(git-hook\): .*pre-commit\n {2}chained previous hook: /);
    assert.equal((await hook('uninstall', repo)).code, 0);
    assert.equal(fs.readFileSync(path.join(repo, '.git/hooks/pre-commit'), 'utf8'), '#!/bin/sh\nexit 0\n');
  });

  it('respects core.hooksPath (relative to the repository top)', async () => {
    const repo = track(repoWithWorkspace());
    git(repo, 'config', 'core.hooksPath', 'tools/githooks');
    const r = await hook('install', path.join(repo, 'src'));
    assert.equal(r.code, 0, r.err);
    assert.ok(fs.existsSync(path.join(repo, 'tools/githooks/pre-commit')));
    assert.ok(!fs.existsSync(path.join(repo, '.git/hooks/pre-commit')));
    stageUntested(repo);
    assert.equal(tryCommit(repo).status, 1);
    assert.equal((await hook('uninstall', repo)).code, 0);
    assert.ok(!fs.existsSync(path.join(repo, 'tools/githooks/pre-commit')));
  });

  it('installs into the common hooks folder from a linked worktree', async () => {
    const repo = track(repoWithWorkspace());
    const wt = path.join(track(tempDir('mlp-wt-')), 'wt');
    git(repo, 'worktree', 'add', '-q', wt);
    assert.equal((await hook('install', wt)).code, 0);
    assert.ok(fs.existsSync(path.join(repo, '.git/hooks/pre-commit')));
    stageUntested(wt);
    assert.equal(tryCommit(wt).status, 1);
  });

  it('husky: adds a marked block to .husky/pre-commit and uninstall gives back the original bytes', async () => {
    const repo = track(repoWithWorkspace());
    const marker = path.join(track(tempDir('mlp-marker-')), 'husky');
    const file = write(repo, '.husky/pre-commit', `#!/usr/bin/env sh\necho husky >> '${marker}'`);
    fs.chmodSync(file, 0o755);
    git(repo, 'config', 'core.hooksPath', '.husky');
    const before = fingerprint(file);
    const r = await hook('install', repo);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\(husky\): .*\.husky\/pre-commit/);
    assert.deepEqual(r.out.match(/note:/g), null, 'husky is active, so no activation note');
    assert.ok(!fs.existsSync(path.join(repo, '.git/hooks/pre-commit')));
    assert.equal((await hook('install', repo)).code, 0);
    assert.equal(fs.readFileSync(file, 'utf8').split('>>> ml-parity >>>').length, 2, 'one block after two installs');

    stageUntested(repo);
    const blocked = tryCommit(repo);
    assert.equal(blocked.status, 1, blocked.output);
    assert.match(blocked.output, /untested-stage/);
    assert.equal(fs.readFileSync(marker, 'utf8'), 'husky\n');

    assert.match((await hook('status', repo)).out, /installed \(husky\)/);
    assert.equal((await hook('uninstall', repo)).code, 0);
    assert.deepEqual(fingerprint(file), before);
  });

  it('husky listed in package.json: creates .husky/pre-commit and uninstall deletes it again', async () => {
    const repo = track(repoWithWorkspace());
    write(repo, 'package.json', JSON.stringify({ devDependencies: { husky: '^9.0.0' } }));
    fs.mkdirSync(path.join(repo, '.husky'));
    const r = await hook('install', repo);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /note: husky is not active/);
    const file = path.join(repo, '.husky/pre-commit');
    assert.match(fs.readFileSync(file, 'utf8'), /hook run \|\| exit \$\?/);
    assert.equal((await hook('uninstall', repo)).code, 0);
    assert.ok(!fs.existsSync(file));
  });

  it('pre-commit framework: adds a repo: local entry that blocks, and removes exactly what it added', async () => {
    const repo = track(repoWithWorkspace());
    const original =
      'repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n    hooks:\n      - id: trailing-whitespace\n';
    const file = write(repo, '.pre-commit-config.yaml', original);
    const r = await hook('install', repo);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\(pre-commit-config\)/);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^repos:\n# >>> ml-parity >>>|^repos:\n {2}# >>> ml-parity >>>/);
    assert.match(text, /\n {2}- repo: local\n {4}hooks:\n {6}- id: ml-parity\n/);
    assert.match(text, / language: system\n/);
    assert.match(text, / pass_filenames: false\n/);
    assert.match(text, / always_run: true\n/);
    // What the framework would run: the entry with shell quoting, from the repository top.
    const entry = JSON.parse(/entry: (".*")\n/.exec(text)![1]) as string;
    assert.ok(entry.includes(process.execPath) && entry.includes(CLI));
    stageUntested(repo);
    const run = spawnSync('sh', ['-c', entry], { cwd: repo, encoding: 'utf8' });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /untested-stage/);
    assert.equal((await hook('install', repo)).code, 0);
    assert.equal(fs.readFileSync(file, 'utf8').split('id: ml-parity').length, 2);
    assert.equal((await hook('uninstall', repo)).code, 0);
    assert.equal(fs.readFileSync(file, 'utf8'), original);
  });

  it('a workspace in a subfolder: the hook checks that workspace', async () => {
    const repo = track(repoWithWorkspace('ml'));
    assert.equal((await hook('install', path.join(repo, 'ml'))).code, 0);
    assert.match(fs.readFileSync(path.join(repo, '.git/hooks/pre-commit'), 'utf8'), /hook run --root 'ml'/);
    stageUntested(repo, 'ml/src/pipeline/shift.ts');
    const r = tryCommit(repo);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /src\/pipeline\/shift\.ts:1:\d+ untested-stage/);
  });

  it('outside a git repository every action exits 2 with a clear message', async () => {
    const plain = track(tempDir('mlp-nogit-'));
    for (const action of ['install', 'uninstall', 'status', 'run'] as const) {
      const r = await hook(action, plain);
      assert.equal(r.code, 2, action);
      assert.match(r.err, /is not inside a git work tree \(run `git init` first/);
    }
  });

  it('an editor runtime (Electron) runs the hook with ELECTRON_RUN_AS_NODE=1: a real commit is blocked, a clean one goes through', async () => {
    const repo = track(repoWithWorkspace());
    // Stands in for VS Code's binary: without the variable it would open a window, so it refuses.
    const fake = write(
      track(tempDir('mlp-electron-')),
      'code',
      `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "fake electron: would open an editor window" >&2; exit 97; }\nexec '${process.execPath}' "$@"\n`,
    );
    fs.chmodSync(fake, 0o755);
    installHook({ root: repo, node: fake, runAsNode: true, cli: CLI });
    stageUntested(repo);
    const blocked = tryCommit(repo);
    assert.equal(blocked.status, 1, blocked.output);
    assert.match(blocked.output, /untested-stage[\s\S]*commit blocked/);
    git(repo, 'reset', '-q', 'HEAD', '--', 'src/pipeline/shift.ts');
    write(repo, 'notes.md', 'nothing to check\n');
    git(repo, 'add', 'notes.md');
    const allowed = tryCommit(repo);
    assert.equal(allowed.status, 0, allowed.output);
    assert.match(allowed.output, /checks passed/);
  });

  it('without --cli the hook runs the script that started the CLI, also the bundled dist/cli.js', async function () {
    this.timeout(120_000);
    const repo = track(repoWithWorkspace());
    // Bundled as `npm run package` does: cli.js is the bootstrap that loads cliMain.js through the code cache.
    const bundle = path.join(await cliBundleDir(), 'cli.js');
    // The hook inherits this process's environment through git: its caches go to a temp folder, not ~/.cache.
    const cache = track(tempDir('mlp-hooki-cache-'));
    const saved = process.env.ML_PARITY_CACHE_DIR;
    process.env.ML_PARITY_CACHE_DIR = cache;
    try {
      const install = spawnSync(process.execPath, [bundle, 'hook', 'install'], { cwd: repo, encoding: 'utf8' });
      assert.equal(install.status, 0, install.stdout + install.stderr);
      assert.ok(fs.readFileSync(path.join(repo, '.git/hooks/pre-commit'), 'utf8').includes(`'${bundle}' hook run`));
      stageUntested(repo);
      const blocked = tryCommit(repo);
      assert.equal(blocked.status, 1, blocked.output);
      assert.match(blocked.output, /untested-stage/);
      // The bundle's compiled code, kept for the next commit.
      assert.equal(fs.readdirSync(path.join(cache, 'code', 'cliMain')).length, 1);
    } finally {
      if (saved === undefined) delete process.env.ML_PARITY_CACHE_DIR;
      else process.env.ML_PARITY_CACHE_DIR = saved;
    }
  });

  it('bad node or cli paths are refused before anything is written', async () => {
    const repo = track(repoWithWorkspace());
    const r = await hook('install', repo, { cli: 'relative/ml-parity' });
    assert.equal(r.code, 2);
    assert.match(r.err, /absolute, existing cli path/);
    assert.ok(!fs.existsSync(path.join(repo, '.git/hooks/pre-commit')));
  });
});
