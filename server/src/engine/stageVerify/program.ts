import * as fs from 'node:fs';
import * as path from 'node:path';
import { getLibFiles } from '@ts-morph/common';
import { ts } from '../analysis/typescript';

const LIB_DIR = '/__ml_parity_lib__';
const OPTIONS: ts.CompilerOptions = {
  allowJs: true,
  checkJs: false,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  // Parameter types need only these (arrays, typed arrays, Map/Set, Promise, utility types); the full
  // ES2022 library costs ~3x as much to parse and bind, and bodies are never type-checked here.
  lib: [
    'lib.es5.d.ts',
    'lib.es2015.collection.d.ts',
    'lib.es2015.iterable.d.ts',
    'lib.es2015.promise.d.ts',
    'lib.es2015.symbol.d.ts',
    'lib.es2020.bigint.d.ts',
  ],
  types: [],
};

let libTexts: Map<string, string> | undefined;
/** Parsed files reused across programs while their text is unchanged (the libraries above all). */
const parsed = new Map<string, { text: string; sf: ts.SourceFile }>();

/**
 * A TypeScript program over the stage files only (and what they import), for reading parameter types.
 * The standard library comes from ts-morph's in-memory copy, so it works from the bundled extension too;
 * parsed files are cached, so the language server's second run costs only the changed files.
 */
export function stageProgram(
  roots: readonly string[],
  overrides?: ReadonlyMap<string, string>,
  /** Where packages a file cannot find resolve from: a revision's copy has no node_modules of its own. */
  packagesFrom?: string,
): ts.Program {
  libTexts ??= new Map(getLibFiles().map((f) => [path.posix.join(LIB_DIR, f.fileName), f.text]));
  const read = (f: string): string | undefined => {
    if (f.startsWith(LIB_DIR)) return libTexts?.get(f);
    const o = overrides?.get(f);
    if (o !== undefined) return o;
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  const host: ts.CompilerHost = {
    getSourceFile: (f, lang) => {
      const text = read(f);
      if (text === undefined) return undefined;
      const hit = parsed.get(f);
      if (hit && hit.text === text) return hit.sf;
      const sf = ts.createSourceFile(f, text, lang, true);
      parsed.set(f, { text, sf });
      return sf;
    },
    getDefaultLibFileName: () => path.posix.join(LIB_DIR, 'lib.es5.d.ts'),
    getDefaultLibLocation: () => LIB_DIR,
    writeFile: () => undefined,
    getCurrentDirectory: () => path.dirname(roots[0] ?? '/'),
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => (f.startsWith(LIB_DIR) ? !!libTexts?.has(f) : overrides?.has(f) || fs.existsSync(f)),
    readFile: read,
    directoryExists: (d) => d.startsWith(LIB_DIR) || fs.existsSync(d),
    realpath: (f) => f,
  };
  if (packagesFrom !== undefined) {
    // A base class or a type from a package (`extends BaseRegression`) is read from the work tree's copy.
    const from = path.join(packagesFrom, '__ml_parity_packages__.ts');
    host.resolveModuleNameLiterals = (literals, containing, redirected, options) =>
      literals.map((lit) => {
        const own = ts.resolveModuleName(lit.text, containing, options, host, undefined, redirected);
        if (own.resolvedModule || lit.text.startsWith('.') || path.isAbsolute(lit.text)) return own;
        return ts.resolveModuleName(lit.text, from, options, host);
      });
  }
  return ts.createProgram({ rootNames: [...roots], options: OPTIONS, host });
}
