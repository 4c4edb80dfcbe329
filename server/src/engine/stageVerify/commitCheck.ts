import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer } from '../analysis/analyzer';
import { DiskCache } from '../analysis/cache/diskCache';
import { FileCache } from '../analysis/cache/fileCache';
import type { StageDependencies } from '../analysis/stageDeps';
import { readStagedSources } from '../analysis/gitIndex';
import { hasHead } from '../git';
import type { Stage } from '../analysis/types';
import type { StagesConfig } from '../config/types';
import { EngineError, isEngineError } from '../errors';
import { loadConfig } from '../config/load';
import {
  describeChange,
  mayAlterStages,
  stageChange,
  touchesOwnCode,
  type FileDiff,
  type StageChange,
} from './changed';
import { stagedChangedFiles, stagedDiffs } from './diffs';
import { acceptCommand, stageVerdictLine } from './summary';
import { gitTop } from './tree';
import type { StageVerifyReport } from './types';

/** What the pre-commit step concluded for one stage whose behaviour the staged changes may alter. */
export interface StageCommitResult {
  stage: string;
  file: string;
  /** 1-based line of the stage's declaration in the staged file. */
  line: number;
  status: 'equivalent' | 'not-equivalent' | 'accepted' | 'not-verified';
  /** The verdict line, or why the stage could not be verified. */
  message: string;
  /** Why the stage was judged: "its code changed", "its helper mean (src/utils/stats.ts) changed". */
  reason: string;
  /** The change is to the stage's own declaration (else to code it runs or loads). */
  own: boolean;
  blocking: boolean;
  report?: StageVerifyReport;
}

/** Files a module can import: sources and JSON. */
const IMPORTABLE = /\.(json|[cm]?[jt]sx?)$/i;

/** A stage the staged changes may alter, and why. */
interface ChangedStage {
  stage: Stage;
  change: StageChange;
  /** Acceptances are keyed by this: the stage's staged code and every changed file it loads. */
  hash: string;
}

/**
 * The stages whose behaviour the staged changes may alter, index against HEAD: their own code changed,
 * or code they run or load did (a helper in another module, see changed.ts). Only files that differ from
 * HEAD are diffed; `dependencies` is the staged analysis's graph (made here from the index when absent).
 */
function changedStages(
  root: string,
  top: string,
  stages: readonly Stage[],
  source: (file: string) => string | undefined,
  dependencies: (() => StageDependencies | undefined) | undefined,
  changed: ReadonlySet<string> = stagedChangedFiles(top),
): ChangedStage[] {
  if (changed.size === 0 || stages.length === 0) return [];
  const deps = dependencies?.() ?? indexDependencies(root);
  const diffOf = stagedDiffs(top, changed, source, (f, t) => deps.lineFacts(f, t));
  const out: ChangedStage[] = [];
  // A changed file the analysis does not read (JSON, an excluded script) may be imported by any stage.
  const unanalysedChanged = [...changed].some((f) => IMPORTABLE.test(f) && !deps.analyses(f));
  // When every changed file is an analysed source, none is a file a stage imports unanalysed.
  const onlySources = [...changed].every((f) => deps.analyses(f));
  if (!unanalysedChanged && !deps.mayBeLoaded(changed)) return [];
  // Whether a changed file's changed lines touch code (not only comments, blank lines or types); diffed
  // only when a stage loads it.
  const alters = new Map<string, boolean>();
  const altering = (f: string): boolean => {
    let a = alters.get(f);
    if (a === undefined) {
      const d = diffOf(f);
      alters.set(f, (a = d !== undefined && mayAlterStages(f, d)));
    }
    return a;
  };
  for (const stage of stages) {
    // Cheap first: most stages load none of the changed files, or none that alter code (the walk reads facts).
    const loadsChange = deps.loads(stage).some((f) => changed.has(f) && (altering(f) || ownChange(stage, f)));
    if (!unanalysedChanged && !loadsChange) continue;
    // A stage the graph does not know (it should) is judged on any change to its file, as a whole.
    const reach = deps.reach(stage) ?? {
      key: '',
      units: new Set<string>(),
      files: [stage.body.file],
      wholeFiles: new Set([stage.body.file]),
      unanalysed: [],
    };
    const change = stageChange(stage, reach, diffOf, !onlySources);
    if (change) out.push({ stage, change, hash: acceptanceHash(top, stage, reach.files, diffOf) });
  }
  return out;

  function ownChange(stage: Stage, file: string): boolean {
    const d = file === stage.body.file ? diffOf(file) : undefined;
    return d !== undefined && touchesOwnCode(stage, d);
  }
}

