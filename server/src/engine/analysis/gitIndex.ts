import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { EngineError } from '../errors';
import { isSourceFile } from './paths';

/**
 * The staged (index) content of the source files under `root`: absolute path → text. This is what a
 * commit would contain, regardless of the work tree. Throws EngineError 'not-a-git-repo' / 'git-error'.
 */
export function readStagedSources(root: string): Map<string, string> {
  const abs = path.resolve(root);
  git(abs, ['rev-parse', '--is-inside-work-tree'], 'not-a-git-repo');
  // `ls-files -s` lists index entries (mode, blob id, stage, path relative to cwd).
  const listing = git(abs, ['ls-files', '-s', '-z', '--', '.'], 'git-error').toString('utf8');
  const entries: { file: string; blob: string }[] = [];
  for (const rec of listing.split('\0')) {
    const m = /^(\d{6}) ([0-9a-f]{40,64}) (\d)\t(.+)$/s.exec(rec);
    // Stage 0 only (conflicted paths have no single staged version); regular files only.
    if (!m || m[3] !== '0' || !(m[1] === '100644' || m[1] === '100755')) continue;
    const file = path.resolve(abs, m[4]);
    if (isSourceFile(file)) entries.push({ file, blob: m[2] });
  }
  const out = new Map<string, string>();
  if (entries.length === 0) return out;
  const batch = git(abs, ['cat-file', '--batch'], 'git-error', entries.map((e) => e.blob).join('\n') + '\n');
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

function git(cwd: string, args: string[], code: 'not-a-git-repo' | 'git-error', input?: string): Buffer {
  try {
    return execFileSync('git', args, { cwd, input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    const what = code === 'not-a-git-repo' ? `${cwd} is not inside a git repository` : `git ${args[0]} failed`;
    throw new EngineError(code, stderr ? `${what}: ${stderr}` : what, { file: cwd });
  }
}
