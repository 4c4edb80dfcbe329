import type { CodeAction, CodeActionParams, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import * as fs from 'node:fs';
import { DIAGNOSTIC_SOURCE, toPath, toUri } from '../convert';
import type { Logger } from '../logger';
import { folderFor, type WorkspaceFolderState } from '../workspace';
import { extractDuplicateProvider } from './extractDuplicate';
import { generateTestProvider } from './generateTest';
import { ignoreFindingProvider } from './ignoreFinding';
import { CodeActionRegistry } from './registry';
import { isLazyActionData, type CodeActionContext, type EditCapabilities } from './types';
import { verifyCaseProvider } from './verifyCase';
import { verifyStageProvider } from './verifyStage';

export function createRegistry(log: Logger): CodeActionRegistry {
  return new CodeActionRegistry(
    [extractDuplicateProvider, generateTestProvider, ignoreFindingProvider, verifyCaseProvider, verifyStageProvider],
    log,
  );
}

export interface CodeActionDeps {
  registry: CodeActionRegistry;
  documents: TextDocuments<TextDocument>;
  folders: () => readonly WorkspaceFolderState[];
  capabilities: EditCapabilities;
  trusted: () => boolean;
}

/** Text of a file, preferring the editor's unsaved buffer. */
function textReader(documents: TextDocuments<TextDocument>): (file: string) => string | undefined {
  return (f) => {
    const open = documents.get(toUri(f));
    if (open) return open.getText();
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
}

/** The `textDocument/codeAction` handler: builds the provider context and asks the registry. */
export function handleCodeAction(deps: CodeActionDeps, params: CodeActionParams): CodeAction[] {
  const document = deps.documents.get(params.textDocument.uri);
  const file = toPath(params.textDocument.uri);
  const folder = file ? folderFor(deps.folders(), file) : undefined;
  if (!document || !file || !folder) return [];
  return deps.registry.provide({
    document,
    file,
    range: params.range,
    diagnostics: params.context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE),
    folder,
    readText: textReader(deps.documents),
    capabilities: deps.capabilities,
    trusted: deps.trusted(),
    only: params.context.only,
  });
}

/**
 * The `codeAction/resolve` handler: builds the edit of the action the user chose. When there is none, the
 * action comes back without an edit and `explain` tells the user why (never a silent no-op).
 */
export function handleCodeActionResolve(
  deps: CodeActionDeps,
  action: CodeAction,
  explain: (message: string) => void,
): CodeAction {
  if (action.edit || !isLazyActionData(action.data)) return action;
  const { provider, uri, diagnostic } = action.data;
  const file = toPath(uri);
  const folder = file ? folderFor(deps.folders(), file) : undefined;
  const readText = textReader(deps.documents);
  const text = file ? readText(file) : undefined;
  if (!file || !folder || text === undefined) {
    explain(
      `ML Parity: cannot apply "${action.title}": ${file ?? uri} is no longer readable in an open workspace folder.`,
    );
    return action;
  }
  const document = deps.documents.get(uri) ?? TextDocument.create(uri, 'typescript', 0, text);
  const ctx: CodeActionContext = {
    document,
    file,
    range: diagnostic.range,
    diagnostics: [diagnostic],
    folder,
    readText,
    capabilities: { ...deps.capabilities, resolveEdits: false },
    trusted: deps.trusted(),
  };
  const edit = deps.registry.resolve(provider, ctx, diagnostic);
  if (edit === undefined) return action;
  if (typeof edit === 'string') {
    explain(`ML Parity: cannot apply "${action.title}": ${edit}.`);
    return action;
  }
  return { ...action, edit };
}
