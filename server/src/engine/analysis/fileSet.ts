import * as fs from 'node:fs';
import * as path from 'node:path';
import { compiler } from './compiler';
import type { ts } from './typescript';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../config/types';
import { globMatcher, isInside, isSourceFile, relPath } from './paths';

/** The set of files to analyse and the compiler options to analyse them with. */
export interface FileListing {
  files: string[];
  compilerOptions: ts.CompilerOptions;
  /** Absolute path of the tsconfig.json used, if any. */
  tsconfig?: string;
  /** tsconfig.json problems, 1-based line/column, reported as `config-error`. */
  configProblems: { file: string; line: number; column: number; message: string }[];
  notes: string[];
  /** Where the file list came from, for the reports ("tsconfig.json \"files\" + the test globs"). Absent in old states. */
  origin?: string;
  /**
   * With a tsconfig.json: source files the default globs see that its list leaves out (absolute, sorted), so
   * a narrow `files`/`include` cannot pass for a whole project. Absent in old states.
   */
  outside?: string[];
}

/** Where the files come from: the disk, or (for `--staged`) exactly the given virtual files. */
export interface FileSource {
  /** Text that wins over the disk (unsaved editor buffers, the git index). */
  overrides: ReadonlyMap<string, string>;
  /** When true the overrides are the whole file set (nothing is read from the disk). */
  exclusive: boolean;
  /** Files asked for by name: listed whatever the include globs or tsconfig.json say (excludes still apply). */
  extra?: readonly string[];
  /** Texts read from the disk already this run (see AnalyzeOptions.read): used instead of reading the file. */
  read?: ReadonlyMap<string, { text: string }>;
}

// Only the parser (target) and module resolution (module, moduleResolution, paths, baseUrl) read these.
function baseOptions(): ts.CompilerOptions {
  const ts = compiler();
  return {
    allowJs: true,
    checkJs: false,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
  };
}

/** Lists the files: tsconfig.json's file list (plus test files) when present, else the config's globs. */
export function listFiles(root: string, config: AnalysisConfig, source: FileSource): FileListing {
  const isExcluded = globMatcher(config.exclude);
  const isIncluded = globMatcher(config.include);
  const keep = (f: string): boolean => isInside(root, f) && isSourceFile(f);
  if (source.exclusive) {
    const files = [...source.overrides.keys()].filter((f) => {
      const rel = relPath(root, f);
      return keep(f) && isIncluded(rel) && !isExcluded(rel);
    });
    return {
      files: files.sort(),
      compilerOptions: baseOptions(),
      configProblems: [],
      notes: [],
      origin: 'the given files (the git index)',
    };
  }
  const tsconfig = path.join(root, 'tsconfig.json');
  const fromTsconfig = fs.existsSync(tsconfig) ? readTsconfig(tsconfig) : undefined;
  const notes: string[] = [];
  let files: string[];
  let origin = 'the analysis include globs';
  // A config's own include adds to tsconfig.json's list (the way to widen a narrow tsconfig).
  const ownInclude = config.include.join('\0') !== DEFAULT_ANALYSIS.include.join('\0');
  if (fromTsconfig && fromTsconfig.problems.length === 0) {
    // Tests are often outside tsconfig's include; they are needed to decide which stages are tested.
    const tests = globFiles(root, config.testGlobs, config.exclude);
    files = [...fromTsconfig.fileNames.map((f) => path.resolve(f)), ...tests];
    if (ownInclude) files.push(...globFiles(root, config.include, config.exclude));
    origin = `tsconfig.json ${fromTsconfig.listedBy} + the test globs${ownInclude ? ' + analysis.include' : ''}`;
  } else {
    if (!fromTsconfig)
      notes.push('No tsconfig.json at the workspace root: files chosen by the analysis include/exclude globs.');
    else notes.push('tsconfig.json could not be read: files chosen by the analysis include/exclude globs.');
    files = globFiles(root, config.include, config.exclude);
  }
  for (const f of source.overrides.keys()) {
    const rel = relPath(root, f);
    if (isIncluded(rel) && !isExcluded(rel)) files.push(f);
  }
  for (const f of source.extra ?? []) if (!isExcluded(relPath(root, f))) files.push(f);
  const unique = [...new Set(files.filter(keep))].sort();
  const listed = new Set(unique);
  const outside = fromTsconfig
    ? globFiles(root, DEFAULT_ANALYSIS.include, config.exclude).filter((f) => keep(f) && !listed.has(f))
    : [];
  return {
    files: unique,
    compilerOptions: { ...baseOptions(), ...(fromTsconfig?.options ?? {}), ...BASE_OPTIONS_OVERRIDES },
    tsconfig: fromTsconfig ? tsconfig : undefined,
    configProblems: fromTsconfig?.problems ?? [],
    notes,
    origin,
    outside: outside.sort(),
  };
}

