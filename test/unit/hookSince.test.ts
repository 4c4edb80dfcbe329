import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runHookCommand } from '../../server/src/cli/hookCommand';
import { runHookChecks } from '../../server/src/engine/hooks/run';
import type { CliIO } from '../../server/src/cli/io';
import { BIN, cli, git, write, writeWorkspace, tryCommit, normalizeRows } from '../support/tmp';

// Real repositories and real `git commit`s through the installed hook script: the hook blocks only on
// findings the commit introduces (new relative to HEAD, matched by fingerprint); `--all` judges every
// finding located in a staged file, as before.

const CONFIG = JSON.stringify({
  analysis: {
    include: ['src/**/*.ts', 'test/**/*.ts'],
    pipelineFolders: ['src/pipeline'],
    testGlobs: ['test/**/*.test.ts'],
    clones: { minTokens: 30, minLines: 4 },
  },
});
const norm = normalizeRows;
const SHIFT = 'export function shift(xs: number[]): number[] {\n  return xs.map((x) => x + 1);\n}\n';
const testOf = (name: string): string =>
  `import { ${name} } from '../src/pipeline/${name}';\nit('${name}', () => ${name}([[1]]));\n`;

function io(cwd: string): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, cwd, isTTY: false, stdout: (s) => out.push(s), stderr: (s) => err.push(s) };
}

/**
 * Committed before the hook: `clean` and `scale` are tested stages, `scale` duplicates `clean` (an old
 * cross-stage duplicate, a warning that blocks by default when judged).
 */
async function repoWithOldDuplicate(all = false): Promise<string> {
  const repo = writeWorkspace(
    {
      'mlparity.config.json': CONFIG,
      'src/pipeline/clean.ts': norm('clean'),
      'src/pipeline/scale.ts': norm('scale'),
      'test/clean.test.ts': testOf('clean'),
      'test/scale.test.ts': testOf('scale'),
    },
    'mlp-hook-since-',
  );
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'init');
  const o = io(repo);
  assert.equal(
    await runHookCommand('install', { root: repo, node: process.execPath, cli: BIN, all }, o),
    0,
    o.err.join(''),
  );
  return repo;
}

