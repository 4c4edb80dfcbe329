/**
 * The rule registry: every analysis rule's id, default severity and help text, in one place. The SARIF
 * reporter, the diagnostics' doc links, the hook and the code actions read it; package.json's
 * `mlParity.rules` setting, the config schema, docs/rules/ and the README's rule table are checked
 * against it by test/unit/rules.test.ts.
 */
import type { Severity } from './findings';

export interface RuleInfo {
  /** What the analysis reports unless the config (`analysis.rules`) or the editor settings override it. */
  severity: Severity;
  /** One line (SARIF shortDescription). */
  title: string;
  /** What it means and what to do about it (SARIF help). */
  help: string;
  /** Findings list the other copies of a duplicate in `related`. */
  clone?: true;
}

export const RULES = {
  'duplicate-code': {
    severity: 'info',
    title: 'Duplicated code',
    help: 'The same code (up to renaming, or nearly) appears more than once. Extract it into one function so fixes apply everywhere.',
    clone: true,
  },
  'cross-stage-duplicate': {
    severity: 'warning',
    title: 'Code duplicated across pipeline stages',
    help: 'Two pipeline stages carry the same logic (e.g. a normalization block). Divergent copies silently change model behaviour; extract a shared helper.',
    clone: true,
  },
  'untested-stage': {
    severity: 'warning',
    title: 'Pipeline stage not reached by any test',
    help: 'No test calls this stage, directly, through other code, or by running the pipeline that registers it. Add a test that exercises it.',
  },
  'unexecuted-stage': {
    severity: 'info',
    title: 'Pipeline stage never ran under coverage',
    help: 'Tests reach this stage statically, but the recorded coverage shows none of its lines executed.',
  },
  'syntax-error': {
    severity: 'error',
    title: 'Syntax error',
    help: 'The file does not parse; the analysis of it is incomplete until it is fixed.',
  },
  'config-error': {
    severity: 'error',
    title: 'Configuration problem',
    help: 'mlparity.config.json or tsconfig.json is invalid, or its globs select no files.',
  },
  'skipped-file': {
    severity: 'info',
    title: 'File skipped',
    help: 'The file was not analysed: it is generated, too large (maxFileBytes), unreadable, or the parser gave up on it.',
  },
  'circular-import': {
    severity: 'info',
    title: 'Circular import',
    help: 'These modules import each other; module initialisation order may leave bindings undefined.',
  },
  'model-error': {
    severity: 'error',
    title: 'Model problem',
    help: 'An ONNX model named by the configuration could not be loaded or run.',
  },
  'stage-divergence': {
    severity: 'warning',
    title: 'Stage behaves differently',
    help: 'The stage returns something else than its git version on at least one input (ml-parity verify-stage).',
  },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

export const RULE_IDS: readonly RuleId[] = Object.keys(RULES) as RuleId[];

/** Rules whose findings are duplicates with their other copies in `related`. */
export type CloneRuleId = { [R in RuleId]: (typeof RULES)[R] extends { clone: true } ? R : never }[RuleId];

export function isCloneRule(id: string): id is CloneRuleId {
  return isRuleId(id) && 'clone' in RULES[id];
}

export function isRuleId(id: string): id is RuleId {
  return Object.prototype.hasOwnProperty.call(RULES, id);
}

/** The rule's documentation, relative to the repository root (and to the packaged extension). */
export function ruleDocPath(rule: RuleId): string {
  return `docs/rules/${rule}.md`;
}
