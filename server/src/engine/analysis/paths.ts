import * as path from 'node:path';
import picomatch from 'picomatch';

// Every analysis run names hundreds of files in messages; `path.relative` is slow enough to show.
const relCache = new Map<string, string>();
/** A POSIX path that path.relative would normalise first: `//`, a `.` or `..` segment, a trailing `/`. */
const NOT_NORMAL = /\/\/|\/\.\.?(\/|$)|\/$/;

/** Forward-slash path of `file` relative to `root` (what globs and reports use). */
export function relPath(root: string, file: string): string {
  // Relative inputs depend on the working directory: not cached.
  if (!path.isAbsolute(root) || !path.isAbsolute(file)) return path.relative(root, file).split(path.sep).join('/');
  // The common case, a normalised file under a normalised root: what path.relative gives, without its work.
  if (
    path.sep === '/' &&
    file.length > root.length + 1 &&
    file.charCodeAt(root.length) === 47 &&
    file.startsWith(root) &&
    !NOT_NORMAL.test(root) &&
    !NOT_NORMAL.test(file)
  )
    return file.slice(root.length + 1);
  const key = `${root}\0${file}`;
  let rel = relCache.get(key);
  if (rel === undefined) {
    if (relCache.size > 100_000) relCache.clear();
    rel = path.relative(root, file).split(path.sep).join('/');
    relCache.set(key, rel);
  }
  return rel;
}

/** True when `file` lies inside `root` (files outside the root are ignored). */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** A matcher over root-relative forward-slash paths; an empty glob list matches nothing. */
export function globMatcher(globs: readonly string[]): (rel: string) => boolean {
  if (globs.length === 0) return () => false;
  const match = picomatch(globs as string[], { dot: true });
  return (rel) => match(rel);
}

const SOURCE_EXT = /\.(ts|tsx|js|jsx|mts|cts|mjs|cjs)$/;

/**
 * What an analysis of given files (the git index, a revision) needs: the sources, and the project files
 * the build-output rules read (package.json entry points, tsconfig.json outDir/rootDir).
 */
export function isAnalysisInput(file: string): boolean {
  return isSourceFile(file) || /(^|[/\\])(package|tsconfig)\.json$/.test(file);
}

/** Only these files go into the ts-morph project (JSON, .d.ts etc. are not analysed). */
export function isSourceFile(file: string): boolean {
  return SOURCE_EXT.test(file) && !/\.d\.[mc]?ts$/.test(file);
}
