import type { CodeAction, CodeActionKind, Diagnostic, WorkspaceEdit } from 'vscode-languageserver/node';
import type { Logger } from '../logger';
import { describeError } from '../logger';
import type { CodeActionContext, CodeActionProvider } from './types';

/** `refactor.extract` matches a request for `refactor`, as the LSP spec prescribes for `only`. */
export function kindMatches(kind: string, only: readonly string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** The providers, the union of their kinds, and one entry point that asks each of them. */
export class CodeActionRegistry {
  constructor(
    private readonly providers: readonly CodeActionProvider[],
    private readonly log: Logger,
  ) {}

  /** Advertised as `codeActionProvider.codeActionKinds`. */
  kinds(): CodeActionKind[] {
    return [...new Set(this.providers.flatMap((p) => p.kinds))];
  }

  provide(ctx: CodeActionContext): CodeAction[] {
    const actions: CodeAction[] = [];
    for (const p of this.providers) {
      if (!p.kinds.some((k) => kindMatches(k, ctx.only))) continue;
      try {
        actions.push(...p.provide(ctx).filter((a) => !a.kind || kindMatches(a.kind, ctx.only)));
      } catch (e) {
        this.log.error(`code action provider failed: ${describeError(e)}`);
      }
    }
    return actions;
  }

  /** The edit of a lazy action, or why there is none; undefined when no provider of that id resolves. */
  resolve(provider: string, ctx: CodeActionContext, diagnostic: Diagnostic): WorkspaceEdit | string | undefined {
    const p = this.providers.find((x) => x.id === provider);
    if (!p?.resolve) return undefined;
    try {
      return p.resolve(ctx, diagnostic);
    } catch (e) {
      this.log.error(`code action resolve failed: ${describeError(e)}`);
      return `it failed (${describeError(e)}; see the log)`;
    }
  }
}
