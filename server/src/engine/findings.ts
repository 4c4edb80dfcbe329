/**
 * Findings are what the analysis reports, in the engine's own terms. The LSP adapter converts them to
 * diagnostics, the CLI to text/JSON/SARIF; nothing here knows about either.
 */

/** 0-based line and character, end exclusive (the LSP convention, so conversion is a copy). */
interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

import type { CloneClass } from './analysis/clones/types';
import type { StageKind } from './analysis/types';
import type { RuleId } from './rules';
import type { Outcome, StageCall } from './stageVerify/types';

export interface Location {
  /** Absolute file path. */
  file: string;
  range: Range;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export type { RuleId } from './rules';

export interface RelatedLocation extends Location {
  message: string;
}

/** A clone's size and owners (both clone rules): the class's own size fields, documented on CloneClass. */
interface CloneData extends Pick<CloneClass, 'type' | 'tokens' | 'maxTokens' | 'lines' | 'maxLines' | 'similarity'> {
  /** Stable while the duplicated code is unchanged. */
  cloneId: string;
  /** The stage owning each copy (the finding's own, then each related one's), null outside any stage. */
  stages: (string | null)[];
}

/** The stage a finding is about. */
export interface StageData {
  stage: string;
  /** The file declaring the stage. */
  file: string;
}

/**
 * Each rule's payload: what the code actions, the fingerprints and the JSON/SARIF reporters read.
 * Every rule has an entry (`Finding` indexes it by rule), `undefined` for a rule that carries none.
 */
interface FindingDataByRule {
  'duplicate-code': CloneData;
  'cross-stage-duplicate': CloneData;
  'untested-stage': StageData & {
    kind: StageKind;
    /** The test that comes nearest to reaching the stage, when one imports its file. */
    nearestTest?: string;
    /**
     * Build output that tests import and that could not be mapped to its source (absolute paths): the
     * tests may reach the stage through it, so "untested" is not certain.
     */
    unmappedBuild?: string[];
  };
  'unexecuted-stage': StageData;
  /** The TypeScript diagnostic code. */
  'syntax-error': { code: number };
  'config-error': undefined;
  'skipped-file': undefined;
  /** The cycle's files, root-relative, in import order. */
  'circular-import': { files: string[] };
  /** The case and the config key naming the model or fixtures that cannot be used. */
  'model-error': { caseName: string; key: 'candidate' | 'baseline' | 'fixtures' };
  'stage-divergence': {
    stage: string;
    /** The baseline's label (a git revision). */
    against: string;
    counterexample?: {
      inputs: StageCall;
      /** The call as source text. */
      call: string;
      baseline: Outcome;
      candidate: Outcome;
      difference: string;
    };
  };
}

/** A finding of rule `R`, with that rule's payload. */
export type FindingOf<R extends RuleId> = Location & {
  rule: R;
  severity: Severity;
  message: string;
  related: RelatedLocation[];
} & (FindingDataByRule[R] extends undefined ? { data?: undefined } : { data: FindingDataByRule[R] });

/** A finding of any rule; narrowing on `rule` types its `data`. */
export type Finding = { [R in RuleId]: FindingOf<R> }[RuleId];

/** A rule with its payload (absent for rules without one), kept paired: what diagnostics and the JSON report carry. */
export type RuleData = { [R in RuleId]: { rule: R; data?: FindingDataByRule[R] } }[RuleId];

/** The finding's `rule` and `data`. */
export function ruleData(f: Finding): RuleData {
  // A rest over the union keeps each rule with its own payload.
  const { file: _file, range: _range, severity: _severity, message: _message, related: _related, ...rest } = f;
  return rest;
}

export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2, hint: 3 };
