import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isCloneRule } from '../../engine/rules';
import { diagnosticData } from './diagnosticData';
import type { CodeActionContext, CodeActionProvider } from './types';

// The analyzer honours these comments (see engine/analysis/clones/ignoreComments.ts).
const IGNORE = '// ml-parity-ignore';
const IGNORE_START = '// ml-parity-ignore-start';
const IGNORE_END = '// ml-parity-ignore-end';

const SCRIPT = /\.(?:[cm]?[jt]sx?)$/;

function indentOf(doc: TextDocument, line: number): string {
  const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  return /^[ \t]*/.exec(text)?.[0] ?? '';
}

function insertLineAbove(doc: TextDocument, line: number, comment: string): TextEdit {
  return {
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    newText: `${indentOf(doc, line)}${comment}\n`,
  };
}

/** Edits that silence one diagnostic: a next-line comment, or start/end markers around a clone copy. */
function ignoreEdits(doc: TextDocument, d: Diagnostic, rule: string): TextEdit[] {
  const first = d.range.start.line;
  if (!isCloneRule(rule)) return [insertLineAbove(doc, first, IGNORE)];
  // An end position at column 0 means the copy ended on the previous line.
  const last = d.range.end.character === 0 && d.range.end.line > first ? d.range.end.line - 1 : d.range.end.line;
  const after = last + 1;
  const endEdit: TextEdit =
    after < doc.lineCount
      ? {
          range: { start: { line: after, character: 0 }, end: { line: after, character: 0 } },
          newText: `${indentOf(doc, first)}${IGNORE_END}\n`,
        }
      : {
          range: { start: doc.positionAt(doc.getText().length), end: doc.positionAt(doc.getText().length) },
          newText: `\n${indentOf(doc, first)}${IGNORE_END}\n`,
        };
  return [insertLineAbove(doc, first, IGNORE_START), endEdit];
}

/** "Ignore this finding" for every finding of ours in a script file. */
export const ignoreFindingProvider: CodeActionProvider = {
  id: 'ignoreFinding',
  kinds: [CodeActionKind.QuickFix],
  provide(ctx: CodeActionContext): CodeAction[] {
    if (!SCRIPT.test(ctx.file)) return [];
    return ctx.diagnostics.flatMap((d) => {
      const data = diagnosticData(d);
      if (!data || data.rule === 'syntax-error') return [];
      return [
        {
          title: `Ignore this finding (${data.rule})`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          edit: { changes: { [ctx.document.uri]: ignoreEdits(ctx.document, d, data.rule) } },
        },
      ];
    });
  },
};
