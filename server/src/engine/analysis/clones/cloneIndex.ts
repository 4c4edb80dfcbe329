import { classesOf, cloneComponents, compareClasses } from './cloneClasses';
import { windowHashes } from './fingerprints';
import { packHit, pairsFromHits, seedLength, type ClonePair } from './pairs';
import { tokenize, type FileTokens } from './tokenize';
import { DEFAULT_CLONE_OPTIONS, type CloneClass, type CloneOptions, type SourceFileText } from './types';

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
  positions: Int32Array;
  hashes: Int32Array;
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
    const base = entry.id * POSTING_SCALE;
    for (let i = 0; i < entry.hashes.length; i++) this.removePosting(entry.hashes[i], base + entry.positions[i]);
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
    for (let i = 0; i < hashes.length; i++) {
      const bucket = this.postings.get(hashes[i]);
      if (bucket === undefined || typeof bucket === 'number') continue; // only this window
      if (bucket.length > MAX_BUCKET) continue;
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

function componentOf(pairs: ClonePair[]): Component {
  const files = new Set<string>();
  for (const p of pairs) files.add(p.a.file.file).add(p.b.file.file);
  return { pairs, files, classes: classesOf(pairs) };
}
