import { CodeActionKind, type CodeAction } from 'vscode-languageserver/node';
import { describeChange, stageChange } from '../../engine/stageVerify/changed';
import { headText, worktreeDiffs } from '../../engine/stageVerify/diffs';
import { ServerCommands, type VerifyStageArgs } from '../../protocol';
import { toUri } from '../convert';
import type { CodeActionContext, CodeActionProvider } from './types';

const VERIFY_STAGE_KIND = `${CodeActionKind.Refactor}.mlParity.verifyStage`;

/**
 * "Verify 'stage' against HEAD" inside a stage whose behaviour may differ from HEAD: its code changed, or
 * a helper it runs or a module it loads did (the title says which). Runs the server command (any LSP
 * client can), which compares both versions on generated inputs. Offered only in trusted workspaces.
 */
export const verifyStageProvider: CodeActionProvider = {
  id: 'verifyStage',
  kinds: [VERIFY_STAGE_KIND],
  provide(ctx: CodeActionContext): CodeAction[] {
    if (!ctx.trusted) return [];
    const line = ctx.range.start.line;
    const deps = ctx.folder.dependencies();
    if (!deps) return [];
    const stages = (ctx.folder.last?.stages ?? []).filter(
      (s) => s.body.file === ctx.file && s.body.range.start.line <= line && line <= s.body.range.end.line,
    );
    // A stage in a file HEAD does not have is new: there is nothing to verify it against.
    if (stages.length === 0 || headText(ctx.file) === undefined) return [];
    // The analysed text (unsaved editors included), which the stages' and the graph's positions refer to.
    const diffOf = worktreeDiffs(
      (f) => deps.text(f),
      (f, t) => deps.lineFacts(f, t),
    );
    return stages.flatMap((s) => {
      const reach = deps.reach(s);
      const change = reach && stageChange(s, reach, diffOf);
      if (!change) return [];
      const why = change.kind === 'own' ? '' : ` (${describeChange(change, ctx.folder.root)})`;
      return [
        {
          title: `ML Parity: Verify '${s.name}' against HEAD${why}`,
          kind: VERIFY_STAGE_KIND,
          command: {
            title: 'Verify against HEAD',
            command: ServerCommands.verifyStage,
            arguments: [{ stage: s.name, uri: toUri(ctx.file) } satisfies VerifyStageArgs],
          },
        },
      ];
    });
  },
};
