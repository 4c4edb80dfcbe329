import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../findings';
import type { KeyedStage } from './testReach';
import { RULES } from '../rules';

/** Executed counts per 1-based line, per absolute file. */
export type LineCoverage = Map<string, Map<number, number>>;

/** Reads the first coverage file that exists (lcov.info or istanbul coverage-final.json); undefined if none. */
export function readCoverage(root: string, candidates: readonly string[]): LineCoverage | undefined {
  for (const rel of candidates) {
    const file = path.resolve(root, rel);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    try {
      return file.endsWith('.json') ? parseIstanbul(root, JSON.parse(text) as unknown) : parseLcov(root, text);
    } catch {
      return undefined; // a corrupt coverage file only disables the coverage rule
    }
  }
  return undefined;
}

/** lcov: `SF:path`, `DA:line,count`, `end_of_record`. Function records are implied by their lines. */
function parseLcov(root: string, text: string): LineCoverage {
  const out: LineCoverage = new Map();
  let current: Map<number, number> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('SF:')) {
      const file = path.resolve(root, line.slice(3));
      current = out.get(file) ?? new Map();
      out.set(file, current);
    } else if (line.startsWith('DA:') && current) {
      const [ln, count] = line.slice(3).split(',').map(Number);
      if (Number.isFinite(ln) && Number.isFinite(count)) current.set(ln, (current.get(ln) ?? 0) + count);
    } else if (line === 'end_of_record') current = undefined;
  }
  return out;
}

interface IstanbulFile {
  path?: string;
  statementMap?: Record<string, { start: { line: number } }>;
  s?: Record<string, number>;
}

/** istanbul coverage-final.json: statements with their start line and hit count. */
function parseIstanbul(root: string, json: unknown): LineCoverage {
  const out: LineCoverage = new Map();
  if (!json || typeof json !== 'object') return out;
  for (const [key, value] of Object.entries(json as Record<string, IstanbulFile>)) {
    const file = path.resolve(root, value.path ?? key);
    const lines = out.get(file) ?? new Map<number, number>();
    for (const [id, loc] of Object.entries(value.statementMap ?? {})) {
      const count = value.s?.[id] ?? 0;
      lines.set(loc.start.line, Math.max(lines.get(loc.start.line) ?? 0, count));
    }
    out.set(file, lines);
  }
  return out;
}

/** Stages tests reach statically but that never ran: instrumented lines in their body, none executed. */
export function unexecutedStageFindings(
  stages: readonly KeyedStage[],
  reached: ReadonlySet<string>,
  coverage: LineCoverage,
): Finding[] {
  const out: Finding[] = [];
  for (const stage of stages) {
    if (!reached.has(stage.key)) continue;
    const lines = coverage.get(stage.body.file);
    if (!lines) continue;
    let instrumented = 0;
    let executed = 0;
    for (let ln = stage.body.range.start.line + 1; ln <= stage.body.range.end.line + 1; ln++) {
      const c = lines.get(ln);
      if (c === undefined) continue;
      instrumented++;
      if (c > 0) executed++;
    }
    if (instrumented === 0 || executed > 0) continue;
    out.push({
      file: stage.location.file,
      range: stage.location.range,
      rule: 'unexecuted-stage',
      severity: RULES['unexecuted-stage'].severity,
      message: `Stage '${stage.name}' is reached by tests but none of its ${instrumented} instrumented lines ran in the recorded coverage`,
      related: stage.registration
        ? [{ ...stage.registration, message: `stage '${stage.name}' is registered here` }]
        : [],
      data: { stage: stage.name, file: stage.location.file },
    });
  }
  return out;
}
