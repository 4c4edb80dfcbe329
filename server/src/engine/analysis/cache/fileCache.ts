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

  /** Entries this object read or wrote (`kind/key`): what `prune` keeps. */
  private readonly used = new Set<string>();

  constructor(private readonly disk: DiskCache) {}

  /**
   * Bounds the per-file entries, which every edit adds to: when the folder holds more than `limit`
   * facts and tokens entries (default: 3× what this run used, at least 5,000), the entries this run did
   * not use are deleted, least recently written first, until a quarter below the limit. Call it after
   * a full analysis, whose run uses every analysed file's entries; older versions of files (HEAD's, a
   * branch's) stay while the folder is within the bound, and a deleted entry only costs recomputing it.
   */
  prune(limit = Math.max(3 * this.used.size, 5000)): void {
    if (this.used.size > 0) this.disk.pruneUnused(['facts', 'tokens'], this.used, limit);
  }

  facts(file: string, text: string, options: ExtractOptions, compute: () => ExtractResult): ExtractResult {
    const key = cacheKey('facts', file, sha256(text), JSON.stringify(options));
    this.used.add(`facts/${key}`);
    const hit = this.disk.get('facts', key, (x): x is ExtractResult => isExtractResult(x, file));
    if (hit) {
      this.stats.hits++;
      return hit;
    }
    this.stats.misses++;
    const value = compute();
    this.disk.set('facts', key, value);
    return value;
  }

  /** The stored facts of exactly this text, if any (never computed: for a text the analysis does not hold). */
  storedFacts(file: string, text: string, options: ExtractOptions): ExtractResult | undefined {
    const key = cacheKey('facts', file, sha256(text), JSON.stringify(options));
    return this.disk.get('facts', key, (x): x is ExtractResult => isExtractResult(x, file));
  }

  tokens(file: string, text: string, compute: () => FileTokens): FileTokens {
    const key = cacheKey('tokens', file, sha256(text));
    this.used.add(`tokens/${key}`);
    const hit = this.disk.get('tokens', key, isStoredTokens);
    if (hit) {
      this.stats.hits++;
      return fromStored(file, text, hit);
    }
    this.stats.misses++;
    const value = compute();
    this.disk.set('tokens', key, toStored(value));
    return value;
  }
}

function isExtractResult(x: unknown, file: string): boolean {
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

const ARRAYS = ['norm', 'exact', 'start', 'end', 'line', 'endLine'] as const;

/** FileTokens with its typed arrays as base64 (lineStarts are recomputed from the text). */
interface StoredTokens {
  count: number;
  norm: string;
  exact: string;
  start: string;
  end: string;
  line: string;
  endLine: string;
  brk: string;
}

function isStoredTokens(x: unknown): x is StoredTokens {
  if (typeof x !== 'object' || x === null || !('count' in x) || typeof x.count !== 'number') return false;
  const r = x as Record<string, unknown>;
  // Base64 of exactly `count` elements: an entry that decodes to other sizes is not used.
  const b64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;
  const count = x.count;
  return (
    ARRAYS.every((k) => typeof r[k] === 'string' && r[k].length === b64Length(count * 4)) &&
    typeof r.brk === 'string' &&
    r.brk.length === b64Length(count)
  );
}

function toStored(t: FileTokens): StoredTokens {
  const b64 = (a: Int32Array | Uint8Array): string =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  return {
    count: t.count,
    norm: b64(t.norm),
    exact: b64(t.exact),
    start: b64(t.start),
    end: b64(t.end),
    line: b64(t.line),
    endLine: b64(t.endLine),
    brk: b64(t.brk),
  };
}

function fromStored(file: string, text: string, s: StoredTokens): FileTokens {
  const ints = (b64: string): Int32Array => {
    const bytes = Buffer.from(b64, 'base64');
    const out = new Int32Array(s.count);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  };
  const brk = Uint8Array.from(Buffer.from(s.brk, 'base64'));
  return {
    file,
    count: s.count,
    norm: ints(s.norm),
    exact: ints(s.exact),
    start: ints(s.start),
    end: ints(s.end),
    line: ints(s.line),
    endLine: ints(s.endLine),
    brk,
    lineStarts: computeLineStarts(text),
  };
}
