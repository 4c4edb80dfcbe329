import { classesOf, cloneComponents, compareClasses } from './cloneClasses';
import { windowHashes } from './fingerprints';
import { packHit, pairsFromHits, seedLength, type ClonePair } from './pairs';
import { tokenize, type FileTokens } from './tokenize';
import {
  DEFAULT_CLONE_OPTIONS,
  type CloneClass,
  type CloneOptions,
  type CloneType,
  type SourceFileText,
} from './types';

// Windows shared by more places than this are boilerplate (e.g. long literal tables); they would make
// matching quadratic and are skipped. Clones still grow across them when the tokens agree.
const MAX_BUCKET = 64;
const POSTING_SCALE = 2 ** 23;

/** A connected group of pairs from the last `classes()`, kept while none of its files changes pairs. */
interface Component {
  pairs: ClonePair[];
  files: Set<string>;
  classes: CloneClass[];
}

interface Entry {
  id: number;
  tokens: FileTokens;
  /** The file's windows; undefined for a file restored from a stored index (its postings are in `base`). */
  positions?: Int32Array;
  hashes?: Int32Array;
}

/**
 * A CloneIndex as stored between runs (cache/analysisState.ts): files by index, every window posting
 * grouped by hash (hashes ascending; bucket i is `postings[offsets[i]..offsets[i + 1])`, each posting
 * file index × 2^23 + position), the pairs and the components with their classes. Tokens are not
 * part of it: a restored index asks for a file's tokens only when a pair or class involving it is
 * recomputed.
 */
export interface CloneIndexState {
  files: string[];
  hashes: Int32Array;
  offsets: Int32Array;
  postings: Float64Array;
  /** [a file, a from, a to, b file, b from, b to, type, similarity] per pair. */
  pairs: StoredPair[];
  /** Indices into `pairs`, and the classes they formed. */
  components: { pairs: number[]; classes: CloneClass[] }[];
}

type StoredPair = [number, number, number, number, number, number, CloneType, number];

/** The stored postings of a restored index, read-only; files replaced or removed since are masked out. */
interface BasePostings {
  hashes: Int32Array;
  offsets: Int32Array;
  postings: Float64Array;
  removed: Set<number>;
}

/**
 * Incremental clone detector. Keeps every file's window hashes in one hash → positions map; an edit
 * replaces only that file's entries and recomputes only the pairs it takes part in, then rebuilds
 * the classes from the cached pairs (cheap: pairs are few compared to tokens).
 */
export class CloneIndex {
  private readonly opts: CloneOptions;
  private readonly k: number;
  private readonly byPath = new Map<string, Entry>();
  private readonly byId = new Map<number, Entry>();
  /** hash → packed (file id, position); a single posting is stored unboxed. */
  private readonly postings = new Map<number, number | number[]>();
  /** "lowId:highId" → pairs between those files (or within one). */
  private readonly pairs = new Map<string, ClonePair[]>();
  private readonly pairKeysByFile = new Map<number, Set<string>>();
  private readonly dirty = new Set<number>();
  private nextId = 0;
  private cached: CloneClass[] | undefined;
  private components: Component[] = [];
  /** Files that gained or lost a pair since the last `classes()`: components touching them are rebuilt. */
  private readonly touched = new Set<string>();
  private base: BasePostings | undefined;

  constructor(opts: Partial<CloneOptions> = {}) {
    this.opts = { ...DEFAULT_CLONE_OPTIONS, ...opts };
    this.k = seedLength(this.opts);
  }

  /** Adds or replaces a file; `tokens` when the caller has them already (the persistent cache). */
  update(source: SourceFileText, tokens: FileTokens = tokenize(source.file, source.text)): void {
    this.remove(source.file);
    const { positions, hashes } = windowHashes(tokens, this.k);
    const entry: Entry = { id: this.nextId++, tokens, positions, hashes };
    this.byPath.set(source.file, entry);
    this.touched.add(source.file);
    this.byId.set(entry.id, entry);
    for (let i = 0; i < hashes.length; i++) this.addPosting(hashes[i], entry.id * POSTING_SCALE + positions[i]);
    this.dirty.add(entry.id);
    this.cached = undefined;
  }