// Always forced, whatever tsconfig.json says: JS files are analysed too, nothing is emitted.
const BASE_OPTIONS_OVERRIDES: ts.CompilerOptions = { allowJs: true, checkJs: false, noEmit: true, skipLibCheck: true };

/** Source files the include globs match but the exclude globs drop (node_modules not searched), for "nothing to analyse" messages. */
export function excludedByGlobs(root: string, config: AnalysisConfig): string[] {
  const isExcluded = globMatcher(config.exclude);
  return globFiles(root, config.include, ['**/node_modules/**']).filter(
    (f) => isSourceFile(f) && isExcluded(relPath(root, f)),
  );
}

function globFiles(root: string, include: string[], exclude: string[]): string[] {
  if (include.length === 0) return [];
  // Loaded here: a restored analysis (the hook) lists no folder.
  const fg = require('fast-glob') as typeof import('fast-glob');
  return fg
    .sync(include, { cwd: root, ignore: exclude, absolute: true, dot: false, onlyFiles: true, suppressErrors: true })
    .map((f) => path.resolve(f));
}

interface ParsedTsconfig {
  fileNames: string[];
  /** Which of its fields chose the files: `"files"`, `"include"`, both, or neither (its whole folder). */
  listedBy: string;
  options: ts.CompilerOptions;
  problems: FileListing['configProblems'];
}

function readTsconfig(file: string): ParsedTsconfig {
  const ts = compiler();
  const read = ts.readConfigFile(file, (f) => ts.sys.readFile(f));
  if (read.error) return { fileNames: [], listedBy: '', options: {}, problems: [diagnosticProblem(read.error, file)] };
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(file), undefined, file);
  // "No inputs were found" (18003) is not fatal here: the include globs / test globs still apply.
  const problems = parsed.errors.filter((d) => d.code !== 18003).map((d) => diagnosticProblem(d, file));
  const raw: unknown = read.config;
  const has = (k: string): boolean => typeof raw === 'object' && raw !== null && k in raw;
  const fields = ['files', 'include'].filter(has).map((k) => `"${k}"`);
  const listedBy = fields.length > 0 ? fields.join(' and ') : '(every file in its folder)';
  return { fileNames: parsed.fileNames, listedBy, options: parsed.options, problems };
}

function diagnosticProblem(d: ts.Diagnostic, fallbackFile: string): FileListing['configProblems'][number] {
  const message = compiler().flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return { file: d.file.fileName, line: line + 1, column: character + 1, message };
  }
  return { file: fallbackFile, line: 1, column: 1, message };
}

/** Why a file must be skipped, or undefined to analyse it. */
export function skipReason(root: string, file: string, text: string, maxBytes: number): string | undefined {
  const segments = relPath(root, file).split('/');
  if (segments.includes('node_modules')) return 'file is under node_modules';
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) return `file is ${bytes} bytes, over maxFileBytes (${maxBytes})`;
  if (isGenerated(text)) return 'file is generated (@generated header)';
  return undefined;
}

/** True when the leading comments of the file carry an `@generated` marker. */
function isGenerated(text: string): boolean {
  const header = /^(?:\s*(?:\/\/[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|#![^\n]*\n))*/.exec(text.slice(0, 4000));
  return header !== null && header[0].includes('@generated');
}
