import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCached } from '../analysis/cache/resultCache';
import { readStagedSources } from '../analysis/gitIndex';
import type { Analyzer } from '../analysis/analyzer';
import type { StageDependencies } from '../analysis/stageDeps';
import type { Stage } from '../analysis/types';
import { analyzeSince } from '../analysis/since';
import { isInside, isSourceFile, relPath } from '../analysis/paths';
import { CONFIG_FILE_NAME, loadConfig, parseConfig } from '../config/load';
import type { MlParityConfig } from '../config/types';
import { SEVERITY_ORDER, type Finding } from '../findings';
import { isCloneRule } from '../rules';
import { parseGitSpec } from '../onnx/modelSource';
import { casesFromConfig } from '../verifyCases';
import type { CaseReport, VerifyCase } from '../verifyTypes';
import { gitText, indexEntries, readBlobs, repoHead, revisionExists, stagedStatus, type GitBlobEntry } from '../git';
import { StagedSnapshot } from './staged';
import type { FailOn, HookRunOptions, HookRunResult, RemovedStage } from './types';

/**
 * The pre-commit checks on what the commit would contain (the index), never the work tree: the analysis
 * of the staged TS/JS sources, keeping findings located in staged files, and `verify` for the config
 * cases whose models or fixtures are staged, run on the staged bytes. Reads only; nothing in the work
 * tree or the index changes. Throws EngineError for bad input (not a repository, invalid config).
 */