/** The dependency graph of the index's sources (when the hook's analysis came from the cache). */
function indexDependencies(root: string): StageDependencies {
  const disk = DiskCache.forWorkspace(root);
  const analyzer = new Analyzer(root, loadConfig(root).analysis, {
    overrides: readStagedSources(root),
    exclusive: true,
    fileCache: disk ? new FileCache(disk) : undefined,
  });
  return analyzer.dependencies();
}

/**
 * verify-stage for every stage whose behaviour the staged changes may alter (see changedStages), the
 * index against HEAD, within the per-stage budget and the total one (stages not reached within it are
 * reported as not verified). A divergence blocks unless that exact staged code was
 * accepted (`ml-parity verify-stage NAME --accept`); a stage that cannot be built blocks too; a new
 * stage, a changed signature or ungeneratable parameters are reported, not blocking.
 */
export async function checkStagedStages(opts: {
  root: string;
  config: StagesConfig;
  /** Stages of the staged analysis (the hook has them already). */
  stages: readonly Stage[];
  /** The staged analysis's reference graph, when the hook's analyzer is at hand (or can be restored). */
  dependencies?: () => StageDependencies | undefined;
  /** The staged text of a source file (absolute path), read only for files that changed. */
  source: (file: string) => string | undefined;
  /** What the caller knows of the index already: whether HEAD exists, and the files differing from it (absolute). */
  staged?: { head: boolean; changed: ReadonlySet<string> };
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}): Promise<{ results: StageCommitResult[]; notes: string[] }> {
  const top = gitTop(opts.root);
  if (!(opts.staged?.head ?? hasHead(top)))
    return { results: [], notes: ['stages: not verified, there is no HEAD commit to compare with yet'] };
  const results: StageCommitResult[] = [];
  const notes: string[] = [];
  const todo = changedStages(opts.root, top, opts.stages, opts.source, opts.dependencies, opts.staged?.changed);
  if (todo.length === 0) return { results, notes };
  const accepted = readAccepted(top);
  // Loaded here: the verifier pulls in the type checker, which a commit changing no stage's code never needs.
  const { verifyStage } = require('./verifyStage') as typeof import('./verifyStage');
  // One total for the run: a helper many stages run must not cost their number times budgetMs.
  const deadline = Date.now() + opts.config.totalBudgetMs;
  for (const [i, { stage, change, hash }] of todo.entries()) {
    if (opts.signal?.aborted) {
      const left = todo.slice(i).map((c) => c.stage.name);
      notes.push(`stages: cancelled before verifying ${left.join(', ')}`);
      break;
    }
    const file = stage.body.file;
    const base = {
      stage: stage.name,
      file,
      line: stage.location.range.start.line + 1,
      reason: describeChange(change, top),
      own: change.kind === 'own',
    };
    if (!existsAtHead(top, file)) {
      // A new file has nothing at HEAD to be compared with; saying so costs no build.
      results.push({
        ...base,
        status: 'not-verified',
        message: `${stage.name}: not verified: new file, nothing at HEAD to compare with`,
        blocking: false,
      });
      continue;
    }
    if (accepted[stage.name] === hash) {
      results.push({
        ...base,
        status: 'accepted',
        message: `${stage.name}: change accepted (${acceptCommand(stage.name)}); not verified`,
        blocking: false,
      });
      continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      results.push({
        ...base,
        status: 'not-verified',
        message: `${stage.name}: not verified: the time for all stages (stages.totalBudgetMs, ${opts.config.totalBudgetMs} ms) was spent before it was reached; run ml-parity verify-stage ${stage.name}`,
        blocking: false,
      });
      continue;
    }
    opts.onProgress?.(`verifying stage ${stage.name} against HEAD (${base.reason})`);
    try {
      const report = await verifyStage({
        root: opts.root,
        stage: stage.name,
        knownStages: opts.stages,
        candidate: { kind: 'index' },
        baseline: { kind: 'revision', rev: 'HEAD' },
        count: opts.config.count,
        callTimeoutMs: opts.config.timeoutMs,
        budgetMs: Math.min(opts.config.budgetMs, left),
        signal: opts.signal,
      });
      const bad = report.status === 'not-equivalent';
      results.push({ ...base, status: report.status, message: stageVerdictLine(report), blocking: bad, report });
    } catch (e) {
      if (!isEngineError(e)) throw e;
      if (e.code === 'cancelled') throw e;
      // A version that does not build or load is a broken commit; the rest cannot be judged and says so.
      const blocking = e.code === 'stage-build-failed' || e.code === 'stage-load-failed';
      results.push({
        ...base,
        status: 'not-verified',
        message: `${stage.name}: not verified: ${e.format()}`,
        blocking,
      });
    }
  }
  return { results, notes };
}

