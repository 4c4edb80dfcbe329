import { CodeActionKind, type CodeAction } from 'vscode-languageserver/node';
import type { CodeActionContext, CodeActionProvider } from './types';

/** "Extract duplicated code into a shared function" for clone findings. */
export const extractDuplicateProvider: CodeActionProvider = {
  kinds: [CodeActionKind.RefactorExtract],
  provide(_ctx: CodeActionContext): CodeAction[] {
    return [];
  },
};