export async function runHookChecks(opts: HookRunOptions): Promise<HookRunResult> {
  const failOn: FailOn = opts.failOn ?? 'warning';
  const { top, head } = repoHead(opts.root);
  const root = realpath(opts.root);
  const status = stagedStatus(top);
  const stagedAbs = status.written.map((p) => path.join(top, p)).filter((f) => f === root || isInside(root, f));
  const staged = new Set(stagedAbs);
  // A deleted test can leave stages untested: deletions count as touching the sources too.
  const deleted = status.deleted.map((p) => path.join(top, p)).filter((f) => isInside(root, f));
  // A JSON file a stage imports is code too (its stages are verified); project config files are not.
  const importedData = (f: string): boolean =>
    f.endsWith('.json') && !/(^|[\\/])(package(-lock)?|[jt]sconfig[^\\/]*|mlparity\.config)\.json$/.test(f);
  const analyse =
    stagedAbs.some((f) => isSourceFile(f) || importedData(f)) || (!opts.all && deleted.some(isSourceFile));
  // The analysis lists the index anyway; the listing holds the config's blob too (no process of its own).
  const index = analyse && !opts.all && head ? indexEntries(root, () => true) : undefined;
  const config = stagedConfig(top, root, index);
  const result: HookRunResult = {
    root,
    failOn,
    staged: stagedAbs.map((f) => relPath(root, f)),
    verify: [],
    skippedCases: [],
    notes: [],
    passed: true,
  };

  if (analyse) {
    opts.onProgress?.(`analysing the staged sources of ${root}`);
    const blocks = (f: Finding): boolean => SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[failOn];
    let stages: Stage[];
    let dependencies: (() => StageDependencies | undefined) | undefined;
    // The staged text of a file the analysis read (else git is asked).
    let analysed: (file: string) => string | undefined = () => undefined;
    if (opts.all || !head) {
      const analysis = analyzeCached(root, config.analysis, { overrides: readStagedSources(root), exclusive: true });
      const mine = analysis.findings.filter((f) => touchesCommit(f, staged));
      result.analysis = { files: analysis.files, blocking: mine.filter(blocks), other: mine.filter((f) => !blocks(f)) };
      stages = analysis.stages;
    } else {
      // Only what the commit introduces: the staged analysis against HEAD's, matched by fingerprint.
      const s = analyzeSince({
        root,
        config: config.analysis,
        rev: 'HEAD',
        commit: head,
        staged: true,
        index,
        noRenames: status.added.length === 0 || status.deleted.length === 0,
      });
      const introduced = s.comparison.current.filter((f) => f.state === 'new').map((f) => f.finding);
      const unchanged = s.comparison.current.length - introduced.length;
      result.analysis = {
        files: s.result.files,
        blocking: introduced.filter(blocks),
        other: introduced.filter((f) => !blocks(f)),
        since: { rev: 'HEAD', commit: s.commit, unchanged, fixed: s.comparison.absent.length },
      };
      stages = s.result.stages;
      // What the analysis could not judge that HEAD's could (e.g. code no longer compared for duplicates).
      const before = new Set(s.baselineNotes);
      result.notes.push(...s.result.notes.filter((n) => !before.has(n)).map((n) => `analysis: ${n}`));
      const removed = removedStages(s.baselineStages, stages);
      if (removed.length > 0) result.removedStages = removed;
      // A commit attempted again has its result cached: its analyzer is restored from the stored state
      // only if a stage needs it.
      let restored: { analyzer: Analyzer | undefined } | undefined = s.analyzer && { analyzer: s.analyzer };
      const stagedAnalyzer = (): Analyzer | undefined => (restored ??= { analyzer: s.restore?.() }).analyzer;
      dependencies = () => stagedAnalyzer()?.dependencies();
      analysed = (file) => stagedAnalyzer()?.text(file);
    }
    if (config.stages.verifyOnCommit) {
      // Stages whose own code, or code they run or load, differs from HEAD: index against HEAD.
      if (stages.length === 0 && head)
        result.stages = []; // nothing to verify: no need to load the checker
      else {
        // Loaded here: stage verification pulls in the type checker, which most commits never need.
        const { checkStagedStages } =
          require('../stageVerify/commitCheck') as typeof import('../stageVerify/commitCheck');
        const checked = await checkStagedStages({
          root,
          config: config.stages,
          stages,
          dependencies,
          source: (file) => analysed(file) ?? gitText(top, ['show', `:${relPath(top, file)}`]),
          staged: { head: head !== undefined, changed: new Set(status.changed.map((p) => path.join(top, p))) },
          signal: opts.signal,
          onProgress: opts.onProgress,
        });
        result.stages = checked.results;
        result.notes.push(...checked.notes);
      }
    } else result.notes.push('stages: not verified (stages.verifyOnCommit is false)');
  }

  const cases = casesFromConfig(config);
  const touched = cases.filter((c) => caseInputs(c).some((p) => stagedAbs.some((s) => s === p || isInside(p, s))));
  result.skippedCases = cases.filter((c) => !touched.includes(c)).map((c) => c.name);
  if (touched.length > 0) {
    // Loaded here: the verify engine is only needed when a commit touches a case's models or fixtures.
    const { runCase } = require('../verify') as typeof import('../verify');
    const snapshot = new StagedSnapshot(top);
    try {
      for (const c of touched) {
        if (opts.signal?.aborted) break;
        const missing = missingBaseline(top, c);
        if (missing) {
          result.skippedCases.push(c.name);
          result.notes.push(`${c.name}: skipped, ${missing}`);
          continue;
        }
        opts.onProgress?.(`verifying ${c.name} on the staged models`);
        const report = await runCase(stagedCase(c, snapshot), { signal: opts.signal });
        result.verify.push(unmapPaths(report, snapshot.dir, top));
      }
    } finally {
      snapshot.dispose();
    }
  }

  result.passed =
    (result.analysis?.blocking.length ?? 0) === 0 &&
    result.verify.every((r) => r.status === 'pass') &&
    !(result.stages ?? []).some((r) => r.blocking);
  return result;
}

/**
 * What a passing run could not judge, for its last line: changed stages that were not verified (no
 * inputs could be generated, a new file, an ES5 class, out of time…) and stages the commit removes.
 * Their lines say why; "passed" must not hide them.
 */
export function unjudgedNote(r: HookRunResult): string | undefined {
  const n = (r.stages ?? []).filter((s) => s.status === 'not-verified' && !s.blocking).length;
  const gone = [...new Set((r.removedStages ?? []).map((s) => s.stage))];
  const parts = [
    ...(n > 0 ? [`${n} changed stage${n === 1 ? '' : 's'} not verified`] : []),
    ...(gone.length > 0 ? [`stage${gone.length === 1 ? '' : 's'} ${gone.join(', ')} removed by this commit`] : []),
  ];
  return parts.length === 0 ? undefined : `${parts.join('; ')} (see the NOTE lines)`;
}

