import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../engine/errors';
import { mergeShardReports, type ShardFile } from '../engine/mergeReports';
import { checkVerifyReport } from '../engine/reportSchema';
import type { VerifyReport } from '../engine/verifyTypes';
import { exitOnBadInput, type CliIO } from './io';
import { writeReport, type VerifyFormat } from './verifyCommand';

export interface ReportMergeFlags {
  format: VerifyFormat;
  out?: string;
}

const NON_FINITE: Record<string, number> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };
/** Keys whose value may legitimately be a string (a string output's elements); everything else written as "NaN" was a number. */
const STRING_VALUED = new Set(['baseline', 'candidate']);

/** Reads a JSON report written by `verify --format json`, turning "Infinity"/"NaN" strings back into numbers. */
export function readReport(file: string): VerifyReport {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new EngineError('file-not-found', 'cannot read the report', { file });
  }
  let data: unknown;
  try {
    data = JSON.parse(text, (key, v: unknown) =>
      typeof v === 'string' && !STRING_VALUED.has(key) && key !== 'message' && v in NON_FINITE ? NON_FINITE[v] : v,
    );
  } catch (e) {
    throw new EngineError('usage', `not a JSON report: ${e instanceof Error ? e.message : String(e)}`, { file });
  }
  const r = data as Partial<VerifyReport> | null;
  if (!r || r.schemaVersion !== 1 || !Array.isArray(r.cases)) {
    throw new EngineError('usage', 'not an ml-parity verify JSON report (schemaVersion 1 with cases)', { file });
  }
  for (const c of r.cases)
    for (const o of c.outputs ?? []) {
      // a number field "NaN" inside worst was kept as a string above; restore it for numeric outputs
      if (o.worst && o.dtype !== 'string') {
        for (const k of ['baseline', 'candidate'] as const) {
          const v = o.worst[k];
          if (typeof v === 'string' && v in NON_FINITE) o.worst[k] = NON_FINITE[v];
        }
      }
    }
  return checkVerifyReport(r, file);
}

/** `ml-parity report merge A.json B.json ...`: the shards' reports as the one report of the unsharded run. */
export function runReportMerge(files: string[], f: ReportMergeFlags, io: CliIO): number {
  try {
    const shards: ShardFile[] = files.map((file) => ({ file, report: readReport(path.resolve(io.cwd, file)) }));
    const report = mergeShardReports(shards);
    return writeReport(io, report, f);
  } catch (e) {
    return exitOnBadInput(io, e);
  }
}
