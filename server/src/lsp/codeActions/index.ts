import type { CodeAction, CodeActionParams, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import * as fs from 'node:fs';
import { DIAGNOSTIC_SOURCE, toPath, toUri } from '../convert';
import type { Logger } from '../logger';
import { folderFor, type WorkspaceFolderState } from '../workspace';
import { extractDuplicateProvider } from './extractDuplicate';
import { generateTestProvider } from './generateTest';
import { ignoreFindingProvider } from './ignoreFinding';
import { CodeActionRegistry } from './registry';
import type { EditCapabilities } from './types';
import { verifyCaseProvider } from './verifyCase';
import { verifyStageProvider } from './verifyStage';

export function createRegistry(log: Logger): CodeActionRegistry {
  return new CodeActionRegistry([extractDuplicateProvider, generateTestProvider, ignoreFindingProvider, verifyCaseProvider, verifyStageProvider], log);
}

export interface CodeActionDeps {
  registry: CodeActionRegistry;
  documents: TextDocuments<TextDocument>;
  folders: () => readonly WorkspaceFolderState[];
  capabilities: EditCapabilities;
  trusted: () => boolean;
}

/** The `textDocument/codeAction` handler: builds the provider context and asks the registry. */
export function handleCodeAction(deps: CodeActionDeps, params: CodeActionParams): CodeAction[] {
  const document = deps.documents.get(params.textDocument.uri);
  const file = toPath(params.textDocument.uri);
  const folder = file ? folderFor(deps.folders(), file) : undefined;
  if (!document || !file || !folder) return [];
  const readText = (f: string): string | undefined => {
    const open = deps.documents.get(toUri(f));
    if (open) return open.getText();
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  return deps.registry.provide({
    document,
    file,
    range: params.range,
    diagnostics: params.context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE),
    folder,
    readText,
    capabilities: deps.capabilities,
    trusted: deps.trusted(),
    only: params.context.only,
  });
}
