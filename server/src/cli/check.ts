import * as fs from 'node:fs';
import * as path from 'node:path';
import { fingerprintFindings, type FingerprintedFinding } from '../engine/analysis/baseline';
import { DiskCache } from '../engine/analysis/cache/diskCache';
import { analyzeCached } from '../engine/analysis/cache/resultCache';
import { readStagedSources } from '../engine/analysis/gitIndex';
import {
  currentProjectOf,
  findingInScope,
  includingNamed,
  projectRootOf,
  sourceFilesOf,
  unanalysedScope,
} from '../engine/analysis/checkScope';
import { isInside } from '../engine/analysis/paths';
import { analyzeSince } from '../engine/analysis/since';
import type { AnalysisResult, AnalysisScope, SetAsideStage } from '../engine/analysis/types';
import type { AnalysisConfig } from '../engine/config/types';
import { EngineError, isEngineError } from '../engine/errors';
import { emit } from './io';
import { formatFindingsJson, type SinceSummary } from './reporters/findingsJson';
import { formatFindingsSarif } from './reporters/findingsSarif';
import { formatFindingsText } from './reporters/findingsText';
import { formatScopeText, formatStagesText } from './reporters/stagesText';

export interface CheckOptions {
  /** Workspace root; relative `paths` resolve against it. */
  root: string;
  /** Files or folders whose findings are reported (the whole workspace is still analysed); empty = all. */
  paths: string[];
  config: AnalysisConfig;
  format: 'text' | 'json' | 'sarif';
  /** Write the report to this file instead of stdout. */
  out?: string;
  /** Analyse the git index (what would be committed) instead of the work tree. */
  staged: boolean;
  /** Report only findings that are new relative to this git revision. */
  since?: string;
  /** Use the persistent cache (default true). */
  cache?: boolean;
  /** Text format: list every stage with how it was found (a one-line count otherwise). */
  listStages?: boolean;
}

