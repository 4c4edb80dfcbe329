import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { acceptanceLine } from './acceptanceText';
import { formatNumber } from '../../engine/format/numbers';
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
          text: `${c.name}: output "${o.name}" ${o.acceptance ? `fails its acceptance criteria: ${acceptanceLine(o)}` : `differs: max|Δ| ${formatNumber(o.maxAbs)}, ${o.mismatches}/${o.elements} elements outside tolerance (atol ${formatNumber(o.tolerance.atol)}, rtol ${formatNumber(o.tolerance.rtol)})`}`,
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
