import type { CloneOptions, CloneType } from './types';
import { CLOSERS, OPENERS } from './edgeTokens';
import type { FileTokens } from './tokenize';

/** Token range [from, to) in one file. */
export interface Span {
  file: FileTokens;
  from: number;
  to: number;
}

/** Two occurrences of one clone (the unit that classes are built from). */
export interface ClonePair {
  a: Span;
  b: Span;
  type: CloneType;
  similarity: number;
}

/** A maximal run of equal normalized tokens on one diagonal: a[aFrom..aFrom+len) = b[bFrom..bFrom+len). */
interface Fragment {
  aFrom: number;
  bFrom: number;
  len: number;
}

const DIAG_OFFSET = 2 ** 22;
const MAX_LOOKBACK = 256;
const POS_SCALE = 2 ** 23;

/** Packs a window hit (p in a, q in b) so that sorting groups diagonals, then positions. */
export function packHit(p: number, q: number): number {
  return (q - p + DIAG_OFFSET) * POS_SCALE + p;
}

/** Seed window length: short enough that the pieces of a near-miss clone still match. */
export function seedLength(opts: CloneOptions): number {
  return Math.max(2, Math.min(opts.minTokens, Math.max(10, Math.round(opts.minTokens / 3))));
}

/** Largest unmatched gap (tokens, per side) bridged when chaining fragments into a type-3 clone. */
function maxGap(opts: CloneOptions): number {
  return Math.max(1, Math.ceil(2 * opts.minTokens * (1 - opts.minSimilarity)));
}

/**
 * Turns window hits between files `a` and `b` (or within one file, then every hit has q > p) into
 * clone pairs: hits on one diagonal become fragments, long fragments are type-1/2 clones, and nearby
 * fragments separated by small gaps are chained into type-3 clones when similar enough.
 */
export function pairsFromHits(
  a: FileTokens,
  b: FileTokens,
  hits: Float64Array,
  k: number,
  opts: CloneOptions,
): ClonePair[] {
  const fragments = fragmentsFromHits(a, b, hits, k);
  if (fragments.length === 0) return [];
  fragments.sort((x, y) => x.aFrom - y.aFrom || x.bFrom - y.bFrom);
  return chain(a, b, fragments, opts);
}

function fragmentsFromHits(a: FileTokens, b: FileTokens, hits: Float64Array, k: number): Fragment[] {
  hits.sort();
  const out: Fragment[] = [];
  let cur: Fragment | undefined;
  let curDiag = NaN;
  for (let i = 0; i < hits.length; i++) {
    const key = hits[i];
    const diag = Math.floor(key / POS_SCALE) - DIAG_OFFSET;
    const p = key - (diag + DIAG_OFFSET) * POS_SCALE;
    if (cur && diag === curDiag && p <= cur.aFrom + cur.len - k + 1) {
      cur.len = Math.max(cur.len, p + k - cur.aFrom); // consecutive or overlapping windows
      continue;
    }
    if (cur && diag === curDiag && gapMatches(a, b, cur.aFrom + cur.len, p, diag)) {
      cur.len = p + k - cur.aFrom; // windows skipped (over-full bucket) but the tokens agree
      continue;
    }
    if (cur) pushVerified(a, b, cur, out, k);
    cur = { aFrom: p, bFrom: p + diag, len: k };
    curDiag = diag;
  }
  if (cur) pushVerified(a, b, cur, out, k);
  return out;
}

function gapMatches(a: FileTokens, b: FileTokens, from: number, to: number, diag: number): boolean {
  for (let i = from; i < to; i++) {
    if (a.norm[i] !== b.norm[i + diag] || a.brk[i] || b.brk[i + diag]) return false;
  }
  return true;
}

/** Drops hash collisions and clips a fragment that would overlap its own copy (periodic code). */
function pushVerified(a: FileTokens, b: FileTokens, f: Fragment, out: Fragment[], k: number): void {
  if (a === b && f.aFrom + f.len > f.bFrom) f.len = f.bFrom - f.aFrom;
  if (f.len < k) return;
  for (let i = 0; i < f.len; i++) if (a.norm[f.aFrom + i] !== b.norm[f.bFrom + i]) return;
  // Matches often run into the neighbouring statement's `;` or `{`: trim those stray edges.
  while (f.len > 0 && CLOSERS.has(a.norm[f.aFrom])) {
    f.aFrom++;
    f.bFrom++;
    f.len--;
  }
  while (f.len > 0 && OPENERS.has(a.norm[f.aFrom + f.len - 1])) f.len--;
  if (f.len >= k) out.push(f);
}

