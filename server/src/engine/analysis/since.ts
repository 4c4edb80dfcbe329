import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnalysisConfig } from '../config/types';
import type { Finding, Location } from '../findings';
import { compareWithBaseline, type BaselineComparison } from './baseline';
import { analyzeCached, analyzeHashed, type HashedAnalysis, type HashedFiles } from './cache/resultCache';
import { DiskCache, sha256 } from './cache/diskCache';
import {
  readBlobs,
  renamesSince,
  resolveCommit,
  revisionEntries,
  treeEntries,
  workTreePrefix,
  type GitBlobEntry,
} from '../git';
import { stagedSourceEntries } from './gitIndex';
import { isAnalysisInput, isSourceFile } from './paths';
import type { AnalysisResult, Stage } from './types';

/** What `check --since REV` and the pre-commit hook compare. */
export interface SinceOptions {
  root: string;
  config: AnalysisConfig;
  /** Any revision git understands (HEAD, main, a tag, a commit id). */
  rev: string;
  /** The commit `rev` names, when the caller has resolved it already. */
  commit?: string;
  /** The caller knows no file was both added and deleted since `rev`: there is no rename to look for. */
  noRenames?: boolean;
  /** Compare what is staged (the git index) with REV; otherwise the work tree. */
  staged: boolean;
  /** With `staged`: the index entries under `root`, when the caller has listed them already. */
  index?: readonly GitBlobEntry[];
  /** The persistent cache for both analyses (default: the workspace's; false: none). */
  cache?: DiskCache | false;
}

export interface SinceResult {
  rev: string;
  /** The commit `rev` named when the analysis ran. */
  commit: string;
  /** The analysis of the work tree or the index, complete (unfiltered). */
  result: AnalysisResult & { fromCache: boolean };
  /** Every finding now as new or unchanged relative to `commit`, and the ones fixed since. */
  comparison: BaselineComparison;
  /** The analysis at `commit` came from the cache (for the hook: left there by the previous commit's run). */
  baselineFromCache: boolean;
  /** The stages at `commit`, placed in the workspace (the hook names those the commit removes). */
  baselineStages: Stage[];
  /** The analysis notes at `commit` (the hook shows the notes the commit brings). */
  baselineNotes: string[];
  /** With `staged`: how the staged analysis was obtained (derived: only the changed files analysed again). */
  how?: HashedAnalysis['how'];
  /** With `staged`: the analyzer of the staged side, when this run computed it (not a cached result). */
  analyzer?: HashedAnalysis['analyzer'];
  /** With `staged` and a cached result: its analyzer, restored from its stored state (see HashedAnalysis). */
  restore?: HashedAnalysis['restore'];
}

// Files the analysis reads besides the sources: the file list and module resolution depend on them.
const CONFIG_FILES = /(^|\/)(package\.json|[tj]sconfig[^/]*\.json)$/;

/**
 * Analyses the work tree (or the index) and the same workspace at `rev` the same way, with the same
 * config, and tells which findings are new. The work-tree side is compared with a checkout of `rev`'s
 * sources and project files, so tsconfig.json and package.json at `rev` count as they did then; the
 * staged side with `rev`'s sources given exactly as the index is (both without the disk).
 */
export function analyzeSince(opts: SinceOptions): SinceResult {
  const root = path.resolve(opts.root);
  const commit = opts.commit ?? resolveCommit(root, opts.rev);
  const cache = opts.cache;
  if (opts.staged) {
    // Keyed by blob ids: HEAD's result, left by the previous commit's run, is found without reading a
    // file; the staged state is HEAD's analysis with the changed files analysed again (from HEAD's
    // analyzer when this run made it, else from the state the previous commit's run stored).
    const head = blobs(root, revisionEntries(root, commit, isAnalysisInput));
    const before = analyzeHashed(root, opts.config, head, { cache, keepState: true });
    const index = opts.index ? opts.index.filter((e) => isAnalysisInput(e.file)) : stagedSourceEntries(root);
    const now = analyzeHashed(root, opts.config, blobs(root, index), {
      cache,
      base: { files: head, analyzer: before.analyzer },
      keepState: true,
    });
    const result = now.result;
    return {
      rev: opts.rev,
      commit,
      result,
      comparison: compareWithBaseline(
        root,
        result.findings,
        before.result.findings,
        opts.noRenames ? new Map() : renamesSince(root, commit, true),
      ),
      baselineFromCache: before.result.fromCache,
      baselineStages: before.result.stages,
      baselineNotes: before.result.notes,
      how: now.how,
      analyzer: now.analyzer,
      restore: now.restore,
    };
  }
  const result = analyzeCached(root, opts.config, { cache });
  const disk = cache === false ? undefined : (cache ?? DiskCache.forWorkspace(root));
  const tree = checkoutRevision(root, commit, disk);
  try {
    const before = analyzeCached(tree.root, opts.config, { cache: disk ?? false });
    const baseline = before.findings.map((f) => rebase(f, tree.root, root));
    return {
      rev: opts.rev,
      commit,
      result,
      comparison: compareWithBaseline(root, result.findings, baseline, renamesSince(root, commit, false)),
      baselineFromCache: before.fromCache,
      baselineStages: before.stages.map((st) => rebaseStage(st, tree.root, root)),
      baselineNotes: before.notes,
    };
  } finally {
    tree.dispose();
  }
}