  remove(file: string): void {
    const entry = this.byPath.get(file);
    if (!entry) return;
    this.byPath.delete(file);
    this.byId.delete(entry.id);
    this.dirty.delete(entry.id);
    if (entry.hashes && entry.positions) {
      const base = entry.id * POSTING_SCALE;
      for (let i = 0; i < entry.hashes.length; i++) this.removePosting(entry.hashes[i], base + entry.positions[i]);
    } else this.base?.removed.add(entry.id);
    this.touched.add(file);
    for (const key of this.pairKeysByFile.get(entry.id) ?? []) {
      for (const p of this.pairs.get(key) ?? []) this.touched.add(p.a.file.file).add(p.b.file.file);
      this.pairs.delete(key);
      const [x, y] = key.split(':').map(Number);
      this.pairKeysByFile.get(x === entry.id ? y : x)?.delete(key);
    }
    this.pairKeysByFile.delete(entry.id);
    this.cached = undefined;
  }

  /** Current clone classes (recomputes only what changed since the last call). */
  classes(): CloneClass[] {
    if (this.cached) return this.cached;
    const dirty = [...this.dirty].sort((x, y) => x - y);
    for (const id of dirty) this.recomputePairs(id);
    this.dirty.clear();
    const kept = this.components.filter((c) => ![...c.files].some((f) => this.touched.has(f)));
    const keptPairs = new Set<ClonePair>();
    for (const c of kept) for (const p of c.pairs) keptPairs.add(p);
    const rest: ClonePair[] = [];
    for (const list of this.pairs.values()) for (const p of list) if (!keptPairs.has(p)) rest.push(p);
    this.touched.clear();
    this.components = [...kept, ...cloneComponents(rest).map(componentOf)];
    this.cached = this.components.flatMap((c) => c.classes).sort(compareClasses);
    return this.cached;
  }

  get fileCount(): number {
    return this.byPath.size;
  }

