import type { CodeAction, CodeActionKind, Diagnostic, Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { WorkspaceFolderState } from '../workspace';

/** What the client can apply; providers fall back to simpler edits when a capability is missing. */
export interface EditCapabilities {
  /** `documentChanges` with create-file operations. */
  createFiles: boolean;
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

/** One kind of code action. Providers never throw for bad input; they simply offer nothing. */
export interface CodeActionProvider {
  readonly kinds: readonly CodeActionKind[];
  provide(ctx: CodeActionContext): CodeAction[];
}
