import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TOOL_VERSION } from '../../version';

/** Bumped when the layout of an entry changes. */
const FORMAT = 1;

/**
 * A folder of cache entries, each a file named by its key: a header line (the key and the sha256 of
 * the payload) then the payload as JSON. A read that finds no entry, a different key, a checksum that
 * does not match or JSON that does not parse is a miss (the bad entry is deleted and the caller
 * recomputes), so a torn or corrupted entry can cost time but never give a wrong result. That is also
 * why entries are written in place, without a temporary file and a rename (a cold run writes
 * thousands): a reader that meets half an entry, or two writers of the same entry (same key, same
 * bytes) that interleave, at worst cause a miss.
 */
export class DiskCache {
  /** Folders known to exist (a cold run would otherwise ask for each of its thousands of entries). */
  private readonly made = new Set<string>();

  constructor(readonly dir: string) {}

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
    fs.rmSync(file, { force: true });
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
      const header = JSON.parse(raw.subarray(0, nl).toString('utf8')) as { key?: unknown; sum?: unknown };
      if (nl > 0 && header.key === key && header.sum === sha256(payload)) {
        touch(file); // recently used: kept by prune, which goes by modification time
        return payload;
      }
    } catch {
      // fall through: a corrupt entry is a miss
    }
    fs.rmSync(file, { force: true });
    return undefined;
  }

  /** Stores bytes (a header line with the key and checksum, then the bytes), like `set`. */
  setBytes(kind: string, key: string, parts: readonly Uint8Array[]): void {
    const file = this.file(kind, key);
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    let fd: number | undefined;
    let ok = true;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fd = fs.openSync(file, 'w');
      // Part by part (no copy of the whole): a torn write fails the checksum, like any other damage.
      for (const p of [Buffer.from(`${JSON.stringify({ key, sum: h.digest('hex') })}\n`), ...parts])
        for (let at = 0; at < p.byteLength;) at += fs.writeSync(fd, p, at);
    } catch {
      ok = false;
    } finally {
      try {
        if (fd !== undefined) fs.closeSync(fd);
      } catch {
        ok = false;
      }
    }
    if (!ok) fs.rmSync(file, { force: true });
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
      fs.rmSync(file, { force: true });
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
    for (const { n } of byAge.slice(keep)) fs.rmSync(path.join(dir, n), { force: true });
  }

  /**
   * For sharded kinds (facts, tokens): when they hold more than `limit` entries in all, deletes entries
   * not in `used` (`kind/key`), oldest first, until a quarter below the limit.
   */
  pruneUnused(kinds: readonly string[], used: ReadonlySet<string>, limit: number): void {
    const unused: { file: string; t: number }[] = [];
    let count = 0;
    for (const kind of kinds) {
      for (const shard of list(path.join(this.dir, kind))) {
        for (const name of list(path.join(this.dir, kind, shard))) {
          if (!name.endsWith('.json')) continue;
          count++;
          if (!used.has(`${kind}/${name.slice(0, -'.json'.length)}`))
            unused.push({ file: path.join(this.dir, kind, shard, name), t: 0 });
        }
      }
    }
    if (count <= limit) return;
    for (const u of unused) u.t = mtime(u.file);
    unused.sort((a, b) => a.t - b.t);
    const excess = count - Math.floor(0.75 * limit);
    for (const u of unused.slice(0, excess)) fs.rmSync(u.file, { force: true });
  }

  private file(kind: string, key: string): string {
    // Facts entries are many: two-character shards keep folders small. Code entries: a folder per module.
    return kind === 'results' || kind === 'states' || kind === 'deltas' || kind.startsWith('code/')
      ? path.join(this.dir, kind, `${key}.json`)
      : path.join(this.dir, kind, key.slice(0, 2), `${key}.json`);
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

/**
 * Identifies the analysis code itself: size and mtime of every compiled file beside this one and in
 * the analysis folder (a bundle: the bundle). A rebuilt engine never reads its predecessor's entries,
 * even when the version number stayed the same.
 */
function codeStamp(): string {
  if (stamp !== undefined) return stamp;
  const h = createHash('sha256');
  const visit = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (/\.[cm]?js$/.test(e.name)) {
        const s = fs.statSync(p);
        h.update(`${p}\0${s.size}\0${s.mtimeMs}\0`);
      }
    }
  };
  // Compiled layout: out/server/src/engine/analysis/cache/ → the analysis folder; bundled: dist/.
  const analysisDir = path.basename(path.dirname(__dirname)) === 'analysis' ? path.dirname(__dirname) : __dirname;
  visit(analysisDir);
  return (stamp = h.digest('hex'));
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
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
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
