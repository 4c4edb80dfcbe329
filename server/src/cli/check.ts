import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles } from '../engine/analysis/analyzer';
import { readIndexTexts } from '../engine/git';
import { isInside, isSourceFile } from '../engine/analysis/paths';
import type { AnalysisConfig } from '../engine/config/types';
import { EngineError, isEngineError } from '../engine/errors';
import type { Finding } from '../engine/findings';
import { formatFindingsJson } from './reporters/findingsJson';
import { formatFindingsSarif } from './reporters/findingsSarif';
import { formatFindingsText } from './reporters/findingsText';

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
    const staged = opts.staged ? readIndexTexts(root, isSourceFile) : undefined;
    const scopes = opts.paths.map((p) => path.resolve(root, p));
    for (const s of scopes) {
      const known = staged ? [...staged.keys()].some((f) => f === s || isInside(s, f)) : fs.existsSync(s);
      if (!known) throw new EngineError('file-not-found', opts.staged ? 'Not in the git index' : 'No such file or folder', { file: s });
    }
    const result = analyzeFiles(root, opts.config, staged, { exclusive: staged !== undefined });
    const findings = result.findings.filter((f) => inScope(f, scopes));
    for (const note of result.notes) io.stderr(`note: ${note}\n`);
    const report = render(opts.format, root, findings, result.stages);
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

function inScope(f: Finding, scopes: readonly string[]): boolean {
  return scopes.length === 0 || scopes.some((s) => f.file === s || isInside(s, f.file));
}

function render(format: CheckOptions['format'], root: string, findings: Finding[], stages: Parameters<typeof formatFindingsJson>[2]): string {
  switch (format) {
    case 'json':
      return formatFindingsJson(root, findings, stages);
    case 'sarif':
      return formatFindingsSarif(root, findings);
    default:
      return formatFindingsText(root, findings);
  }
}
