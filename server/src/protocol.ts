/**
 * Custom LSP messages and settings shared by the language server and the VS Code client. Each message is
 * declared once here (method name + typed RequestType/NotificationType) so both sides agree at compile time.
 * Only plain data types may be imported here: the client bundles this file.
 */
import { NotificationType, ProtocolRequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { WorkDoneProgressParams } from 'vscode-languageserver-protocol';
import type { Location, RuleData, RuleId, Severity } from './engine/findings';
import type { HookRunResult } from './engine/hooks/types';
import type { JsonSafe } from './engine/jsonSafe';
import type { StageVerifyReport } from './engine/stageVerify/types';
import type { VerifyReport as EngineVerifyReport } from './engine/verifyTypes';

/**
 * A verify report as it crosses the LSP: the engine's report with non-finite numbers written as "Infinity",
 * "-Infinity" and "NaN", exactly as the CLI's JSON report writes them.
 */
export type VerifyReport = JsonSafe<EngineVerifyReport>;

/** Which cases to run: one named case, or every case; from one workspace folder's config, or from all. */
export interface VerifyCaseArgs {
  caseName?: string;
  /** Also find where a failed case's models first diverge ("Explain divergence", the CLI's `--locate`). */
  locate?: boolean;
  /** URI of the workspace folder whose config declares the case; omitted: every folder. */
  folder?: string;
}

/** Params of `mlParity/verify`. */
export interface VerifyParams extends VerifyCaseArgs, WorkDoneProgressParams {}

/**
 * `mlParity/verify`: runs the config's verify cases. Reports work-done progress on the client's token (or a
 * server-created one) and stops on `$/cancelRequest`. Fails with an error response in untrusted workspaces.
 */
export const VerifyRequest = new ProtocolRequestType<VerifyParams, VerifyReport, never, void, void>('mlParity/verify');

/** `mlParity/lastReport`: the most recent verify report of this server session, or null. */
export const LastReportRequest = new RequestType0<VerifyReport | null, void>('mlParity/lastReport');

/** One verify case as the config declares it, for pickers. */
export interface CaseSummary {
  name: string;
  candidate: string;
  baseline?: string;
}

/** `mlParity/cases`: the verify cases of every workspace folder's config (empty when untrusted). */
export const ListCasesRequest = new RequestType0<CaseSummary[], void>('mlParity/cases');

/** Summary of the last verify run, enough for a status bar. */
export interface LastVerifySummary {
  passed: boolean;
  cases: number;
  failed: number;
  /** ISO timestamp. */
  at: string;
}

/** Params of the `mlParity/status` notification (server -> client). */
export interface StatusParams {
  state: 'analysing' | 'idle' | 'verifying';
  /** Findings currently published across the workspace. */
  findings: number;
  lastVerify?: LastVerifySummary;
  /** Set when the last analysis failed; the details are in the log. */
  error?: string;
  /** The last analyses' notes, every folder's (what was left out or not compared, and why). */
  notes?: string[];
}

/** `mlParity/status`: sent whenever analysis starts/ends or a verify run finishes. */
export const StatusNotification = new NotificationType<StatusParams>('mlParity/status');

/** Severity override for one rule in the editor; 'off' hides it. */
export type RuleSeverityOverride = Severity | 'off';

/** The `mlParity.*` settings, one typed object built by the client and pulled by the server per resource. */
export interface MlParitySettings {
  /** Analyse as you type (debounced) or only when a file is saved. */
  run: 'onType' | 'onSave';
  /** Per-rule severity overrides, applied after the config file's `analysis.rules`. */
  rules: Partial<Record<RuleId, RuleSeverityOverride>>;
  /** Config file path relative to the workspace folder; empty means `mlparity.config.json` at the root. */
  configPath: string;
  trace: { server: 'off' | 'messages' | 'verbose' };
}

export const DEFAULT_SETTINGS: MlParitySettings = {
  run: 'onType',
  rules: {},
  configPath: '',
  trace: { server: 'off' },
};

/** What the client passes in `initializationOptions`. */
export interface InitializationOptions {
  /** False in a restricted (untrusted) workspace: analysis only, verification refused. */
  trusted: boolean;
}

/**
 * Commands the server runs through `workspace/executeCommand` (advertised in `executeCommandProvider`), so any
 * LSP client can run them; both report work-done progress and end with a `window/showMessage` summary.
 */
export const ServerCommands = {
  /** Arguments: `[VerifyCaseArgs?]`; result: {@link VerifyReport}. VS Code's client runs its own Verify Refactor UI instead. */
  verify: 'mlParity.server.verify',
  /** Arguments: `[{ folder?: string }]` (folder URI); result: {@link HookChecksResult}. The pre-commit checks on the staged content. */
  runHookChecks: 'mlParity.server.runHookChecks',
  /**
   * Arguments: `[VerifyStageArgs]`; result: {@link StageReport}. One stage as edited (unsaved buffers included)
   * against HEAD on generated inputs; a divergence becomes a `stage-divergence` diagnostic on the stage.
   */
  verifyStage: 'mlParity.server.verifyStage',
} as const;

/** Arguments of {@link ServerCommands.verifyStage}. */
export interface VerifyStageArgs {
  stage: string;
  /** URI of the file declaring the stage (picks the workspace folder). */
  uri: string;
  /** Git revision of the baseline (default HEAD). */
  against?: string;
}

/** A verify-stage report as it crosses the LSP. */
export type StageReport = JsonSafe<StageVerifyReport>;

/** Arguments of {@link ServerCommands.runHookChecks}. */
export interface HookChecksArgs {
  /** URI of the workspace folder to check; omitted: every folder. */
  folder?: string;
}

/** Result of {@link ServerCommands.runHookChecks}: one entry per checked folder. */
export type HookChecksResult = JsonSafe<HookRunResult>[];

/**
 * The `data` a diagnostic carries so code actions can act on it without re-running the analysis: the
 * finding's rule and payload, narrowed together by `rule`. A config error the server reports without a
 * finding carries its rule alone.
 */
export type DiagnosticData = RuleData & {
  /** A clone's every copy, in the engine's order (the first decides where an extracted function goes). */
  copies?: Location[];
};
