import * as fs from 'node:fs';
import * as path from 'node:path';
import { Project, type SourceFile } from 'ts-morph';

/**
 * A ts-morph project for the given files: compiler options from the folder's tsconfig.json when there is
 * one, file texts from the editor buffers, imports resolved so the type checker sees their declarations.
 */
export function loadProject(
  root: string,
  files: readonly string[],
  readText: (file: string) => string | undefined,
): { project: Project; sources: SourceFile[] } {
  const tsconfig = path.join(root, 'tsconfig.json');
  const project = fs.existsSync(tsconfig)
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true })
    : new Project({ compilerOptions: { strict: true, allowJs: true, esModuleInterop: true } });
  const sources = files.map((f) => project.createSourceFile(f, readText(f) ?? '', { overwrite: true }));
  project.resolveSourceFileDependencies();
  return { project, sources };
}

/** Import specifier from one file to another: relative, extensionless unless the importer writes `.js`. */
export function moduleSpecifier(fromFile: string, toFile: string, jsExtension: boolean): string {
  let rel = path.relative(path.dirname(fromFile), toFile).split(path.sep).join('/');
  rel = rel.replace(/\.(?:[cm]?ts|tsx)$/, jsExtension ? '.js' : '').replace(/\.(?:[cm]?js|jsx)$/, jsExtension ? '.js' : '');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** True when the file's relative imports carry `.js` extensions (Node16/NodeNext ESM style). */
export function usesJsExtensions(source: SourceFile): boolean {
  return source
    .getImportDeclarations()
    .some((d) => d.getModuleSpecifierValue().startsWith('.') && d.getModuleSpecifierValue().endsWith('.js'));
}
