/**
 * Custom LSP messages and settings shared by the language server and the VS Code client. Each message is
 * declared once here (method name + typed RequestType/NotificationType) so both sides agree at compile time.
 * Only plain data types may be imported here: the client bundles this file.
 */
import { NotificationType, ProtocolRequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { WorkDoneProgressParams } from 'vscode-languageserver-protocol';
import type { Severity, RuleId } from './engine/findings';
import type { VerifyReport } from './engine/verifyTypes';

export type { VerifyReport };

/** Params of `mlParity/verify`: run one named case, or every case of the config when omitted. */
export interface VerifyParams extends WorkDoneProgressParams {
  caseName?: string;
}

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

/** Command ids the server registers through executeCommand. */
export const ServerCommands = {
  /** Arguments: `[{ caseName?: string }]`; the client runs it as the Verify Refactor command. */
  verifyRefactor: 'mlParity.verifyRefactor',
} as const;

/** The `data` a diagnostic carries so code actions can act on it without re-running the analysis. */
export interface DiagnosticData {
  rule: RuleId;
  /** Rule-specific payload from the finding (cloneId, stage, file, ...). */
  payload?: Record<string, unknown>;
}
