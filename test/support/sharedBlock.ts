// A function copied into many modules: past MAX_BUCKET copies clone detection seeds nothing from it,
// so the analysis must say what it did not compare (tests of that note, engine and language server).
const SHARED = `export function standardize(rows: number[][]): number[][] {
  const means = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const sds = rows[0].map((_, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - means[j]) ** 2, 0) / rows.length));
  return rows.map((r) => r.map((x, j) => (x - means[j]) / (sds[j] || 1)));
}
`;

/** Module `i` without the shared block. */
export const ownPart = (i: number): string => `export const name${i} = 'module ${i}';\n`;

/** `src/m000.ts`… `n` modules, each its own line and the shared block. */
export function sharedBlockFiles(n: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`src/m${String(i).padStart(3, '0')}.ts`, ownPart(i) + SHARED]),
  );
}
