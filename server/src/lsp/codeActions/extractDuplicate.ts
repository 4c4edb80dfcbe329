import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver/node';
import { SyntaxKind, type SourceFile } from 'ts-morph';
import { isCloneRule } from '../../engine/rules';
import { cloneCopies, diagnosticData } from './diagnosticData';
import { blockCopy, type BlockCopy } from './extract/blockCopy';
import { buildEdit, functionName, sharedModulePath, type Placement } from './extract/edit';
import { planExtraction } from './extract/plan';
import { loadProject } from './tsProject';
import { lazyAction, type CodeActionContext, type CodeActionProvider } from './types';

function offsetAt(source: SourceFile, line: number, character: number): number {
  return source.compilerNode.getPositionOfLineAndCharacter(line, Math.min(character, lineLength(source, line)));
}

function lineLength(source: SourceFile, line: number): number {
  const starts = source.compilerNode.getLineStarts();
  const end = line + 1 < starts.length ? starts[line + 1] : source.getFullText().length;
  return end - starts[line];
}

/** Builds the extract action for one clone diagnostic, or explains in the log why it cannot. */
export function buildExtractAction(ctx: CodeActionContext, d: Diagnostic): CodeAction | undefined {
  const copies = cloneCopies(d);
  const files = [...new Set(copies.map((c) => c.file))];
  if (copies.length < 2) return undefined;
  const { sources } = loadProject(ctx.folder.root, files, ctx.readText);
  const byFile = new Map(files.map((f, i) => [f, sources[i]]));
  const blocks: BlockCopy[] = [];
  for (const c of copies) {
    const source = byFile.get(c.file);
    if (!source) return undefined;
    const block = blockCopy(
      source,
      offsetAt(source, c.range.start.line, c.range.start.character),
      offsetAt(source, c.range.end.line, c.range.end.character),
    );
    if (!block) return undefined;
    blocks.push(block);
  }
  const planned = planExtraction(blocks);
  if (!planned.ok) {
    return {
      title: `Cannot extract duplicated code: ${planned.reason}`,
      kind: CodeActionKind.RefactorExtract,
      disabled: { reason: planned.reason },
    };
  }
  // Any identifier already spelled in the copies' files is off limits for the new name.
  const taken = new Set(
    sources.flatMap((s) => s.getDescendantsOfKind(SyntaxKind.Identifier).map((id) => id.getText())),
  );
  const name = functionName(planned.plan, taken);
  const firstFile = blocks[0].source.getFilePath();
  const placement: Placement = ctx.capabilities.createFiles
    ? { kind: 'module', file: sharedModulePath(ctx.folder.root, firstFile, name) }
    : { kind: 'firstFile', file: firstFile };
  return {
    title: `Extract duplicated code into shared function '${name}'`,
    kind: CodeActionKind.RefactorExtract,
    diagnostics: [d],
    isPreferred: true,
    edit: buildEdit(planned.plan, name, placement),
  };
}

/** "Extract duplicated code into a shared function" for clone findings. */
export const extractDuplicateProvider: CodeActionProvider = {
  id: 'extractDuplicate',
  kinds: [CodeActionKind.RefactorExtract],
  provide(ctx: CodeActionContext): CodeAction[] {
    const clones = ctx.diagnostics.filter((d) => isCloneRule(diagnosticData(d)?.rule ?? ''));
    // Planning needs a ts-morph project: a client that resolves gets the edit only for the action it picks.
    if (ctx.capabilities.resolveEdits) {
      return clones
        .filter((d) => cloneCopies(d).length >= 2)
        .map((d) =>
          lazyAction('extractDuplicate', ctx, d, {
            title: 'Extract duplicated code into a shared function',
            kind: CodeActionKind.RefactorExtract,
            isPreferred: true,
          }),
        );
    }
    return clones.map((d) => buildExtractAction(ctx, d)).filter((a): a is CodeAction => !!a);
  },
  resolve(ctx, d) {
    const action = buildExtractAction(ctx, d);
    if (!action) return 'the copies are not whole statements of one block';
    return action.edit ?? action.disabled?.reason ?? 'no edit could be planned';
  },
};
