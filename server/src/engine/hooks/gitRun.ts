import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError } from '../errors';

/** Runs git; returns stdout (trimmed unless `raw`) or undefined on a non-zero exit. Throws only when git is missing. */
export function gitOut(cwd: string, args: string[], input?: string): string | undefined {
  const r = spawnSync('git', args, { cwd, input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EngineError('git-error', missing ? 'git is not installed or not on PATH' : r.error.message, { file: cwd });
  }
  return r.status === 0 ? r.stdout : undefined;
}

/** Top folder of the work tree holding `dir`; a clear EngineError when it is not in a git work tree. */
export function workTreeTop(dir: string): string {
  const out = gitOut(dir, ['rev-parse', '--show-toplevel']);
  const top = out?.trim();
  if (!top) {
    throw new EngineError('not-a-git-repo', `${path.resolve(dir)} is not inside a git work tree (run \`git init\` first, or pick the repository folder)`, { file: dir });
  }
  return path.resolve(top);
}

/**
 * The folder git runs hooks from: `core.hooksPath` (relative to the work-tree top, `~` expanded) when
 * set, else `git rev-parse --git-path hooks`, which follows worktrees to the common git folder.
 */
export function hooksDir(top: string): string {
  const configured = gitOut(top, ['config', '--get', 'core.hooksPath'])?.trim();
  if (configured) {
    const expanded = configured.startsWith('~/') ? path.join(os.homedir(), configured.slice(2)) : configured;
    return path.resolve(top, expanded);
  }
  const out = gitOut(top, ['rev-parse', '--git-path', 'hooks'])?.trim();
  if (!out) throw new EngineError('git-error', 'git rev-parse --git-path hooks failed', { file: top });
  return path.resolve(top, out);
}
