import { classesOf, cloneComponents, compareClasses } from './cloneClasses';
import { windowHashes } from './fingerprints';
import { packHit, pairsFromHits, seedLength, type ClonePair } from './pairs';
import { agreeingRun, RunHeads } from './runHeads';
import type { FileTokens } from './tokenize';
import {
  DEFAULT_CLONE_OPTIONS,
  type CloneClass,
  type CloneOptions,
  type CloneType,
  type SourceFileText,
} from './types';

// A window shared by more places than this would make matching quadratic. Such a bucket seeds only
// from the heads of runs (see RunHeads: periodic code counts once per run, and a match from a head
// grows along the tokens that agree); when even its heads are more than this, the window is
// boilerplate shared by many files and seeds nothing. Clones still grow across it when tokens agree.
export const MAX_BUCKET = 64;
const POSTING_SCALE = 2 ** 23;
/** 1 / POSTING_SCALE, exact (a power of two): a multiplication is cheaper than a division. */
const INVERSE_SCALE = 2 ** -23;
const DIAGONALS = 2 ** 24;

/** How a hash's postings seed pairs: all of them, only the heads of runs, or none. */
type SeedMode = 'all' | 'heads' | 'none';

/**
 * The postings a window pairs with: all of them (an array), or in an over-full bucket only the heads
 * of runs (RunHeads: a head pairs with the other heads of its kind, first with first and second with
 * second, since a first and a second align two runs one period apart, a shifted copy of the match
 * the firsts give); undefined when none.
 */
type Seeds = readonly number[] | RunHeads | undefined;

/**
 * Windows no file is compared on: shared by so many places that even the heads of their runs are more
 * than MAX_BUCKET (boilerplate). A clone still grows across them when tokens agree, so only code made
 * entirely of such windows, over at least `minTokens` tokens, can hide a duplicate: those are `spans`.
 */
export interface UnseededWindows {
  /** Distinct windows (hashes) left out. */
  windows: number;
  /** Runs of at least `minTokens` tokens made only of such windows and not inside a reported copy, per file (sorted by path). */
  spans: { file: string; count: number }[];
}

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

/** A file's window positions and hashes. */
interface Windows {
  positions: Int32Array;
  hashes: Int32Array;
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
  /** The unseeded hashes and [file, hidden stretches] per file that has some (absent in older states). */
  unseeded?: { none: number[]; hidden: [number, number][] };
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
  /**
   * Seed modes, as of the last `classes()`, of the hashes whose postings changed since then (only while
   * some file's pairs are computed). A hash whose mode changed changes the pairs of every file in it,
   * which are then recomputed: the pairs never depend on the order files were added, updated or removed.
   */
  private readonly modesBefore = new Map<number, SeedMode>();
  /** Seeds of over-full or stored buckets (null: none), per `classes()`: they do not change while pairs are computed. */
  private seedMemo: Map<number, Seeds | null> | undefined;
  /** Own hashes with more than MAX_BUCKET own postings (kept on each add/remove, so none is searched for). */
  private readonly overfull = new Set<number>();
  /** The unseeded hashes (mode 'none') as of the last `unseeded()`; undefined: to be found from scratch. */
  private none: Set<number> | undefined;
  /** File id → stretches hidden in it (see UnseededWindows.spans), only files that have some. */
  private readonly hidden = new Map<number, number>();
  /** Files whose hidden stretches must be counted again: their windows or pairs changed. */
  private readonly staleHidden = new Set<number>();
  private unseededMemo: UnseededWindows | undefined;

  constructor(opts: Partial<CloneOptions> = {}) {
    this.opts = { ...DEFAULT_CLONE_OPTIONS, ...opts };
    this.k = seedLength(this.opts);
  }

