import type * as sarif from 'sarif';
import { relPath } from '../../engine/analysis/paths';
import type { Finding, Severity } from '../../engine/findings';
import { RULES } from '../../engine/rules';
import { TOOL_VERSION } from '../../engine/version';

const LEVEL: Record<Severity, sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/**
 * SARIF 2.1.0: one rule per RuleId seen, the finding's own location (for clones: the first copy) in
 * `locations`, the other copies/registrations in `relatedLocations`. Lines and columns are 1-based.
 */
export function findingsSarif(root: string, findings: readonly Finding[]): sarif.Log {
  const ruleIds = [...new Set(findings.map((f) => f.rule))].sort();
  const rules: sarif.ReportingDescriptor[] = ruleIds.map((id) => ({
    id,
    shortDescription: { text: RULES[id].title },
    fullDescription: { text: RULES[id].help },
    help: { text: RULES[id].help },
    defaultConfiguration: { level: LEVEL[RULES[id].severity] },
  }));
  const physical = (l: { file: string; range: Finding['range'] }): sarif.Location => ({
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
  const results: sarif.Result[] = findings.map((f) => ({
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
        tool: { driver: { name: 'ml-parity', version: TOOL_VERSION, rules } },
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
