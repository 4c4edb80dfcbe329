import type * as Sarif from 'sarif';
import type { FingerprintedFinding } from '../../engine/analysis/baseline';
import type { Finding, RuleId, Severity } from '../../engine/findings';
import { relPath } from '../../engine/analysis/paths';
import type { AnalysisScope } from '../../engine/analysis/types';
import { RULES } from '../../engine/rules';
import { TOOL_VERSION } from '../../engine/version';

const LEVEL: Record<Severity, Sarif.Result.level & Sarif.ReportingConfiguration.level> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
  hint: 'note',
};

/** Where a result is: a region of a root-relative file (1-based lines and columns). */
interface SarifPhysicalLocation extends Omit<Sarif.Location, 'physicalLocation'> {
  physicalLocation: Omit<Sarif.PhysicalLocation, 'artifactLocation' | 'region'> & {
    artifactLocation: { uri: string; uriBaseId: 'SRCROOT' };
    region: Required<Pick<Sarif.Region, 'startLine' | 'startColumn' | 'endLine' | 'endColumn'>>;
  };
}

/** The SARIF 2.1.0 the report writes: @types/sarif's types, with the fields it always fills required. */
export interface SarifLog extends Omit<Sarif.Log, 'runs'> {
  $schema: string;
  runs: SarifRun[];
}

interface SarifRun extends Omit<Sarif.Run, 'tool' | 'results' | 'originalUriBaseIds'> {
  tool: { driver: Omit<Sarif.ToolComponent, 'rules'> & { version: string; rules: SarifRule[] } };
  originalUriBaseIds: { SRCROOT: { uri: string } };
  results: SarifResult[];
}

interface SarifRule extends Omit<
  Sarif.ReportingDescriptor,
  'shortDescription' | 'fullDescription' | 'help' | 'defaultConfiguration'
> {
  id: RuleId;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: Sarif.ReportingConfiguration.level };
}

interface SarifResult extends Omit<Sarif.Result, 'locations' | 'relatedLocations' | 'message'> {
  ruleId: RuleId;
  ruleIndex: number;
  level: Sarif.Result.level;
  message: { text: string };
  locations: SarifPhysicalLocation[];
  relatedLocations: (SarifPhysicalLocation & { id: number; message: { text: string } })[];
  /** `mlParity/v1`: the finding's identity (rule, files, stage names; never lines), see engine/analysis/baseline.ts. */
  partialFingerprints: Record<string, string>;
}

/** Findings with their fingerprints and, after `--since`, their state relative to the baseline. */
export interface SarifInput {
  findings: readonly FingerprintedFinding[];
  /** Set with `--since`: every result gets a `baselineState`, and `absent` lists the fixed ones. */
  baseline?: { absent: readonly FingerprintedFinding[] };
  /** The analysis notes (what it left out or could not judge): the run's tool execution notifications. */
  notes?: readonly string[];
  /** What was analysed (file counts and where the list came from): the run's `properties.analysed`. */
  scope?: AnalysisScope;
}

/**
 * SARIF 2.1.0: one rule per RuleId seen, the finding's own location (for clones: the first copy) in
 * `locations`, the other copies/registrations in `relatedLocations`. Lines and columns are 1-based.
 * Every result has `partialFingerprints`, so code scanning follows a finding across line shifts; with a
 * baseline each has a `baselineState` (new/unchanged, and absent for findings fixed since).
 */
function findingsSarif(root: string, input: SarifInput, version = TOOL_VERSION): SarifLog {
  const all = [...input.findings, ...(input.baseline?.absent ?? [])];
  const ruleIds = [...new Set(all.map((f) => f.finding.rule))].sort();
  const rules: SarifRule[] = ruleIds.map((id) => ({
    id,
    shortDescription: { text: RULES[id].title },
    fullDescription: { text: RULES[id].help },
    help: { text: RULES[id].help },
    defaultConfiguration: { level: LEVEL[RULES[id].severity] },
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
  const results: SarifResult[] = all.map(({ finding: f, fingerprint, state }) => ({
    ruleId: f.rule,
    ruleIndex: ruleIds.indexOf(f.rule),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [physical(f)],
    relatedLocations: f.related.map((r, i) => ({ id: i + 1, ...physical(r), message: { text: r.message } })),
    partialFingerprints: { 'mlParity/v1': fingerprint },
    ...(input.baseline && state ? { baselineState: state } : {}),
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
        ...(input.scope ? { properties: { analysed: input.scope } } : {}),
        ...(input.notes?.length
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  toolExecutionNotifications: input.notes.map((text) => ({
                    level: 'note' as const,
                    message: { text },
                  })),
                },
              ],
            }
          : {}),
      },
    ],
  };
}

export function formatFindingsSarif(root: string, input: SarifInput): string {
  // Typed as @types/sarif's Log: the narrower types above must stay valid SARIF.
  const log: Sarif.Log = findingsSarif(root, input);
  return JSON.stringify(log, null, 2) + '\n';
}

function rootUri(root: string): string {
  const posix = root.split('\\').join('/');
  return `file://${posix.startsWith('/') ? '' : '/'}${encodeURI(posix)}/`;
}
