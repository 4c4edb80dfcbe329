import * as fs from 'node:fs';
import * as path from 'node:path';
import { SyntaxKind, type ImportDeclaration, type SourceFile } from 'ts-morph';
import type { TextDocumentEdit, TextEdit, WorkspaceEdit, CreateFile } from 'vscode-languageserver/node';
import { toUri } from '../../convert';
import { moduleSpecifier, usesJsExtensions } from '../tsProject';
import type { ExtractPlan } from './plan';

/** Where the shared function goes: a new module, or appended to the first copy's file. */
export type Placement = { kind: 'module'; file: string } | { kind: 'firstFile'; file: string };

/** `<root>/src/shared/<name>.ts` when the first copy lives under `src/`, else a `shared/` folder beside it. */
export function sharedModulePath(root: string, firstFile: string, name: string): string {
  const rel = path.relative(root, firstFile).split(path.sep);
  const dir = rel[0] === 'src' ? path.join(root, 'src', 'shared') : path.join(path.dirname(firstFile), 'shared');
  const ext = path.extname(firstFile) || '.ts';
  let file = path.join(dir, `${name}${ext}`);
  for (let i = 2; fs.existsSync(file); i++) file = path.join(dir, `${name}${i}${ext}`);
  return file;
}

/** A name for the function from what it returns (`computeNormalized`), else `sharedBlock`. */
export function functionName(plan: ExtractPlan, taken: ReadonlySet<string>): string {
  const last = plan.returns[plan.returns.length - 1];
  const base = last ? `compute${last[0].toUpperCase()}${last.slice(1)}` : 'sharedBlock';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  return name;
}

// `import("/abs/file")` in checker-printed types -> a specifier relative to the new module.
function relativizeTypes(type: string, target: string, jsExt: boolean): string {
  return type.replace(/import\("([^"]+)"\)/g, (m, spec: string) =>
    path.isAbsolute(spec) ? `import("${moduleSpecifier(target, spec, jsExt)}")` : m,
  );
}

function importLines(plan: ExtractPlan, target: string, jsExt: boolean): string[] {
  return plan.imports.map(({ declaration, name }) => {
    const spec = declaration.getModuleSpecifierValue();
    const resolved = declaration.getModuleSpecifierSourceFile()?.getFilePath();
    const from = spec.startsWith('.') && resolved ? moduleSpecifier(target, resolved, jsExt) : spec;
    const typeOnly = declaration.isTypeOnly() ? 'type ' : '';
    if (declaration.getNamespaceImport()?.getText() === name) return `import ${typeOnly}* as ${name} from '${from}';`;
    if (declaration.getDefaultImport()?.getText() === name) return `import ${typeOnly}${name} from '${from}';`;
    const named = declaration.getNamedImports().find((s) => (s.getAliasNode()?.getText() ?? s.getName()) === name);
    const binding = named && named.getName() !== name ? `${named.getName()} as ${name}` : name;
    return `import ${typeOnly}{ ${binding} } from '${from}';`;
  });
}

/** Source text of the shared function. */
function functionText(plan: ExtractPlan, name: string, target: string, jsExt: boolean): string {
  const params = plan.params.map((p) => `${p.name}: ${relativizeTypes(p.type, target, jsExt)}`).join(', ');
  const body = plan.body.split('\n').map((l) => (l.trim() ? `  ${l}` : ''));
  if (plan.returns.length === 1) body.push(`  return ${plan.returns[0]};`);
  else if (plan.returns.length > 1) body.push(`  return { ${plan.returns.join(', ')} };`);
  return [
    `/** Shared by ${plan.copies.length} former copies of this block. */`,
    `export function ${name}(${params}) {`,
    ...body,
    '}',
    '',
  ].join('\n');
}

function callText(plan: ExtractPlan, name: string, k: number): string {
  const call = `${name}(${plan.params.map((p) => p.args[k]).join(', ')})`;
  const bindings = plan.bindings[k];
  if (bindings.length === 0) return `${call};`;
  if (plan.returns.length === 1) return `${plan.declKind} ${bindings[0].local} = ${call};`;
  const parts = bindings.map((b) => (b.local === b.name ? b.name : `${b.name}: ${b.local}`));
  return `${plan.declKind} { ${parts.join(', ')} } = ${call};`;
}

function positionOf(source: SourceFile, offset: number): { line: number; character: number } {
  const { line, column } = source.getLineAndColumnAtPos(offset);
  return { line: line - 1, character: column - 1 };
}

// After the last import, or at the top of the file.
function importInsertion(source: SourceFile, line: string): TextEdit {
  const last = source.getImportDeclarations().at(-1);
  const pos = last ? positionOf(source, last.getEnd()) : { line: 0, character: 0 };
  return { range: { start: pos, end: pos }, newText: last ? `\n${line}` : `${line}\n` };
}

