import type { Finding } from '../../engine/findings';
import { relPath } from '../../engine/analysis/paths';
import type { SinceSummary } from './findingsJson';

/**
 * Plain-text report: one `file:line:col severity rule message` line per finding (relative paths,
 * 1-based), its related locations indented below, then a one-line summary. `notAnalysed`: source files of
 * the project the analysis left out (see AnalysisScope), which an empty report must not pass over.
 */
export function formatFindingsText(
  root: string,
  findings: readonly Finding[],
  since?: SinceSummary,
  notAnalysed = 0,
): string {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${where(root, f)} ${f.severity} ${f.rule} ${f.message}`);
    for (const r of f.related) lines.push(`    ${where(root, r)} ${r.message}`);
  }
  const count =
    findings.length === 0 && notAnalysed > 0
      ? `No findings in the files analysed; ${notAnalysed} source file${notAnalysed === 1 ? '' : 's'} of the project not analysed (see the note).`
      : summary(findings);
  lines.push(since ? `${sinceLine(since)} ${count}` : count);
  return lines.join('\n') + '\n';
}

function where(root: string, l: { file: string; range: Finding['range'] }): string {
  return `${relPath(root, l.file) || '.'}:${l.range.start.line + 1}:${l.range.start.character + 1}`;
}

/** Says what `--since` left out, so a short report is never mistaken for a clean workspace. */
function sinceLine(s: SinceSummary): string {
  return `Only findings new since ${s.rev} (${s.commit.slice(0, 12)}): ${s.new} new; ${s.unchanged} already there at ${s.rev} not shown (run without --since to see them); ${s.absent} fixed since.`;
}

/** `2 errors, 1 warning, 0 infos` style count, or `no findings`. */
function summary(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No findings.';
  const count = (s: Finding['severity']): number => findings.filter((f) => f.severity === s).length;
  const part = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${part(count('error'), 'error')}, ${part(count('warning'), 'warning')}, ${part(count('info') + count('hint'), 'note')}.`;
}