function chain(a: FileTokens, b: FileTokens, frags: Fragment[], opts: CloneOptions): ClonePair[] {
  const gap = maxGap(opts);
  const best = new Float64Array(frags.length);
  const prev = new Int32Array(frags.length).fill(-1);
  for (let i = 0; i < frags.length; i++) {
    const f = frags[i];
    best[i] = f.len;
    // Bounded look-back keeps dense (repetitive) file pairs linear.
    for (let j = i - 1; j >= 0 && j >= i - MAX_LOOKBACK; j--) {
      const g = frags[j];
      const ga = f.aFrom - (g.aFrom + g.len);
      const gb = f.bFrom - (g.bFrom + g.len);
      if (ga < 0 || gb < 0 || ga > gap || gb > gap) continue;
      if (hasBreak(a, g.aFrom + g.len, f.aFrom) || hasBreak(b, g.bFrom + g.len, f.bFrom)) continue;
      if (best[j] + f.len > best[i]) {
        best[i] = best[j] + f.len;
        prev[i] = j;
      }
    }
  }
  const order = Array.from(frags.keys()).sort((x, y) => best[y] - best[x] || x - y);
  const used = new Uint8Array(frags.length);
  const pairs: ClonePair[] = [];
  for (const end of order) {
    if (used[end]) continue;
    const members: Fragment[] = [];
    for (let i = end; i >= 0 && !used[i]; i = prev[i]) {
      used[i] = 1;
      members.push(frags[i]);
    }
    members.reverse();
    const near = members.length > 1 ? nearMiss(a, b, members, opts) : undefined;
    if (near) {
      pairs.push(near);
      continue;
    }
    for (const m of members) {
      const p = exactPair(a, b, m, opts);
      if (p) pairs.push(p);
    }
  }
  return pairs;
}

/** Whether removed code (ignored lines, imports) lies between tokens `from - 1` and `to`. */
function hasBreak(t: FileTokens, from: number, to: number): boolean {
  for (let i = from; i <= to && i < t.count; i++) if (t.brk[i]) return true;
  return false;
}

function lines(s: Span): number {
  return s.file.endLine[s.to - 1] - s.file.line[s.from] + 1;
}

function bigEnough(s: Span, opts: CloneOptions): boolean {
  return s.to - s.from >= opts.minTokens && lines(s) >= opts.minLines;
}

function exactPair(a: FileTokens, b: FileTokens, f: Fragment, opts: CloneOptions): ClonePair | undefined {
  const sa: Span = { file: a, from: f.aFrom, to: f.aFrom + f.len };
  const sb: Span = { file: b, from: f.bFrom, to: f.bFrom + f.len };
  if (!bigEnough(sa, opts) || !bigEnough(sb, opts)) return undefined;
  let type: CloneType = 1;
  for (let i = 0; i < f.len; i++) {
    if (a.exact[f.aFrom + i] !== b.exact[f.bFrom + i]) {
      type = 2;
      break;
    }
  }
  return { a: sa, b: sb, type, similarity: 1 };
}

function nearMiss(a: FileTokens, b: FileTokens, members: Fragment[], opts: CloneOptions): ClonePair | undefined {
  const first = members[0];
  const last = members[members.length - 1];
  const sa: Span = { file: a, from: first.aFrom, to: last.aFrom + last.len };
  const sb: Span = { file: b, from: first.bFrom, to: last.bFrom + last.len };
  if (a === b && sa.to > sb.from) return undefined; // would overlap itself
  if (!bigEnough(sa, opts) || !bigEnough(sb, opts)) return undefined;
  let matched = 0;
  for (const m of members) matched += m.len;
  const similarity = (2 * matched) / (sa.to - sa.from + (sb.to - sb.from));
  if (similarity < opts.minSimilarity) return undefined;
  return { a: sa, b: sb, type: 3, similarity };
}
