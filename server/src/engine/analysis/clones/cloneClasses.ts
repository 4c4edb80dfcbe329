import type { Location } from '../../findings';
import type { ClonePair, Span } from './pairs';
import type { FileTokens } from './tokenize';
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

/** Two spans are one copy when each overlaps the other by at least this share of its length. */
const SAME_COPY = 0.5;

/**
 * The classes one component of pairs forms. Spans that are the same copy (mutual overlap) become one
 * node; pairs are edges between nodes. Largest edge first, a class grows by the nodes that have an
 * edge to every member, so every copy in it is a reported clone of every other one.
 */
export function classesOf(pairs: readonly ClonePair[]): CloneClass[] {
  const nodeOf = copyNodes(pairs);
  const edges = new Map<number, Map<number, ClonePair>>();
  const link = (x: number, y: number, p: ClonePair): void => {
    let m = edges.get(x);
    if (!m) edges.set(x, (m = new Map<number, ClonePair>()));
    const prev = m.get(y);
    if (!prev || comparePairs(p, prev) < 0) m.set(y, p);
  };
  for (const p of pairs) {
    const a = nodeOf.get(p.a) as number;
    const b = nodeOf.get(p.b) as number;
    if (a === b) continue;
    link(a, b, p);
    link(b, a, p);
  }
  const order = [...pairs].sort(comparePairs);
  const covered = new Set<string>();
  const classes: CloneClass[] = [];
  // Copies of the classes built so far, per file: a smaller pair both of whose copies already lie (at
  // least half) in reported copies (a shifted window of periodic code, a piece of a larger clone, one
  // more pairing of copies already reported) adds no place to look at and is not reported again.
  const claims = new Map<FileTokens, Span[]>();
  const claimed = (s: Span): boolean =>
    (claims.get(s.file) ?? []).some((c) => 2 * (Math.min(c.to, s.to) - Math.max(c.from, s.from)) >= len(s));
  for (const seed of order) {
    const a = nodeOf.get(seed.a) as number;
    const b = nodeOf.get(seed.b) as number;
    if (a === b || covered.has(edgeKey(a, b)) || (claimed(seed.a) && claimed(seed.b))) continue;
    const members = [a, b];
    const spans = new Map<number, Span>([
      [a, seed.a],
      [b, seed.b],
    ]);
    const candidates = [...(edges.get(a) ?? new Map<number, ClonePair>()).keys()]
      .filter((n) => n !== b)
      .sort((x, y) => x - y);
    for (const n of candidates) {
      if (!members.every((m) => edges.get(n)?.has(m))) continue;
      const p = edges.get(n)?.get(a) as ClonePair;
      const span = nodeOf.get(p.a) === n ? p.a : p.b;
      // A copy overlapping another member (periodic code) is not a separate copy of it.
      if ([...spans.values()].some((o) => o.file === span.file && o.from < span.to && span.from < o.to)) continue;
      spans.set(n, span);
      members.push(n);
    }
    let type: CloneType = 1;
    let similarity = 1;
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        covered.add(edgeKey(members[i], members[j]));
        const p = edges.get(members[i])?.get(members[j]) as ClonePair;
        if (p.type > type) type = p.type;
        similarity = Math.min(similarity, p.similarity);
      }
    }
    const occurrences = members
      .map((m) => spans.get(m) as Span)
      .sort((x, y) => cmp(x.file.file, y.file.file) || x.from - y.from);
    for (const span of occurrences) {
      const list = claims.get(span.file);
      if (list) list.push(span);
      else claims.set(span.file, [span]);
    }
    const tokens = occurrences.map(len);
    const lines = occurrences.map(spanLines);
    classes.push({
      id: classId(occurrences[0]),
      type,
      tokens: Math.min(...tokens),
      maxTokens: Math.max(...tokens),
      lines: Math.min(...lines),
      maxLines: Math.max(...lines),
      similarity,
      occurrences: occurrences.map(toLocation),
    });
  }
  return classes;
}

/** Numbers the copies: spans of one file that overlap each other by SAME_COPY both ways share a node. */
function copyNodes(pairs: readonly ClonePair[]): Map<Span, number> {
  const spans: Span[] = [];
  for (const p of pairs) spans.push(p.a, p.b);
  spans.sort((x, y) => cmp(x.file.file, y.file.file) || x.from - y.from || y.to - x.to);
  const nodeOf = new Map<Span, number>();
  const reps: Span[] = [];
  let open: number[] = [];
  for (const s of spans) {
    open = open.filter((n) => reps[n].file === s.file && reps[n].to > s.from);
    let node = open.find((n) => {
      const r = reps[n];
      const overlap = Math.min(r.to, s.to) - Math.max(r.from, s.from);
      return overlap >= SAME_COPY * len(r) && overlap >= SAME_COPY * len(s);
    });
    if (node === undefined) {
      node = reps.length;
      reps.push(s);
      open.push(node);
    }
    nodeOf.set(s, node);
  }
  return nodeOf;
}

const size = (p: ClonePair): number => len(p.a) + len(p.b);

/**
 * Larger pairs first, then by place: classes never depend on the order pairs were found in (an index
 * updated file by file, or restored from the cache, gives the classes a fresh run gives).
 */
function comparePairs(x: ClonePair, y: ClonePair): number {
  return size(y) - size(x) || compareSpans(x.a, y.a) || compareSpans(x.b, y.b);
}

function compareSpans(s: Span, t: Span): number {
  return cmp(s.file.file, t.file.file) || s.from - t.from || s.to - t.to;
}
const edgeKey = (x: number, y: number): string => (x < y ? `${x}:${y}` : `${y}:${x}`);

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
