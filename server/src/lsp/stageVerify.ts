import * as fs from 'node:fs';
import {
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type TextDocuments,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isEngineError } from '../engine/errors';
import type { FindingOf } from '../engine/findings';
import { stageVerdictLine } from '../engine/stageVerify/summary';
import type { StageVerifyReport } from '../engine/stageVerify/types';
import { verifyStage } from '../engine/stageVerify/verifyStage';
import type { VerifyStageArgs } from '../protocol';
import { toPath } from './convert';
import { describeError, type Logger } from './logger';
import { folderFor, type WorkspaceFolderState } from './workspace';
import { RULES } from '../engine/rules';

export interface StageVerifyDeps {
  folders: () => readonly WorkspaceFolderState[];
  trusted: () => boolean;
  documents: TextDocuments<TextDocument>;
  log: Logger;
  /** Publishes the folders' diagnostics again (a divergence appeared or went away). */
  republish: () => Promise<void>;
}

/** The arguments when they have the expected shape, else undefined. */
export function stageArgs(a: unknown): VerifyStageArgs | undefined {
  if (!a || typeof a !== 'object') return undefined;
  const o = a as Record<string, unknown>;
  if (typeof o.stage !== 'string' || typeof o.uri !== 'string') return undefined;
  return { stage: o.stage, uri: o.uri, ...(typeof o.against === 'string' ? { against: o.against } : {}) };
}

/**
 * Verifies one stage as edited (open editors' unsaved text included) against HEAD, with work-done progress;
 * `$/cancelRequest` stops the stage process. A divergence becomes a `stage-divergence` diagnostic on the
 * stage; an equivalent result removes it. Stage code is user code: refused in untrusted workspaces.
 */
export async function handleVerifyStage(
  deps: StageVerifyDeps,
  args: VerifyStageArgs,
  token: CancellationToken,
  progress: WorkDoneProgressReporter,
): Promise<StageVerifyReport | ResponseError<void>> {
  if (!deps.trusted())
    return new ResponseError(
      ErrorCodes.InvalidRequest,
      'Verifying a stage runs its code and is disabled in untrusted workspaces.',
    );
  const file = toPath(args.uri);
  const folder = file ? folderFor(deps.folders(), file) : undefined;
  if (!file || !folder)
    return new ResponseError(ErrorCodes.InvalidParams, `${args.uri} is not in a workspace folder of this server`);
  const overrides = new Map<string, string>();
  for (const doc of deps.documents.all()) {
    const p = toPath(doc.uri);
    if (p && folder.contains(p)) overrides.set(p, doc.getText());
  }
  const text = overrides.get(file) ?? readFile(file);
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort());
  progress.begin(`ML Parity: verifying ${args.stage} against ${args.against ?? 'HEAD'}`, 0, undefined, true);
  try {
    const report = await verifyStage({
      root: folder.root,
      stage: args.stage,
      knownStages: folder.last?.stages,
      candidate: { kind: 'worktree', overrides },
      baseline: { kind: 'revision', rev: args.against ?? 'HEAD' },
      signal: abort.signal,
      prefork: true,
      onProgress: (done, total) =>
        progress.report(total > 0 ? Math.round((done / total) * 100) : 0, `${done}/${total} inputs`),
    });
    folder.setStageFinding(report.stage, report.location.file, text ?? '', divergence(report));
    await deps.republish();
    return report;
  } catch (e) {
    if (abort.signal.aborted) return new ResponseError(LSPErrorCodes.RequestCancelled, 'stage verification cancelled');
    if (isEngineError(e)) return new ResponseError(ErrorCodes.InvalidParams, e.format());
    deps.log.error(`verify-stage failed: ${describeError(e)}`);
    return new ResponseError(ErrorCodes.InternalError, describeError(e));
  } finally {
    sub.dispose();
    progress.done();
  }
}

/** The diagnostic a non-equivalent report leaves on the stage, carrying the counterexample. */
function divergence(r: StageVerifyReport): FindingOf<'stage-divergence'> | undefined {
  if (r.status === 'equivalent') return undefined;
  const c = r.counterexample;
  return {
    file: r.location.file,
    range: r.location.range,
    rule: 'stage-divergence',
    severity: RULES['stage-divergence'].severity,
    message: stageVerdictLine(r) + (c ? ` (differs at ${c.difference})` : ''),
    related: [],
    data: {
      stage: r.stage,
      against: r.baselineLabel,
      ...(c
        ? {
            counterexample: {
              inputs: c.call,
              call: c.display,
              baseline: c.baseline,
              candidate: c.candidate,
              difference: c.difference,
            },
          }
        : {}),
    },
  };
}

function readFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
