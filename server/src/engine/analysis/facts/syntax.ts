import { ts } from '../typescript';
import type { Finding } from '../../findings';
import { range } from '../types';
import { RULES } from '../../rules';

const SK = ts.SyntaxKind;

/**
 * Syntax that only TypeScript allows (type nodes are caught separately): in a JavaScript file its
 * presence triggers the grammar check below, which a plain parse does not do.
 */
export const TS_ONLY = new Set<ts.SyntaxKind>([
  SK.InterfaceDeclaration,
  SK.TypeAliasDeclaration,
  SK.EnumDeclaration,
  SK.ModuleDeclaration,
  SK.ImportEqualsDeclaration,
  SK.AsExpression,
  SK.SatisfiesExpression,
  SK.NonNullExpression,
  SK.TypeParameter,
  SK.PublicKeyword,
  SK.PrivateKeyword,
  SK.ProtectedKeyword,
  SK.ReadonlyKeyword,
  SK.AbstractKeyword,
  SK.DeclareKeyword,
  SK.OverrideKeyword,
  SK.ImplementsKeyword,
]);

/**
 * The parser's own diagnostics, plus, for a JavaScript file that uses TypeScript-only syntax, what
 * `getSyntacticDiagnostics` adds there ("Type annotations can only be used in TypeScript files."):
 * those come from a program, so one is built over this file alone (no lib, no imports, ~1 ms).
 */
export function syntaxErrors(sf: ts.SourceFile, tsSyntaxInJs: boolean): Finding[] {
  const diags: ts.Diagnostic[] = [
    ...((sf as ts.SourceFile & { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? []),
  ];
  if (tsSyntaxInJs) {
    const seen = new Set(diags.map((d) => `${d.start}:${d.code}`));
    for (const d of jsGrammarDiagnostics(sf)) if (!seen.has(`${d.start}:${d.code}`)) diags.push(d);
  }
  return diags.map((d) => {
    const start = d.start ?? 0;
    const s = sf.getLineAndCharacterOfPosition(start);
    const e = sf.getLineAndCharacterOfPosition(start + (d.length ?? 0));
    return {
      file: sf.fileName,
      range: range(s.line, s.character, e.line, e.character),
      rule: 'syntax-error',
      severity: RULES['syntax-error'].severity,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      related: [],
      data: { code: d.code },
    };
  });
}

function jsGrammarDiagnostics(sf: ts.SourceFile): readonly ts.Diagnostic[] {
  const host: ts.CompilerHost = {
    getSourceFile: (f) => (f === sf.fileName ? sf : undefined),
    getDefaultLibFileName: () => 'lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => f === sf.fileName,
    readFile: () => undefined,
  };
  const options: ts.CompilerOptions = { allowJs: true, noLib: true, noResolve: true, noEmit: true, types: [] };
  const program = ts.createProgram({ rootNames: [sf.fileName], options, host });
  const file = program.getSourceFile(sf.fileName);
  return file ? program.getSyntacticDiagnostics(file) : [];
}
