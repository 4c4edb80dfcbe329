import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { EngineError } from './errors';

/** Result of a git invocation; stdout kept as bytes because model files are binary. */
interface GitResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

function git(cwd: string, args: string[]): GitResult {
  const r = spawnSync('git', args, { cwd, maxBuffer: 1 << 30 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EngineError('git-error', missing ? 'git is not installed or not on PATH' : r.error.message, { file: cwd });
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8').trim() };
}

/** Top folder of the repository holding `dir`, or an EngineError naming the folder. */
export function repoRoot(dir: string): string {
  const r = git(dir, ['rev-parse', '--show-toplevel']);
  if (r.status !== 0) {
    throw new EngineError('not-a-git-repo', `not inside a git repository (${r.stderr || 'git rev-parse failed'})`, { file: dir });
  }
  return r.stdout.toString('utf8').trim();
}

/** Path of `file` relative to the repository root, with forward slashes as git expects. */
export function repoRelative(root: string, file: string): string {
  return path.relative(root, path.resolve(file)).split(path.sep).join('/');
}

/**
 * Reads `relPath` as it was at `rev`. Distinguishes an unknown revision from a path that did not exist
 * there, since the fixes differ (fetch/typo vs. wrong path).
 */
export function showAtRevision(root: string, rev: string, relPath: string): Buffer {
  const revCheck = git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  if (revCheck.status !== 0) {
    throw new EngineError('git-error', `git revision "${rev}" not found`, { file: root });
  }
  const r = git(root, ['show', `${rev}:${relPath}`]);
  if (r.status !== 0) {
    throw new EngineError('git-path-missing', `"${relPath}" does not exist at git revision "${rev}"`, {
      file: path.join(root, relPath),
    });
  }
  return r.stdout;
}

/** Reads the staged (index) content of a file; undefined when it is not in the index. */
export function showStaged(root: string, relPath: string): Buffer | undefined {
  const r = git(root, ['show', `:${relPath}`]);
  return r.status === 0 ? r.stdout : undefined;
}

/** Paths (repo-relative) staged for commit: added, copied, modified or renamed. */
export function stagedPaths(root: string): string[] {
  const r = git(root, ['diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z']);
  if (r.status !== 0) throw new EngineError('git-error', r.stderr || 'git diff --cached failed', { file: root });
  return r.stdout.toString('utf8').split('\0').filter(Boolean);
}
