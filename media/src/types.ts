// The report as the webview receives it: JSON-safe (non-finite numbers as text), as protocol.ts declares it. Taken
// from the engine's types directly: protocol.ts would drag the whole server into the DOM type check.
import type { JsonSafe } from '../../server/src/engine/jsonSafe';
import type { StageVerifyReport } from '../../server/src/engine/stageVerify/types';
import type { VerifyReport as EngineVerifyReport } from '../../server/src/engine/verifyTypes';

export type VerifyReport = JsonSafe<EngineVerifyReport>;
export type StageReport = JsonSafe<StageVerifyReport>;
export type CaseReport = VerifyReport['cases'][number];
export type OutputComparison = CaseReport['outputs'][number];
export type InputUsage = NonNullable<CaseReport['inputs']>[number];
export type CarryReport = NonNullable<CaseReport['carry']>;
export type Divergence = NonNullable<CaseReport['divergence']>;
export type Acceptance = NonNullable<OutputComparison['acceptance']>;
export type OutputMetrics = NonNullable<OutputComparison['metrics']>;

/** What the extension posts to the webview. */
export type WebviewMessage = { type: 'report'; report: VerifyReport } | { type: 'stageReport'; report: StageReport };

/** What the webview keeps across reloads of its frame. */
export interface WebviewState {
  report?: VerifyReport;
  stageReport?: StageReport;
}
