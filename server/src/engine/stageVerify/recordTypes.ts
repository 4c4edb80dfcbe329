import type { StageCall } from './types';

/** One stage the recorder wraps: where its module is and how the module exports it. */
export interface RecordPlanEntry {
  name: string;
  /** Absolute path of the stage's source file. */
  file: string;
  /** Export holding the stage ('default' for `export default` / `module.exports =`). */
  exportName: string;
  kind: 'function' | 'class';
}

/** What one process of the test command recorded. */
export interface RecordedCalls {
  pid: number;
  /** Stages found and wrapped in this process. */
  wrapped: string[];
  stages: Record<string, StageCall[]>;
}
