/**
 * The cache and the pre-commit hook on the 1,000-file corpus, through the real CLI in fresh processes:
 * `check` cold (empty cache) and warm (unchanged files), `check` after a one-file edit, and
 * `hook run` on one-file commits in a git repository of the corpus (HEAD's result and analyzer state
 * stored by the previous commit's hook run, as in daily use; the first run, with nothing cached, is
 * reported apart, and so are commits that change a stage's code, on which verify-stage runs as well).
 * The commits run through each CLI given, interleaved: the repo's `bin/ml-parity` (tsc output) and the
 * packaged extension's `dist/cli.js` (the esbuild bundle a hook installed from the editor runs).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildCorpus, writeCorpus } from './corpus';
import { editSequence } from './edits';

const REPO = path.resolve(__dirname, '..', '..', '..');
/** The repo's CLI, run from the tsc output. */
export const BIN = path.join(REPO, 'bin', 'ml-parity');

/** Wall time of one CLI process; throws on exit codes other than those `ok` allows. */
function cliMs(cwd: string, args: string[], cacheDir: string, ok: number[] = [0], cli = BIN): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ML_PARITY_CACHE_DIR: cacheDir },
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = performance.now() - t0;
  if (!ok.includes(r.status ?? -1)) throw new Error(`ml-parity ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** `check` over the corpus with an empty cache, then again with nothing changed. */
export function checkColdWarm(
  root: string,
  cacheDir: string,
  outFile: string,
): { coldMs: number; warmMs: number; offMs: number } {
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const coldMs = cliMs(root, ['check', '--format', 'json', '--out', outFile], cacheDir);
  const warmMs = cliMs(root, ['check', '--format', 'json', '--out', outFile], cacheDir);
  // The CLI as it ran before the persistent cache existed: what an empty cache's writes are compared with.
  const offMs = cliMs(root, ['check', '--format', 'json', '--out', outFile], 'off');
  return { coldMs, warmMs, offMs };
}

export interface CommitRuns {
  /** `check` after a one-file edit, the rest of the cache warm. */
  checkAfterEditMs: number[];
  /** `hook run` on a one-file commit that changes no stage's code (the analysis alone), HEAD's state cached. */
  hookMs: number[];
  /** `hook run` on a one-file commit that changes a stage's code (verify-stage runs on it too). */
  hookStageMs: number[];
  /** The first `hook run` in the repository (nothing cached: both states analysed). */
  firstHookMs: number;
  /** What the hook said about the commits (the last run). */
  lastSummary: string;
}

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync(
    'git',
    ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/**
 * `count` one-file commits (body edits of stage and helper modules, some test edits) through `hook run`,
 * the same commits for each CLI in `clis`, each in its own repository and cache, interleaved commit by
 * commit (in alternating order) so that a busy machine weighs on all alike; one result per CLI.
 */
export function commitRuns(workDir: string, count: number, clis: readonly string[]): CommitRuns[] {
  const runs = clis.map((cli, k) => {
    const root = path.join(workDir, `commits-${k}`, 'repo');
    const cacheDir = path.join(workDir, `commits-${k}`, 'cache');
    fs.rmSync(path.dirname(root), { recursive: true, force: true });
    const corpus = buildCorpus(root);
    writeCorpus(corpus);
    git(root, 'init', '-q');
    git(root, 'add', '.');
    git(root, 'commit', '-qm', 'corpus');
    const out: CommitRuns = { checkAfterEditMs: [], hookMs: [], hookStageMs: [], firstHookMs: 0, lastSummary: '' };
    return { cli, root, cacheDir, edits: editSequence(corpus, count + 1, 11), out };
  });
  for (let i = 0; i <= count; i++) {
    for (const run of i % 2 === 0 ? runs : [...runs].reverse()) commit(run, i);
  }
  return runs.map((r) => r.out);
}

interface CommitRun {
  cli: string;
  root: string;
  cacheDir: string;
  edits: ReturnType<typeof editSequence>;
  out: CommitRuns;
}

/** Edit `i`: check after the edit (work tree), then the commit of that one file through the hook. */
function commit({ cli, root, cacheDir, edits, out }: CommitRun, i: number): void {
  const e = edits[i];
  fs.writeFileSync(path.join(root, e.rel), e.text);
  if (i > 0)
    out.checkAfterEditMs.push(
      cliMs(root, ['check', '--format', 'json', '--out', path.join(root, '..', 'check.json')], cacheDir, [0], cli),
    );
  git(root, 'add', e.rel);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'hook', 'run'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ML_PARITY_CACHE_DIR: cacheDir },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cli} hook run exited ${r.status}: ${r.stderr}`);
  if (i === 0) out.firstHookMs = ms;
  else if (/no staged change to a stage's code/.test(r.stdout)) {
    out.hookMs.push(ms);
    out.lastSummary = r.stdout.trim();
  } else out.hookStageMs.push(ms);
  git(root, 'commit', '-qm', `edit ${i}`, '--no-verify');
}
