import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { TOOL_VERSION } from '../../version';
import { PackStore, remove } from './packStore';

/** Bumped when the layout of an entry changes. */
const FORMAT = 1;

/**
 * A folder of cache entries, each a file named by its key: a header line (the key and a checksum of
 * the payload: sha256, crc32 for the large byte entries) then the payload. A read that finds no entry, a different key, a checksum that
 * does not match or JSON that does not parse is a miss (the bad entry is deleted and the caller
 * recomputes), so a torn or corrupted entry can cost time but never give a wrong result. That is also
 * why entries are written in place, without a temporary file and a rename: a reader that meets half an
 * entry, or two writers of the same entry (same key, same bytes) that interleave, at worst cause a miss.
 * The thousands of small per-file entries go into packs instead (see `packs`).
 */
export class DiskCache {
  /** Folders known to exist (a cold run would otherwise ask for each of its thousands of entries). */
  private readonly made = new Set<string>();
  private packStore: PackStore | undefined;

  /**
   * zlib.crc32 (Node >= 20.15 and 22.2); without it (an older runtime, such as the Node inside an older
   * Electron running the language server) entries are checksummed with sha256.
   */
  private readonly crc32: ((data: Uint8Array, value?: number) => number) | undefined;

  /** `opts.sha256Only`: checksum as a runtime without zlib.crc32 does. */
  constructor(
    readonly dir: string,
    opts: { sha256Only?: boolean } = {},
  ) {
    this.crc32 = !opts.sha256Only && typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;
  }

  /**
   * The cache for a workspace: `ML_PARITY_CACHE_DIR` when set ('off' disables it), else
   * `node_modules/.cache/ml-parity` in the nearest folder at or above `root` holding a package.json or
   * node_modules (as other JS tools do); undefined when there is none.
   */
  static forWorkspace(root: string): DiskCache | undefined {
    const env = process.env.ML_PARITY_CACHE_DIR;
    if (env === 'off') return undefined;
    if (env) return new DiskCache(path.resolve(env));
    for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
      if (fs.existsSync(path.join(dir, 'package.json')) || fs.existsSync(path.join(dir, 'node_modules'))) {
        return new DiskCache(path.join(dir, 'node_modules', '.cache', 'ml-parity'));
      }
      if (path.dirname(dir) === dir) return undefined;
    }
  }

  /** The entry `kind/key`, or undefined on any kind of miss. `check` rejects payloads of the wrong shape. */
  get<T>(kind: string, key: string, check: (x: unknown) => x is T): T | undefined {
    const file = this.file(kind, key);
    let raw: string;
    try {
      raw = fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const nl = raw.indexOf('\n');
    const payload = raw.slice(nl + 1);
    try {
      const header = JSON.parse(raw.slice(0, nl)) as { key?: unknown; sum?: unknown };
      if (nl > 0 && header.key === key && header.sum === sha256(payload)) {
        const value: unknown = JSON.parse(payload);
        if (check(value)) {
          if (kind === 'results' || kind === 'deltas') touch(file); // recently used: kept by prune
          return value;
        }
      }
    } catch {
      // fall through: a corrupt entry is a miss
    }
    remove(file);
    return undefined;
  }

  /** The bytes stored by `setBytes`, or undefined on any kind of miss (a bad entry is deleted). */
  getBytes(kind: string, key: string): Buffer | undefined {
    const file = this.file(kind, key);
    let raw: Buffer;
    try {
      raw = fs.readFileSync(file);
    } catch {
      return undefined;
    }
    const nl = raw.indexOf(0x0a);
    const payload = raw.subarray(nl + 1);
    try {
      const header = JSON.parse(raw.subarray(0, nl).toString('utf8')) as {
        key?: unknown;
        sum?: unknown;
        crc?: unknown;
      };
      // A crc32 entry where there is no crc32 cannot be checked: a miss, but left for the runtimes that can.
      if (header.crc !== undefined && !this.crc32) return undefined;
      const sound =
        this.crc32 && header.crc !== undefined ? header.crc === this.crc32(payload) : header.sum === sha256(payload);
      if (nl > 0 && header.key === key && sound) {
        touch(file); // recently used: kept by prune, which goes by modification time
        return payload;
      }
    } catch {
      // fall through: a corrupt entry is a miss
    }
    remove(file);
    return undefined;
  }

  /**
   * Stores bytes like `set`: a header line with the key and a checksum (crc32, or sha256 where the
   * runtime has no crc32), padded with spaces so that the bytes start at a multiple of 8 in the file
   * (a reader can view typed arrays in them without copying), then the bytes. CRC-32 rather than
   * sha256 because these entries are large (an analyzer state: ~14 MB, read by every hook run) and it
   * is ~3 times faster; it is there to catch damage (a torn write, a flipped bit), not tampering: the
   * cache is as trusted as the code.
   */
  setBytes(kind: string, key: string, parts: readonly Uint8Array[]): void {
    const file = this.file(kind, key);
    let sum: { crc: number } | { sum: string };
    if (this.crc32) {
      let crc = 0;
      for (const p of parts) crc = this.crc32(p, crc);
      sum = { crc };
    } else {
      const h = createHash('sha256');
      for (const p of parts) h.update(p);
      sum = { sum: h.digest('hex') };
    }
    const line = Buffer.from(JSON.stringify({ key, ...sum }));
    const header = Buffer.alloc(Math.ceil((line.length + 1) / 8) * 8, ' ');
    line.copy(header);
    header[header.length - 1] = 0x0a;
    let fd: number | undefined;
    let ok = true;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fd = fs.openSync(file, 'w');
      // Part by part (no copy of the whole): a torn write fails the checksum, like any other damage.
      for (const p of [header, ...parts]) for (let at = 0; at < p.byteLength;) at += fs.writeSync(fd, p, at);
    } catch {
      ok = false;
    } finally {
      try {
        if (fd !== undefined) fs.closeSync(fd);
      } catch {
        ok = false;
      }
    }
    if (!ok) remove(file);
  }

  /** Stores an entry; failures (read-only folder, full disk) only cost the next run its speed. */
  set(kind: string, key: string, value: unknown): void {
    const file = this.file(kind, key);
    const payload = JSON.stringify(value);
    try {
      const dir = path.dirname(file);
      if (!this.made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        this.made.add(dir);
      }
      fs.writeFileSync(file, `${JSON.stringify({ key, sum: sha256(payload) })}\n${payload}`);
    } catch {
      remove(file);
    }
  }

  /**
   * Keeps the `keep` most recently written or used entries of `kind` (whole results and states are
   * large and few are useful; HEAD's is used by every commit attempt, so it stays).
   */
  prune(kind: string, keep: number): void {
    const dir = path.join(this.dir, kind);
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
    } catch {
      return;
    }
    if (names.length <= keep) return;
    const byAge = names.map((n) => ({ n, t: mtime(path.join(dir, n)) })).sort((a, b) => b.t - a.t);
    for (const { n } of byAge.slice(keep)) remove(path.join(dir, n));
  }

  /** The packs of many small entries (the per-file facts and tokens; see PackStore), shared by this object's users. */
  get packs(): PackStore {
    return (this.packStore ??= new PackStore(path.join(this.dir, 'packs')));
  }

  /**
   * Removes the per-file facts and tokens folders of versions before packs (thousands of files nothing
   * reads any more).
   */
  dropLegacy(): void {
    for (const kind of ['facts', 'tokens']) {
      const dir = path.join(this.dir, kind);
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // a read-only cache: left for a later run
      }
    }
  }

  private file(kind: string, key: string): string {
    // Few entries per kind (code entries: a folder per module); the many per-file ones live in packs.
    return path.join(this.dir, kind, `${key}.json`);
  }
}

