const MARKER = 'ml-parity-ignore';

/**
 * Cheap pre-check so files without any `// ml-parity-ignore` marker skip the trivia scan (and a
 * restored analysis, the compiler that scans: see ignoreComments.ts).
 */
export function hasIgnoreMarker(text: string): boolean {
  return text.includes(MARKER);
}
