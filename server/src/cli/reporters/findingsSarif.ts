import type { Finding, RuleId, Severity } from '../../engine/findings';
import { relPath } from '../../engine/analysis/paths';

/** Help text per rule, shown by SARIF viewers (GitHub code scanning, VS Code SARIF viewer). */
export const RULE_HELP: Readonly<Record<RuleId, { short: string; help: string; level: Severity }>> = {
  'duplicate-code': { short: 'Duplicated code', help: 'The same code (up to renaming, or nearly) appears more than once. Extract it into one function so fixes apply everywhere.', level: 'info' },
  'cross-stage-duplicate': { short: 'Code duplicated across pipeline stages', help: 'Two pipeline stages carry the same logic (e.g. a normalization block). Divergent copies silently change model behaviour; extract a shared helper.', level: 'warning' },
  'untested-stage': { short: 'Pipeline stage not reached by any test', help: 'No test calls this stage, directly, through other code, or by running the pipeline that registers it. Add a test that exercises it.', level: 'warning' },
  'unexecuted-stage': { short: 'Pipeline stage never ran under coverage', help: 'Tests reach this stage statically, but the recorded coverage shows none of its lines executed.', level: 'info' },
  'syntax-error': { short: 'Syntax error', help: 'The file does not parse; the analysis of it is incomplete until it is fixed.', level: 'error' },
  'config-error': { short: 'Configuration problem', help: 'mlparity.config.json or tsconfig.json is invalid, or its globs select no files.', level: 'error' },
  'skipped-file': { short: 'File skipped', help: 'The file was not analysed: it is generated, too large (maxFileBytes), or under node_modules/dist.', level: 'info' },
  'circular-import': { short: 'Circular import', help: 'These modules import each other; module initialisation order may leave bindings undefined.', level: 'info' },
  'model-error': { short: 'Model problem', help: 'An ONNX model named by the configuration could not be loaded or run.', level: 'error' },
  'stage-divergence': { short: 'Stage behaves differently', help: 'The stage returns something else than its git version on at least one input (ml-parity verify-stage).', level: 'warning' },
};

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

interface SarifPhysicalLocation {
  physicalLocation: { artifactLocation: { uri: string; uriBaseId: 'SRCROOT' }; region: SarifRegion };
}

/** Minimal typed subset of SARIF 2.1.0 that the report uses. */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version: string; rules: SarifRule[] } };
    originalUriBaseIds: { SRCROOT: { uri: string } };
    results: SarifResult[];
  }[];
}

interface SarifRule {
  id: RuleId;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
}

interface SarifResult {
  ruleId: RuleId;
  ruleIndex: number;
  level: 'error' | 'warning' | 'note';
  message: { text: string };
  locations: SarifPhysicalLocation[];
  relatedLocations: (SarifPhysicalLocation & { id: number; message: { text: string } })[];
  properties?: Record<string, unknown>;
}

/**
 * SARIF 2.1.0: one rule per RuleId seen, the finding's own location (for clones: the first copy) in
 * `locations`, the other copies/registrations in `relatedLocations`. Lines and columns are 1-based.
 */
export function findingsSarif(root: string, findings: readonly Finding[], version = '0.1.0'): SarifLog {
  const ruleIds = [...new Set(findings.map((f) => f.rule))].sort();
  const rules: SarifRule[] = ruleIds.map((id) => ({
    id,
    shortDescription: { text: RULE_HELP[id].short },
    fullDescription: { text: RULE_HELP[id].help },
    help: { text: RULE_HELP[id].help },
    defaultConfiguration: { level: LEVEL[RULE_HELP[id].level] },
  }));
  const physical = (l: { file: string; range: Finding['range'] }): SarifPhysicalLocation => ({
    physicalLocation: {
      artifactLocation: { uri: encodeURI(relPath(root, l.file)), uriBaseId: 'SRCROOT' },
      region: {
        startLine: l.range.start.line + 1,
        startColumn: l.range.start.character + 1,
        endLine: l.range.end.line + 1,
        endColumn: l.range.end.character + 1,
      },
    },
  });
  const results: SarifResult[] = findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIds.indexOf(f.rule),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [physical(f)],
    relatedLocations: f.related.map((r, i) => ({ id: i + 1, ...physical(r), message: { text: r.message } })),
    ...(f.data ? { properties: f.data } : {}),
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'ml-parity', version, rules } },
        originalUriBaseIds: { SRCROOT: { uri: rootUri(root) } },
        results,
      },
    ],
  };
}

export function formatFindingsSarif(root: string, findings: readonly Finding[]): string {
  return JSON.stringify(findingsSarif(root, findings), null, 2) + '\n';
}

function rootUri(root: string): string {
  const posix = root.split('\\').join('/');
  return `file://${posix.startsWith('/') ? '' : '/'}${encodeURI(posix)}/`;
}
