import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectClones, type SourceFileText } from '../../server/src/engine/analysis/clones';
import type { CorpusFile, LineRange, ReportedClone } from './types';

/** ML Parity over in-memory files; locations converted to 1-based line ranges relative to `dir`. */
export function runMlParity(dir: string, files: CorpusFile[]): ReportedClone[] {
  const sources: SourceFileText[] = files.map((f) => ({ file: path.join(dir, f.rel), text: f.text }));
  return detectClones(sources, { minTokens: 50, minLines: 5, minSimilarity: 0.8 }).map((c) => ({
    occurrences: c.occurrences.map((o) => ({
      file: path.relative(dir, o.file),
      start: o.range.start.line + 1,
      end: o.range.end.line + 1,
    })),
  }));
}

interface JscpdSide {
  name: string;
  startLoc?: { line: number };
  endLoc?: { line: number };
  start?: number;
  end?: number;
}

interface JscpdReport {
  duplicates: { firstFile: JscpdSide; secondFile: JscpdSide }[];
}

function side(dir: string, s: JscpdSide): LineRange {
  const file = path.isAbsolute(s.name) ? path.relative(dir, s.name) : path.normalize(s.name);
  return { file, start: s.startLoc?.line ?? s.start ?? 0, end: s.endLoc?.line ?? s.end ?? 0 };
}

export type JscpdVersion = 4 | 5;

/** Runs jscpd (`--min-tokens 50 --min-lines 5`, JSON reporter into a temp dir) on the corpus in `dir`. */
export function runJscpd(root: string, version: JscpdVersion, dir: string, outDir: string): ReportedClone[] {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const common = ['--min-tokens', '50', '--min-lines', '5', '--reporters', 'json', '--output', outDir];
  const args =
    version === 5
      ? [path.join(root, 'node_modules/jscpd5/run-jscpd.js'), ...common, '--no-gitignore', '--max-size', '5mb', '.']
      : [
          path.join(root, 'node_modules/jscpd4/bin/jscpd'),
          ...common,
          '--silent',
          '--no-gitignore',
          '--format',
          'typescript,javascript',
          '.',
        ];
  const res = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const reportPath = path.join(outDir, 'jscpd-report.json');
  if (!fs.existsSync(reportPath)) throw new Error(`jscpd ${version} wrote no report: ${res.stderr || res.stdout}`);
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as JscpdReport;
  return report.duplicates.map((d) => ({ occurrences: [side(dir, d.firstFile), side(dir, d.secondFile)] }));
}