  /** Adds or replaces a file; `tokens` when the caller has them already (the persistent cache). */
  update(source: SourceFileText, tokens: FileTokens = tokenizeNow(source.file, source.text)): void {
    this.remove(source.file);
    const { positions, hashes } = windowHashes(tokens, this.k);
    const entry: Entry = { id: this.nextId++, tokens, positions, hashes };
    this.byPath.set(source.file, entry);
    this.touched.add(source.file);
    this.byId.set(entry.id, entry);
    for (let i = 0; i < hashes.length; i++) this.addPosting(hashes[i], entry.id * POSTING_SCALE + positions[i]);
    this.dirty.add(entry.id);
    this.recordModes(() => hashes, entry.id);
    this.cached = undefined;
    this.unseededMemo = undefined;
  }

  remove(file: string): void {
    const entry = this.byPath.get(file);
    if (!entry) return;
    this.byPath.delete(file);
    this.byId.delete(entry.id);
    this.dirty.delete(entry.id);
    this.hidden.delete(entry.id);
    this.staleHidden.delete(entry.id);
    this.recordModes(() => entry.hashes ?? this.storedHashes(entry.id));
    if (entry.hashes && entry.positions) {
      const base = entry.id * POSTING_SCALE;
      for (let i = 0; i < entry.hashes.length; i++) this.removePosting(entry.hashes[i], base + entry.positions[i]);
    } else this.base?.removed.add(entry.id);
    this.touched.add(file);
    this.dropPairs(entry.id);
    this.cached = undefined;
    this.unseededMemo = undefined;
  }

  private dropPairs(id: number): void {
    for (const key of this.pairKeysByFile.get(id) ?? []) {
      for (const p of this.pairs.get(key) ?? []) this.touched.add(p.a.file.file).add(p.b.file.file);
      this.pairs.delete(key);
      const [x, y] = key.split(':').map(Number);
      this.pairKeysByFile.get(x === id ? y : x)?.delete(key);
    }
    this.pairKeysByFile.delete(id);
  }