export interface CheckIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** `ml-parity check`: 0 when no error-severity finding (with --since: no new one), 1 otherwise, 2 on bad input. */
export async function runCheck(opts: CheckOptions, io: CheckIo): Promise<number> {
  try {
    const root = path.resolve(opts.root);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory())
      throw new EngineError('file-not-found', `Workspace root ${root} is not a folder`, { file: root });
    const staged = opts.staged ? readStagedSources(root) : undefined;
    const scopes = opts.paths.map((p) => path.resolve(root, p));
    for (const s of scopes) {
      const known = staged ? [...staged.keys()].some((f) => f === s || isInside(s, f)) : fs.existsSync(s);
      if (!known)
        throw new EngineError('file-not-found', opts.staged ? 'Not in the git index' : 'No such file or folder', {
          file: s,
        });
    }
    const named = includingNamed(root, opts.config, scopes);
    const config = named.config;
    const cache = opts.cache === false ? false : (DiskCache.forWorkspace(root) ?? false);
    // A finding is inside a named path when any of its locations is (a clone's other copies included).
    const inScope = (f: FingerprintedFinding): boolean => findingInScope(f.finding, scopes);
    let report: {
      findings: FingerprintedFinding[];
      absent?: FingerprintedFinding[];
      since?: SinceSummary;
      notes: string[];
      stages: Parameters<typeof formatFindingsJson>[2];
      setAside?: SetAsideStage[];
      scope: AnalysisScope;
    };
    let analysed: AnalysisResult;
    if (opts.since !== undefined) {
      const s = analyzeSince({ root, config, rev: opts.since, staged: opts.staged, cache });
      const current = s.comparison.current.filter(inScope);
      const absent = s.comparison.absent.filter(inScope);
      const since: SinceSummary = {
        rev: s.rev,
        commit: s.commit,
        new: current.filter((f) => f.state === 'new').length,
        unchanged: current.filter((f) => f.state === 'unchanged').length,
        absent: absent.length,
      };
      report = {
        findings: current,
        absent,
        since,
        notes: [...named.notes, ...s.result.notes],
        stages: s.result.stages,
        setAside: s.result.setAside,
        scope: s.result.scope,
      };
      analysed = s.result;
    } else {
      // Named files and folders are analysed even where the include globs or tsconfig.json leave them out.
      const extraFiles = staged ? [] : scopes.flatMap(sourceFilesOf);
      const result = analyzeCached(root, config, {
        overrides: staged,
        exclusive: staged !== undefined,
        cache,
        extraFiles,
      });
      report = {
        findings: fingerprintFindings(root, result.findings).filter(inScope),
        notes: [...named.notes, ...result.notes],
        stages: result.stages,
        setAside: result.setAside,
        scope: result.scope,
      };
      analysed = result;
    }
    for (const note of report.notes) io.stderr(`note: ${note}\n`);
    // A named path nothing was analysed in must not pass as "No findings".
    const unjudged = staged
      ? []
      : scopes.flatMap(
          (s) =>
            unanalysedScope(
              root,
              config,
              s,
              new Set(analysed.analysedFiles),
              new Map(Object.entries(analysed.leftOut)),
            ) ?? [],
        );
    if (unjudged.length > 0)
      throw new EngineError('file-not-found', `cannot check: ${unjudged.join('; ')}`, { file: scopes[0] });
    const shown = report.since ? report.findings.filter((f) => f.state === 'new') : report.findings;
    const text = render(opts.format, root, report, shown, opts.listStages ?? false);
    // an unwritable --out prints the report to stdout and exits 2, as verify does
    emit(io, text, opts.out === undefined ? undefined : path.resolve(opts.out));
    return shown.some((f) => f.finding.severity === 'error') ? 1 : 0;
  } catch (e) {
    if (isEngineError(e)) {
      io.stderr(`error: ${e.format()}\n`);
      return 2;
    }
    io.stderr(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

/**
 * The project the named paths belong to (see projectRootOf), or undefined without paths; all of them must
 * share one, else EngineError. `cwd` is the current folder (its project: see currentProjectOf).
 */
export function projectOf(paths: readonly string[], cwd: string): string | undefined {
  if (paths.length === 0) return undefined;
  const current = currentProjectOf(cwd);
  const roots = [...new Set(paths.map((p) => projectRootOf(p, current)))];
  if (roots.length > 1)
    throw new EngineError(
      'usage',
      `the paths belong to different projects (${roots.join(', ')}): check them one at a time`,
      { file: paths[0] },
    );
  return roots[0];
}

function render(
  format: CheckOptions['format'],
  root: string,
  report: {
    findings: FingerprintedFinding[];
    absent?: FingerprintedFinding[];
    since?: SinceSummary;
    notes: string[];
    stages: Parameters<typeof formatFindingsJson>[2];
    setAside?: SetAsideStage[];
    scope: AnalysisScope;
  },
  shown: FingerprintedFinding[],
  listStages: boolean,
): string {
  switch (format) {
    case 'json':
      return formatFindingsJson(root, shown, report.stages, report.since, report.notes, report.scope, report.setAside);
    case 'sarif':
      // Code scanning wants every result with its state, and the fixed ones as absent.
      return formatFindingsSarif(root, {
        findings: report.findings,
        notes: report.notes,
        scope: report.scope,
        ...(report.since ? { baseline: { absent: report.absent ?? [] } } : {}),
      });
    default: {
      // What was analysed and the stage summary go just above the closing count line.
      const text = formatFindingsText(
        root,
        shown.map((f) => f.finding),
        report.since,
        report.scope.notAnalysed,
      );
      const last = text.lastIndexOf('\n', text.length - 2) + 1;
      return (
        text.slice(0, last) +
        formatScopeText(report.scope) +
        formatStagesText(root, report.stages, listStages, report.setAside) +
        text.slice(last)
      );
    }
  }
}
