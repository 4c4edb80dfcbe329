import type { Finding, Location } from '../findings';
import { MAX_BUCKET, type UnseededWindows } from './clones/cloneIndex';
import type { CloneClass } from './clones/types';
import { relPath } from './paths';
import type { Stage } from './types';
import { RULES } from '../rules';

/**
 * One finding per clone class, at its first occurrence with the other copies in `related`:
 * `cross-stage-duplicate` when the copies lie in different stages, else `duplicate-code`.
 */
export function cloneFindings(root: string, classes: readonly CloneClass[], stages: readonly Stage[]): Finding[] {
  const out: Finding[] = [];
  const byFile = new Map<string, Stage[]>();
  for (const s of stages) {
    const list = byFile.get(s.body.file);
    if (list) list.push(s);
    else byFile.set(s.body.file, [s]);
  }
  for (const c of classes) {
    const [first, ...others] = c.occurrences;
    if (!first || others.length === 0) continue;
    const owners = c.occurrences.map((o) => stageAt(o, byFile.get(o.file) ?? []));
    const stageNames = [...new Set(owners.filter((s): s is Stage => s !== undefined).map((s) => s.name))];
    const cross = stageNames.length >= 2;
    const where = (o: Location, s: Stage | undefined): string =>
      `${relPath(root, o.file)}:${lines(o)}${s ? ` (stage '${s.name}')` : ''}`;
    const span = (lo: number, hi: number): string => (lo === hi ? `${lo}` : `${lo}-${hi}`);
    const summary = `${span(c.tokens, c.maxTokens)} tokens over ${span(c.lines, c.maxLines)} lines, type ${c.type}${c.type === 3 ? `, ${similar(c.similarity)}` : ''}`;
    const message = cross
      ? `Code duplicated across stages ${stageNames.map((n) => `'${n}'`).join(' and ')} (${summary}): ${c.occurrences.map((o, i) => where(o, owners[i])).join(', ')}`
      : `Duplicated code (${summary}), also at ${others.map((o, i) => where(o, owners[i + 1])).join(', ')}`;
    const rule = cross ? 'cross-stage-duplicate' : 'duplicate-code';
    out.push({
      file: first.file,
      range: first.range,
      rule,
      severity: RULES[rule].severity,
      message,
      related: others.map((o, i) => ({ ...o, message: `copy at ${where(o, owners[i + 1])}` })),
      data: {
        cloneId: c.id,
        type: c.type,
        tokens: c.tokens,
        maxTokens: c.maxTokens,
        lines: c.lines,
        maxLines: c.maxLines,
        similarity: c.similarity,
        stages: owners.map((s) => s?.name ?? null),
      },
    });
  }
  return out;
}

/** The similarity every two copies of a type-3 class have at least. */
function similar(s: number): string {
  const pct = Math.round(s * 100);
  return pct < 100 ? `at least ${pct}% similar` : '100% similar';
}

/** 1-based `start-end` line span of an occurrence. */
function lines(o: Location): string {
  return `${o.range.start.line + 1}-${o.range.end.line + 1}`;
}

/** Innermost stage whose declaration contains the start of `o` (`stages`: those of `o`'s file, in order). */
function stageAt(o: Location, stages: readonly Stage[]): Stage | undefined {
  let best: Stage | undefined;
  for (const s of stages) {
    if (s.body.file !== o.file || !contains(s.body, o)) continue;
    if (!best || contains(best.body, s.body)) best = s;
  }
  return best;
}

function contains(outer: Location, inner: Location): boolean {
  const a = outer.range;
  const p = inner.range.start;
  const afterStart = p.line > a.start.line || (p.line === a.start.line && p.character >= a.start.character);
  const beforeEnd = p.line < a.end.line || (p.line === a.end.line && p.character <= a.end.character);
  return afterStart && beforeEnd;
}

/**
 * What clone detection did not compare, when a duplicate could hide there: code made only of windows
 * shared by more than MAX_BUCKET places (see UnseededWindows), named by file. Empty when none.
 */
export function unseededNotes(root: string, u: UnseededWindows, minTokens: number): string[] {
  if (u.spans.length === 0) return [];
  const n = u.spans.reduce((sum, s) => sum + s.count, 0);
  const shown = u.spans.slice(0, 5).map((s) => `${relPath(root, s.file)}${s.count > 1 ? ` (${s.count})` : ''}`);
  const more = u.spans.length > shown.length ? `, and ${u.spans.length - shown.length} more files` : '';
  return [
    `duplicates: ${n} stretch${n === 1 ? '' : 'es'} of at least ${minTokens} tokens made only of code that appears in more than ${MAX_BUCKET} places (${u.windows} such token windows, usually boilerplate) ${n === 1 ? 'was' : 'were'} not compared with each other, so a copy there is not reported: ${shown.join(', ')}${more}`,
  ];
}
