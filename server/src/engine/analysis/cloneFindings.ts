import type { Finding, Location } from '../findings';
import type { CloneClass } from './clones/types';
import { relPath } from './paths';
import type { Stage } from './types';

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
    const where = (o: Location, s: Stage | undefined): string => `${relPath(root, o.file)}:${lines(o)}${s ? ` (stage '${s.name}')` : ''}`;
    const span = (lo: number, hi: number): string => (lo === hi ? `${lo}` : `${lo}-${hi}`);
    const summary = `${span(c.tokens, c.maxTokens)} tokens over ${span(c.lines, c.maxLines)} lines, type ${c.type}${c.type === 3 ? `, ${similar(c.similarity)}` : ''}`;
    const message = cross
      ? `Code duplicated across stages ${stageNames.map((n) => `'${n}'`).join(' and ')} (${summary}): ${c.occurrences.map((o, i) => where(o, owners[i])).join(', ')}`
      : `Duplicated code (${summary}), also at ${others.map((o, i) => where(o, owners[i + 1])).join(', ')}`;
    out.push({
      file: first.file,
      range: first.range,
      rule: cross ? 'cross-stage-duplicate' : 'duplicate-code',
      severity: cross ? 'warning' : 'info',
      message,
      related: others.map((o, i) => ({ ...o, message: `copy at ${where(o, owners[i + 1])}` })),
      data: { cloneId: c.id, type: c.type, tokens: c.tokens, maxTokens: c.maxTokens, lines: c.lines, maxLines: c.maxLines, similarity: c.similarity, stages: owners.map((s) => s?.name ?? null) },
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
