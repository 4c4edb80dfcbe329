import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(prefix = 'mlp-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function write(dir: string, rel: string, content: string | Uint8Array): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

/** Runs git in `cwd` with a fixed identity; throws with git's message on failure. */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync(
    'git',
    [
      '-c',
      'user.name=Test',
      '-c',
      'user.email=test@example.com',
      '-c',
      'init.defaultBranch=main',
      '-c',
      'commit.gpgsign=false',
      ...args,
    ],
    { cwd, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Runs `git commit -m change` with the repository's hooks, as a user would; never throws. */
export function tryCommit(repo: string): { status: number | null; output: string } {
  const r = spawnSync(
    'git',
    [
      '-c',
      'user.name=Test',
      '-c',
      'user.email=test@example.com',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '-m',
      'change',
    ],
    { cwd: repo, encoding: 'utf8' },
  );
  return { status: r.status, output: r.stdout + r.stderr };
}

/** A duplicated-normalisation stage named `name`: the same code in two stages makes a cross-stage clone. */
export function normalizeRows(name: string): string {
  return (
    [
      `export function ${name}(rows: number[][]): number[][] {`,
      '  const means = rows[0].map((_, c) => rows.reduce((a, r) => a + r[c], 0) / rows.length);',
      '  const stds = rows[0].map((_, c) => Math.sqrt(rows.reduce((a, r) => a + (r[c] - means[c]) ** 2, 0) / rows.length) || 1);',
      '  const out = rows.map((r) => r.map((x, c) => (x - means[c]) / stds[c]));',
      '  if (out.length === 0) throw new Error("empty");',
      '  return out;',
      '}',
    ].join('\n') + '\n'
  );
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const EXAMPLE = path.join(REPO_ROOT, 'examples', 'workspace');
export const BIN = path.join(REPO_ROOT, 'bin', 'ml-parity');

/** Runs the real CLI binary. */
export function cli(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes `files` (relative path → text) into a fresh temp folder (real path, links resolved) and returns it. */
export function writeWorkspace(files: Record<string, string>, prefix = 'mlp-ws-'): string {
  const root = fs.realpathSync(tempDir(prefix));
  for (const [rel, text] of Object.entries(files)) write(root, rel, text);
  return root;
}
