import type { AnalyzerState } from '../analyzer';
import type { ImportEdge } from '../link';
import type { WorkspaceState } from '../workspace';
import type { DiskCache } from './diskCache';
import { reachStateOf } from '../reachIndex';

/** Analyzer states kept per cache folder: each is large, and a run needs only the one of HEAD. */
const STATES_KEPT = 4;
/** Deltas kept per cache folder: each is small; one whose full state was pruned is a miss. */
const DELTAS_KEPT = 16;

/**
 * A state stored as a full state (under the key `base`) with some source files' texts replaced:
 * what the hook stores for a commit derived from its parent's state, instead of ~14 MB again.
 */
export interface StateDelta {
  /** The key of the full state; never itself a delta. */
  base: string;
  /** How many derivations since the full state (bounds the work a load has to redo). */
  depth: number;
  /** Every file whose text differs from the base's, as derivations changed it (absolute path, text). */
  files: [string, string][];
}

/** A stored state as it is loaded: a full state, and the changes (none for a full one) to apply to it. */
export interface StoredState {
  state: AnalyzerState;
  base: string;
  depth: number;
  changes: Map<string, string>;
}

/**
 * The state stored under `key`, full or as a delta, or undefined when there is none or it, or the full
 * state a delta names, is damaged or missing in any way (a delta never stands without its base).
 */
export function loadStored(disk: DiskCache, key: string): StoredState | undefined {
  const full = loadState(disk, key);
  if (full) return { state: full, base: key, depth: 0, changes: new Map() };
  const delta = disk.get('deltas', key, isDelta);
  const state = delta && delta.base !== key ? loadState(disk, delta.base) : undefined;
  if (!delta || !state) return undefined;
  return { state, base: delta.base, depth: delta.depth, changes: new Map(delta.files) };
}

/** Stores a state as a delta (see StateDelta); the full state it names is kept by use (see loadState). */
export function saveDelta(disk: DiskCache, key: string, delta: StateDelta): void {
  disk.set('deltas', key, delta);
  disk.prune('deltas', DELTAS_KEPT);
}

/**
 * The first word of a stored state: the layout's name and number ('MLS', 2, as bytes). A state stored in
 * another layout is a miss (its key differs too: the code stamp is part of every key).
 */
const MAGIC = 0x02_53_4c_4d;

type StoredGraph = WorkspaceState['graphs'][number];

/** A loaded graph's edges as they were stored, written against a table of the key files (see encodeEdges). */
interface RawEdges {
  bytes: Uint8Array;
  table: readonly string[];
}

/** Graphs of a loaded state, and their stored edges: saved again as they are, never decoded for it. */
const rawEdges = new WeakMap<StoredGraph, RawEdges>();

/**
 * Stores an analyzer's state (see Analyzer.toState) as one cache entry, laid out for a quick load: a
 * magic word and a length, the JSON of what a load uses at once, then raw bytes, padded so that the
 * clone postings' typed arrays (most of the size) are viewed in place: the postings, the hashes and
 * offsets, the source texts (1 byte a character when ASCII, else UTF-16: no escaping either way), and
 * each graph's edges, which a derived analysis reads for a few graphs only, so they are decoded when read.
 */
