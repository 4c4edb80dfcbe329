import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { runHookCommand } from '../../server/src/cli/hookCommand';
import type { CliIO } from '../../server/src/cli/io';
import { BIN, cli, git, tempDir, write } from '../support/tmp';

// The installed hook on real commits: a staged change to a stage's code is verified against HEAD.
const CONFIG = JSON.stringify({ stages: { count: 60, budgetMs: 20000 }, analysis: { include: ['src/**/*.ts', 'test/**/*.ts'], testGlobs: ['test/**/*.test.ts'] } });
const SLIDING = `/** @stage */
export function movingAverage(xs: number[], window: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + window <= xs.length; i++) {
    let s = 0;
    for (let j = i; j < i + window; j++) s += xs[j];
    out.push(s / window);
  }
  return out;
}
`;
// The window sum indexed from the window's start instead of the array's (xs.slice(i, i + window) would
// not do: slice counts a negative end from the back, which the tool reports for window < 0).
const EQUIVALENT = SLIDING.replace('for (let j = i; j < i + window; j++) s += xs[j];', 'for (let k = 0; k < window; k++) s += xs[i + k];');
const OFF_BY_ONE = SLIDING.replace('i + window <= xs.length', 'i + window < xs.length');
const TEST = "import { movingAverage } from '../src/smooth';\nmovingAverage([1, 2], 1);\n";

function commit(repo: string): { status: number | null; output: string } {
  const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', 'commit', '-m', 'change'], { cwd: repo, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

function io(cwd: string): CliIO & { err: string[] } {
  const err: string[] = [];
  return { err, cwd, isTTY: false, stdout: () => undefined, stderr: (s) => err.push(s) };
}

describe('pre-commit: staged changes to a stage are verified against HEAD', function () {
  this.timeout(120_000);
  let repo: string;
  beforeEach(async () => {
    repo = fs.realpathSync(tempDir('mlp-stagehook-'));
    git(repo, 'init', '-q');
    write(repo, 'mlparity.config.json', CONFIG);
    write(repo, 'src/smooth.ts', SLIDING);
    write(repo, 'test/smooth.test.ts', TEST);
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'init');
    const o = io(repo);
    assert.equal(await runHookCommand('install', { root: repo, node: process.execPath, cli: BIN }, o), 0, o.err.join(''));
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('blocks an off-by-one naming the stage and the counterexample, and accepting that stage alone lets it through', () => {
    write(repo, 'src/smooth.ts', OFF_BY_ONE);
    git(repo, 'add', '.');
    const blocked = commit(repo);
    assert.equal(blocked.status, 1, blocked.output);
    assert.match(blocked.output, /BLOCK src\/smooth\.ts:2 movingAverage: NOT EQUIVALENT on \d+ of 60 inputs; smallest counterexample: movingAverage\(.*\) → HEAD .*, index .*/);
    assert.match(blocked.output, /to accept this intended change to movingAverage alone \(the other checks still run\): ml-parity verify-stage movingAverage --accept/);
    assert.equal(git(repo, 'rev-list', '--count', 'HEAD').trim(), '1');

    const accept = cli(repo, 'verify-stage', 'movingAverage', '--accept');
    assert.equal(accept.status, 0, accept.stderr);
    const through = commit(repo);
    assert.equal(through.status, 0, through.output);
    assert.match(through.output, /NOTE src\/smooth\.ts:2 movingAverage: change accepted/);
    assert.equal(git(repo, 'rev-list', '--count', 'HEAD').trim(), '2');
  });

  it('allows an equivalent refactor, saying it was verified', () => {
    write(repo, 'src/smooth.ts', EQUIVALENT);
    git(repo, 'add', '.');
    const r = commit(repo);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /PASS src\/smooth\.ts:2 movingAverage: EQUIVALENT on 60 of 60 inputs \(HEAD vs index/);
  });

  it('judges the staged code, not the work tree, and stays off with stages.verifyOnCommit false', () => {
    write(repo, 'src/smooth.ts', OFF_BY_ONE);
    git(repo, 'add', '.');
    write(repo, 'src/smooth.ts', SLIDING); // fixed only in the work tree
    assert.equal(commit(repo).status, 1);

    write(repo, 'mlparity.config.json', JSON.stringify({ ...JSON.parse(CONFIG), stages: { verifyOnCommit: false } }));
    git(repo, 'add', 'mlparity.config.json');
    const off = commit(repo);
    assert.equal(off.status, 0, off.output);
    assert.match(off.output, /stages: not verified \(stages\.verifyOnCommit is false\)/);
  });
});