  /** Current clone classes (recomputes only what changed since the last call). */
  classes(): CloneClass[] {
    if (this.cached) return this.cached;
    this.seedMemo = new Map();
    this.recomputeChangedModes();
    const dirty = [...this.dirty].sort((x, y) => x - y);
    for (const id of dirty) this.recomputePairs(id);
    this.seedMemo = undefined;
    for (const id of dirty) this.staleHidden.add(id);
    for (const f of this.touched) {
      const e = this.byPath.get(f);
      if (e) this.staleHidden.add(e.id);
    }
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

  /**
   * The windows no file is compared on (see UnseededWindows), as the index is now. Kept up to date like
   * the pairs: only files whose windows or pairs changed are counted again, and the files of a window
   * that became (or stopped being) unseeded; everything only for a new index or a state without it.
   */
  unseeded(): UnseededWindows {
    if (this.unseededMemo) return this.unseededMemo;
    this.classes(); // the pairs, which may cover such code
    if (!this.none) this.countAllHidden();
    else for (const id of this.staleHidden) this.countHidden(id);
    this.staleHidden.clear();
    const spans: UnseededWindows['spans'] = [];
    for (const [id, count] of this.hidden) {
      const entry = this.byId.get(id);
      if (entry) spans.push({ file: entry.tokens.file, count });
    }
    spans.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));
    return (this.unseededMemo = { windows: this.none?.size ?? 0, spans });
  }

  /** The unseeded hashes and every file's hidden stretches, from scratch. */
  private countAllHidden(): void {
    const candidates: number[] = [];
    const base = this.base;
    if (base) {
      // A restored index holds few own postings (files changed since): each is looked up in the stored ones.
      for (let i = 0; i < base.hashes.length; i++)
        if (base.offsets[i + 1] - base.offsets[i] > MAX_BUCKET) candidates.push(base.hashes[i]);
      for (const h of this.postings.keys()) {
        const at = search(base.hashes, h);
        const stored = at < 0 ? 0 : base.offsets[at + 1] - base.offsets[at];
        if (stored <= MAX_BUCKET && this.countBound(h) > MAX_BUCKET) candidates.push(h);
      }
    } else candidates.push(...this.overfull);
    const none = new Set(candidates.filter((h) => this.seedsAndMode(h).mode === 'none'));
    this.none = none;
    this.hidden.clear();
    if (none.size === 0) return; // most projects: no window is that common
    // Files read from a stored index have no windows in memory: their positions come from the stored postings.
    const stored = new Map<number, number[]>();
    for (const h of base ? none : []) {
      const at = search((base as BasePostings).hashes, h);
      for (
        let j = at < 0 ? 0 : (base as BasePostings).offsets[at];
        at >= 0 && j < (base as BasePostings).offsets[at + 1];
        j++
      ) {
        const posting = (base as BasePostings).postings[j];
        const id = Math.floor(posting / POSTING_SCALE);
        if ((base as BasePostings).removed.has(id)) continue;
        let list = stored.get(id);
        if (!list) stored.set(id, (list = []));
        list.push(posting - id * POSTING_SCALE);
      }
    }
    for (const [id, list] of stored)
      this.setHidden(
        id,
        list.sort((x, y) => x - y),
      );
    for (const entry of this.byId.values()) if (entry.hashes) this.countHidden(entry.id);
  }

  /** Counts one file's hidden stretches again from its windows (a stored file's tokens are loaded). */
  private countHidden(id: number): void {
    const entry = this.byId.get(id);
    const none = this.none;
    if (!entry || !none || none.size === 0) {
      this.hidden.delete(id);
      return;
    }
    const { positions, hashes } =
      entry.hashes && entry.positions ? { positions: entry.positions, hashes: entry.hashes } : this.windowsOf(entry);
    const at: number[] = [];
    for (let i = 0; i < hashes.length; i++) if (none.has(hashes[i])) at.push(positions[i]);
    this.setHidden(id, at);
  }

  /**
   * Records how many stretches of at least minTokens tokens the file's unseeded window starts (ascending)
   * make outside its reported copies. Consecutive window starts cover consecutive tokens (a window never
   * spans removed code); a stretch inside a reported copy is not hidden: the clone grew across it.
   */
  private setHidden(id: number, starts: readonly number[]): void {
    const entry = this.byId.get(id);
    let reported: [number, number][] | undefined;
    let count = 0;
    for (let i = 1, start = 0; entry && i <= starts.length; i++) {
      if (i < starts.length && starts[i] === starts[i - 1] + 1) continue;
      const from = starts[start];
      const to = starts[i - 1] + this.k;
      start = i;
      if (to - from < this.opts.minTokens) continue;
      reported ??= this.pairSpans(id, entry.tokens.file);
      if (!reported.some(([a, b]) => a <= from && to <= b)) count++;
    }
    if (count > 0) this.hidden.set(id, count);
    else this.hidden.delete(id);
  }

  /** Token ranges [from, to) of `file`'s occurrences in its pairs. */
  private pairSpans(id: number, file: string): [number, number][] {
    const out: [number, number][] = [];
    for (const key of this.pairKeysByFile.get(id) ?? []) {
      for (const p of this.pairs.get(key) ?? []) {
        if (p.a.file.file === file) out.push([p.a.from, p.a.to]);
        if (p.b.file.file === file) out.push([p.b.from, p.b.to]);
      }
    }
    return out;
  }

  get fileCount(): number {
    return this.byPath.size;
  }

  private recomputePairs(id: number): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    // Hits grouped by the other file: interleaved (position here, position there).
    const hits = new Map<number, number[]>();
    const add = (other: number, p: number, q: number): void => {
      let list = hits.get(other);
      if (!list) hits.set(other, (list = []));
      list.push(p, q);
    };
    // A restored file's postings are in `base`; its windows are derived again when its pairs change.
    const { positions, hashes } =
      entry.hashes && entry.positions ? { positions: entry.positions, hashes: entry.hashes } : this.windowsOf(entry);
    /** (other file, diagonal) → end of the agreeing run already seeded there from a head. */
    const grown = new Map<number, number>();
    const k = this.k;
    for (let i = 0; i < hashes.length; i++) {
      const seeds = this.seedsOf(hashes[i]);
      if (seeds === undefined) continue;
      const p = positions[i];
      const heads = seeds instanceof RunHeads ? seeds : undefined;
      const postings = seeds instanceof RunHeads ? seeds.heads : seeds;
      const at = heads ? postings.indexOf(id * POSTING_SCALE + p) : -1;
      if (heads && at < 0) continue;
      for (let j = 0; j < postings.length; j++) {
        const posting = postings[j];
        const other = Math.floor(posting / POSTING_SCALE);
        const q = posting - other * POSTING_SCALE;
        if (other === id ? q <= p : this.dirty.has(other) && other < id) continue; // counted once
        if (!heads) {
          add(other, p, q);
          continue;
        }
        if (heads.second[j] !== heads.second[at]) continue;
        // Two heads: the match grows along the agreeing tokens (the windows inside the run seed
        // nothing). Its first and last window are the hits; pairsFromHits bridges the agreeing gap.
        const key = other * DIAGONALS + (q - p + DIAGONALS / 2);
        if (p + k <= (grown.get(key) ?? -1)) continue;
        const b = (this.byId.get(other) as Entry).tokens;
        const n = agreeingRun(entry.tokens, p, b, q);
        if (n < k) continue; // a hash collision
        grown.set(key, p + n);
        add(other, p, q);
        if (n > k) add(other, p + n - k, q + n - k);
      }
    }
    for (const [other, list] of hits) this.storePairs(entry, this.byId.get(other) as Entry, list);
  }

  /** A restored file's windows (its tokens are loaded for it). */
  private windowsOf(entry: Entry): Windows {
    return windowHashes(entry.tokens, this.k);
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

  /** The postings a window of `hash` pairs with (see Seeds). */
  private seedsOf(hash: number): Seeds {
    const own = this.postings.get(hash);
    if (!this.base) {
      if (own === undefined || typeof own === 'number') return undefined;
      if (own.length <= MAX_BUCKET) return own;
    }
    const known = this.seedMemo?.get(hash);
    if (known !== undefined) return known ?? undefined;
    const seeds = this.seedsAndMode(hash).seeds;
    this.seedMemo?.set(hash, seeds ?? null);
    return seeds;
  }

  /** Every live posting of `hash` when there are at most MAX_BUCKET, else the heads of runs if few enough. */
  private seedsAndMode(hash: number, without = -1): { seeds: Seeds; mode: SeedMode } {
    const all: number[] = [];
    const runs = new RunHeads();
    let count = 0;
    this.forEachPosting(hash, (posting) => {
      const file = Math.floor(posting / POSTING_SCALE);
      if (file === without) return true;
      count++;
      if (count <= MAX_BUCKET) all.push(posting);
      runs.add(posting, file, posting - file * POSTING_SCALE);
      return runs.heads.length <= MAX_BUCKET;
    });
    if (count <= MAX_BUCKET) return { seeds: count <= 1 ? undefined : all, mode: 'all' };
    return runs.heads.length <= MAX_BUCKET ? { seeds: runs, mode: 'heads' } : { seeds: undefined, mode: 'none' };
  }

  /** At most how many postings `hash` has (stored ones of removed files included). */
  private countBound(hash: number): number {
    const own = this.postings.get(hash);
    let n = own === undefined ? 0 : typeof own === 'number' ? 1 : own.length;
    const base = this.base;
    const at = base ? search(base.hashes, hash) : -1;
    if (base && at >= 0) n += base.offsets[at + 1] - base.offsets[at];
    return n;
  }

  /** Calls `visit` with every live posting of `hash` (stored ones first, each file's ascending) until it returns false. */
  private forEachPosting(hash: number, visit: (posting: number) => boolean): void {
    const base = this.base;
    const at = base ? search(base.hashes, hash) : -1;
    if (base && at >= 0) {
      for (let j = base.offsets[at]; j < base.offsets[at + 1]; j++) {
        const posting = base.postings[j];
        if (base.removed.size > 0 && base.removed.has(Math.floor(posting / POSTING_SCALE))) continue;
        if (!visit(posting)) return;
      }
    }
    const own = this.postings.get(hash);
    if (typeof own === 'number') visit(own);
    else if (own) for (const posting of own) if (!visit(posting)) return;
  }

  /**
   * The seed mode each of `hashes` had at the last `classes()`, for those whose mode a change of one
   * file's postings may change (over-full buckets): called before a file's postings are removed, or
   * after they were added (`added`: that file, whose postings then do not count). Nothing to do while
   * no file's pairs are computed (a first analysis).
   */
  private recordModes(hashesOf: () => Int32Array, added = -1): void {
    if (this.dirty.size >= this.byPath.size) {
      this.none = undefined; // modes are not followed: the unseeded windows are found again from scratch
      return;
    }
    for (const h of hashesOf()) {
      if (this.countBound(h) <= MAX_BUCKET || this.modesBefore.has(h)) continue;
      this.modesBefore.set(h, this.seedsAndMode(h, added).mode);
    }
  }

  /** The hashes of a restored file's stored postings (one pass over them). */
  private storedHashes(id: number): Int32Array {
    const base = this.base;
    if (!base) return new Int32Array(0);
    const lo = id * POSTING_SCALE;
    const hi = lo + POSTING_SCALE;
    const out: number[] = [];
    for (let i = 0; i < base.hashes.length; i++) {
      for (let j = base.offsets[i]; j < base.offsets[i + 1]; j++) {
        const posting = base.postings[j];
        if (posting >= lo && posting < hi) {
          out.push(base.hashes[i]);
          break;
        }
      }
    }
    return Int32Array.from(out);
  }

  /** Files in a bucket whose seed mode changed since the last `classes()` get their pairs computed again. */
  private recomputeChangedModes(): void {
    const stale = new Set<number>();
    for (const [hash, before] of this.modesBefore) {
      const { seeds, mode } = this.seedsAndMode(hash);
      this.seedMemo?.set(hash, seeds ?? null);
      if (mode === before) continue;
      // The files holding it have their pairs, and so their hidden stretches, computed again.
      if (mode === 'none') this.none?.add(hash);
      else this.none?.delete(hash);
      this.forEachPosting(hash, (posting) => {
        const id = Math.floor(posting / POSTING_SCALE);
        if (!this.dirty.has(id)) stale.add(id);
        return true;
      });
    }
    this.modesBefore.clear();
    for (const id of stale) {
      const entry = this.byId.get(id) as Entry;
      this.touched.add(entry.tokens.file);
      this.dropPairs(id);
      this.dirty.add(id);
    }
  }

  /**
   * The index as stored (see CloneIndexState); `classes()` is brought up to date first, so a restored
   * index starts with nothing to recompute.
   */
  toState(): CloneIndexState {
    this.classes();
    this.unseeded();
    const entries = [...this.byPath.values()].sort((x, y) => x.id - y.id);
    // Entry id → index in `files` (-1: the file was replaced or removed since the state was read).
    const indexOf = new Int32Array(this.nextId).fill(-1);
    entries.forEach((e, i) => (indexOf[e.id] = i));
    const own = Int32Array.from(this.postings.keys()).sort();
    const base = this.base;
    let ownCount = 0;
    for (const bucket of this.postings.values()) ownCount += typeof bucket === 'number' ? 1 : bucket.length;
    // Entry id → what its postings gain when renumbered to their index in `files` (NaN: dropped).
    const shift = new Float64Array(this.nextId);
    for (let id = 0; id < shift.length; id++) shift[id] = indexOf[id] >= 0 ? (indexOf[id] - id) * POSTING_SCALE : NaN;
    const { hashes, offsets, postings } = mergePostings(
      base,
      own,
      ownCount,
      (hash) => this.postings.get(hash) as number | number[],
      shift,
    );
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
      hashes,
      offsets,
      postings,
      pairs,
      components: this.components.map((c) => ({
        pairs: c.pairs.map((p) => pairIndex.get(p) as number),
        classes: c.classes,
      })),
      ...(this.none
        ? {
            unseeded: {
              none: [...this.none],
              hidden: [...this.hidden].flatMap(([id, n]): [number, number][] =>
                indexOf[id] >= 0 ? [[indexOf[id], n]] : [],
              ),
            },
          }
        : {}),
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
    // A stored count not well formed is ignored: the unseeded windows are then found again from scratch.
    const u = state.unseeded;
    if (
      u &&
      Array.isArray(u.none) &&
      Array.isArray(u.hidden) &&
      u.none.every(Number.isInteger) &&
      u.hidden.every(
        (h) =>
          Array.isArray(h) &&
          Number.isInteger(h[0]) &&
          h[0] >= 0 &&
          h[0] < state.files.length &&
          Number.isInteger(h[1]),
      )
    ) {
      index.none = new Set(u.none);
      for (const [id, n] of u.hidden) index.hidden.set(id, n);
    }
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
    else if (bucket.push(posting) === MAX_BUCKET + 1) this.overfull.add(hash);
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
    if (bucket.length === MAX_BUCKET) this.overfull.delete(hash);
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

/**
 * The stored postings (`base`, each renumbered by `shift[its entry id]`, NaN: dropped) and the own ones
 * (`own`: their hashes, ascending; `bucket(hash)`: their postings) merged into one list of buckets by
 * ascending hash, each bucket the stored postings first. In one function over plain locals: it runs
 * once per stored state over every posting (~750,000 on the bench corpus), before V8 has optimised much.
 */
function mergePostings(
  base: BasePostings | undefined,
  own: Int32Array,
  ownCount: number,
  bucket: (hash: number) => number | number[],
  shift: Float64Array,
): { hashes: Int32Array; offsets: Int32Array; postings: Float64Array } {
  const bh = base ? base.hashes : new Int32Array(0);
  const bo = base ? base.offsets : new Int32Array(1);
  const bp = base ? base.postings : new Float64Array(0);
  const hashes = new Int32Array(bh.length + own.length);
  const offsets = new Int32Array(hashes.length + 1);
  const postings = new Float64Array(bp.length + ownCount);
  let n = 0;
  let count = 0;
  let i = 0;
  let j = 0;
  while (i < bh.length || j < own.length) {
    const before = count;
    let hash: number;
    if (j < own.length && (i === bh.length || own[j] < bh[i])) hash = own[j];
    else {
      hash = bh[i];
      for (let k = bo[i], end = bo[i + 1]; k < end; k++) {
        const posting = bp[k];
        const d = shift[Math.floor(posting * INVERSE_SCALE)];
        if (d === d) postings[count++] = posting + d;
      }
      i++;
    }
    if (j < own.length && own[j] === hash) {
      const b = bucket(own[j++]);
      if (typeof b === 'number') {
        const d = shift[Math.floor(b * INVERSE_SCALE)];
        if (d === d) postings[count++] = b + d;
      } else
        for (const posting of b) {
          const d = shift[Math.floor(posting * INVERSE_SCALE)];
          if (d === d) postings[count++] = posting + d;
        }
    }
    if (count > before) {
      hashes[n++] = hash;
      offsets[n] = count;
    }
  }
  // Views, not copies: a stored state is written out and dropped.
  return { hashes: hashes.subarray(0, n), offsets: offsets.subarray(0, n + 1), postings: postings.subarray(0, count) };
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

/** The tokenizer (and the compiler's scanner), loaded on use: stored tokens need neither. */
export function tokenizeNow(file: string, text: string): FileTokens {
  const { tokenize } = require('./tokenize') as typeof import('./tokenize');
  return tokenize(file, text);
}