describe('hook: blocks only on what the commit introduces', function () {
  this.timeout(60_000);
  const repos: string[] = [];
  afterEach(() => repos.splice(0).forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  const make = async (all = false): Promise<string> => {
    const r = await repoWithOldDuplicate(all);
    repos.push(r);
    return r;
  };

  it('a comment-only change to a file with an old duplicate passes; `hook run --all` would block it', async () => {
    const repo = await make();
    write(
      repo,
      'src/pipeline/scale.ts',
      `// Scales the rows.\n// (moved lines: the old clone now starts lower)\n${norm('scale')}// end\n`,
    );
    git(repo, 'add', '.');
    const all = io(repo);
    assert.equal(await runHookCommand('run', { root: repo, all: true }, all), 1, all.out.join(''));
    assert.match(all.out.join(''), /cross-stage-duplicate/);
    const r = tryCommit(repo);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /0 blocking findings \(fail on warning\) introduced by this commit \(compared with HEAD\)/);
    assert.match(
      r.output,
      /1 finding already in HEAD not judged; `ml-parity hook run --all` judges every finding in staged files/,
    );
    assert.equal(git(repo, 'rev-list', '--count', 'HEAD').trim(), '2');
  });

  it('a new untested stage blocks, and only it is listed', async () => {
    const repo = await make();
    write(repo, 'src/pipeline/shift.ts', SHIFT);
    write(repo, 'src/pipeline/scale.ts', `// touched too\n${norm('scale')}`);
    git(repo, 'add', '.');
    const r = tryCommit(repo);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /1 blocking finding \(fail on warning\) introduced by this commit/);
    assert.match(r.output, /src\/pipeline\/shift\.ts:1:17 untested-stage Stage 'shift'/);
    assert.doesNotMatch(r.output, /cross-stage-duplicate/);
    assert.equal(git(repo, 'rev-list', '--count', 'HEAD').trim(), '1');
  });

  it('deleting the only test of a stage blocks, though the finding is in a file not staged', async () => {
    const repo = await make();
    git(repo, 'rm', '-q', 'test/scale.test.ts');
    const r = tryCommit(repo);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /src\/pipeline\/scale\.ts:1:17 untested-stage Stage 'scale'/);
  });

  it('a hook installed with --all keeps judging every finding in staged files', async () => {
    const repo = await make(true);
    assert.match(fs.readFileSync(path.join(repo, '.git', 'hooks', 'pre-commit'), 'utf8'), / hook run --all$/m);
    write(repo, 'src/pipeline/scale.ts', `// a comment\n${norm('scale')}`);
    git(repo, 'add', '.');
    const r = tryCommit(repo);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /1 blocking finding \(fail on warning\) in staged files/);
  });

  it('a commit whose changed files have stored facts is judged without loading the TypeScript compiler', async () => {
    const repo = await make();
    // The first commit stores its analysis state (in node_modules/.cache beside package.json); `check`
    // stores the facts of the edited texts, as the editor does. A preloaded script reports at exit
    // whether the compiler was ever required.
    write(repo, 'package.json', '{ "name": "p", "private": true }\n');
    // `scale` loads util.ts and runs `used`, never `unused`.
    const util = (k: number): string =>
      `export function used(x: number): number {\n  return x;\n}\nexport function unused(x: number): number {\n  return x * ${k};\n}\n`;
    write(repo, 'src/util.ts', util(2));
    write(repo, 'src/pipeline/scale.ts', `import { used } from '../util';\n${norm('scale')}used(1);\n`);
    git(repo, 'add', '.');
    assert.equal(tryCommit(repo).status, 0);
    const report = path.join(repo, '.git', 'compiler-loaded');
    const probe = path.join(repo, '.git', 'probe.js');
    const compilerFile = path.join('@ts-morph', 'common', 'dist', 'typescript.js');
    fs.writeFileSync(
      probe,
      [
        "process.on('exit', () => {",
        `  const loaded = Object.keys(require.cache).some((f) => f.endsWith(${JSON.stringify(compilerFile)}));`,
        `  require('fs').writeFileSync(${JSON.stringify(report)}, String(loaded));`,
        '});',
      ].join('\n'),
    );
    let lastOutput = '';
    const hookRun = (): string => {
      const r = spawnSync(process.execPath, ['-r', probe, BIN, 'hook', 'run'], { cwd: repo, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      lastOutput = r.stdout;
      return fs.readFileSync(report, 'utf8');
    };
    write(repo, 'test/scale.test.ts', `${testOf('scale')}it('scale twice', () => scale(scale([[1]])));\n`);
    assert.notEqual(cli(repo, 'check').status, 2);
    git(repo, 'add', '.');
    assert.equal(hookRun(), 'false');
    // A changed helper a stage loads is mapped to its declarations from stored facts (both sides), not parsed.
    git(repo, 'commit', '-qm', 'test edit', '--no-verify');
    write(repo, 'src/util.ts', util(3));
    assert.notEqual(cli(repo, 'check').status, 2);
    git(repo, 'add', '.');
    assert.equal(hookRun(), 'false');
    assert.match(lastOutput, /no staged change to a stage's code/);
    // Attempted again (the result is cached): the stored state answers, the index is not analysed.
    assert.equal(hookRun(), 'false');
    assert.match(lastOutput, /no staged change to a stage's code/);
    // A new import has no stored resolution: the compiler resolves it (and the run still passes).
    git(repo, 'commit', '-qm', 'edits', '--no-verify');
    write(
      repo,
      'test/clean.test.ts',
      `import { scale } from '../src/pipeline/scale.js';\n${testOf('clean')}void scale;\n`,
    );
    assert.notEqual(cli(repo, 'check').status, 2);
    git(repo, 'add', '.');
    assert.equal(hookRun(), 'true');
  });

  it("reads the staged config, not the work tree's, also when the index listing supplies it", async () => {
    const repo = await repoWithOldDuplicate();
    const staged = JSON.stringify({ ...JSON.parse(CONFIG), stages: { verifyOnCommit: false } });
    write(repo, 'mlparity.config.json', staged);
    write(repo, 'src/pipeline/clean.ts', `${norm('clean')}// edited\n`);
    git(repo, 'add', '.');
    const off = 'stages: not verified (stages.verifyOnCommit is false)';
    // The work tree holds the staged config: read from the disk.
    assert.ok((await runHookChecks({ root: repo })).notes.includes(off));
    // The work tree's config differs: the staged one still decides (read from git's objects).
    write(repo, 'mlparity.config.json', CONFIG);
    assert.ok((await runHookChecks({ root: repo })).notes.includes(off));
    // The staged config removed from the index: the work tree's applies.
    git(repo, 'rm', '-q', '-f', '--cached', 'mlparity.config.json');
    assert.ok(!(await runHookChecks({ root: repo })).notes.includes(off));
  });
});
