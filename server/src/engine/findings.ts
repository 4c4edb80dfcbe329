/**
 * Findings are what the analysis reports, in the engine's own terms. The LSP adapter converts them to
 * diagnostics, the CLI to text/JSON/SARIF; nothing here knows about either.
 */

/** 0-based line and character, end exclusive (the LSP convention, so conversion is a copy). */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Location {
  /** Absolute file path. */
  file: string;
  range: Range;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export type RuleId =
  | 'duplicate-code'
  | 'cross-stage-duplicate'
  | 'untested-stage'
  | 'unexecuted-stage'
  | 'syntax-error'
  | 'config-error'
  | 'skipped-file'
  | 'circular-import'
  | 'model-error'
  /** A stage that behaves differently from its git version (found by verify-stage in the editor). */
  | 'stage-divergence';

export interface RelatedLocation extends Location {
  message: string;
}

export interface Finding extends Location {
  rule: RuleId;
  severity: Severity;
  message: string;
  related: RelatedLocation[];
  /** Rule-specific payload the code actions need (e.g. the clone class id or the stage name). */
  data?: Record<string, unknown>;
}

export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2, hint: 3 };
