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
  const project = cachedProject(root);
  // Files seen by an earlier request may have changed since: re-read them (editor buffer first, then disk).
  for (const sf of project.getSourceFiles()) {
    if (sf.isInNodeModules() || sf.isDeclarationFile() || files.includes(sf.getFilePath())) continue;
    const text = readText(sf.getFilePath());
    if (text === undefined) project.removeSourceFile(sf);
    else if (text !== sf.getFullText()) sf.replaceWithText(text);
  }
  const sources = files.map((f) => {
    const text = readText(f) ?? '';
    const existing = project.getSourceFile(f);
    if (existing && existing.getFullText() === text) return existing;
    return project.createSourceFile(f, text, { overwrite: true });
  });
  project.resolveSourceFileDependencies();
  return { project, sources };
}

// One project per workspace root and tsconfig: creating one parses the lib files, which takes about a second.
const projects = new Map<string, { project: Project; tsconfigMtime: number }>();

function cachedProject(root: string): Project {
  const tsconfig = path.join(root, 'tsconfig.json');
  const mtime = fs.existsSync(tsconfig) ? fs.statSync(tsconfig).mtimeMs : -1;
  const hit = projects.get(root);
  if (hit && hit.tsconfigMtime === mtime) return hit.project;
  const project =
    mtime >= 0
      ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true })
      : new Project({ compilerOptions: { strict: true, allowJs: true, esModuleInterop: true } });
  projects.set(root, { project, tsconfigMtime: mtime });
  return project;
}

/** Import specifier from one file to another: relative, extensionless unless the importer writes `.js`. */
export function moduleSpecifier(fromFile: string, toFile: string, jsExtension: boolean): string {
  let rel = path.relative(path.dirname(fromFile), toFile).split(path.sep).join('/');
  rel = rel
    .replace(/\.(?:[cm]?ts|tsx)$/, jsExtension ? '.js' : '')
    .replace(/\.(?:[cm]?js|jsx)$/, jsExtension ? '.js' : '');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** True when the file's relative imports carry `.js` extensions (Node16/NodeNext ESM style). */
export function usesJsExtensions(source: SourceFile): boolean {
  return source
    .getImportDeclarations()
    .some((d) => d.getModuleSpecifierValue().startsWith('.') && d.getModuleSpecifierValue().endsWith('.js'));
}
