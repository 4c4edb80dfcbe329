import { acceptanceLine } from './acceptanceText';
import { describeRun } from '../../engine/inference/runPlan';
import { passHint } from './passHint';
import { outputVerdictLine } from './outputLine';
import { formatNumber } from '../../engine/format/numbers';
import { divergenceDetails, divergenceLine } from '../../engine/locate/describe';
import { carryLines } from '../../engine/carryStream';
import { inputUsageLine } from './inputUsageLine';
import type { VerifyReport } from '../../engine/verifyTypes';
import { xml } from './xml';

/** JUnit XML: one testsuite per case, one testcase per output; a case error is an <error>. */
export function renderVerifyJunit(report: VerifyReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const tests = report.cases.reduce((n, c) => n + Math.max(1, c.outputs.length), 0);
  const failures = report.cases.reduce((n, c) => n + c.outputs.filter((o) => !o.passed).length, 0);
  const errors = report.cases.filter((c) => c.status === 'error').length;
  out.push(`<testsuites name="ml-parity verify" tests="${tests}" failures="${failures}" errors="${errors}">`);
  for (const c of report.cases) {
    const secs = (c.timing.totalMs / 1000).toFixed(3);
    const caseFailures = c.outputs.filter((o) => !o.passed).length;
    out.push(
      `  <testsuite name="${xml(c.name)}" tests="${Math.max(1, c.outputs.length)}" failures="${caseFailures}" errors="${c.status === 'error' ? 1 : 0}" time="${secs}">`,
    );
    if (c.error) {
      out.push(`    <testcase classname="${xml(c.name)}" name="(case)">`);
      out.push(
        `      <error type="${xml(c.error.code)}" message="${xml(c.error.message)}">${xml(`${c.error.file ?? ''} ${c.error.message}`)}</error>`,
      );
      out.push('    </testcase>');
    }
    for (const o of c.outputs) {
      out.push(`    <testcase classname="${xml(c.name)}" name="${xml(o.name)}">`);
      if (!o.passed) {
        const msg =
          acceptanceLine(o) ??
          `max|Δ| ${formatNumber(o.maxAbs)}, ${o.mismatches}/${o.elements} mismatches, ${passHint(o)}`;
        out.push(`      <failure message="${xml(msg)}">${xml(outputVerdictLine(o))}</failure>`);
      }
      out.push(
        `      <system-out>${xml([outputVerdictLine(o), acceptanceLine(o)].filter(Boolean).join('\n'))}</system-out>`,
      );
      out.push('    </testcase>');
    }
    const notes = [
      ...(c.status === 'error' ? [] : [`ran: ${describeRun(c.run, c.timing.probeMs)}`]),
      ...(c.warnings ?? []).map((w) => `WARNING: ${w}`),
      ...(c.inputs ?? []).map((u) => `input ${inputUsageLine(u)}`),
      ...(c.divergence ? [divergenceLine(c.divergence), ...divergenceDetails(c.divergence)] : []),
      ...(c.carry ? carryLines(c.carry, c.outputs) : []),
    ];
    if (notes.length > 0) out.push(`    <system-out>${xml(notes.join('\n'))}</system-out>`);
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
