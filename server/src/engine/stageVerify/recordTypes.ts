import type { StageCall } from './types';

/** One stage the recorder wraps: where its module is and how the module exports it. */
export interface RecordPlanEntry {
  name: string;
  /** Absolute path of the stage's source file. */
  file: string;
  /** Export holding the stage ('default' for `export default` / `module.exports =`). */
  exportName: string;
  kind: 'function' | 'class';
  /**
   * Set when the file is a native ES module, which `require` never sees: the ES loader hook appends
   * `local = wrap(local)` to it after the `edits` that make the exports follow that binding (a `const`
   * declaring it becomes `let`; `export default local;`, which exports the value, becomes
   * `export { local as default };`). Each edit replaces `was` at [at, end) of the file's text.
   */
  esm?: { local: string; edits: { at: number; end: number; was: string; text: string }[] };
}

/** What one process of the test command recorded. */
export interface RecordedCalls {
  pid: number;
  /** Stages found and wrapped in this process. */
  wrapped: string[];
  /** The process could register the ES module loader hook (module.register, Node 18.19 / 20.6 and later). */
  esmHooks?: boolean;
  stages: Record<string, StageCall[]>;
}
