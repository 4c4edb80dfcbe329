import type { Tolerance } from '../compare/types';
import type { VerifyCase } from '../verifyTypes';
import type { RuleId, Severity } from '../findings';

/** Settings of the pipeline analysis (`analysis` in mlparity.config.json). Every field is optional there. */
export interface AnalysisConfig {
  /** Globs relative to the workspace root; default: all TS/JS files. */
  include: string[];
  /**
   * Benchmark, script or example folders (root-relative) checked as library code because they were named
   * on the command line (`check Benchmark`); not a config file setting.
   */
  namedFolders?: string[];
  /** Globs left out; a config's list extends these defaults (build output is detected apart, see includeBuildOutput). */
  exclude: string[];
  /** Analyse build output too (bundles in dist/, lib/ beside src/, files with a sourceMappingURL…); default false. */
  includeBuildOutput: boolean;
  /** Folders whose exported functions are stages by default. */
  pipelineFolders: string[];
  /** Globs that identify test files. */
  testGlobs: string[];
  /** Method/function names that register stages: `pipeline.stage("name", fn)`, `.pipe(fn)`, `compose(a, b)`. */
  stageCalls: string[];
  /** Constructors whose array/object arguments list stages (`new Pipeline([a, b])`). */
  pipelineConstructors: string[];
  /** Method names that make a class an estimator stage (`transform` only together with another one). */
  stageMethods: string[];
  clones: { minTokens: number; minLines: number; minSimilarity: number };
  /** Files larger than this many bytes are skipped with a note. */
  maxFileBytes: number;
  /** Severity override per rule; 'off' disables it. */
  rules: Partial<Record<RuleId, Severity | 'off'>>;
  /** Coverage files to read if present, relative to the root. */
  coverageFiles: string[];
}

/** A verify case as written in the config: the runnable case's shape, with paths relative to the config. */
type CaseConfig = VerifyCase;

export interface VerifyConfig {
  /** Applied to every case unless the case overrides it. */
  defaults: Partial<Tolerance> & {
    timeoutMs?: number;
    count?: number;
    seed?: number;
    batchSize?: number;
    castInputs?: boolean;
    maxInputMb?: number;
  };
  cases: CaseConfig[];
}

/** `stages` in mlparity.config.json: verify-stage in the pre-commit hook. */
export interface StagesConfig {
  verifyOnCommit: boolean;
  /** Time for one stage's check in the hook. */
  budgetMs: number;
  /** Time for all the stages' checks of one hook run; stages not reached within it are reported as not verified. */
  totalBudgetMs: number;
  /** Generated inputs per stage in the hook. */
  count: number;
  /** Limit for one call of a stage. */
  timeoutMs: number;
}

export const DEFAULT_STAGES: StagesConfig = {
  verifyOnCommit: true,
  budgetMs: 5000,
  totalBudgetMs: 30_000,
  count: 100,
  timeoutMs: 2000,
};

/** The whole config file after validation, paths still as written (relative to `root`). */
export interface MlParityConfig {
  /** Folder holding the config file; relative paths resolve against it. */
  root: string;
  /** Absolute path of the config file, or undefined when defaults were used. */
  file?: string;
  analysis: AnalysisConfig;
  verify: VerifyConfig;
  stages: StagesConfig;
}

export const DEFAULT_ANALYSIS: AnalysisConfig = {
  include: ['**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}'],
  exclude: ['**/node_modules/**', '**/coverage/**', '**/*.d.ts', '**/*.min.js'],
  includeBuildOutput: false,
  pipelineFolders: ['src/pipeline', 'pipeline', 'src/pipelines'],
  testGlobs: [
    '**/*.test.{ts,tsx,js,jsx,mts,cts,mjs,cjs}',
    '**/*.spec.{ts,tsx,js,jsx,mts,cts,mjs,cjs}',
    '**/test/**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}',
    '**/tests/**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}',
    '**/__tests__/**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}',
    // Jasmine's layout: `spec/` (its helpers and support files too) and `name_spec.js`.
    '**/spec/**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}',
    '**/*_spec.{ts,tsx,js,jsx,mts,cts,mjs,cjs}',
  ],
  stageCalls: ['stage', 'addStage', 'pipe', 'step', 'compose', 'sequential'],
  pipelineConstructors: ['Pipeline', 'Sequential'],
  stageMethods: [
    'fit',
    'transform',
    'predict',
    'train',
    '_predict',
    '_call',
    'forward',
    'predictProba',
    'fitTransform',
    'partialFit',
  ],
  clones: { minTokens: 50, minLines: 5, minSimilarity: 0.8 },
  maxFileBytes: 1_000_000,
  rules: {},
  coverageFiles: ['coverage/lcov.info', 'coverage/coverage-final.json'],
};
