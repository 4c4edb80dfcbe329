import type { ExtractOptions, ExtractResult } from '../facts/extract';
import { computeLineStarts } from '../clones/lineStarts';
import type { FileTokens } from '../clones/tokenize';
import { cacheKey, sha256, type DiskCache } from './diskCache';

/**
 * Per-file results that depend on the file's text (and options) alone: its facts and its clone
 * tokens. Keyed by the path, a hash of the text, the options, the tool version and the code build,
 * so an entry is only ever used for the exact input it was computed from.
 */
export class FileCache {
  /** Entries read from the disk and computed, for the bench and the tests. */
  readonly stats = { hits: 0, misses: 0 };
  /** Each file's last text and its sha256: its facts and tokens are keyed by the same hash. */
  private readonly sums = new Map<string, { text: string; sum: string }>();
  /** What every key starts from: the format, the tool version and the code build (see cacheKey). */
  private prefix: string | undefined;

  /**
   * `known`: texts hashed already this run (by absolute path: the text and its sha256, as the result key's
   * manifest read them), so that the key of a file's entries does not hash its text again. A text that
   * differs from the known one (a BOM cut off, a later version) is hashed as usual.
   */
  constructor(
    private readonly disk: DiskCache,
    known?: ReadonlyMap<string, { text: string; sum: string }>,
  ) {
    if (known) for (const [file, k] of known) this.sums.set(file, k);
  }

  /**
   * Writes the entries computed since the last flush (one pack; see PackStore). Entries nobody flushed
   * are written when the process exits.
   */
  flush(): void {
    this.disk.packs.flush();
  }

  /**
   * Writes what is pending, then bounds the per-file entries, which every edit adds to: when the packs
   * hold more than `limit` entries (default: 3× what this process used, at least 5,000), they are merged
   * into one that keeps the entries this process used and the newest others up to a quarter below the
   * limit. Call it after a full analysis, whose run uses every analysed file's entries; older versions of
   * files (HEAD's, a branch's) stay while the cache is within the bound, and a dropped entry only costs
   * recomputing it.
   */
  prune(limit?: number): void {
    const packs = this.disk.packs;
    packs.prune(limit ?? Math.max(3 * packs.used.size, 5000));
    this.disk.dropLegacy();
  }

  facts(file: string, text: string, options: ExtractOptions, compute: () => ExtractResult): ExtractResult {
    const key = this.key('facts', file, text, JSON.stringify(options));
    const hit = this.read(key, (bytes) => factsOf(bytes, file));
    if (hit) return hit;
    const value = compute();
    this.disk.packs.putText(key, JSON.stringify(value));
    return value;
  }

  /** The stored facts of exactly this text, if any (never computed: for a text the analysis does not hold). */
  storedFacts(file: string, text: string, options: ExtractOptions): ExtractResult | undefined {
    const key = this.key('facts', file, text, JSON.stringify(options));
    const bytes = this.disk.packs.get(key);
    try {
      return bytes && factsOf(bytes, file);
    } catch {
      return undefined;
    }
  }

  tokens(file: string, text: string, compute: () => FileTokens): FileTokens {
    const key = this.key('tokens', file, text, TOKENS_LAYOUT);
    const hit = this.read(key, (bytes) => fromStored(file, text, bytes));
    if (hit) return hit;
    const value = compute();
    this.disk.packs.put(key, toStored(value));
    return value;
  }

  /**
   * The key of a file's entry: the path, the sha256 of the text, the options, under the prefix that names
   * the format, tool version and code build. One hash of one string (a cold run makes ~2,000 keys).
   */
  private key(kind: 'facts' | 'tokens', file: string, text: string, options: string): string {
    this.prefix ??= cacheKey('file entries');
    let known = this.sums.get(file);
    if (known?.text !== text) this.sums.set(file, (known = { text, sum: sha256(text) }));
    return sha256(`${this.prefix}\0${kind}\0${file}\0${known.sum}\0${options}`);
  }

