import * as fs from 'node:fs';
import * as path from 'node:path';
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { isEngineError } from '../errors';
import type { FindingOf, Range } from '../findings';
import { parseModel } from '../onnx/modelProto';
import type { MlParityConfig } from './types';
import { RULES } from '../rules';

/** Models bigger than this are only checked for existence: parsing them on every config edit would lag. */
const MAX_PARSE_BYTES = 64 * 1024 * 1024;

function rangeOf(text: string, node: Node | undefined): Range {
  const offset = node?.offset ?? 0;
  const length = node?.length ?? 1;
  const pos = (o: number): Range['start'] => {
    const before = text.slice(0, o);
    const line = before.split('\n').length - 1;
    return { line, character: o - (before.lastIndexOf('\n') + 1) };
  };
  return { start: pos(offset), end: pos(offset + length) };
}

function problem(file: string, key: string): string | undefined {
  if (!fs.existsSync(file)) return `${key === 'fixtures' ? 'fixtures' : 'model file'} not found: ${file}`;
  if (key === 'fixtures') return undefined;
  const stat = fs.statSync(file);
  if (stat.isDirectory()) return `expected an .onnx file, got a folder: ${file}`;
  // A FIFO or a device would block or never end the read below.
  if (!stat.isFile())
    return `expected an .onnx file, got something that is not a regular file (a FIFO or device): ${file}`;
  if (stat.size > MAX_PARSE_BYTES) return undefined;
  try {
    parseModel(new Uint8Array(fs.readFileSync(file)), file);
    return undefined;
  } catch (e) {
    return isEngineError(e) ? `${e.message}: ${file}` : String(e);
  }
}

/**
 * Static checks of the verify cases' files, without running anything: each model or fixture path that
 * is missing, or a model that is not valid ONNX, becomes a `model-error` finding on that value in the
 * config text, so the editor shows it before a verify run would fail. `git:` specs are left to verify.
 */
export function checkCaseFiles(cfg: MlParityConfig, text: string): FindingOf<'model-error'>[] {
  const file = cfg.file;
  if (!file) return [];
  const tree = parseTree(text);
  if (!tree) return [];
  const findings: FindingOf<'model-error'>[] = [];
  cfg.verify.cases.forEach((c, i) => {
    for (const key of ['candidate', 'baseline', 'fixtures'] as const) {
      const value = c[key];
      if (value === undefined || value.startsWith('git:')) continue;
      const why = problem(path.resolve(cfg.root, value), key);
      if (!why) continue;
      findings.push({
        rule: 'model-error',
        severity: RULES['model-error'].severity,
        message: `case "${c.name}": ${why}`,
        file,
        range: rangeOf(text, findNodeAtLocation(tree, ['verify', 'cases', i, key])),
        related: [],
        data: { caseName: c.name, key },
      });
    }
  });
  return findings;
}