function existsAtHead(top: string, file: string): boolean {
  const rel = path.relative(top, file).split(path.sep).join('/');
  return spawnSync('git', ['cat-file', '-e', `HEAD:${rel}`], { cwd: top }).status === 0;
}

/**
 * Hash of a stage's declaration as staged and of every changed file it loads: an acceptance holds for
 * exactly that code (any further edit to the stage or to what it runs is verified again).
 */
function acceptanceHash(
  top: string,
  stage: Stage,
  files: readonly string[],
  diffOf: (file: string) => FileDiff | undefined,
): string {
  const h = createHash('sha256');
  const own = diffOf(stage.body.file)?.now;
  const { start, end } = stage.body.range;
  if (own !== undefined)
    h.update(
      `${stage.name}\0${own
        .split('\n')
        .slice(start.line, end.line + 1)
        .join('\n')}`,
    );
  else h.update(`${stage.name}\0`);
  for (const f of [...files].sort()) {
    const d = diffOf(f);
    if (d) h.update(`\0${path.relative(top, f)}\0${d.now}`);
  }
  return h.digest('hex');
}

function acceptedFile(top: string): string {
  const r = spawnSync('git', ['rev-parse', '--git-path', 'ml-parity/accepted-stages.json'], {
    cwd: top,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new EngineError('git-error', 'git rev-parse --git-path failed', { file: top });
  return path.resolve(top, r.stdout.trim());
}

function readAccepted(top: string): Record<string, string> {
  try {
    const data = JSON.parse(fs.readFileSync(acceptedFile(top), 'utf8')) as unknown;
    return typeof data === 'object' && data !== null ? (data as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * Records the staged code of one stage as an intended change: the next hook run lets exactly that code
 * through without verifying it (any further edit to the stage is verified again). Kept in the git folder,
 * never committed. Throws EngineError when the stage is unknown or has no staged change.
 */
export function acceptStagedStage(root: string, name: string): { file: string; line: number } {
  const top = gitTop(root);
  const sources = readStagedSources(root);
  const deps = indexDependencies(root);
  const stage = deps.stages.find((s) => s.name === name);
  if (!stage) {
    const names = [...new Set(deps.stages.map((s) => s.name))].sort().join(', ') || 'none';
    throw new EngineError('stage-not-found', `no stage named "${name}" in the index (the stages are: ${names})`, {
      file: root,
    });
  }
  const found = changedStages(
    root,
    top,
    [stage],
    (f) => sources.get(f),
    () => deps,
  )[0];
  if (!found) {
    throw new EngineError(
      'usage',
      `stage "${name}" has no staged change against HEAD (nor has any code it runs): stage the change first (git add), then accept it`,
      { file: stage.body.file },
    );
  }
  const file = acceptedFile(top);
  const data = { ...readAccepted(top), [name]: found.hash };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 1) + '\n');
  return { file: stage.body.file, line: stage.location.range.start.line + 1 };
}
