import type { ts } from './typescript';

/**
 * The TypeScript compiler, loaded on first use. The modules a restored analysis runs (the workspace,
 * module resolution, file listing, linking) reach it only through here, so a commit whose changed files
 * have stored facts, tokens and module resolutions never loads it (~0.1 s of a hook run). Code that
 * parses imports typescript.ts directly: it always needs the compiler.
 */
export function compiler(): typeof ts {
  // Kept once loaded: module resolution asks on every fileExists.
  return (loaded ??= (require('./typescript') as typeof import('./typescript')).ts);
}

let loaded: typeof ts | undefined;
