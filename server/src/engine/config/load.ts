import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { EngineError } from '../errors';
import {
  DEFAULT_ANALYSIS,
  DEFAULT_STAGES,
  type AnalysisConfig,
  type MlParityConfig,
  type StagesConfig,
  type VerifyConfig,
} from './types';

export const CONFIG_FILE_NAME = 'mlparity.config.json';

// Loaded on first use: runs without a config file (a pre-commit hook in a project that has none)
// should not pay for the schema validator.
let validator: ValidateFunction | undefined;
function validate(data: unknown): boolean {
  validator ??= (require('./validate') as typeof import('./validate')).configValidator();
  return validator(data);
}

/** Path of the config file in `root`, if there is one. */
export function findConfig(root: string): string | undefined {
  const file = path.join(root, CONFIG_FILE_NAME);
  return fs.existsSync(file) ? file : undefined;
}

/** Defaults used when a workspace has no config file. */
export function defaultConfig(root: string): MlParityConfig {
  return {
    root,
    analysis: { ...DEFAULT_ANALYSIS },
    verify: { defaults: {}, cases: [] },
    stages: { ...DEFAULT_STAGES },
  };
}

/**
 * Reads and validates a config file (or `root/mlparity.config.json`); without one, returns the defaults.
 * Every problem is an EngineError located at the offending line and column.
 */
export function loadConfig(rootOrFile: string): MlParityConfig {
  const isFile = rootOrFile.endsWith('.json');
  const file = isFile ? rootOrFile : findConfig(rootOrFile);
  if (!file) return defaultConfig(path.resolve(rootOrFile));
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new EngineError('file-not-found', `config file not found`, { file });
  }
  return parseConfig(text, file);
}

/** Parses config text; pure apart from nothing (exported for the language server, which has unsaved text). */
export function parseConfig(text: string, file: string): MlParityConfig {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0 || !tree) {
    const e = errors[0];
    const at = e ? lineColumn(text, e.offset) : { line: 1, column: 1 };
    const reason = e ? printParseErrorCode(e.error) : 'empty file';
    throw new EngineError('config-invalid', `invalid JSON: ${reason}`, { file, ...at });
  }
  const data: unknown = JSON.parse(text);
  if (!validate(data)) {
    const first = (validator?.errors ?? [])[0];
    throw schemaError(first, tree, text, file);
  }
  const raw = data as {
    verify?: Partial<VerifyConfig>;
    analysis?: Partial<AnalysisConfig>;
    stages?: Partial<StagesConfig>;
  };
  const analysis: AnalysisConfig = {
    ...DEFAULT_ANALYSIS,
    ...raw.analysis,
    clones: { ...DEFAULT_ANALYSIS.clones, ...raw.analysis?.clones },
    // A project's own excludes come on top of the defaults (node_modules must never come back by accident).
    exclude: [...new Set([...DEFAULT_ANALYSIS.exclude, ...(raw.analysis?.exclude ?? [])])],
  };
  const verify: VerifyConfig = { defaults: raw.verify?.defaults ?? {}, cases: raw.verify?.cases ?? [] };
  const names = new Set<string>();
  verify.cases.forEach((c, i) => {
    if (names.has(c.name)) {
      const node = findNodeAtLocation(tree, ['verify', 'cases', i, 'name']);
      throw new EngineError('config-invalid', `duplicate case name "${c.name}"`, { file, ...nodeAt(text, node) });
    }
    names.add(c.name);
  });
  return {
    root: path.dirname(path.resolve(file)),
    file: path.resolve(file),
    analysis,
    verify,
    stages: { ...DEFAULT_STAGES, ...raw.stages },
  };
}

function schemaError(err: ErrorObject | undefined, tree: Node, text: string, file: string): EngineError {
  if (!err) return new EngineError('config-invalid', 'invalid config', { file });
  const segments = err.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  let where = segments.length ? segments.join('.') : '(top level)';
  let node = findNodeAtLocation(tree, segments);
  let message = `${where}: ${err.message ?? 'invalid'}`;
  if (err.keyword === 'additionalProperties') {
    const key = String((err.params as { additionalProperty: string }).additionalProperty);
    // Point at the unknown key itself rather than the object around it.
    const prop = node?.children?.find((c) => c.children?.[0]?.value === key);
    node = prop?.children?.[0] ?? node;
    where = [...segments, key].join('.');
    message = `unknown key "${key}" at ${where}`;
  } else if (err.keyword === 'not') {
    // the only `not` in the schema: an input spec with both a fixed value and a range
    message = `${where}: set "value" or "range", not both`;
  } else if (err.keyword === 'enum') {
    const allowed = (err.params as { allowedValues: unknown[] }).allowedValues.join(', ');
    message = `${where}: must be one of ${allowed}`;
  }
  return new EngineError('config-invalid', message, { file, ...nodeAt(text, node) });
}

function nodeAt(text: string, node: Node | undefined): { line: number; column: number } {
  return node ? lineColumn(text, node.offset) : { line: 1, column: 1 };
}

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
