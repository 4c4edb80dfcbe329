import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ts from 'typescript';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';

const REPO = path.resolve(__dirname, '../../..');
export const EXAMPLE = path.join(REPO, 'examples/workspace');

/** A temp copy of the example workspace; node_modules links to the repo's so its imports resolve. */
export function copyExample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-lsp-'));
  fs.cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}node_modules`) && !src.includes(`${path.sep}out`),
  });
  // The config points its $schema at the repo; keep it pointing there from the temp copy.
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function applyTextEdits(file: string, edits: readonly TextEdit[]): void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const doc = TextDocument.create('file:///x', 'typescript', 0, text);
  fs.writeFileSync(file, TextDocument.applyEdits(doc, [...edits]));
}

/** Applies a WorkspaceEdit to disk the way an editor would (creates, then text edits in order). */
export function applyWorkspaceEdit(edit: WorkspaceEdit): string[] {
  const touched: string[] = [];
  for (const change of edit.documentChanges ?? []) {
    if ('kind' in change) {
      if (change.kind !== 'create') throw new Error(`unexpected resource operation ${change.kind}`);
      const file = fileURLToPath(change.uri);
      if (fs.existsSync(file) && !change.options?.overwrite && !change.options?.ignoreIfExists)
        throw new Error(`${file} exists`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (!fs.existsSync(file) || change.options?.overwrite) fs.writeFileSync(file, '');
      touched.push(file);
    } else {
      const file = fileURLToPath(change.textDocument.uri);
      applyTextEdits(file, change.edits as TextEdit[]);
      touched.push(file);
    }
  }
  for (const [u, edits] of Object.entries(edit.changes ?? {})) {
    const file = fileURLToPath(u);
    applyTextEdits(file, edits);
    touched.push(file);
  }
  return touched;
}

function program(root: string, outDir?: string): ts.Program {
  const configFile = path.join(root, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configFile,
    outDir ? { outDir, noEmit: false } : { noEmit: true },
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${configFile}`);
  return ts.createProgram(parsed.fileNames, parsed.options);
}

/** Type-checks the workspace with its own tsconfig; returns the formatted errors (empty when clean). */
export function typeCheck(root: string): string[] {
  return ts.getPreEmitDiagnostics(program(root)).map((d) => {
    const where =
      d.file && d.start !== undefined
        ? `${path.relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `
        : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** Compiles the workspace to `outDir` so its own code can be run. */
export function compile(root: string, outDir: string): void {
  const result = program(root, outDir).emit();
  if (result.emitSkipped) throw new Error('emit skipped');
}