  /** The entry decoded, or undefined (a miss) when it is absent, damaged or of the wrong shape. */
  private read<T>(key: string, decode: (bytes: Buffer) => T | undefined): T | undefined {
    const bytes = this.disk.packs.get(key);
    let value: T | undefined;
    try {
      value = bytes && decode(bytes);
    } catch {
      value = undefined; // checksummed but not decodable (another layout): recomputed
    }
    if (value === undefined) this.stats.misses++;
    else this.stats.hits++;
    return value;
  }
}

function factsOf(bytes: Buffer, file: string): ExtractResult | undefined {
  const value: unknown = JSON.parse(bytes.toString('utf8'));
  return isExtractResult(value, file) ? value : undefined;
}

function isExtractResult(x: unknown, file: string): x is ExtractResult {
  if (typeof x !== 'object' || x === null) return false;
  if ('error' in x) return typeof x.error === 'string';
  if (!('facts' in x) || typeof x.facts !== 'object' || x.facts === null) return false;
  if (!('lines' in x) || typeof x.lines !== 'object' || x.lines === null) return false;
  const f = x.facts as Record<string, unknown>;
  const l = x.lines as Record<string, unknown>;
  return (
    Array.isArray(l.units) &&
    Array.isArray(l.code) &&
    f.file === file &&
    Array.isArray(f.units) &&
    Array.isArray(f.imports) &&
    Array.isArray(f.stages) &&
    Array.isArray(f.syntaxErrors) &&
    Array.isArray(f.visible) &&
    Array.isArray(f.starExports) &&
    typeof f.refs === 'object' &&
    typeof f.exports === 'object'
  );
}

/** Names the stored layout of tokens (in their key): another layout is never even looked up. */
const TOKENS_LAYOUT = 'norm,exact,start,end,brk';

/** The arrays stored; `line` and `endLine` follow from `start`, `end` and the text's line starts. */
const ARRAYS = ['norm', 'exact', 'start', 'end'] as const;

/**
 * FileTokens as bytes: the count (u32 LE), four Int32Arrays, then `brk` (line starts and token lines are
 * recomputed from the text). Raw bytes, not JSON: a cold run stores ~13 MB of them on the bench corpus.
 */
function toStored(t: FileTokens): Uint8Array[] {
  const count = Buffer.alloc(4);
  count.writeUInt32LE(t.count, 0);
  const bytes = (a: Int32Array | Uint8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return [count, ...ARRAYS.map((k) => bytes(t[k])), bytes(t.brk)];
}

/** The tokens stored by `toStored`, or undefined when the bytes are not exactly that layout. */
function fromStored(file: string, text: string, b: Buffer): FileTokens | undefined {
  if (b.length < 4) return undefined;
  const count = b.readUInt32LE(0);
  if (b.length !== 4 + ARRAYS.length * 4 * count + count) return undefined;
  const ints = (i: number): Int32Array => {
    const out = new Int32Array(count);
    const at = 4 + i * 4 * count;
    new Uint8Array(out.buffer).set(b.subarray(at, at + 4 * count));
    return out;
  };
  const start = ints(2);
  const end = ints(3);
  const lineStarts = computeLineStarts(text);
  const { line, endLine } = tokenLines(start, end, lineStarts);
  return {
    file,
    count,
    norm: ints(0),
    exact: ints(1),
    start,
    end,
    line,
    endLine,
    brk: Uint8Array.from(b.subarray(4 + ARRAYS.length * 4 * count)),
    lineStarts,
  };
}

/**
 * The 0-based lines of each token's first and last character, as tokenize computes them: the last line
 * starting at or before `start`, and the last line (not before that) starting before `end`. Tokens are
 * in text order, so the line only moves forward.
 */
function tokenLines(
  start: Int32Array,
  end: Int32Array,
  lineStarts: readonly number[],
): { line: Int32Array; endLine: Int32Array } {
  const line = new Int32Array(start.length);
  const endLine = new Int32Array(start.length);
  let l = 0;
  for (let i = 0; i < start.length; i++) {
    while (l + 1 < lineStarts.length && lineStarts[l + 1] <= start[i]) l++;
    let e = l;
    while (e + 1 < lineStarts.length && lineStarts[e + 1] < end[i]) e++;
    line[i] = l;
    endLine[i] = e;
  }
  return { line, endLine };
}
