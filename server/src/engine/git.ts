/**
 * The one place the engine runs git: every call goes through `git()`, so a missing git binary, a folder
 * outside a work tree and git's own complaints are reported the same way everywhere (EngineError with
 * the folder as location and git's stderr as reason).
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError, type EngineErrorCode } from './errors';

/** One git invocation's outcome; stdout stays bytes because blobs and model files are binary. */
export interface GitResult {
  ok: boolean;
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs git in `cwd` with `input` on stdin. A non-zero exit is returned, not thrown (for many questions
 * "no" is an answer); only a git that cannot be started throws, as EngineError('git-error').
 */
export function git(cwd: string, args: readonly string[], input?: string | Buffer): GitResult {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EngineError('git-error', missing ? 'git is not installed or not on PATH' : r.error.message, { file: cwd });
  }
  return { ok: r.status === 0, status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8').trim() };
}

/** stdout as UTF-8 when git succeeds, undefined on a non-zero exit. */
export function gitText(cwd: string, args: readonly string[], input?: string | Buffer): string | undefined {
  const r = git(cwd, args, input);
  return r.ok ? r.stdout.toString('utf8') : undefined;
}

/** stdout when git succeeds; otherwise EngineError(`code`) saying what failed, with git's stderr. */
export function gitOrThrow(
  cwd: string,
  args: readonly string[],
  opts: { input?: string | Buffer; code?: EngineErrorCode; what?: string; file?: string } = {},
): Buffer {
  const r = git(cwd, args, opts.input);
  if (r.ok) return r.stdout;
  const what = opts.what ?? `git ${args[0]} failed`;
  throw new EngineError(opts.code ?? 'git-error', r.stderr ? `${what}: ${r.stderr}` : what, { file: opts.file ?? cwd });
}

/** Top folder of the work tree holding `dir`; EngineError('not-a-git-repo') naming the folder otherwise. */
export function workTreeTop(dir: string): string {
  const top = gitText(dir, ['rev-parse', '--show-toplevel'])?.trim();
  if (!top) {
    throw new EngineError(
      'not-a-git-repo',
      `${path.resolve(dir)} is not inside a git work tree (run \`git init\` first, or pick the repository folder)`,
      { file: dir },
    );
  }
  return path.resolve(top);
}

/** Path of `file` relative to the work-tree top, with forward slashes as git expects. */
export function repoRelative(top: string, file: string): string {
  return path.relative(top, path.resolve(file)).split(path.sep).join('/');
}

/** Whether `rev` names a commit. */
export function revisionExists(top: string, rev: string): boolean {
  return git(top, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).ok;
}

/**
 * Reads `relPath` as it was at `rev`. An unknown revision and a path that did not exist there are
 * different errors, since the fixes differ (fetch or typo vs. wrong path).
 */
export function showAtRevision(top: string, rev: string, relPath: string): Buffer {
  if (!revisionExists(top, rev)) throw new EngineError('git-error', `git revision "${rev}" not found`, { file: top });
  const r = git(top, ['show', `${rev}:${relPath}`]);
  if (!r.ok) {
    throw new EngineError('git-path-missing', `"${relPath}" does not exist at git revision "${rev}"`, {
      file: path.join(top, relPath),
    });
  }
  return r.stdout;
}

/**
 * The folder git runs hooks from: `core.hooksPath` (relative to the work-tree top, `~` expanded) when
 * set, else `git rev-parse --git-path hooks`, which follows worktrees to the common git folder.
 */
export function hooksDir(top: string): string {
  const configured = gitText(top, ['config', '--get', 'core.hooksPath'])?.trim();
  if (configured) {
    const expanded = configured.startsWith('~/') ? path.join(os.homedir(), configured.slice(2)) : configured;
    return path.resolve(top, expanded);
  }
  const out = gitOrThrow(top, ['rev-parse', '--git-path', 'hooks'], { what: 'git rev-parse --git-path hooks failed' });
  return path.resolve(top, out.toString('utf8').trim());
}

/**
 * The staged (index) text of the regular files under `dir` that `accept` takes: absolute path → text.
 * This is what a commit would contain, whatever the work tree holds. Conflicted paths (no single
 * staged version) and symlinks are left out.
 */
export function readIndexTexts(dir: string, accept: (file: string) => boolean): Map<string, string> {
  const abs = path.resolve(dir);
  workTreeTop(abs);
  // `ls-files -s` lists index entries (mode, blob id, stage, path relative to cwd).
  const listing = gitOrThrow(abs, ['ls-files', '-s', '-z', '--', '.']).toString('utf8');
  const entries: { file: string; blob: string }[] = [];
  for (const rec of listing.split('\0')) {
    const m = /^(\d{6}) ([0-9a-f]{40,64}) (\d)\t(.+)$/s.exec(rec);
    if (!m || m[3] !== '0' || !(m[1] === '100644' || m[1] === '100755')) continue;
    const file = path.resolve(abs, m[4]);
    if (accept(file)) entries.push({ file, blob: m[2] });
  }
  const out = new Map<string, string>();
  if (entries.length === 0) return out;
  const input = entries.map((e) => e.blob).join('\n') + '\n';
  const batch = gitOrThrow(abs, ['cat-file', '--batch'], { input });
  let offset = 0;
  for (const e of entries) {
    const nl = batch.indexOf(0x0a, offset);
    const header = batch.subarray(offset, nl).toString('utf8').split(' ');
    const size = Number(header[2]);
    if (header[1] !== 'blob' || !Number.isFinite(size)) {
      throw new EngineError('git-error', `git cat-file: unexpected header '${header.join(' ')}'`, { file: e.file });
    }
    out.set(e.file, batch.subarray(nl + 1, nl + 1 + size).toString('utf8'));
    offset = nl + 1 + size + 1; // content is followed by a newline
  }
  return out;
}
