import * as path from 'node:path';
import { outputVerdictLine } from './outputLine';
import { formatElement, formatNumber } from '../../engine/format/numbers';
import { passHint } from './passHint';
import type { OutputComparison } from '../../engine/compare/types';
import { acceptanceLine, metricsLine } from './acceptanceText';
import { divergenceDetails, divergenceLine } from '../../engine/locate/describe';
import { carryLines } from '../../engine/carryStream';
import { inputUsageLine } from './inputUsageLine';
import { describeRun } from '../../engine/inference/runPlan';
import type { CaseReport, VerifyReport } from '../../engine/verifyTypes';

const STATUS: Record<CaseReport['status'], string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' };

function rel(p: string | undefined, cwd: string): string {
  if (!p) return '';
  return path.isAbsolute(p) ? path.relative(cwd, p) || '.' : p;
}

/** A case's error as `file:line:col: message` (the file relative to `cwd`), as terminals and editors link it. */
export function caseError(e: NonNullable<CaseReport['error']>, cwd: string): string {
  const where = e.file ? `${rel(e.file, cwd)}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ` : '';
  return `${where}${e.message}`;
}

function failureDetails(o: OutputComparison): string[] {
  const lines: string[] = [];
  if (o.shapeMismatch) {
    const s = o.shapeMismatch;
    lines.push(
      `shape differs in case ${s.caseId}: baseline [${s.baseline.join(', ')}] vs candidate [${s.candidate.join(', ')}]`,
    );
    return lines;
  }
  if (o.worst) {
    const w = o.worst;
    lines.push(
      `worst element: case ${w.caseId} index [${w.index.join(', ')}]: baseline ${formatElement(w.baseline)} candidate ${formatElement(w.candidate)} (|Δ| ${formatNumber(w.absDiff)}, rel ${formatNumber(w.relDiff)})`,
    );
  }
  lines.push(
    `${o.mismatches}/${o.elements} elements (${formatNumber(o.mismatchPct)}%) outside atol ${formatNumber(o.tolerance.atol)} + rtol ${formatNumber(o.tolerance.rtol)}·|base|; ` +
      passHint(o),
  );
  const nf = o.nonFinite;
  if (o.nanMismatches || o.infMismatches || nf.baselineNan || nf.candidateNan || nf.baselineInf || nf.candidateInf) {
    lines.push(
      `non-finite: NaN ${nf.baselineNan} baseline / ${nf.candidateNan} candidate, Inf ${nf.baselineInf} / ${nf.candidateInf}; ` +
        `${o.nanMismatches} NaN and ${o.infMismatches} Inf mismatches`,
    );
  }
  return lines;
}

function caseBlock(c: CaseReport, cwd: string): string[] {
  const lines: string[] = [];
  const models =
    c.mode === 'golden'
      ? `${rel(c.candidate?.resolved ?? '', cwd)} vs golden outputs`
      : `${rel(c.baseline?.resolved, cwd)} → ${rel(c.candidate?.resolved, cwd)}`;
  const fx = c.fixtures.count
    ? `${c.fixtures.count} fixture${c.fixtures.count === 1 ? '' : 's'}${c.fixtures.synthetic ? ' (SYNTHETIC inputs: ' + c.fixtures.origin + ')' : ' from ' + rel(c.fixtures.origin, cwd)}`
    : '';
  lines.push(`${STATUS[c.status]}  ${c.name}  ${models}${fx ? `  [${fx}]` : ''}  ${Math.round(c.timing.totalMs)} ms`);
  if (c.error) lines.push(`  error [${c.error.code}] ${caseError(c.error, cwd)}`);
  for (const w of c.warnings ?? []) lines.push(`  WARNING: ${w}`);
  if (c.inputs?.length) {
    lines.push('  inputs:');
    for (const u of c.inputs) lines.push(`    ${inputUsageLine(u)}`);
  }
  if (c.status !== 'error') lines.push(`  ran: ${describeRun(c.run, c.timing.probeMs)}`);
  if (c.carry) for (const l of carryLines(c.carry, c.outputs)) lines.push(`  ${l}`);
  for (const d of c.signatureDifferences) lines.push(`  signature: ${d.message}`);
  for (const o of c.outputs) {
    lines.push(`  ${outputVerdictLine(o)}`);
    const accepted = acceptanceLine(o);
    if (accepted) lines.push(`    ${accepted}`, `    metrics: ${o.metrics ? metricsLine(o.metrics) : 'none'}`);
  }
  for (const o of c.outputs.filter((x) => !x.passed || x.acceptance?.elementwisePassed === false)) {
    lines.push(`  details for ${o.name}${o.acceptance ? ' (elementwise, informative)' : ''}:`);
    for (const l of failureDetails(o)) lines.push(`    ${l}`);
  }
  if (c.divergence) {
    lines.push(`  ${divergenceLine(c.divergence)}`);
    for (const l of divergenceDetails(c.divergence)) lines.push(`    ${l}`);
  }
  return lines;
}

/** Human-readable report: one line per output, details of failures, then a summary line. */
export function renderVerifyText(report: VerifyReport, cwd = process.cwd()): string {
  const lines: string[] = [];
  for (const c of report.cases) lines.push(...caseBlock(c, cwd), '');
  const n = (s: CaseReport['status']): number => report.cases.filter((c) => c.status === s).length;
  lines.push(
    `ML Parity: ${report.passed ? 'EQUIVALENT' : 'NOT EQUIVALENT'} (${n('pass')} equivalent, ${n('fail')} not equivalent, ${n('error')} with errors)`,
  );
  return lines.join('\n') + '\n';
}
