import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { treeEntries } from '../analysis/gitIndex';
import { EngineError } from '../errors';
import { workTreeTop } from '../hooks/gitRun';

/** Files a stage build can need: sources, JSON (package.json, tsconfig, data imported as JSON). */
const WANTED = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|json)$/;
const MAX_BYTES = 4 << 20;

function git(cwd: string, args: string[], input?: string): Buffer {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EngineError('git-error', missing ? 'git is not installed or not on PATH' : r.error.message, { file: cwd });
  }
  if (r.status !== 0) throw new EngineError('git-error', `git ${args[0]} failed: ${r.stderr.toString('utf8').trim()}`, { file: cwd });
  return r.stdout;
}

/** Top of the git work tree holding `dir` (links resolved). */
export function gitTop(dir: string): string {
  return fs.realpathSync(workTreeTop(dir));
}

/**
 * Writes the source and JSON files of a revision (`rev`) or of the git index (`rev` undefined) into
 * `dir`, from git's objects: the work tree and the index are never touched. Returns how many files.
 */
export function materialize(top: string, rev: string | undefined, dir: string): number {
  const wanted = (rel: string): boolean => WANTED.test(rel) && !rel.split('/').includes('node_modules');
  let entries: { rel: string; blob: string }[];
  if (rev !== undefined) entries = treeEntries(top, rev, wanted);
  else {
    entries = [];
    // ls-files -s: "mode blob stage\tpath"; stage 0 only (a conflicted path has no single staged version).
    for (const rec of git(top, ['ls-files', '-s', '-z']).toString('utf8').split('\0')) {
      const m = /^(\d{6}) ([0-9a-f]{40,64}) 0\t(.+)$/s.exec(rec);
      if (m && (m[1] === '100644' || m[1] === '100755') && wanted(m[3])) entries.push({ rel: m[3], blob: m[2] });
    }
  }
  if (entries.length === 0) return 0;
  const out = git(top, ['cat-file', '--batch'], entries.map((e) => e.blob).join('\n') + '\n');
  let offset = 0;
  for (const e of entries) {
    const nl = out.indexOf(0x0a, offset);
    const size = Number(out.subarray(offset, nl).toString('utf8').split(' ')[2]);
    if (size <= MAX_BYTES) {
      const file = path.join(dir, e.rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, out.subarray(nl + 1, nl + 1 + size));
    }
    offset = nl + 1 + size + 1;
  }
  return entries.length;
}

const revisionTrees = new Map<string, string>();
let exitHook = false;

/**
 * The source files of a commit in a temp folder, kept for the process (commits never change), so a
 * language server verifying again against HEAD does not write the tree again. At most four are kept.
 */
export function revisionTree(top: string, commit: string): string {
  const key = `${top}\0${commit}`;
  const hit = revisionTrees.get(key);
  if (hit && fs.existsSync(hit)) return hit;
  const t = tempTree('mlp-stage-rev-');
  materialize(top, commit, t.dir);
  revisionTrees.set(key, t.dir);
  if (revisionTrees.size > 4) {
    const [oldKey, oldDir] = revisionTrees.entries().next().value as [string, string];
    revisionTrees.delete(oldKey);
    fs.rmSync(oldDir, { recursive: true, force: true });
  }
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const d of revisionTrees.values()) fs.rmSync(d, { recursive: true, force: true });
    });
  }
  return t.dir;
}

/** A private temp folder; `dispose` removes it. */
export function tempTree(prefix: string): { dir: string; dispose: () => void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