/** A cache key: sha256 of the parts, always including the format, the tool version and the code build. */
export function cacheKey(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of [String(FORMAT), TOOL_VERSION, codeStamp(), ...parts]) h.update(p).update('\0');
  return h.digest('hex');
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

let stamp: string | undefined;

function codeStamp(): string {
  return (stamp ??= codeStampOf(__dirname));
}

/**
 * Identifies the analysis code compiled into `dir` (this file's folder): a rebuilt engine never reads
 * its predecessor's entries, even when the version number stayed the same. In the compiled layout
 * (`out/server/src/engine/analysis/cache/`) that is the compiler's build-info file, which every build
 * that emits anything rewrites (one stat instead of ~80 in a hook run); without one, size and mtime of
 * every compiled file of the analysis folder (a bundle: of the bundle's folder).
 */
export function codeStampOf(dir: string): string {
  const h = createHash('sha256');
  const analysisDir = path.basename(path.dirname(dir)) === 'analysis' ? path.dirname(dir) : dir;
  const out = path.resolve(analysisDir, '../../../..');
  if (analysisDir !== dir && path.basename(out) === 'out') {
    const info = path.join(out, '.tsbuildinfo');
    const s = statOf(info);
    if (s) return h.update(`${info}\0${s.size}\0${s.mtimeMs}`).digest('hex');
  }
  const visit = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (/\.[cm]?js$/.test(e.name)) {
        const st = fs.statSync(p);
        h.update(`${p}\0${st.size}\0${st.mtimeMs}\0`);
      }
    }
  };
  visit(analysisDir);
  return h.digest('hex');
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function touch(file: string): void {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // only costs the entry its place in the pruning order
  }
}

function mtime(file: string): number {
  return statOf(file)?.mtimeMs ?? 0;
}
