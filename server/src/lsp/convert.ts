/**
 * Engine <-> LSP conversion: the only file that imports both engine and LSP types.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Range as LspRange,
} from 'vscode-languageserver/node';
import type { EngineError } from '../engine/errors';
import {
  ruleData,
  type Finding,
  type Location,
  type Range,
  type RelatedLocation,
  type RuleId,
  type Severity,
} from '../engine/findings';
import { isCloneRule, ruleDocPath } from '../engine/rules';
import type { DiagnosticData, RuleSeverityOverride } from '../protocol';

/**
 * Rule docs ship with the server (docs/rules beside the bundle or the repo), so the link opens offline and
 * in any LSP client; their folder is found by walking up from this file since the bundle and tsc output
 * sit at other depths.
 */
const DOCS_ROOT = findDocsRoot(__dirname);

function findDocsRoot(start: string): string {
  for (let dir = start, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'docs', 'rules'))) return dir;
  }
  return start;
}

export const DIAGNOSTIC_SOURCE = 'ml-parity';

const SEVERITY: Readonly<Record<Severity, DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toUri(file: string): string {
  return pathToFileURL(file).toString();
}

/** The file path of a `file:` URI, or undefined for other schemes (untitled, git, ...). */
export function toPath(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

// Engine ranges already use the LSP convention (0-based, end exclusive), so this is a copy.
function toLspRange(r: Range): LspRange {
  return { start: { ...r.start }, end: { ...r.end } };
}

function ruleDocUrl(rule: RuleId): string {
  return pathToFileURL(path.join(DOCS_ROOT, ruleDocPath(rule))).href;
}

/** A finding as the editor shows it: a clone once per copy, each knowing every copy. */
export interface ShownFinding {
  finding: Finding;
  /** A clone's copies, in the engine's order (the first copy decides where an extracted function goes). */
  copies?: Location[];
}

/** A finding as a diagnostic, or undefined when the editor settings turn its rule off. */
export function toDiagnostic(
  { finding: f, copies }: ShownFinding,
  overrides: Partial<Record<RuleId, RuleSeverityOverride>> = {},
): Diagnostic | undefined {
  const severity = overrides[f.rule] ?? f.severity;
  if (severity === 'off') return undefined;
  const relatedInformation: DiagnosticRelatedInformation[] = f.related.map((r) => ({
    location: { uri: toUri(r.file), range: toLspRange(r.range) },
    message: r.message,
  }));
  const data: DiagnosticData = copies ? { ...ruleData(f), copies } : ruleData(f);
  return {
    range: toLspRange(f.range),
    severity: SEVERITY[severity],
    code: f.rule,
    codeDescription: { href: ruleDocUrl(f.rule) },
    source: DIAGNOSTIC_SOURCE,
    message: f.message,
    relatedInformation,
    data,
  };
}

/**
 * The engine reports a clone once, at its first copy, with the other copies as related locations. In the
 * editor every copy gets its own diagnostic so the squiggle shows wherever the code is read.
 */
export function expandClones(findings: readonly Finding[]): ShownFinding[] {
  return findings.flatMap((f) => {
    if (!isCloneRule(f.rule)) return [{ finding: f }];
    const copies: Location[] = [
      { file: f.file, range: f.range },
      ...f.related.map((r) => ({ file: r.file, range: r.range })),
    ];
    const first: RelatedLocation = { file: f.file, range: f.range, message: 'first copy of this code' };
    return [
      { finding: f, copies },
      ...f.related.map((here, i) => ({
        finding: {
          ...f,
          file: here.file,
          range: here.range,
          related: [first, ...f.related.filter((_, j) => j !== i)],
        },
        copies,
      })),
    ];
  });
}

/** A located engine error (bad config, unreadable file) as an error diagnostic at its position. */
export function errorToDiagnostic(e: EngineError, rule: RuleId = 'config-error'): Diagnostic {
  const line = Math.max(0, (e.location.line ?? 1) - 1);
  const character = Math.max(0, (e.location.column ?? 1) - 1);
  return {
    range: { start: { line, character }, end: { line, character: character + 1 } },
    severity: DiagnosticSeverity.Error,
    code: rule,
    codeDescription: { href: ruleDocUrl(rule) },
    source: DIAGNOSTIC_SOURCE,
    message: e.message,
    data: { rule } satisfies DiagnosticData,
  };
}

/** Groups findings by file URI, dropping the ones the overrides turn off. */
export function groupDiagnostics(
  findings: readonly Finding[],
  overrides: Partial<Record<RuleId, RuleSeverityOverride>> = {},
): Map<string, Diagnostic[]> {
  const byUri = new Map<string, Diagnostic[]>();
  for (const shown of expandClones(findings)) {
    const d = toDiagnostic(shown, overrides);
    if (!d) continue;
    const uri = toUri(shown.finding.file);
    const list = byUri.get(uri) ?? [];
    list.push(d);
    byUri.set(uri, list);
  }
  return byUri;
}
