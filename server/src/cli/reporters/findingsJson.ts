import type { FingerprintedFinding } from '../../engine/analysis/baseline';
import { ruleData, type Finding, type RuleData, type Severity } from '../../engine/findings';
import type { AnalysisScope, SetAsideStage, Stage } from '../../engine/analysis/types';
import { relPath } from '../../engine/analysis/paths';

/** A location in the JSON report: root-relative forward-slash path, 1-based lines and columns, end inclusive line. */
interface JsonLocation {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/**
 * The `--format json` report (schema version 1). Stable: fields are only ever added.
 * `findings` are sorted by file, line, column, rule; `summary` counts them by severity.
 */
export interface FindingsJsonReport {
  version: 1;
  tool: 'ml-parity';
  /** Absolute workspace root all `file` fields are relative to. */
  root: string;
  summary: Record<Severity, number> & { total: number };
  findings: (JsonLocation &
    RuleData & {
      severity: Severity;
      message: string;
      related: (JsonLocation & { message: string })[];
      /** Identity that survives line shifts (SARIF `partialFingerprints` `mlParity/v1`). */
      fingerprint: string;
      /** With `--since`: every listed finding is new. */
      baselineState?: 'new';
    })[];
  /** With `--since`: the revision compared with, and how many findings were new, unchanged (not listed) and fixed. */
  since?: SinceSummary;
  stages: (JsonLocation & { name: string; kind: Stage['kind']; how: string; registration?: JsonLocation })[];
  /** Estimator classes not counted as stages (a test helper, an internal part), with why; absent when none. */
  setAside?: (JsonLocation & { name: string; kind: Stage['kind']; how: string; why: string })[];
  /** What the analysis could not judge or left out, and why (the text format prints them on stderr). */
  notes: string[];
  /** What was analysed: source and test file counts, and where the file list came from. */
  analysed?: AnalysisScope;
}

/** What `--since` compared: the findings listed are the `new` ones. */
export interface SinceSummary {
  rev: string;
  commit: string;
  new: number;
  unchanged: number;
  absent: number;
}

function findingsJsonReport(
  root: string,
  listed: readonly FingerprintedFinding[],
  stages: readonly Stage[],
  since?: SinceSummary,
  notes: readonly string[] = [],
  scope?: AnalysisScope,
  setAside: readonly SetAsideStage[] = [],
): FindingsJsonReport {
  const findings = listed.map((f) => f.finding);
  const loc = (l: { file: string; range: Finding['range'] }): JsonLocation => ({
    file: relPath(root, l.file),
    line: l.range.start.line + 1,
    column: l.range.start.character + 1,
    endLine: l.range.end.line + 1,
    endColumn: l.range.end.character + 1,
  });
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  return {
    version: 1,
    tool: 'ml-parity',
    root,
    summary: {
      error: count('error'),
      warning: count('warning'),
      info: count('info'),
      hint: count('hint'),
      total: findings.length,
    },
    findings: listed.map(({ finding: f, fingerprint }) => ({
      ...loc(f),
      ...ruleData(f),
      severity: f.severity,
      message: f.message,
      related: f.related.map((r) => ({ ...loc(r), message: r.message })),
      fingerprint,
      ...(since ? { baselineState: 'new' as const } : {}),
    })),
    ...(since ? { since } : {}),
    stages: stages.map((s) => ({
      ...loc(s.location),
      name: s.name,
      kind: s.kind,
      how: s.how,
      ...(s.registration ? { registration: loc(s.registration) } : {}),
    })),
    ...(setAside.length > 0
      ? { setAside: setAside.map((s) => ({ ...loc(s.location), name: s.name, kind: s.kind, how: s.how, why: s.why })) }
      : {}),
    notes: [...notes],
    ...(scope ? { analysed: scope } : {}),
  };
}

export function formatFindingsJson(
  root: string,
  findings: readonly FingerprintedFinding[],
  stages: readonly Stage[],
  since?: SinceSummary,
  notes: readonly string[] = [],
  scope?: AnalysisScope,
  setAside: readonly SetAsideStage[] = [],
): string {
  return JSON.stringify(findingsJsonReport(root, findings, stages, since, notes, scope, setAside), null, 2) + '\n';
}
