import * as path from 'node:path';
import { outputVerdictLine } from './outputLine';
import { formatNumber } from '../../engine/format/numbers';
import type { Finding } from '../../engine/findings';
import type { CaseReport } from '../../engine/verifyTypes';
import type { StageCommitResult } from '../../engine/stageVerify/commitCheck';
import { acceptCommand } from '../../engine/stageVerify/summary';
import type { HookRunResult } from '../../engine/hooks/types';
import { unjudgedNote } from '../../engine/hooks/run';

const BYPASS = 'To commit anyway (not recommended): git commit --no-verify';

/**
 * The readable report of a hook run: what was checked, each blocking finding as
 * `file:line:col rule message`, each failing verify case with its key numbers, and how to bypass.
 */
export function formatHookSummary(r: HookRunResult): string {
  const lines: string[] = [
    `ML Parity pre-commit: ${r.staged.length} staged file${r.staged.length === 1 ? '' : 's'} in ${r.root}`,
  ];
  if (!r.analysis) lines.push('  analysis: skipped (no staged TS/JS source)');
  else {
    const a = r.analysis;
    const scope = a.since ? `introduced by this commit (compared with ${a.since.rev})` : 'in staged files';
    lines.push(
      `  analysis: ${a.files} files analysed as staged; ${a.blocking.length} blocking finding${a.blocking.length === 1 ? '' : 's'} (fail on ${r.failOn}) ${scope}`,
    );
    for (const f of a.blocking) lines.push(`    ${findingLine(r.root, f)}`);
    if (a.other.length > 0)
      lines.push(`    (${a.other.length} lower-severity finding${a.other.length === 1 ? '' : 's'} not blocking)`);
    if (a.since) {
      const n = a.since.unchanged;
      lines.push(
        `    (${n} finding${n === 1 ? '' : 's'} already in ${a.since.rev} not judged${a.since.fixed ? `; ${a.since.fixed} fixed by this commit` : ''}; \`ml-parity hook run --all\` judges every finding in staged files)`,
      );
    }
  }
  if (r.stages) lines.push(...stageLines(r.root, r.stages));
  for (const s of r.removedStages ?? [])
    lines.push(
      `    NOTE ${rel(r.root, s.file)}:${s.line} ${s.stage}: removed by this commit (HEAD declares it here; the commit no longer has a stage of that name), so nothing verifies it`,
    );
  if (r.verify.length === 0)
    lines.push(
      `  verify: no case run${r.skippedCases.length ? ` (${r.skippedCases.length} skipped: not touched by this commit or no baseline yet)` : ''}`,
    );
  else {
    lines.push(
      `  verify: ${r.verify.length} case${r.verify.length === 1 ? '' : 's'} on the staged models${r.skippedCases.length ? `, ${r.skippedCases.length} untouched skipped` : ''}`,
    );
    for (const c of r.verify) lines.push(...caseLines(r.root, c));
  }
  for (const n of r.notes) lines.push(`    note: ${n}`);
  const unjudged = unjudgedNote(r);
  lines.push(
    r.passed ? `ML Parity: checks passed${unjudged ? `; ${unjudged}` : ''}.` : `ML Parity: commit blocked. ${BYPASS}`,
  );
  return lines.join('\n') + '\n';
}

function stageLines(root: string, stages: readonly StageCommitResult[]): string[] {
  if (stages.length === 0) return ["  stages: no staged change to a stage's code, nor to code a stage runs or loads"];
  const verified = stages.filter((s) => s.report).length;
  const out = [
    `  stages: ${stages.length} stage${stages.length === 1 ? '' : 's'} changed (own code, or code it runs or loads); ${verified} verified against HEAD on generated inputs`,
  ];
  for (const s of stages) {
    const verdict = s.blocking ? 'BLOCK' : s.status === 'equivalent' ? 'PASS' : 'NOTE';
    out.push(`    ${verdict} ${rel(root, s.file)}:${s.line} ${s.message}`);
    if (!s.own) out.push(`      judged because ${s.reason}`);
    if (s.status === 'not-equivalent') {
      out.push(
        `      to accept this intended change to ${s.stage} alone (the other checks still run): ${acceptCommand(s.stage)}, then commit again`,
      );
    }
  }
  return out;
}

function findingLine(root: string, f: Finding): string {
  return `${rel(root, f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.rule} ${f.message}`;
}

function caseLines(root: string, c: CaseReport): string[] {
  const verdict = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' }[c.status];
  const models = c.baseline
    ? `${c.baseline.spec.startsWith('git:') ? c.baseline.resolved : rel(root, c.baseline.resolved)} -> ${rel(root, c.candidate?.resolved ?? '')}`
    : rel(root, c.candidate?.resolved ?? '');
  const out = [`    ${verdict} ${c.name}: ${models} (${c.fixtures.count} fixtures)`];
  if (c.error) {
    const where = c.error.file
      ? `${rel(root, c.error.file)}${c.error.line ? `:${c.error.line}${c.error.column ? `:${c.error.column}` : ''}` : ''}: `
      : '';
    out.push(`      error [${c.error.code}] ${where}${c.error.message}`);
  }
  for (const d of c.signatureDifferences) out.push(`      signature: ${d.message}`);
  for (const o of c.outputs) {
    if (c.status === 'pass' && o.passed) continue;
    out.push(`      ${outputVerdictLine(o)}`);
    if (!o.passed && !o.shapeMismatch)
      out.push(
        `        passing would need atol >= ${formatNumber(o.minPassingAtol)} (now ${formatNumber(o.tolerance.atol)})`,
      );
  }
  return out;
}

function rel(root: string, p: string): string {
  return path.isAbsolute(p) ? path.relative(root, p).split(path.sep).join('/') || '.' : p;
}