/** The stages at HEAD whose names the commit's analysis no longer finds, in HEAD's order. */
function removedStages(head: readonly Stage[], now: readonly Stage[]): RemovedStage[] {
  const names = new Set(now.map((s) => s.name));
  return head
    .filter((s) => !names.has(s.name))
    .map((s) => ({ stage: s.name, file: s.location.file, line: s.location.range.start.line + 1 }));
}

/** The config the commit would contain: the staged mlparity.config.json if any, else the one on disk. */
/** The config as staged (`index`: the listing of the index under `root`, when made already); else the work tree's. */
function stagedConfig(top: string, root: string, index: readonly GitBlobEntry[] | undefined): MlParityConfig {
  const file = path.join(root, CONFIG_FILE_NAME);
  let text: string | undefined;
  if (index) {
    const entry = index.find((e) => e.file === file);
    text = entry && readBlobs(top, [entry]).get(file);
  } else text = gitText(top, ['show', `:${relPath(top, file)}`]);
  return text === undefined ? loadConfig(root) : parseConfig(text, file);
}

function touchesCommit(f: Finding, staged: ReadonlySet<string>): boolean {
  if (staged.has(f.file)) return true;
  return isCloneRule(f.rule) && f.related.some((r) => staged.has(r.file));
}

/**
 * Why a `git:REV` baseline cannot exist yet (no commit, or the model is new at REV), else undefined:
 * with nothing to be equivalent to, a first commit of a model is not blocked.
 */
function missingBaseline(top: string, c: VerifyCase): string | undefined {
  const git = c.baseline ? parseGitSpec(c.baseline) : undefined;
  if (!git) return undefined;
  if (!revisionExists(top, git.rev)) return `no baseline yet: revision ${git.rev} does not exist`;
  const rel = relPath(top, realpath(git.path ?? c.candidate));
  if (gitText(top, ['cat-file', '-e', `${git.rev}:${rel}`]) === undefined)
    return `no baseline yet: ${rel} does not exist at ${git.rev}`;
  return undefined;
}

/** Work-tree paths a case reads: models given as paths and the fixtures (file or folder). */
function caseInputs(c: VerifyCase): string[] {
  const out = [c.candidate];
  if (c.baseline && !parseGitSpec(c.baseline)) out.push(c.baseline);
  if (c.fixtures) out.push(c.fixtures);
  return out;
}

/**
 * The case rewritten to read staged copies. A bare `git:REV` baseline means "the candidate's path at
 * REV", so it is pinned to the candidate's real path before the candidate moves to the snapshot.
 */
function stagedCase(c: VerifyCase, snap: StagedSnapshot): VerifyCase {
  const staged = (p: string): string => snap.materialize(p) ?? p;
  const git = c.baseline ? parseGitSpec(c.baseline) : undefined;
  const baseline = !c.baseline
    ? undefined
    : git
      ? git.path
        ? c.baseline
        : `git:${git.rev}:${c.candidate}`
      : staged(c.baseline);
  return {
    ...c,
    candidate: staged(c.candidate),
    baseline,
    fixtures: c.fixtures === undefined ? undefined : staged(c.fixtures),
  };
}

/** Reports name the work-tree paths, not the temp snapshot the bytes were read from. */
function unmapPaths(r: CaseReport, snapDir: string, top: string): CaseReport {
  const fix = (p: string): string =>
    p === snapDir || p.startsWith(snapDir + path.sep) ? path.join(top, path.relative(snapDir, p)) : p;
  return {
    ...r,
    ...(r.candidate
      ? { candidate: { ...r.candidate, spec: fix(r.candidate.spec), resolved: fix(r.candidate.resolved) } }
      : {}),
    ...(r.baseline
      ? { baseline: { ...r.baseline, spec: fix(r.baseline.spec), resolved: fix(r.baseline.resolved) } }
      : {}),
    fixtures: { ...r.fixtures, origin: fix(r.fixtures.origin) },
    ...(r.error
      ? {
          error: {
            ...r.error,
            message: r.error.message.split(snapDir + path.sep).join(top + path.sep),
            ...(r.error.file ? { file: fix(r.error.file) } : {}),
          },
        }
      : {}),
  };
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(path.resolve(p));
  } catch {
    return path.resolve(p);
  }
}
