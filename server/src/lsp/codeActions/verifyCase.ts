import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { CodeActionKind, type CodeAction } from 'vscode-languageserver/node';
import { ServerCommands, type VerifyCaseArgs } from '../../protocol';
import { toUri } from '../convert';
import type { CodeActionContext, CodeActionProvider } from './types';

const VERIFY_KIND = `${CodeActionKind.Source}.mlParity.verify`;

/** Names of the config's cases whose JSON object overlaps [start, end) offsets; all names when none does. */
export function casesAt(text: string, start: number, end: number): string[] {
  const cases = findNodeAtLocation(parseTree(text) ?? { type: 'null', offset: 0, length: 0 }, ['verify', 'cases']);
  const names: { name: string; from: number; to: number }[] = [];
  for (const c of cases?.children ?? []) {
    const name: unknown = findNodeAtLocation(c, ['name'])?.value;
    if (typeof name === 'string') names.push({ name, from: c.offset, to: c.offset + c.length });
  }
  const hit = names.filter((n) => n.from <= end && start <= n.to);
  return (hit.length > 0 ? hit : names).map((n) => n.name);
}

/**
 * "Verify refactor" on the folder's config file (wherever `mlParity.configPath` puts it): runs the case under the
 * cursor through the server command, so any LSP client can run it (VS Code's client shows its own UI for it).
 * "Explain divergence" joins it on a case whose latest verification failed: there is nothing to explain on a case
 * that passed, errored or has not run yet.
 */
export const verifyCaseProvider: CodeActionProvider = {
  id: 'verifyCase',
  kinds: [VERIFY_KIND],
  provide(ctx: CodeActionContext): CodeAction[] {
    if (!ctx.trusted || !ctx.folder.isConfigFile(ctx.file)) return [];
    const doc = ctx.document;
    const names = casesAt(doc.getText(), doc.offsetAt(ctx.range.start), doc.offsetAt(ctx.range.end));
    const folder = toUri(ctx.folder.root);
    return names.flatMap((caseName) => {
      const actions: CodeAction[] = [
        {
          title: `ML Parity: Verify refactor '${caseName}'`,
          kind: VERIFY_KIND,
          command: {
            title: 'Verify Refactor',
            command: ServerCommands.verify,
            arguments: [{ caseName, folder } satisfies VerifyCaseArgs],
          },
        },
      ];
      if (ctx.folder.caseVerdicts.get(caseName) === 'fail') {
        actions.push({
          // Verifies with the divergence search on: the report then says where the models part ways.
          title: `ML Parity: Explain divergence of '${caseName}'`,
          kind: VERIFY_KIND,
          command: {
            title: 'Explain Divergence',
            command: ServerCommands.verify,
            arguments: [{ caseName, folder, locate: true } satisfies VerifyCaseArgs],
          },
        });
      }
      return actions;
    });
  },
};
