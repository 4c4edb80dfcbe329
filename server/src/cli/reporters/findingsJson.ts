import type { Finding, Severity } from '../../engine/findings';
import type { Stage } from '../../engine/analysis/types';
import { relPath } from '../../engine/analysis/paths';

/** A location in the JSON report: root-relative forward-slash path, 1-based lines and columns, end inclusive line. */
export interface JsonLocation {
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
  findings: (JsonLocation & {
    rule: Finding['rule'];
    severity: Severity;
    message: string;
    related: (JsonLocation & { message: string })[];
    data?: Record<string, unknown>;
  })[];
  stages: (JsonLocation & { name: string; kind: Stage['kind']; how: string; registration?: JsonLocation })[];
  /** What the analysis could not judge or left out, and why (also printed on stderr by the text format). */
  notes: string[];
}

export function findingsJsonReport(root: string, findings: readonly Finding[], stages: readonly Stage[], notes: readonly string[] = []): FindingsJsonReport {
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
    summary: { error: count('error'), warning: count('warning'), info: count('info'), hint: count('hint'), total: findings.length },
    findings: findings.map((f) => ({
      ...loc(f),
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      related: f.related.map((r) => ({ ...loc(r), message: r.message })),
      ...(f.data ? { data: f.data } : {}),
    })),
    stages: stages.map((s) => ({ ...loc(s.location), name: s.name, kind: s.kind, how: s.how, ...(s.registration ? { registration: loc(s.registration) } : {}) })),
    notes: [...notes],
  };
}

export function formatFindingsJson(root: string, findings: readonly Finding[], stages: readonly Stage[], notes: readonly string[] = []): string {
  return JSON.stringify(findingsJsonReport(root, findings, stages, notes), null, 2) + '\n';
}
