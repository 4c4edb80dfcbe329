/**
 * The one place the engine runs git: every call goes through `git()`, so a missing git binary, a folder
 * outside a work tree and git's own complaints are reported the same way everywhere (EngineError with
 * the folder as location and git's stderr as reason).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError, type EngineErrorCode } from './errors';

/** One git invocation's outcome; stdout stays bytes because blobs and model files are binary. */
interface GitResult {
  ok: boolean;
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs git in `cwd` with `input` on stdin. A non-zero exit is returned, not thrown (for many questions
 * "no" is an answer); only a git that cannot be started throws, as EngineError('git-error').
 */
function git(cwd: string, args: readonly string[], input?: string | Buffer): GitResult {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EngineError('git-error', missing ? 'git is not installed or not on PATH' : r.error.message, {
      file: cwd,
    });
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

/** Folders found inside a work tree, and its top (one git process per folder, not per question). */
const tops = new Map<string, string>();

/** Top folder of the work tree holding `dir`; EngineError('not-a-git-repo') naming the folder otherwise. */
export function workTreeTop(dir: string): string {
  const known = tops.get(path.resolve(dir));
  if (known !== undefined && fs.existsSync(path.join(known, '.git'))) return known;
  const top = gitText(dir, ['rev-parse', '--show-toplevel'])?.trim();
  if (!top) {
    throw new EngineError(
      'not-a-git-repo',
      `${path.resolve(dir)} is not inside a git work tree (run \`git init\` first, or pick the repository folder)`,
      { file: dir },
    );
  }
  tops.set(path.resolve(dir), path.resolve(top));
  return path.resolve(top);
}

/**
 * The work-tree top holding `dir` and HEAD's commit id (undefined before the first commit), from one
 * git process; EngineError('not-a-git-repo') naming the folder when `dir` is not in a work tree.
 */
export function repoHead(dir: string): { top: string; head: string | undefined } {
  const abs = path.resolve(dir);
  // An unborn HEAD fails --verify after the top is printed; outside a repository nothing is printed.
  const r = git(abs, ['rev-parse', '--show-toplevel', '--verify', '--quiet', 'HEAD^{commit}']);
  const [top, head] = r.stdout.toString('utf8').split('\n');
  if (!top) return { top: workTreeTop(abs), head: undefined }; // the located error, or an odd git: ask alone
  tops.set(abs, path.resolve(top));
  return { top: path.resolve(top), head: r.ok && /^[0-9a-f]{40,64}$/.test(head ?? '') ? head : undefined };
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
 * The absolute path of `rel`, a path git listed relative to the absolute folder `abs` ('/'-separated, no
 * `.` or `..` segment): what path.resolve gives, without its cost (a hook lists the index and HEAD's tree:
 * 2,000 calls, 2-3 ms of a hook run's profile).
 */
function under(abs: string, rel: string): string {
  if (path.sep !== '/') return path.resolve(abs, rel);
  return abs.endsWith('/') ? abs + rel : `${abs}/${rel}`;
}

/** One regular file of a git tree or index: absolute path and blob id. */
export interface GitBlobEntry {
  file: string;
  blob: string;
}

function isRegular(mode: string): boolean {
  return mode === '100644' || mode === '100755';
}

/**
 * Index entries of the regular files under `dir` that `keep` accepts (given the absolute path). Stage 0
 * only: a conflicted path has no single staged version. Blob ids are content hashes, so nothing is read.
 */
export function indexEntries(dir: string, keep: (file: string) => boolean): GitBlobEntry[] {
  const abs = path.resolve(dir);
  workTreeTop(abs);
  // `ls-files -s` lists index entries (mode, blob id, stage, path relative to cwd).
  const listing = gitOrThrow(abs, ['ls-files', '-s', '-z', '--', '.']).toString('utf8');
  const entries: GitBlobEntry[] = [];
  for (const rec of listing.split('\0')) {
    const m = /^(\d{6}) ([0-9a-f]{40,64}) (\d)\t(.+)$/s.exec(rec);
    if (!m || m[3] !== '0' || !isRegular(m[1])) continue;
    const file = under(abs, m[4]);
    if (keep(file)) entries.push({ file, blob: m[2] });
  }
  return entries;
}

/**
 * The staged (index) text of the regular files under `dir` that `keep` accepts: absolute path → text.
 * This is what a commit would contain, whatever the work tree holds.
 */
export function readIndexTexts(dir: string, keep: (file: string) => boolean): Map<string, string> {
  return readBlobs(dir, indexEntries(dir, keep));
}

/** The commit id `rev` names, or an EngineError saying the revision does not exist. */
export function resolveCommit(dir: string, rev: string): string {
  const abs = path.resolve(dir);
  workTreeTop(abs);
  const r = git(abs, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  if (!r.ok) throw new EngineError('git-error', `git revision "${rev}" not found`, { file: dir });
  return r.stdout.toString('utf8').trim();
}

/** True when the repository holding `dir` has a commit at HEAD (false before the first commit). */
export function hasHead(dir: string): boolean {
  return revisionExists(path.resolve(dir), 'HEAD');
}

/**
 * Regular files of `commit` under `dir` that `keep` accepts (given the path relative to `dir`, with
 * '/'), with their blob ids. `dir` must be inside the repository's work tree.
 */
export function revisionEntries(dir: string, commit: string, keep: (rel: string) => boolean): GitBlobEntry[] {
  const abs = path.resolve(dir);
  // Paths are printed relative to the current folder, and `.` limits the listing to it.
  const listing = gitOrThrow(abs, ['ls-tree', '-r', '-z', commit, '--', '.']).toString('utf8');
  const entries: GitBlobEntry[] = [];
  for (const rec of listing.split('\0')) {
    const m = /^(\d{6}) blob ([0-9a-f]{40,64})\t(.+)$/s.exec(rec);
    if (!m || !isRegular(m[1]) || !keep(m[3])) continue;
    entries.push({ file: under(abs, m[3]), blob: m[2] });
  }
  return entries;
}

/** Folder of `dir` relative to the work-tree top, with '/' ('' at the top). */
export function workTreePrefix(dir: string): string {
  const abs = path.resolve(dir);
  workTreeTop(abs);
  return gitOrThrow(abs, ['rev-parse', '--show-prefix']).toString('utf8').trim().replace(/\/$/, '');
}

/** Regular files of the whole tree of `commit` that `keep` accepts (path relative to the top, with '/'). */
export function treeEntries(
  dir: string,
  commit: string,
  keep: (relToTop: string) => boolean,
): { rel: string; blob: string }[] {
  const listing = gitOrThrow(path.resolve(dir), ['ls-tree', '-r', '-z', '--full-tree', commit]).toString('utf8');
  const out: { rel: string; blob: string }[] = [];
  for (const rec of listing.split('\0')) {
    const m = /^(\d{6}) blob ([0-9a-f]{40,64})\t(.+)$/s.exec(rec);
    if (m && isRegular(m[1]) && keep(m[3])) out.push({ rel: m[3], blob: m[2] });
  }
  return out;
}

/** What the index would commit, against HEAD (or nothing, before the first commit): paths relative to the top. */
export interface StagedStatus {
  /** Added or modified (a rename counts as its new path added). */
  written: string[];
  /** Added (new to HEAD). */
  added: string[];
  deleted: string[];
  /** Every path whose staged entry differs from HEAD's (type changes included). */
  changed: string[];
}

/** The index against HEAD in one git process, renames not detected (each side is a path of its own). */
export function stagedStatus(top: string): StagedStatus {
  const parts = gitOrThrow(top, ['diff', '--cached', '--name-status', '--no-renames', '-z'])
    .toString('utf8')
    .split('\0');
  const out: StagedStatus = { written: [], added: [], deleted: [], changed: [] };
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = parts[i];
    // --no-renames leaves no two-path records; should git print one anyway, its new path is the one staged.
    if (/^[RC]/.test(status)) i++;
    const file = parts[i + 1];
    if (!status || !file) continue;
    out.changed.push(file);
    if (/^[ACMR]/.test(status)) out.written.push(file);
    if (/^[ACR]/.test(status)) out.added.push(file);
    else if (status === 'D') out.deleted.push(file);
  }
  return out;
}

/**
 * Renames git detects between `commit` and the index (`staged`) or the work tree, as absolute old
 * path → new path, for the files under `dir`.
 */
export function renamesSince(dir: string, commit: string, staged: boolean): Map<string, string> {
  const abs = path.resolve(dir);
  // --relative: paths relative to the current folder, like ls-tree's above.
  const args = ['diff', '--name-status', '-M', '-z', '--relative', ...(staged ? ['--cached'] : []), commit, '--', '.'];
  const parts = gitOrThrow(abs, args).toString('utf8').split('\0');
  const out = new Map<string, string>();
  for (let i = 0; i < parts.length; i++) {
    if (/^R\d*$/.test(parts[i]) && i + 2 < parts.length) {
      out.set(path.resolve(abs, parts[i + 1]), path.resolve(abs, parts[i + 2]));
      i += 2;
    } else if (/^[ACDMTUX]/.test(parts[i])) i += 1;
  }
  return out;
}

/**
 * The content of the given blobs, by file: the file itself when its bytes are that blob (its git
 * object id matches, so no process is started for a file the work tree holds unchanged), the rest
 * read with one `git cat-file --batch`.
 */
export function readBlobs(dir: string, entries: readonly GitBlobEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  const missing: GitBlobEntry[] = [];
  for (const e of entries) {
    const bytes = readIfBlob(e);
    if (bytes) out.set(e.file, bytes.toString('utf8'));
    else missing.push(e);
  }
  if (missing.length === 0) return out;
  entries = missing;
  const input = entries.map((e) => e.blob).join('\n') + '\n';
  const batch = gitOrThrow(path.resolve(dir), ['cat-file', '--batch'], { input });
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

/** The bytes of `e.file` when they are exactly the blob `e.blob` (git's object id: sha1 or sha256 of a header and the bytes). */
function readIfBlob(e: GitBlobEntry): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(e.file);
  } catch {
    return undefined;
  }
  const algorithm = e.blob.length === 64 ? 'sha256' : 'sha1';
  const id = createHash(algorithm).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  return id === e.blob ? bytes : undefined;
}