export function saveState(disk: DiskCache, key: string, state: AnalyzerState): void {
  const { hashes, offsets, postings, ...clones } = state.clones;
  const { texts, graphs, ...workspace } = state.workspace;
  const text = encodeTexts(texts);
  const edges = encodeEdges(graphs);
  const meta: Meta = {
    workspace: {
      ...workspace,
      texts: text.index,
      // Picked, not spread: a loaded graph's `edges` is a getter that decodes them.
      graphs: graphs.map((g, i) => ({
        file: g.file,
        edges: edges.lengths[i],
        imports: encodeImports(g, edges.fileIndex),
        targetFiles: g.targetFiles.map(edges.fileIndex),
        ...(g.built ? { built: g.built } : {}),
      })),
    },
    clones,
    reach: state.reach,
    keys: edges.table,
    lengths: [hashes.length, offsets.length, postings.length, text.bytes.length, edges.bytes.length],
  };
  const json = Buffer.from(JSON.stringify(meta));
  const head = Buffer.alloc(8);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(json.length, 4);
  const bytes = (a: Int32Array | Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  disk.setBytes('states', key, [
    head,
    json,
    Buffer.alloc(padding(8 + json.length)),
    bytes(postings),
    bytes(hashes),
    bytes(offsets),
    text.bytes,
    edges.bytes,
  ]);
  disk.prune('states', STATES_KEPT);
}

/** The state stored under `key`, or undefined when there is none or it is damaged in any way. */
export function loadState(disk: DiskCache, key: string): AnalyzerState | undefined {
  const buf = disk.getBytes('states', key);
  if (!buf || buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) return undefined;
  try {
    const n = buf.readUInt32LE(4);
    if (8 + n > buf.length) return undefined;
    const meta: unknown = JSON.parse(buf.toString('utf8', 8, 8 + n));
    if (!isMeta(meta)) return undefined;
    const [h, o, p, textBytes, edgeBytes] = meta.lengths;
    let at = 8 + n + padding(8 + n);
    if (at + p * 8 + (h + o) * 4 + textBytes + edgeBytes !== buf.length) return undefined;
    // Viewed in place when aligned (DiskCache pads its header for it), else copied out.
    const take = (count: number, width: 4 | 8): [ArrayBufferLike, number] => {
      const start = buf.byteOffset + at;
      at += count * width;
      if (start % width === 0) return [buf.buffer, start];
      return [new Uint8Array(buf.subarray(start - buf.byteOffset, at)).buffer, 0];
    };
    const postings = new Float64Array(...take(p, 8), p);
    const hashes = new Int32Array(...take(h, 4), h);
    const offsets = new Int32Array(...take(o, 4), o);
    if (offsets.length !== hashes.length + 1 || offsets[offsets.length - 1] !== p) return undefined;
    const texts: [string, string][] = [];
    for (const [file, length, wide] of meta.workspace.texts) {
      texts.push([file, buf.toString(wide ? 'utf16le' : 'latin1', at, at + length)]);
      at += length;
    }
    const graphs = meta.workspace.graphs.map((g): StoredGraph => {
      const bytes = buf.subarray(at, (at += g.edges));
      let edges: StoredGraph['edges'] | undefined;
      const graph: StoredGraph = {
        file: g.file,
        get edges() {
          return (edges ??= decodeEdges(bytes, meta.keys));
        },
        imports: decodeImports(g.imports, g.file, meta.keys),
        targetFiles: g.targetFiles.map((i) => fileAt(meta.keys, i)),
        ...(g.built ? { built: g.built } : {}),
      };
      rawEdges.set(graph, { bytes, table: meta.keys });
      return graph;
    });
    // Walks not well formed are dropped alone: the tests are then walked again.
    const reach = reachStateOf(meta.reach);
    return {
      workspace: { ...meta.workspace, texts, graphs },
      clones: { ...meta.clones, hashes, offsets, postings },
      reach,
    };
  } catch {
    return undefined;
  }
}

/** Zero bytes that bring `length` to a multiple of 8. */
function padding(length: number): number {
  return (8 - (length % 8)) % 8;
}

/**
 * Source texts as bytes: an ASCII text as one byte a character, any other as UTF-16 (exact for every
 * string, lone surrogates included, which UTF-8 would replace).
 */
function encodeTexts(texts: readonly [string, string][]): { index: StoredText[]; bytes: Buffer } {
  const index = texts.map(([file, text]): StoredText => {
    const wide = Buffer.byteLength(text) !== text.length ? 1 : 0;
    return [file, text.length * (wide + 1), wide];
  });
  const bytes = Buffer.allocUnsafe(index.reduce((sum, [, length]) => sum + length, 0));
  let at = 0;
  texts.forEach(([, text], i) => (at += bytes.write(text, at, index[i][2] ? 'utf16le' : 'latin1')));
  return { index, bytes };
}

/**
 * Every graph's edges as the JSON of its edge list, with each unit key's file (`file#pos#kind`: up to
 * the first '#') written as its index in a table of files. A graph still as loaded keeps the bytes it
 * was loaded from, so its table is taken over and only extended.
 */
function encodeEdges(graphs: readonly StoredGraph[]): {
  table: string[];
  fileIndex: (file: string) => number;
  bytes: Buffer;
  lengths: number[];
} {
  let base: readonly string[] | undefined;
  for (const g of graphs) if ((base = rawEdges.get(g)?.table)) break;
  const table = [...(base ?? [])];
  const index = new Map(table.map((f, i) => [f, i]));
  const fileIndex = (file: string): number => {
    let i = index.get(file);
    if (i === undefined) index.set(file, (i = table.push(file) - 1));
    return i;
  };
  const encode = (k: string): string => {
    const h = k.indexOf('#');
    return h < 0 ? String(fileIndex(k)) : `${fileIndex(k.slice(0, h))}${k.slice(h)}`;
  };
  const parts = graphs.map((g): Uint8Array => {
    const raw = rawEdges.get(g);
    if (raw && raw.table === base) return raw.bytes;
    return Buffer.from(JSON.stringify(g.edges.map(([from, to]) => [encode(from), to.map(encode)])));
  });
  return { table, fileIndex, bytes: Buffer.concat(parts), lengths: parts.map((p) => p.byteLength) };
}

/** A graph's imports as numbers (target's index in the file table, range, re-export), when all are in its file. */
function encodeImports(g: StoredGraph, fileIndex: (file: string) => number): StoredImports {
  if (g.imports.some((i) => i.location.file !== g.file)) return g.imports;
  return g.imports.flatMap(({ target, location: { range: r }, reexport }) => [
    fileIndex(target),
    r.start.line,
    r.start.character,
    r.end.line,
    r.end.character,
    reexport ? 1 : 0,
  ]);
}

function decodeImports(stored: StoredImports, file: string, table: readonly string[]): ImportEdge[] {
  if (!stored.every((v) => typeof v === 'number')) return stored;
  const n = stored;
  if (n.length % 6 !== 0) throw new Error('stored analysis state: bad imports');
  const out: ImportEdge[] = [];
  for (let i = 0; i < n.length; i += 6)
    out.push({
      target: fileAt(table, n[i]),
      location: {
        file,
        range: { start: { line: n[i + 1], character: n[i + 2] }, end: { line: n[i + 3], character: n[i + 4] } },
      },
      reexport: n[i + 5] === 1,
    });
  return out;
}

function fileAt(table: readonly string[], i: unknown): string {
  const file = typeof i === 'number' ? table[i] : undefined;
  if (file === undefined) throw new Error(`stored analysis state: bad file index ${String(i)}`);
  return file;
}

/** A graph's edges from its stored bytes (checksummed with the rest: anything else is a bug, and thrown). */
function decodeEdges(bytes: Uint8Array, table: readonly string[]): StoredGraph['edges'] {
  const decode = (k: unknown): string => {
    const h = typeof k === 'string' ? k.indexOf('#') : -1;
    const file = typeof k === 'string' ? table[Number(h < 0 ? k : k.slice(0, h))] : undefined;
    if (typeof k !== 'string' || file === undefined)
      throw new Error(`stored analysis state: bad unit key ${String(k)}`);
    return h < 0 ? file : file + k.slice(h);
  };
  const list: unknown = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  if (!Array.isArray(list)) throw new Error('stored analysis state: bad edges');
  return list.map((e: unknown): [string, string[]] => {
    if (!Array.isArray(e) || e.length !== 2 || !Array.isArray(e[1])) throw new Error('stored analysis state: bad edge');
    return [decode(e[0]), (e[1] as unknown[]).map(decode)];
  });
}

/** A graph's imports: 6 numbers each (see encodeImports), or as they are when one is located in another file. */
type StoredImports = number[] | ImportEdge[];

/** A source text as stored: its file, its length in bytes and whether it is UTF-16 (1) or ASCII (0). */
type StoredText = [string, number, 0 | 1];

/** The JSON part of a stored state. */
interface Meta {
  workspace: Omit<WorkspaceState, 'texts' | 'graphs'> & {
    texts: StoredText[];
    /** `edges`: the length in bytes of the graph's edges; files as indices into `keys`. */
    graphs: (Omit<StoredGraph, 'edges' | 'imports' | 'targetFiles'> & {
      edges: number;
      imports: StoredImports;
      targetFiles: number[];
    })[];
  };
  clones: Omit<AnalyzerState['clones'], 'hashes' | 'offsets' | 'postings'>;
  reach?: unknown;
  /** The files of the unit keys in the stored edges (see encodeEdges), and of the graphs' imports and targets. */
  keys: string[];
  /** Hashes, offsets, postings (elements), texts and edges (bytes). */
  lengths: [number, number, number, number, number];
}

const count = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;

function isMeta(x: unknown): x is Meta {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  const w = m.workspace as Record<string, unknown> | null | undefined;
  const c = m.clones as Record<string, unknown> | null | undefined;
  const lengths = m.lengths;
  if (!(
    Array.isArray(lengths) &&
    lengths.length === 5 &&
    lengths.every(count) &&
    Array.isArray(m.keys) &&
    m.keys.every((k) => typeof k === 'string') &&
    typeof w === 'object' &&
    w !== null &&
    typeof w.listing === 'object' &&
    w.listing !== null &&
    typeof w.onlyBuildOutput === 'number' &&
    typeof w.project === 'object' &&
    w.project !== null &&
    ['texts', 'tests', 'skipped', 'builtOutput', 'unparsed', 'failures', 'graphs', 'stages', 'syntax'].every((k) =>
      Array.isArray(w[k]),
    ) &&
    typeof c === 'object' &&
    c !== null &&
    ['files', 'pairs', 'components'].every((k) => Array.isArray(c[k]))
  ))
    return false;
  // The byte lengths the texts and edges are cut by must add up (the load checks the total).
  let textBytes = 0;
  for (const t of w.texts as unknown[]) {
    if (!Array.isArray(t) || typeof t[0] !== 'string' || !count(t[1]) || (t[2] !== 0 && t[2] !== 1)) return false;
    if (t[2] === 1 && t[1] % 2 !== 0) return false;
    textBytes += t[1] as number;
  }
  let edgeBytes = 0;
  for (const g of w.graphs as unknown[]) {
    const r = g as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || typeof r.file !== 'string' || !count(r.edges)) return false;
    if (!Array.isArray(r.imports) || !Array.isArray(r.targetFiles)) return false;
    edgeBytes += r.edges as number;
  }
  return textBytes === lengths[3] && edgeBytes === lengths[4];
}

function isDelta(x: unknown): x is StateDelta {
  if (typeof x !== 'object' || x === null) return false;
  const d = x as Record<string, unknown>;
  return (
    typeof d.base === 'string' &&
    Number.isInteger(d.depth) &&
    Array.isArray(d.files) &&
    d.files.every((f) => Array.isArray(f) && f.length === 2 && typeof f[0] === 'string' && typeof f[1] === 'string')
  );
}
