import type { Location } from '../../findings';
import type { ClonePair, Span } from './pairs';
import type { CloneClass, CloneType } from './types';

/** Minimal union-find over node indices. */
class DisjointSets {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]];
      x = this.parent[x];
    }
    return x;
  }
  union(x: number, y: number): void {
    const rx = this.find(x);
    const ry = this.find(y);
    if (rx !== ry) this.parent[Math.max(rx, ry)] = Math.min(rx, ry);
  }
}

const len = (s: Span): number => s.to - s.from;

/**
 * Merges clone pairs into classes: two occurrences in one file that overlap by at least half of the
 * shorter are the same code, so A–B, A–C and B–C become one class {A, B, C}.
 */
export function buildClasses(pairs: readonly ClonePair[]): CloneClass[] {
  const classes: CloneClass[] = [];
  for (const members of cloneComponents(pairs)) {
    const c = classOf(members);
    if (c) classes.push(c);
  }
  return classes.sort(compareClasses);
}

/**
 * The pairs grouped into connected components (shared occurrence or overlapping spans). A component
 * depends only on its own pairs and on other spans in its files, so it can be kept while none of
 * its files gains or loses a pair.
 */
export function cloneComponents(pairs: readonly ClonePair[]): ClonePair[][] {
  const nodes: Span[] = [];
  for (const p of pairs) nodes.push(p.a, p.b);
  const sets = new DisjointSets(nodes.length);
  for (let i = 0; i < pairs.length; i++) sets.union(2 * i, 2 * i + 1);
  unionOverlapping(nodes, sets);

  const components = new Map<number, ClonePair[]>();
  for (let i = 0; i < pairs.length; i++) {
    const root = sets.find(2 * i);
    const list = components.get(root);
    if (list) list.push(pairs[i]);
    else components.set(root, [pairs[i]]);
  }
  return [...components.values()];
}

function unionOverlapping(nodes: Span[], sets: DisjointSets): void {
  const order = Array.from(nodes.keys()).sort(
    (x, y) => cmp(nodes[x].file.file, nodes[y].file.file) || nodes[x].from - nodes[y].from,
  );
  let active: number[] = [];
  for (const i of order) {
    const s = nodes[i];
    active = active.filter((j) => nodes[j].file === s.file && nodes[j].to > s.from);
    for (const j of active) {
      const overlap = Math.min(nodes[j].to, s.to) - s.from;
      if (2 * overlap >= Math.min(len(nodes[j]), len(s))) sets.union(i, j);
    }
    active.push(i);
  }
}

/** The class one component of pairs forms; undefined when its occurrences collapse into one. */
export function classOf(pairs: readonly ClonePair[]): CloneClass | undefined {
  const occurrences = mergeSpans(pairs.flatMap((p) => [p.a, p.b]));
  if (occurrences.length < 2) return undefined;
  let type: CloneType = 1;
  let similarity = 1;
  for (const p of pairs) {
    if (p.type > type) type = p.type;
    similarity = Math.min(similarity, p.similarity);
  }
  return {
    id: classId(occurrences[0]),
    type,
    tokens: Math.min(...occurrences.map(len)),
    lines: Math.min(...occurrences.map(spanLines)),
    similarity,
    occurrences: occurrences.map(toLocation),
  };
}

/** Per file, overlapping spans collapse into one occurrence covering them all. */
function mergeSpans(spans: Span[]): Span[] {
  spans.sort((x, y) => cmp(x.file.file, y.file.file) || x.from - y.from);
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && last.file === s.file && s.from < last.to) last.to = Math.max(last.to, s.to);
    else out.push({ ...s });
  }
  return out;
}

function spanLines(s: Span): number {
  return s.file.endLine[s.to - 1] - s.file.line[s.from] + 1;
}

function toLocation(s: Span): Location {
  const t = s.file;
  const startLine = t.line[s.from];
  const endLine = t.endLine[s.to - 1];
  return {
    file: t.file,
    range: {
      start: { line: startLine, character: t.start[s.from] - t.lineStarts[startLine] },
      end: { line: endLine, character: t.end[s.to - 1] - t.lineStarts[endLine] },
    },
  };
}

/** Depends only on the duplicated code's shape, so it survives edits elsewhere in the file. */
function classId(s: Span): string {
  let h = 0x811c9dc5;
  for (let i = s.from; i < s.to; i++) h = Math.imul(h ^ s.file.norm[i], 0x01000193);
  return `clone-${(h >>> 0).toString(16).padStart(8, '0')}-${s.to - s.from}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Order of classes: by first occurrence, longer first. */
export function compareClasses(x: CloneClass, y: CloneClass): number {
  const a = x.occurrences[0];
  const b = y.occurrences[0];
  return (
    cmp(a.file, b.file) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    y.tokens - x.tokens
  );
}
