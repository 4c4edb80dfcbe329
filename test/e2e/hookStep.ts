// The pre-commit hook as a user meets it: installed from the command palette, then real `git commit`s in the
// opened workspace (a git repository made by copyWorkspace), one blocked on a finding and one that goes through.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { pollUntil } from './deadline';
import { notificationTexts, runCommand } from './workbench';

/** A new exported function in a pipeline folder that no test calls: an untested-stage finding. */
const UNTESTED_STAGE = 'export function hookProbe(xs: number[]): number[] {\n  return xs.map((x) => x - 1);\n}\n';

/** The user's cache folder as the hook sees it: private, so the packaged CLI's code cache lands here. */
let xdgCache: string | undefined;

function git(cwd: string, ...args: string[]): { status: number | null; output: string } {
  const r = spawnSync(
    'git',
    ['-c', 'user.name=ML Parity e2e', '-c', 'user.email=e2e@ml-parity.invalid', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ...(xdgCache ? { XDG_CACHE_HOME: xdgCache, ML_PARITY_CACHE_DIR: undefined } : {}) },
    },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

function mustGit(cwd: string, ...args: string[]): string {
  const r = git(cwd, ...args);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.output}`);
  return r.output;
}

/**
 * Installs the hook through "ML Parity: Install Pre-commit Hook" and commits twice in `folder`. `cliMust`
 * is a path fragment the hook's command line must contain (the installed extension's bundled CLI).
 */
export async function hookStep(page: Page, folder: string, cliMust: string, timeoutMs: number): Promise<string> {
  xdgCache = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-e2e-xdg-cache-'));
  try {
    return await commitThroughHook(page, folder, cliMust, timeoutMs, xdgCache);
  } finally {
    fs.rmSync(xdgCache, { recursive: true, force: true });
    xdgCache = undefined;
  }
}

async function commitThroughHook(
  page: Page,
  folder: string,
  cliMust: string,
  timeoutMs: number,
  cache: string,
): Promise<string> {
  const hook = path.join(folder, '.git', 'hooks', 'pre-commit');
  fs.rmSync(hook, { force: true });
  const before = new Set(await notificationTexts(page));
  await runCommand(page, 'ML Parity: Install Pre-commit Hook');
  const note = await pollUntil('the hook install notification', timeoutMs, async () =>
    (await notificationTexts(page)).find(
      (t) => !before.has(t) && /ML Parity: (pre-commit hook installed|hook install failed)/.test(t),
    ),
  );
  if (!/installed/.test(note)) throw new Error(`install reported: ${note.replace(/\s+/g, ' ')}`);
  const script = fs.readFileSync(hook, 'utf8');
  const line = script.split('\n').find((l) => l.startsWith('exec ')) ?? '';
  if (!line.includes(cliMust)) throw new Error(`the hook does not run ${cliMust}: ${line}`);

  const stage = path.join(folder, 'src', 'pipeline', 'hookProbe.ts');
  fs.writeFileSync(stage, UNTESTED_STAGE);
  mustGit(folder, 'add', 'src/pipeline/hookProbe.ts');
  const head = mustGit(folder, 'rev-parse', 'HEAD').trim();
  const blocked = git(folder, 'commit', '-m', 'add an untested stage');
  if (blocked.status !== 1 || !/untested-stage/.test(blocked.output) || !/commit blocked/.test(blocked.output)) {
    throw new Error(
      `the commit with an untested stage was not blocked (exit ${blocked.status}): ${blocked.output.slice(-600)}`,
    );
  }
  if (mustGit(folder, 'rev-parse', 'HEAD').trim() !== head) throw new Error('a blocked commit moved HEAD');

  mustGit(folder, 'reset', '-q', 'HEAD', '--', 'src/pipeline/hookProbe.ts');
  fs.rmSync(stage);
  fs.appendFileSync(path.join(folder, 'README.md'), '\nA line committed through the ML Parity hook.\n');
  mustGit(folder, 'add', 'README.md');
  const allowed = git(folder, 'commit', '-m', 'docs: a clean change');
  if (allowed.status !== 0 || !/checks passed/.test(allowed.output)) {
    throw new Error(`the clean commit did not go through (exit ${allowed.status}): ${allowed.output.slice(-600)}`);
  }
  const subject = mustGit(folder, 'log', '-1', '--format=%s').trim();
  if (subject !== 'docs: a clean change') throw new Error(`HEAD is "${subject}" after the clean commit`);
  // The packaged CLI (dist/cli.js loading cliMain.js) keeps its compiled code in the user's cache folder.
  const bundled = fs.existsSync(path.join(path.dirname(cliMust), 'cliMain.js'));
  if (bundled && !fs.existsSync(path.join(cache, 'ml-parity', 'code', 'cliMain')))
    throw new Error(`the packaged CLI stored no code cache in ${cache}`);
  return `${bundled ? 'code cache stored; ' : ''}hook runs ${path.basename(path.dirname(cliMust))}/${path.basename(cliMust)}; untested stage blocked (exit 1), clean commit ${mustGit(folder, 'rev-parse', '--short', 'HEAD').trim()} went through`;
}
