import * as fs from 'node:fs';
import * as path from 'node:path';
import { fingerprintFindings, type FingerprintedFinding } from '../engine/analysis/baseline';
import { DiskCache } from '../engine/analysis/cache/diskCache';
import { analyzeCached } from '../engine/analysis/cache/resultCache';
import { readStagedSources } from '../engine/analysis/gitIndex';
import { isInside } from '../engine/analysis/paths';
import { analyzeSince } from '../engine/analysis/since';
import type { AnalysisConfig } from '../engine/config/types';
import { EngineError, isEngineError } from '../engine/errors';
import { formatFindingsJson, type SinceSummary } from './reporters/findingsJson';
import { formatFindingsSarif } from './reporters/findingsSarif';
import { formatFindingsText } from './reporters/findingsText';

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
}

export interface CheckIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** `ml-parity check`: 0 when no error-severity finding (with --since: no new one), 1 otherwise, 2 on bad input. */
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
    const cache = opts.cache === false ? false : (DiskCache.forWorkspace(root) ?? false);
    const inScope = (f: FingerprintedFinding): boolean => scopes.length === 0 || scopes.some((s) => f.finding.file === s || isInside(s, f.finding.file));
    let report: { findings: FingerprintedFinding[]; absent?: FingerprintedFinding[]; since?: SinceSummary; notes: string[]; stages: Parameters<typeof formatFindingsJson>[2] };
    if (opts.since !== undefined) {
      const s = analyzeSince({ root, config: opts.config, rev: opts.since, staged: opts.staged, cache });
      const current = s.comparison.current.filter(inScope);
      const absent = s.comparison.absent.filter(inScope);
      const since: SinceSummary = { rev: s.rev, commit: s.commit, new: current.filter((f) => f.state === 'new').length, unchanged: current.filter((f) => f.state === 'unchanged').length, absent: absent.length };
      report = { findings: current, absent, since, notes: s.result.notes, stages: s.result.stages };
    } else {
      const result = analyzeCached(root, opts.config, { overrides: staged, exclusive: staged !== undefined, cache });
      report = { findings: fingerprintFindings(root, result.findings).filter(inScope), notes: result.notes, stages: result.stages };
    }
    for (const note of report.notes) io.stderr(`note: ${note}\n`);
    const shown = report.since ? report.findings.filter((f) => f.state === 'new') : report.findings;
    const text = render(opts.format, root, report, shown);
    if (opts.out) fs.writeFileSync(path.resolve(opts.out), text);
    else io.stdout(text);
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

function render(
  format: CheckOptions['format'],
  root: string,
  report: { findings: FingerprintedFinding[]; absent?: FingerprintedFinding[]; since?: SinceSummary; stages: Parameters<typeof formatFindingsJson>[2] },
  shown: FingerprintedFinding[],
): string {
  switch (format) {
    case 'json':
      return formatFindingsJson(root, shown, report.stages, report.since);
    case 'sarif':
      // Code scanning wants every result with its state, and the fixed ones as absent.
      return formatFindingsSarif(root, { findings: report.findings, ...(report.since ? { baseline: { absent: report.absent ?? [] } } : {}) });
    default:
      return formatFindingsText(root, shown.map((f) => f.finding), report.since);
  }
}
