import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';
import type { CorpusFile } from './types';

/** MIT-licensed sources shipped in node_modules (see bench/corpus/NOTICE). */
const PATTERNS = [
  '@azure/msal-browser/src/**/*.ts',
  '@azure/msal-node/src/**/*.ts',
  '@azure/msal-common/src/**/*.ts',
  'ajv/lib/**/*.ts',
  'onnxruntime-common/lib/**/*.ts',
  'cheerio/src/**/*.ts',
  'htmlparser2/src/**/*.ts',
  '@textlint/*/src/**/*.ts',
  '@secretlint/*/src/**/*.ts',
  'ajv/dist/**/*.js',
  'commander/lib/**/*.js',
  'vscode-languageserver/lib/**/*.js',
  'vscode-languageserver-protocol/lib/**/*.js',
  'vscode-jsonrpc/lib/**/*.js',
  'vscode-languageclient/lib/**/*.js',
  'fast-glob/out/**/*.js',
];

/** Reads the vendored sources in a stable order (the seed then makes the corpus reproducible). */
export function readCorpusSources(root: string): CorpusFile[] {
  const nodeModules = path.join(root, 'node_modules');
  const rels = fg.sync(PATTERNS, {
    cwd: nodeModules,
    ignore: ['**/*.d.ts', '**/*.spec.ts', '**/*.test.ts', '**/__tests__/**', '**/*.min.js'],
  });
  rels.sort();
  return rels
    .map((rel) => ({ rel, text: fs.readFileSync(path.join(nodeModules, rel), 'utf8') }))
    .filter((f) => f.text.length < 1_000_000);
}