function blobs(root: string, entries: GitBlobEntry[]): HashedFiles {
  return {
    hashes: new Map(entries.map((e) => [e.file, e.blob])),
    read: (only) => readBlobs(root, only ? entries.filter((e) => only.has(e.file)) : entries),
  };
}

/** Checkouts kept in the cache folder (a commit's content never changes, so one can be reused as is). */
const TREES_KEPT = 4;

/**
 * A private checkout of `commit`'s sources and project files (package.json, tsconfig*.json, also in
 * the folders above the workspace, which `extends` may name), laid out as in the repository. Nothing
 * in the repository, its index or work tree changes. With a cache folder the checkout is kept there
 * (at a path fixed by the commit, so the cached facts and results of its files are found again);
 * otherwise it is a temp folder removed after use.
 */
function checkoutRevision(
  root: string,
  commit: string,
  disk: DiskCache | undefined,
): { root: string; dispose: () => void } {
  const prefix = workTreePrefix(root);
  if (disk) {
    const dir = path.join(disk.dir, 'trees', sha256(`${commit}\0${prefix}`).slice(0, 24));
    const marker = path.join(dir, '.complete');
    const kept = { root: path.join(dir, prefix), dispose: () => undefined };
    if (fs.existsSync(marker)) {
      fs.utimesSync(dir, new Date(), new Date()); // most recently used: kept by pruneTrees
      return kept;
    }
    // Written beside and renamed into place, so a concurrent run never sees half a checkout.
    const tmp = `${dir}.${process.pid}.tmp`;
    fs.rmSync(dir, { recursive: true, force: true });
    try {
      writeCheckout(root, commit, prefix, tmp);
      fs.writeFileSync(path.join(tmp, '.complete'), commit);
      fs.renameSync(tmp, dir);
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(marker)) throw e;
    }
    pruneTrees(path.dirname(dir));
    return kept;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-since-'));
  const dispose = (): void => fs.rmSync(dir, { recursive: true, force: true });
  try {
    writeCheckout(root, commit, prefix, dir);
    return { root: path.join(dir, prefix), dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

function writeCheckout(root: string, commit: string, prefix: string, dir: string): void {
  const under = (rel: string): boolean => prefix === '' || rel === prefix || rel.startsWith(prefix + '/');
  const above = (rel: string): boolean =>
    prefix === '' ? !rel.includes('/') : (prefix + '/').startsWith(path.posix.dirname(rel) + '/') || !rel.includes('/');
  const wanted = treeEntries(
    root,
    commit,
    (rel) => (under(rel) && (isSourceFile(rel) || CONFIG_FILES.test(rel))) || (above(rel) && CONFIG_FILES.test(rel)),
  );
  const texts = readBlobs(
    root,
    wanted.map((e) => ({ file: path.join(dir, e.rel), blob: e.blob })),
  );
  for (const [file, text] of texts) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  fs.mkdirSync(path.join(dir, prefix), { recursive: true });
}

function pruneTrees(dir: string): void {
  const trees = fs
    .readdirSync(dir)
    .filter((n) => !n.endsWith('.tmp'))
    .map((n) => ({ n, t: fs.statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of trees.slice(TREES_KEPT)) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
}

/** A finding of the checkout at `from`, placed at the same relative paths under `to`. */
function rebase(f: Finding, from: string, to: string): Finding {
  const move = mover(from, to);
  const moved = { ...f, file: move(f.file), related: f.related.map((r) => ({ ...r, file: move(r.file) })) };
  if (moved.rule === 'untested-stage' || moved.rule === 'unexecuted-stage')
    moved.data = { ...moved.data, file: move(moved.data.file) };
  return moved;
}

/** A stage of the checkout at `from`, placed at the same relative paths under `to`. */
function rebaseStage(st: Stage, from: string, to: string): Stage {
  const move = mover(from, to);
  const at = (l: Location): Location => ({ ...l, file: move(l.file) });
  return {
    ...st,
    location: at(st.location),
    body: at(st.body),
    ...(st.registration ? { registration: at(st.registration) } : {}),
  };
}

function mover(from: string, to: string): (file: string) => string {
  return (file) =>
    file === from || file.startsWith(from + path.sep) ? path.join(to, path.relative(from, file)) : file;
}
