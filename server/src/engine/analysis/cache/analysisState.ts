import type { AnalyzerState } from '../analyzer';
import type { DiskCache } from './diskCache';
import { reachStateOf } from '../reachIndex';

/** Analyzer states kept per cache folder: each is large, and a run needs only the one of HEAD. */
const STATES_KEPT = 4;

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
