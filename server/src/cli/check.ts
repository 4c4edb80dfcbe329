import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles } from '../engine/analysis/analyzer';
import { readStagedSources } from '../engine/analysis/gitIndex';
import { findingInScope, projectRootOf, sourceFilesOf, unanalysedScope } from '../engine/analysis/checkScope';
import { isInside } from '../engine/analysis/paths';
import type { AnalysisConfig } from '../engine/config/types';
import { EngineError, isEngineError } from '../engine/errors';
import type { Finding } from '../engine/findings';
import { formatFindingsJson } from './reporters/findingsJson';
import { formatFindingsSarif } from './reporters/findingsSarif';
import { formatFindingsText } from './reporters/findingsText';
import { formatStagesText } from './reporters/stagesText';

export interface CheckOptions {
  /** Workspace root; relative `paths` resolve against it. */
  root: string;
  /** Files or folders whose findings are reported (the whole workspace is still analysed); empty = all. */
  paths: string[];
  config: AnalysisConfig;
  format: 'text' | 'json' | 'sarif';
  /** Write the report here instead of stdout. */
  out?: string;
  /** Analyse the git index (what would be committed) instead of the work tree. */
  staged: boolean;
  /** Text format: list every stage with how it was found (a one-line count otherwise). */
  listStages?: boolean;
}

export interface CheckIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** `ml-parity check`: 0 when no error-severity finding, 1 otherwise, 2 on bad input. */
export async function runCheck(opts: CheckOptions, io: CheckIo): Promise<number> {
  try {
    const root = path.resolve(opts.root);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new EngineError('file-not-found', `Workspace root ${root} is not a folder`, { file: root });
    const staged = opts.staged ? readStagedSources(root) : undefined;
    const scopes = opts.paths.map((p) => path.resolve(root, p));
    for (const s of scopes) {
      const known = staged ? [...staged.keys()].some((f) => f === s || isInside(s, f)) : fs.existsSync(s);
      if (!known) throw new EngineError('file-not-found', opts.staged ? 'Not in the git index' : 'No such file or folder', { file: s });
    }
    // Named files and folders are analysed even where the include globs or tsconfig.json leave them out.
    const extraFiles = staged ? [] : scopes.flatMap(sourceFilesOf);
    const result = analyzeFiles(root, opts.config, staged, { exclusive: staged !== undefined, extraFiles });
    const findings = result.findings.filter((f) => findingInScope(f, scopes));
    for (const note of result.notes) io.stderr(`note: ${note}\n`);
    // A named path nothing was analysed in must not pass as "No findings".
    const analysed = new Set(result.analysedFiles);
    const leftOut = new Map(Object.entries(result.leftOut));
    const unjudged = staged ? [] : scopes.flatMap((s) => unanalysedScope(root, opts.config, s, analysed, leftOut) ?? []);
    if (unjudged.length > 0) throw new EngineError('file-not-found', `cannot check: ${unjudged.join('; ')}`, { file: scopes[0] });
    const report = render(opts.format, root, findings, result.stages, result.notes, opts.listStages ?? false);
    if (opts.out) fs.writeFileSync(path.resolve(opts.out), report);
    else io.stdout(report);
    return findings.some((f) => f.severity === 'error') ? 1 : 0;
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
 * share one, else EngineError. `cwd`'s project is its config's folder, else `cwd`.
 */
export function projectOf(paths: readonly string[], cwd: string): string | undefined {
  if (paths.length === 0) return undefined;
  const current = findConfigRoot(cwd) ?? cwd;
  const roots = [...new Set(paths.map((p) => projectRootOf(p, current)))];
  if (roots.length > 1) throw new EngineError('usage', `the paths belong to different projects (${roots.join(', ')}): check them one at a time`, { file: paths[0] });
  return roots[0];
}

function findConfigRoot(cwd: string): string | undefined {
  return fs.existsSync(path.join(cwd, 'mlparity.config.json')) ? cwd : undefined;
}

function render(format: CheckOptions['format'], root: string, findings: Finding[], stages: Parameters<typeof formatFindingsJson>[2], notes: readonly string[], listStages: boolean): string {
  switch (format) {
    case 'json':
      return formatFindingsJson(root, findings, stages, notes);
    case 'sarif':
      return formatFindingsSarif(root, findings, notes);
    default: {
      // The stage summary goes just above the closing count line.
      const text = formatFindingsText(root, findings);
      const last = text.lastIndexOf('\n', text.length - 2) + 1;
      return text.slice(0, last) + formatStagesText(root, stages, listStages) + text.slice(last);
    }
  }
}
