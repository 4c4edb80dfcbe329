import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';
import type { AnalysisConfig } from '../config/types';
import type { Finding } from '../findings';
import { AuxiliaryFolders } from './auxiliary';
import { globMatcher, isInside, isSourceFile, relPath } from './paths';

const CONFIG = 'mlparity.config.json';
const PROJECT_MARKERS = [CONFIG, 'tsconfig.json', 'package.json', '.git'];

/**
 * The project a path named on the command line belongs to. An `mlparity.config.json` at or above it
 * wins; else, inside the current project (`current`), that project (so its tests still count); else the
 * nearest folder at or above it holding a tsconfig.json, package.json or .git; else its own folder.
 */
export function projectRootOf(target: string, current: string | undefined): string {
  const start = isDirectory(target) ? target : path.dirname(target);
  const within = current !== undefined && (start === current || isInside(current, start));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, CONFIG))) return dir;
    if (dir === current || path.dirname(dir) === dir) break;
  }
  if (within) return current;
  return currentProjectOf(start) ?? start;
}

/**
 * The current project: the nearest folder at or above `cwd` holding a project marker, or undefined when
 * none does. A bare folder is no project: taking /tmp or a marker-less src/ for one analysed everything
 * under it, or the sources without their tests (every stage "untested").
 */
export function currentProjectOf(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (PROJECT_MARKERS.some((m) => fs.existsSync(path.join(dir, m)))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The config with every benchmark, script or example folder (auxiliary.ts) that a named path lies in (or
 * is) in `namedFolders`, so it is checked as library code: `check Benchmark` asks for that code's
 * findings, which as auxiliary code it would never have (no stages, no duplicates: a silent "No
 * findings"). With a note per folder saying so.
 */
export function includingNamed(
  root: string,
  config: AnalysisConfig,
  scopes: readonly string[],
): { config: AnalysisConfig; notes: string[] } {
  const aux = new AuxiliaryFolders(config);
  const folders = new Set<string>();
  for (const scope of scopes) {
    if (scope !== root && !isInside(root, scope)) continue;
    // A folder's own name counts too: ask as for a file inside it.
    const folder = aux.folderOf(isDirectory(scope) ? `${relPath(root, scope)}/-` : relPath(root, scope));
    if (folder !== undefined) folders.add(folder);
  }
  if (folders.size === 0) return { config, notes: [] };
  const named = [...folders].sort();
  return {
    config: { ...config, namedFolders: [...(config.namedFolders ?? []), ...named] },
    notes: named.map(
      (f) =>
        `${f}/ holds benchmarks, scripts or examples; named on the command line, it is checked as library code (as with "analysis.include": ["${f}/**"]).`,
    ),
  };
}

/** A finding is inside a scope when any of its locations (the other copies of a clone included) is. */
export function findingInScope(f: Finding, scopes: readonly string[]): boolean {
  if (scopes.length === 0) return true;
  const inside = (file: string): boolean => scopes.some((s) => file === s || isInside(s, file));
  return inside(f.file) || f.related.some((r) => inside(r.file));
}

/** The source files on disk a named scope covers (a file, or the files under a folder), node_modules aside. */
export function sourceFilesOf(scope: string): string[] {
  if (!isDirectory(scope)) return [scope];
  return fg
    .sync('**/*', {
      cwd: scope,
      ignore: ['**/node_modules/**'],
      absolute: true,
      dot: false,
      onlyFiles: true,
      suppressErrors: true,
    })
    .map((f) => path.resolve(f))
    .filter(isSourceFile);
}

/**
 * Why a named scope got no analysis at all, or undefined when some file in it was analysed: a file that
 * is not source, excluded, build output, skipped or unreadable, or a folder none of whose files was analysed.
 */
export function unanalysedScope(
  root: string,
  config: AnalysisConfig,
  scope: string,
  analysed: ReadonlySet<string>,
  leftOut: ReadonlyMap<string, string>,
): string | undefined {
  const rel = relPath(root, scope) || '.';
  const files = sourceFilesOf(scope);
  if (files.some((f) => analysed.has(f))) return undefined;
  if (!isDirectory(scope) && !isSourceFile(scope)) return `${rel} is not a TypeScript or JavaScript source file`;
  if (files.length === 0) return `${rel} holds no TypeScript or JavaScript source files`;
  const isExcluded = globMatcher(config.exclude);
  if (files.length === 1 && files[0] === scope)
    return `${rel} was not analysed: ${leftOut.get(scope) ?? (isExcluded(rel) ? 'excluded by analysis.exclude' : 'not analysed')}`;
  const why = files.map(
    (f) =>
      `${relPath(root, f)}: ${leftOut.get(f) ?? (isExcluded(relPath(root, f)) ? 'excluded by analysis.exclude' : 'not analysed')}`,
  );
  const shown = why.slice(0, 5).join('; ') + (why.length > 5 ? `; and ${why.length - 5} more` : '');
  return `nothing in ${rel} was analysed (${shown})`;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
