import type { CodeAction, CodeActionKind, Diagnostic, Range, WorkspaceEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { WorkspaceFolderState } from '../workspace';

/** What the client can apply; providers fall back to simpler edits when a capability is missing. */
export interface EditCapabilities {
  /** `documentChanges` with create-file operations. */
  createFiles: boolean;
  /** The client resolves a code action's `edit` on demand (`codeAction/resolve`), so costly edits wait until chosen. */
  resolveEdits: boolean;
}

/** Everything a provider may look at for one `textDocument/codeAction` request. */
export interface CodeActionContext {
  document: TextDocument;
  /** Absolute path of the document. */
  file: string;
  range: Range;
  /** Our own diagnostics in the request (others are filtered out). */
  diagnostics: Diagnostic[];
  folder: WorkspaceFolderState;
  /** Text of a file, preferring the editor's unsaved buffer. */
  readText: (file: string) => string | undefined;
  capabilities: EditCapabilities;
  /** False in untrusted workspaces. */
  trusted: boolean;
  /** When set, only these kinds (or their sub-kinds) are wanted. */
  only?: string[];
}

/**
 * One kind of code action. Providers never throw for bad input; they simply offer nothing. A provider whose
 * edit is costly (a ts-morph project) offers it without `edit` when the client can resolve, and builds it in
 * `resolve` for the one action the user chose.
 */
export interface CodeActionProvider {
  /** Names the provider in a lazy action's `data`, so resolve finds it again. */
  readonly id: string;
  readonly kinds: readonly CodeActionKind[];
  provide(ctx: CodeActionContext): CodeAction[];
  /** The edit for `diagnostic`, or why there is none (shown to the user). `ctx` holds that one diagnostic. */
  resolve?(ctx: CodeActionContext, diagnostic: Diagnostic): WorkspaceEdit | string;
}

/** The `data` of an action whose edit is computed on `codeAction/resolve`. */
export interface LazyActionData {
  provider: string;
  uri: string;
  diagnostic: Diagnostic;
}

/** A lazy action for `diagnostic`: everything but the edit, with what resolve needs in `data`. */
export function lazyAction(
  provider: string,
  ctx: CodeActionContext,
  diagnostic: Diagnostic,
  action: Omit<CodeAction, 'data' | 'edit' | 'diagnostics'>,
): CodeAction {
  const data: LazyActionData = { provider, uri: ctx.document.uri, diagnostic };
  return { ...action, diagnostics: [diagnostic], data };
}

export function isLazyActionData(v: unknown): v is LazyActionData {
  return (
    typeof v === 'object' &&
    v !== null &&
    'provider' in v &&
    typeof v.provider === 'string' &&
    'uri' in v &&
    typeof v.uri === 'string' &&
    'diagnostic' in v &&
    typeof v.diagnostic === 'object' &&
    v.diagnostic !== null
  );
}