  private recomputePairs(id: number): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    // Hits grouped by the other file: interleaved (position here, position there).
    const hits = new Map<number, number[]>();
    const { positions, hashes } = entry;
    if (!positions || !hashes) return; // a restored file: its pairs were restored with it
    for (let i = 0; i < hashes.length; i++) {
      const bucket = this.bucketOf(hashes[i]);
      if (bucket === undefined) continue;
      const p = positions[i];
      for (const posting of bucket) {
        const other = Math.floor(posting / POSTING_SCALE);
        const q = posting - other * POSTING_SCALE;
        if (other === id ? q <= p : this.dirty.has(other) && other < id) continue; // counted once
        let list = hits.get(other);
        if (!list) hits.set(other, (list = []));
        list.push(p, q);
      }
    }
    for (const [other, list] of hits) this.storePairs(entry, this.byId.get(other) as Entry, list);
  }

  private storePairs(x: Entry, y: Entry, list: number[]): void {
    // Orient by path so a pair is computed the same way whatever the update order was.
    const swap = x !== y && y.tokens.file < x.tokens.file;
    const [a, b] = swap ? [y, x] : [x, y];
    const packed = new Float64Array(list.length / 2);
    for (let i = 0; i < list.length; i += 2) {
      packed[i / 2] = swap ? packHit(list[i + 1], list[i]) : packHit(list[i], list[i + 1]);
    }
    const found = pairsFromHits(a.tokens, b.tokens, packed, this.k, this.opts);
    if (found.length === 0) return;
    this.touched.add(a.tokens.file).add(b.tokens.file);
    const key = `${Math.min(x.id, y.id)}:${Math.max(x.id, y.id)}`;
    this.pairs.set(key, found);
    for (const id of [x.id, y.id]) {
      let keys = this.pairKeysByFile.get(id);
      if (!keys) this.pairKeysByFile.set(id, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Every posting of `hash`, or undefined when there is only one (this window) or more than MAX_BUCKET. */
  private bucketOf(hash: number): number[] | undefined {
    const own = this.postings.get(hash);
    const ownCount = own === undefined ? 0 : typeof own === 'number' ? 1 : own.length;
    const base = this.base;
    const at = base ? search(base.hashes, hash) : -1;
    if (!base || at < 0) return ownCount <= 1 || ownCount > MAX_BUCKET ? undefined : (own as number[]);
    const from = base.offsets[at];
    const to = base.offsets[at + 1];
    if (to - from + ownCount <= 1) return undefined;
    const out: number[] = [];
    // Postings of replaced or removed files are skipped; the scan stops once the bucket is over-full.
    for (let j = from; j < to && out.length + ownCount <= MAX_BUCKET; j++) {
      const posting = base.postings[j];
      if (base.removed.size === 0 || !base.removed.has(Math.floor(posting / POSTING_SCALE))) out.push(posting);
    }
    if (out.length + ownCount <= 1 || out.length + ownCount > MAX_BUCKET) return undefined;
    if (typeof own === 'number') out.push(own);
    else if (own) out.push(...own);
    return out;
  }

  /**
   * The index as stored (see CloneIndexState); `classes()` is brought up to date first, so a restored
   * index starts with nothing to recompute.
   */
  toState(): CloneIndexState {
    this.classes();
    const entries = [...this.byPath.values()].sort((x, y) => x.id - y.id);
    // Entry id → index in `files` (-1: the file was replaced or removed since the state was read).
    const indexOf = new Int32Array(this.nextId).fill(-1);
    entries.forEach((e, i) => (indexOf[e.id] = i));
    const own = Int32Array.from(this.postings.keys()).sort();
    const base = this.base;
    let ownCount = 0;
    for (const bucket of this.postings.values()) ownCount += typeof bucket === 'number' ? 1 : bucket.length;
    // Typed arrays filled in one merge of the stored and the own postings (both by ascending hash).
    const baseLength = base ? base.hashes.length : 0;
    const hashes = new Int32Array(baseLength + own.length);
    const offsets = new Int32Array(hashes.length + 1);
    const postings = new Float64Array((base ? base.postings.length : 0) + ownCount);
    let n = 0;
    let count = 0;
    let j = 0;
    const put = (posting: number): void => {
      const id = Math.floor(posting / POSTING_SCALE);
      const index = indexOf[id];
      if (index >= 0) postings[count++] = posting + (index - id) * POSTING_SCALE;
    };
    const putOwn = (hash: number): void => {
      const bucket = this.postings.get(hash) as number | number[];
      if (typeof bucket === 'number') put(bucket);
      else for (const posting of bucket) put(posting);
    };
    const close = (hash: number, before: number): void => {
      if (count === before) return;
      hashes[n++] = hash;
      offsets[n] = count;
    };
    for (let i = 0; i < baseLength && base; i++) {
      const hash = base.hashes[i];
      for (; j < own.length && own[j] < hash; j++) {
        const before = count;
        putOwn(own[j]);
        close(own[j], before);
      }
      const before = count;
      for (let k = base.offsets[i]; k < base.offsets[i + 1]; k++) put(base.postings[k]);
      if (j < own.length && own[j] === hash) putOwn(own[j++]);
      close(hash, before);
    }
    for (; j < own.length; j++) {
      const before = count;
      putOwn(own[j]);
      close(own[j], before);
    }
    const pairIndex = new Map<ClonePair, number>();
    const pairs: StoredPair[] = [];
    const fileIndex = (t: FileTokens): number => indexOf[(this.byPath.get(t.file) as Entry).id];
    for (const list of this.pairs.values()) {
      for (const p of list) {
        pairIndex.set(p, pairs.length);
        pairs.push([
          fileIndex(p.a.file),
          p.a.from,
          p.a.to,
          fileIndex(p.b.file),
          p.b.from,
          p.b.to,
          p.type,
          p.similarity,
        ]);
      }
    }
    return {
      files: entries.map((e) => e.tokens.file),
      hashes: hashes.slice(0, n),
      offsets: offsets.slice(0, n + 1),
      postings: postings.slice(0, count),
      pairs,
      components: this.components.map((c) => ({
        pairs: c.pairs.map((p) => pairIndex.get(p) as number),
        classes: c.classes,
      })),
    };
  }

  /**
   * An index in the state `toState` gave; `tokensOf(file)` supplies a file's tokens when a pair or
   * class involving it has to be recomputed (never for the others).
   */
  static restore(
    opts: Partial<CloneOptions>,
    state: CloneIndexState,
    tokensOf: (file: string) => FileTokens,
  ): CloneIndex {
    const index = new CloneIndex(opts);
    const tokens = state.files.map((file) => lazyTokens(file, () => tokensOf(file)));
    tokens.forEach((t, id) => {
      const entry: Entry = { id, tokens: t };
      index.byPath.set(t.file, entry);
      index.byId.set(id, entry);
    });
    index.nextId = state.files.length;
    index.base = { hashes: state.hashes, offsets: state.offsets, postings: state.postings, removed: new Set() };
    const pairs = state.pairs.map(([a, aFrom, aTo, b, bFrom, bTo, type, similarity]): ClonePair => ({
      a: { file: tokens[a], from: aFrom, to: aTo },
      b: { file: tokens[b], from: bFrom, to: bTo },
      type,
      similarity,
    }));
    state.pairs.forEach(([a, , , b], i) => {
      const key = `${Math.min(a, b)}:${Math.max(a, b)}`;
      const list = index.pairs.get(key);
      if (list) list.push(pairs[i]);
      else index.pairs.set(key, [pairs[i]]);
      for (const id of [a, b]) {
        let keys = index.pairKeysByFile.get(id);
        if (!keys) index.pairKeysByFile.set(id, (keys = new Set()));
        keys.add(key);
      }
    });
    index.components = state.components.map((c) => {
      const list = c.pairs.map((i) => pairs[i]);
      const files = new Set<string>();
      for (const p of list) files.add(p.a.file.file).add(p.b.file.file);
      return { pairs: list, files, classes: c.classes };
    });
    return index;
  }

  private addPosting(hash: number, posting: number): void {
    const bucket = this.postings.get(hash);
    if (bucket === undefined) this.postings.set(hash, posting);
    else if (typeof bucket === 'number') this.postings.set(hash, [bucket, posting]);
    else bucket.push(posting);
  }

  // In place: copying every shared bucket on each edit was most of the garbage an edit made.
  private removePosting(hash: number, posting: number): void {
    const bucket = this.postings.get(hash);
    if (bucket === undefined) return;
    if (typeof bucket === 'number') {
      if (bucket === posting) this.postings.delete(hash);
      return;
    }
    const at = bucket.indexOf(posting);
    if (at >= 0) bucket.splice(at, 1);
    if (bucket.length === 0) this.postings.delete(hash);
    else if (bucket.length === 1) this.postings.set(hash, bucket[0]);
  }
}

/** Index of `x` in the ascending `xs`, or -1. */
function search(xs: Int32Array, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else if (xs[mid] > x) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** A file's tokens, loaded on first use (one object per file: spans compare files by identity). */
function lazyTokens(file: string, load: () => FileTokens): FileTokens {
  let loaded: FileTokens | undefined;
  const get = (): FileTokens => (loaded ??= load());
  return {
    file,
    get count() {
      return get().count;
    },
    get norm() {
      return get().norm;
    },
    get exact() {
      return get().exact;
    },
    get start() {
      return get().start;
    },
    get end() {
      return get().end;
    },
    get line() {
      return get().line;
    },
    get endLine() {
      return get().endLine;
    },
    get brk() {
      return get().brk;
    },
    get lineStarts() {
      return get().lineStarts;
    },
  };
}

function componentOf(pairs: ClonePair[]): Component {
  const files = new Set<string>();
  for (const p of pairs) files.add(p.a.file.file).add(p.b.file.file);
  return { pairs, files, classes: classesOf(pairs) };
}
