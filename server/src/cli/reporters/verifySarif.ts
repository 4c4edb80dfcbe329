import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { acceptanceLine } from './acceptanceText';
import { outputVerdictLine } from './outputLine';
import { passHint } from './passHint';
import { formatTolerance } from '../../engine/format/numbers';
import { describeRun } from '../../engine/inference/runPlan';
import { divergenceDetails, divergenceLine } from '../../engine/locate/describe';
import { carryLines } from '../../engine/carryStream';
import { inputUsageLine } from './inputUsageLine';
import type { VerifyReport } from '../../engine/verifyTypes';

interface SarifResult {
  ruleId: string;
  level: 'error' | 'warning' | 'note';
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn?: number } };
  }[];
}

function location(file: string | undefined, line?: number, column?: number): SarifResult['locations'] {
  if (!file || (file.includes(':') && !path.isAbsolute(file))) return [];
  const region = line ? { region: { startLine: line, ...(column ? { startColumn: column } : {}) } } : {};
  return [{ physicalLocation: { artifactLocation: { uri: pathToFileURL(path.resolve(file)).href }, ...region } }];
}

/** SARIF 2.1.0: a result per non-equivalent output and per case that could not run. */
export function renderVerifySarif(report: VerifyReport): string {
  const results: SarifResult[] = [];
  for (const c of report.cases) {
    if (c.error) {
      results.push({
        ruleId: 'verify-error',
        level: 'error',
        message: { text: `${c.name}: ${c.error.message}` },
        locations: location(c.error.file, c.error.line, c.error.column),
      });
    }
    const modelFile = c.candidate?.resolved;
    for (const w of c.warnings ?? []) {
      results.push({
        ruleId: 'verify-warning',
        level: 'warning',
        message: { text: `${c.name}: ${w}` },
        locations: location(modelFile),
      });
    }
    if (c.inputs?.length) {
      const text = `${c.name}: inputs as fed: ${c.inputs.map(inputUsageLine).join('; ')}`;
      results.push({ ruleId: 'verify-inputs', level: 'note', message: { text }, locations: location(modelFile) });
    }
    if (c.status !== 'error') {
      // how the case ran (stacked or one fixture per run, and why), as the text report's `ran:` line
      const text = `${c.name}: ran ${describeRun(c.run, c.timing.probeMs)}`;
      results.push({ ruleId: 'verify-run', level: 'note', message: { text }, locations: location(modelFile) });
    }
    if (c.carry) {
      results.push({
        ruleId: 'verify-steps',
        level: c.carry.firstFailingStep === undefined ? 'note' : 'error',
        message: { text: `${c.name}: ${carryLines(c.carry, c.outputs).join('; ')}` },
        locations: location(modelFile),
      });
    }
    for (const d of c.signatureDifferences) {
      results.push({
        ruleId: 'signature-difference',
        level: 'warning',
        message: { text: `${c.name}: ${d.message}` },
        locations: location(modelFile),
      });
    }
    for (const o of c.outputs.filter((x) => !x.passed)) {
      results.push({
        ruleId: 'not-equivalent',
        level: 'error',
        message: {
          // the same verdict line as text and JUnit: it says what was compared (NaN/Inf mismatches first,
          // "max finite|Δ|", no |Δ| for strings), then the tolerance and what would make it pass
          text: `${c.name}: output "${o.name}" ${o.acceptance ? `fails its acceptance criteria: ${acceptanceLine(o)}` : `differs: ${outputVerdictLine(o)}; tolerance ${formatTolerance(o.tolerance)}; ${passHint(o)}`}; ran ${describeRun(c.run, c.timing.probeMs)}`,
        },
        locations: location(modelFile),
      });
    }
    if (c.divergence) {
      results.push({
        ruleId: 'first-divergence',
        level: 'note',
        message: {
          text: `${c.name}: ${[divergenceLine(c.divergence), ...divergenceDetails(c.divergence)].join('; ')}`,
        },
        locations: location(modelFile),
      });
    }
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ml-parity',
            version: report.tool.version,
            rules: [
              {
                id: 'not-equivalent',
                shortDescription: { text: 'A refactored model output differs beyond tolerance' },
              },
              {
                id: 'signature-difference',
                shortDescription: { text: 'Model inputs or outputs differ in name, type or shape' },
              },
              {
                id: 'first-divergence',
                shortDescription: {
                  text: 'Where a non-equivalent candidate first diverges from the baseline (--locate)',
                },
              },
              {
                id: 'verify-warning',
                shortDescription: {
                  text: 'Something limits what the verdict covers (e.g. an input dim that had to be defaulted)',
                },
              },
              {
                id: 'verify-inputs',
                shortDescription: { text: 'The inputs each case fed the models: dtype, shape, value range' },
              },
              {
                id: 'verify-run',
                shortDescription: {
                  text: 'How a case ran: fixtures stacked into batches (probed) or one per run, and why',
                },
              },
              {
                id: 'verify-steps',
                shortDescription: {
                  text: 'A stateful (--carry) case: per-step differences and the first step beyond tolerance',
                },
              },
              {
                id: 'verify-error',
                shortDescription: { text: 'A verification case could not run (bad model, fixtures or config)' },
              },
            ],
          },
        },
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
