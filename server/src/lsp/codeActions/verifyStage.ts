import { CodeActionKind, type CodeAction } from 'vscode-languageserver/node';
import { stageDiffersFromHead } from '../../engine/stageVerify/changed';
import { ServerCommands, type VerifyStageArgs } from '../../protocol';
import { toUri } from '../convert';
import type { CodeActionContext, CodeActionProvider } from './types';

const VERIFY_STAGE_KIND = `${CodeActionKind.Refactor}.mlParity.verifyStage`;

/**
 * "Verify 'stage' against HEAD" inside a stage whose code differs from HEAD: runs the server command (any
 * LSP client can), which compares both versions on generated inputs. Offered only in trusted workspaces.
 */
export const verifyStageProvider: CodeActionProvider = {
  id: 'verifyStage',
  kinds: [VERIFY_STAGE_KIND],
  provide(ctx: CodeActionContext): CodeAction[] {
    if (!ctx.trusted) return [];
    const line = ctx.range.start.line;
    const text = ctx.document.getText();
    const stages = (ctx.folder.last?.stages ?? []).filter(
      (s) => s.body.file === ctx.file && s.body.range.start.line <= line && line <= s.body.range.end.line,
    );
    return stages
      .filter((s) => stageDiffersFromHead(s, text))
      .map((s) => ({
        title: `ML Parity: Verify '${s.name}' against HEAD`,
        kind: VERIFY_STAGE_KIND,
        command: {
          title: 'Verify against HEAD',
          command: ServerCommands.verifyStage,
          arguments: [{ stage: s.name, uri: toUri(ctx.file) } satisfies VerifyStageArgs],
        },
      }));
  },
};