// The import declaration without the given local names; '' when nothing is left.
function withoutNames(decl: ImportDeclaration, names: ReadonlySet<string>): string {
  const parts: string[] = [];
  const def = decl.getDefaultImport()?.getText();
  if (def && !names.has(def)) parts.push(def);
  const ns = decl.getNamespaceImport()?.getText();
  if (ns && !names.has(ns)) parts.push(`* as ${ns}`);
  const named = decl.getNamedImports().filter((s) => !names.has(s.getAliasNode()?.getText() ?? s.getName()));
  if (named.length) parts.push(`{ ${named.map((s) => s.getText()).join(', ')} }`);
  if (parts.length === 0) return '';
  return `import ${decl.isTypeOnly() ? 'type ' : ''}${parts.join(', ')} from '${decl.getModuleSpecifierValue()}';`;
}

/**
 * Import edits for a file whose copies were replaced: the new function's import goes in, and imports only
 * the removed copies used go out (a whole declaration that empties is replaced by the new import).
 */
function importEdits(
  source: SourceFile,
  removed: readonly [number, number][],
  needed: readonly string[],
  newImport: string,
): TextEdit[] {
  const inRemoved = (pos: number): boolean => removed.some(([a, b]) => pos >= a && pos < b);
  const unused = new Set(
    needed.filter(
      (name) =>
        !source
          .getDescendantsOfKind(SyntaxKind.Identifier)
          .some(
            (id) =>
              id.getText() === name &&
              !inRemoved(id.getStart()) &&
              !id.getFirstAncestorByKind(SyntaxKind.ImportDeclaration),
          ),
    ),
  );
  const edits: TextEdit[] = [];
  let placed = false;
  for (const decl of source.getImportDeclarations()) {
    const binds = [
      decl.getDefaultImport(),
      decl.getNamespaceImport(),
      ...decl.getNamedImports().map((s) => s.getAliasNode() ?? s.getNameNode()),
    ];
    if (!binds.some((b) => b && unused.has(b.getText()))) continue;
    const text = withoutNames(decl, unused);
    const range = { start: positionOf(source, decl.getStart()), end: positionOf(source, decl.getEnd()) };
    if (text === '' && !placed) {
      edits.push({ range, newText: newImport });
      placed = true;
    } else if (text === '') {
      edits.push({ range: { start: range.start, end: { line: range.end.line + 1, character: 0 } }, newText: '' });
    } else {
      edits.push({ range, newText: text });
    }
  }
  if (!placed) edits.push(importInsertion(source, newImport));
  return edits;
}

/** The WorkspaceEdit that creates the function and replaces every copy by a call to it. */
export function buildEdit(plan: ExtractPlan, name: string, placement: Placement): WorkspaceEdit {
  const first = plan.copies[0].source;
  const jsExt = usesJsExtensions(first);
  const target = placement.file;
  const fnText = functionText(plan, name, target, jsExt);
  const perFile = new Map<string, { source: SourceFile; edits: TextEdit[] }>();
  for (const [k, copy] of plan.copies.entries()) {
    const file = copy.source.getFilePath();
    const entry = perFile.get(file) ?? { source: copy.source, edits: [] };
    entry.edits.push({
      range: { start: positionOf(copy.source, copy.start), end: positionOf(copy.source, copy.end) },
      newText: callText(plan, name, k),
    });
    perFile.set(file, entry);
  }
  for (const [file, entry] of perFile) {
    if (placement.kind === 'firstFile' && file === target) {
      const end = positionOf(entry.source, entry.source.getEnd());
      entry.edits.push({ range: { start: end, end }, newText: `\n${fnText}` });
      const extra = importLines(plan, target, jsExt).filter((l) => !entry.source.getText().includes(l));
      if (extra.length) entry.edits.push(importInsertion(entry.source, extra.join('\n')));
    } else {
      const removed = plan.copies
        .filter((c) => c.source === entry.source)
        .map((c): [number, number] => [c.start, c.end]);
      const line = `import { ${name} } from '${moduleSpecifier(file, target, jsExt)}';`;
      entry.edits.push(
        ...importEdits(
          entry.source,
          removed,
          plan.imports.map((i) => i.name),
          line,
        ),
      );
    }
  }
  if (placement.kind === 'firstFile') {
    return { changes: Object.fromEntries([...perFile].map(([file, e]) => [toUri(file), e.edits])) };
  }
  const docEdits: TextDocumentEdit[] = [...perFile].map(([file, e]) => ({
    textDocument: { uri: toUri(file), version: null },
    edits: e.edits,
  }));
  const uri = toUri(target);
  const moduleText = [...importLines(plan, target, jsExt), ...(plan.imports.length ? [''] : []), fnText].join('\n');
  const create: CreateFile = { kind: 'create', uri, options: { overwrite: false, ignoreIfExists: false } };
  return {
    documentChanges: [
      create,
      {
        textDocument: { uri, version: null },
        edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: moduleText }],
      },
      ...docEdits,
    ],
  };
}
