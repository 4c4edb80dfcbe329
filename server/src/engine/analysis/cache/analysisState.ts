import type { AnalyzerState } from '../analyzer';
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
 * Stores an analyzer's state (see Analyzer.toState) as one cache entry: a length, the JSON of
 * everything but the clone postings, then the postings' typed arrays as raw bytes (they are most of
 * the size, and JSON would take longer to read than the analysis they save).
 */
export function saveState(disk: DiskCache, key: string, state: AnalyzerState): void {
  const { hashes, offsets, postings, ...clones } = state.clones;
  const json = Buffer.from(
    JSON.stringify({
      workspace: state.workspace,
      clones,
      reach: state.reach,
      lengths: [hashes.length, offsets.length, postings.length],
    }),
  );
  const size = Buffer.alloc(4);
  size.writeUInt32LE(json.length, 0);
  const bytes = (a: Int32Array | Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  disk.setBytes('states', key, [size, json, bytes(hashes), bytes(offsets), bytes(postings)]);
  disk.prune('states', STATES_KEPT);
}

/** The state stored under `key`, or undefined when there is none or it is damaged in any way. */
export function loadState(disk: DiskCache, key: string): AnalyzerState | undefined {
  const buf = disk.getBytes('states', key);
  if (!buf || buf.length < 4) return undefined;
  try {
    const n = buf.readUInt32LE(0);
    const meta: unknown = JSON.parse(buf.subarray(4, 4 + n).toString('utf8'));
    if (!isMeta(meta)) return undefined;
    const [h, o, p] = meta.lengths;
    let at = 4 + n;
    // Copied out: the typed arrays need aligned buffers of their own.
    const take = (count: number, width: number): ArrayBuffer => {
      const out = new Uint8Array(count * width);
      out.set(buf.subarray(at, at + count * width));
      at += count * width;
      return out.buffer;
    };
    const hashes = new Int32Array(take(h, 4));
    const offsets = new Int32Array(take(o, 4));
    const postings = new Float64Array(take(p, 8));
    if (at !== buf.length || offsets.length !== hashes.length + 1 || offsets[offsets.length - 1] !== p)
      return undefined;
    // Walks not well formed are dropped alone: the tests are then walked again.
    const reach = reachStateOf(meta.reach);
    return { workspace: meta.workspace, clones: { ...meta.clones, hashes, offsets, postings }, reach };
  } catch {
    return undefined;
  }
}

interface Meta {
  workspace: AnalyzerState['workspace'];
  clones: Omit<AnalyzerState['clones'], 'hashes' | 'offsets' | 'postings'>;
  reach?: unknown;
  lengths: [number, number, number];
}

function isMeta(x: unknown): x is Meta {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  const w = m.workspace as Record<string, unknown> | null | undefined;
  const c = m.clones as Record<string, unknown> | null | undefined;
  const lengths = m.lengths;
  return (
    Array.isArray(lengths) &&
    lengths.length === 3 &&
    lengths.every((v) => Number.isInteger(v) && (v as number) >= 0) &&
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
  );
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
