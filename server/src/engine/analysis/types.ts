import type { Finding, Location, Range } from '../findings';

/** Which rule found a stage; a stage found by several rules keeps the most specific one. */
export type StageKind =
  /** JSDoc `@stage` (optionally `@stage name`). */
  | 'tagged'
  /** Argument of a registration call such as `pipeline.stage("name", fn)` or `compose(a, b)`. */
  | 'registered'
  /** Element of an array/object passed to a pipeline constructor (`new Pipeline([a, b])`). */
  | 'constructed'
  /** Class (ES or ES5, own or inherited methods) with one of the `stageMethods` (`transform` only with another). */
  | 'estimator'
  /** Exported function or class of a file under one of the `pipelineFolders`. */
  | 'folder';

/** One pipeline stage, as plain data. */
export interface Stage {
  name: string;
  kind: StageKind;
  /** The stage's name in its declaration (or the inline function itself). */
  location: Location;
  /** Where the stage is registered (call or constructor argument), when a registration rule found it. */
  registration?: Location;
  /** Whole declaration, used to place clone occurrences and coverage lines inside stages. */
  body: Location;
  /** How it was found, by every rule that found it ("class with fit, predict; @stage tag"). */
  how: string;
}

/** An estimator class not counted as a stage (a test helper, an internal part; see setAside.ts), and why. */
export interface SetAsideStage extends Stage {
  why: string;
}

/** What one analysis run returns. */
export interface AnalysisResult {
  /** Sorted by file, line, column, rule. */
  findings: Finding[];
  /** Sorted by file and position. */
  stages: Stage[];
  /** Estimator classes not counted as stages (test helpers, internal parts; see setAside.ts), each with why. */
  setAside?: SetAsideStage[];
  /** Number of files analysed (skipped files excluded). */
  files: number;
  /** The files analysed (absolute, sorted). */
  analysedFiles: string[];
  /** Files listed but not analysed (build output, skipped, unreadable), absolute path → why. */
  leftOut: Record<string, string>;
  durationMs: number;
  /** What was analysed: source and test file counts, and where the file list came from. */
  scope: AnalysisScope;
  /** Informational remarks that are not findings (e.g. "no tsconfig.json, using include globs"). */
  notes: string[];
}

export interface AnalysisScope {
  sourceFiles: number;
  testFiles: number;
  /** Where the file list came from: "tsconfig.json \"files\" + the test globs", "the analysis include globs"… */
  from: string;
  /**
   * Files of benchmarks, scripts and examples (auxiliary.ts), analysed but not as library code: not counted
   * in `sourceFiles`; absent when none (a note says which).
   */
  auxiliaryFiles?: number;
  /** Source files of the project the list leaves out, when they outnumber the analysed ones (a note says where). */
  notAnalysed?: number;
}

/** Convenience for building ranges from 0-based positions. */
export function range(startLine: number, startChar: number, endLine: number, endChar: number): Range {
  return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
}
