import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { EngineError } from '../errors';
import { isSourceFile } from './paths';

/** One regular file of a git tree or index: absolute path and blob id. */
export interface GitBlobEntry {
  file: string;
  blob: string;
}

/**
 * The staged (index) content of the source files under `root`: absolute path → text. This is what a
 * commit would contain, regardless of the work tree. Throws EngineError 'not-a-git-repo' / 'git-error'.
 */
export function readStagedSources(root: string): Map<string, string> {
  return readBlobs(root, stagedSourceEntries(root));
}

/** Index entries of the source files under `root` (blob ids are content hashes: no file is read). */
export function stagedSourceEntries(root: string): GitBlobEntry[] {
  const abs = path.resolve(root);
  git(abs, ['rev-parse', '--is-inside-work-tree'], 'not-a-git-repo');
  // `ls-files -s` lists index entries (mode, blob id, stage, path relative to cwd).
  const listing = git(abs, ['ls-files', '-s', '-z', '--', '.'], 'git-error').toString('utf8');
  const entries: GitBlobEntry[] = [];
  for (const rec of listing.split('\0')) {
    const m = /^(\d{6}) ([0-9a-f]{40,64}) (\d)\t(.+)$/s.exec(rec);
    // Stage 0 only (conflicted paths have no single staged version); regular files only.
    if (!m || m[3] !== '0' || !isRegular(m[1])) continue;
    const file = path.resolve(abs, m[4]);
    if (isSourceFile(file)) entries.push({ file, blob: m[2] });
  }
  return entries;
}

/** The commit id `rev` names, or an EngineError saying the revision does not exist. */
export function resolveCommit(root: string, rev: string): string {
  git(path.resolve(root), ['rev-parse', '--is-inside-work-tree'], 'not-a-git-repo');
  try {
    return git(path.resolve(root), ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], 'git-error').toString('utf8').trim();
  } catch {
    throw new EngineError('git-error', `git revision "${rev}" not found`, { file: root });
  }
}

/** True when the repository holding `root` has a commit at HEAD (false before the first commit). */
export function hasHead(root: string): boolean {
  try {
    git(path.resolve(root), ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], 'git-error');
    return true;
  } catch {
    return false;
  }
}

/**
 * Regular files of `commit` under `root` that `keep` accepts (given the path relative to `root`,
 * with '/'), with their blob ids. `root` must be inside the repository's work tree.
 */
export function revisionEntries(root: string, commit: string, keep: (rel: string) => boolean = isSourceFile): GitBlobEntry[] {
  const abs = path.resolve(root);
  // Paths are printed relative to the current folder, and `.` limits the listing to it.
  const listing = git(abs, ['ls-tree', '-r', '-z', commit, '--', '.'], 'git-error').toString('utf8');
  const entries: GitBlobEntry[] = [];
  for (const rec of listing.split('\0')) {
    const m = /^(\d{6}) blob ([0-9a-f]{40,64})\t(.+)$/s.exec(rec);
    if (!m || !isRegular(m[1]) || !keep(m[3])) continue;
    entries.push({ file: path.resolve(abs, m[3]), blob: m[2] });
  }
  return entries;
}

/** Folder of `root` relative to the work-tree top, with '/' ('' at the top). */
export function workTreePrefix(root: string): string {
  return git(path.resolve(root), ['rev-parse', '--show-prefix'], 'not-a-git-repo').toString('utf8').trim().replace(/\/$/, '');
}

/** Regular files of the whole tree of `commit` that `keep` accepts (path relative to the top, with '/'). */
export function treeEntries(root: string, commit: string, keep: (relToTop: string) => boolean): { rel: string; blob: string }[] {
  const listing = git(path.resolve(root), ['ls-tree', '-r', '-z', '--full-tree', commit], 'git-error').toString('utf8');
  const out: { rel: string; blob: string }[] = [];
  for (const rec of listing.split('\0')) {
    const m = /^(\d{6}) blob ([0-9a-f]{40,64})\t(.+)$/s.exec(rec);
    if (m && isRegular(m[1]) && keep(m[3])) out.push({ rel: m[3], blob: m[2] });
  }
  return out;
}

/** The source files under `root` as they are in `commit`: absolute path → text. */
export function readSourcesAtRevision(root: string, commit: string): Map<string, string> {
  return readBlobs(root, revisionEntries(root, commit));
}

/**
 * Renames git detects between `commit` and the index (`staged`) or the work tree, as absolute old
 * path → new path, for the files under `root`.
 */
export function renamesSince(root: string, commit: string, staged: boolean): Map<string, string> {
  const abs = path.resolve(root);
  // --relative: paths relative to the current folder, like ls-tree's above.
  const args = ['diff', '--name-status', '-M', '-z', '--relative', ...(staged ? ['--cached'] : []), commit, '--', '.'];
  const parts = git(abs, args, 'git-error').toString('utf8').split('\0');
  const out = new Map<string, string>();
  for (let i = 0; i < parts.length; i++) {
    if (/^R\d*$/.test(parts[i]) && i + 2 < parts.length) {
      out.set(path.resolve(abs, parts[i + 1]), path.resolve(abs, parts[i + 2]));
      i += 2;
    } else if (/^[ACDMTUX]/.test(parts[i])) i += 1;
  }
  return out;
}

/** The content of the given blobs, by file, read with one `git cat-file --batch`. */
export function readBlobs(root: string, entries: readonly GitBlobEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  if (entries.length === 0) return out;
  const batch = git(path.resolve(root), ['cat-file', '--batch'], 'git-error', entries.map((e) => e.blob).join('\n') + '\n');
  let offset = 0;
  for (const e of entries) {
    const nl = batch.indexOf(0x0a, offset);
    const header = batch.subarray(offset, nl).toString('utf8').split(' ');
    const size = Number(header[2]);
    if (header[1] !== 'blob' || !Number.isFinite(size)) throw new EngineError('git-error', `git cat-file: unexpected header '${header.join(' ')}'`, { file: e.file });
    out.set(e.file, batch.subarray(nl + 1, nl + 1 + size).toString('utf8'));
    offset = nl + 1 + size + 1; // content is followed by a newline
  }
  return out;
}

function isRegular(mode: string): boolean {
  return mode === '100644' || mode === '100755';
}

function git(cwd: string, args: string[], code: 'not-a-git-repo' | 'git-error', input?: string): Buffer {
  try {
    return execFileSync('git', args, { cwd, input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    const what = code === 'not-a-git-repo' ? `${cwd} is not inside a git repository` : `git ${args[0]} failed`;
    throw new EngineError(code, stderr ? `${what}: ${stderr}` : what, { file: cwd });
  }
}
