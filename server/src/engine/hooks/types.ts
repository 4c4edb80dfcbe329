import type { Finding } from '../findings';
import type { CaseReport } from '../verifyTypes';
import type { StageCommitResult } from '../stageVerify/commitCheck';

/**
 * Where the pre-commit check lives: a script in git's hooks folder, a block in husky's
 * `.husky/pre-commit`, or a `repo: local` entry in `.pre-commit-config.yaml`.
 */
export type HookLayout = 'git-hook' | 'husky' | 'pre-commit-config';

/** Lowest finding severity that blocks a commit. */
export type FailOn = 'error' | 'warning';

/** What the installed hook runs: absolute paths, so it works with the PATH editors commit with. */
export interface HookCommandSpec {
  /** Absolute path of the node binary (usually `process.execPath` at install time). */
  node: string;
  /** `node` is an Electron runtime (an editor's own binary): the hook sets ELECTRON_RUN_AS_NODE=1. */
  runAsNode?: boolean;
  /** Absolute path of `bin/ml-parity` or the extension's bundled CLI script. */
  cli: string;
  /** Workspace folder relative to the repository top ('' when they are the same). */
  rootRel: string;
  /** Baked into the command as `--fail-on` when given. */
  failOn?: FailOn;
  /** Baked in as `--all`: judge every finding in staged files, not only those the commit introduces. */
  all?: boolean;
}

export interface InstallOptions {
  /** Any folder inside the repository; the workspace whose config the hook checks. */
  root: string;
  node: string;
  /** See {@link HookCommandSpec.runAsNode}. */
  runAsNode?: boolean;
  cli: string;
  failOn?: FailOn;
  all?: boolean;
}

/** One place where an ML Parity pre-commit check is installed. */
export interface Installation {
  layout: HookLayout;
  /** The file holding the hook script, block or entry. */
  file: string;
  /** git-hook layout: the user's previous hook, kept aside and run first. */
  chained?: string;
}

export interface InstallResult extends Installation {
  /** False when an installation was already there (it was refreshed in place). */
  fresh: boolean;
  /** Things the user must still do, e.g. activate husky. */
  notes: string[];
}

export interface UninstallResult {
  /** Installations removed. */
  removed: Installation[];
  /** Files put back exactly as they were (chained hooks). */
  restored: string[];
  notes: string[];
}

export interface HookStatus {
  /** Repository top folder. */
  top: string;
  /** Layout `install` would use now. */
  layout: HookLayout;
  /** Folder git runs hooks from (core.hooksPath and worktrees respected). */
  hooksDir: string;
  installed: Installation[];
}

export interface HookRunOptions {
  /** Workspace folder (holding mlparity.config.json, if any) inside the repository. */
  root: string;
  /** Default 'warning': a new untested stage or cross-stage clone blocks the commit. */
  failOn?: FailOn;
  /**
   * Judge every finding located in a staged file (the behaviour before baselines). By default only
   * findings the commit introduces count: new relative to HEAD, wherever they are.
   */
  all?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** Outcome of the checks on the staged content. */
export interface HookRunResult {
  root: string;
  failOn: FailOn;
  /** Staged paths (added, copied, modified, renamed), relative to the workspace root with '/'. */
  staged: string[];
  /** Undefined when no staged file is a TS/JS source of the workspace (analysis skipped). */
  analysis?: {
    files: number;
    /** Findings the commit introduces (with `all`: located in staged files) at or above `failOn`. */
    blocking: Finding[];
    /** The same below `failOn` (shown, not blocking). */
    other: Finding[];
    /** Compared with HEAD (not with `all`, nor before the first commit): findings already there are not judged. */
    since?: { rev: string; commit: string; unchanged: number; fixed: number };
  };
  /** Stages whose staged code differs from HEAD, verified index against HEAD (undefined: not run). */
  stages?: StageCommitResult[];
  /** Stages HEAD has and the commit does not (compared with HEAD only; not with `all`). */
  removedStages?: RemovedStage[];
  /** Verify cases whose models or fixtures are staged, run on the staged bytes. */
  verify: CaseReport[];
  /** Config cases not run: untouched by this commit, or with no baseline yet (first commit of a model). */
  skippedCases: string[];
  /** Why touched cases were skipped, one line each. */
  notes: string[];
  passed: boolean;
}

/**
 * A stage at HEAD whose name the staged analysis no longer finds: its declaration was removed or
 * renamed, its file deleted, or it is no longer found as a stage (tag or registration gone).
 */
export interface RemovedStage {
  stage: string;
  /** Where HEAD declares it (the file may be gone from the commit). */
  file: string;
  /** 1-based line of the declaration at HEAD. */
  line: number;
}
