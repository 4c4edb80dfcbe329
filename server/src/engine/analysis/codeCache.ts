import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { DiskCache, sha256 } from './cache/diskCache';

/**
 * Loads the CommonJS module `id` (as `require` would resolve it from `requireFrom`) through a V8 code
 * cache and puts it in require's cache, so that the plain `require` that follows gets this very module.
 * Compiling the TypeScript compiler's 9 MB is most of the cost of loading it (~0.1 s of ~0.17 s);
 * with the code V8 compiled in an earlier process it is skipped. The cache entry is keyed by the
 * sha256 of the module's source, the node version and architecture, and checked like every cache
 * entry (key and sha256 of the payload; V8 checks its version and flags itself): a missing, damaged
 * or rejected entry only means compiling as usual, and the code compiled in this process is stored
 * when it exits. Does nothing when the cache is off (`ML_PARITY_CACHE_DIR=off`), when the module is
 * already loaded or cannot be resolved (a bundle), or when anything fails: `require` then loads it.
 */
export function loadWithCodeCache(id: string, requireFrom: NodeJS.Require): void {
  let file: string;
  try {
    file = requireFrom.resolve(id);
  } catch {
    return;
  }
  if (requireFrom.cache[file]) return;
  const disk = cacheFor(file);
  if (!disk) return;
  try {
    const bytes = fs.readFileSync(file);
    const key = sha256(`${sha256(bytes)}\0${process.version}\0${process.arch}\0${file}`);
    const cached = disk.getBytes('code', key);
    const script = new vm.Script(Module.wrap(bytes.toString('utf8')), { filename: file, cachedData: cached });
    const run = script.runInThisContext() as (...args: unknown[]) => void;
    const own = Module.createRequire(file);
    const mod = new Module(file, require.main);
    mod.filename = file;
    mod.paths = own.resolve.paths('typescript') ?? [];
    requireFrom.cache[file] = mod;
    try {
      run.call(mod.exports, mod.exports, own, mod, file, path.dirname(file));
    } catch (e) {
      delete requireFrom.cache[file];
      throw e;
    }
    mod.loaded = true;
    // At exit, so the functions this run compiled lazily (parsing, module resolution) are in it.
    // Not where it cannot be written (a root-owned global install): making the data costs time too.
    if ((!cached || script.cachedDataRejected) && writable(path.join(disk.dir, 'code')))
      process.once('exit', () => storeCode(disk, key, script));
  } catch {
    delete requireFrom.cache[file];
  }
}

function writable(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function storeCode(disk: DiskCache, key: string, script: vm.Script): void {
  try {
    disk.setBytes('code', key, [script.createCachedData()]);
    disk.prune('code', 2);
  } catch {
    // only costs the next run the compile time
  }
}

/**
 * `ML_PARITY_CACHE_DIR` when set, else `node_modules/.cache/ml-parity` beside the installed module: the
 * tool's own folder, which is as trusted as the code (never a shared temp folder: the entry is code).
 */
function cacheFor(file: string): DiskCache | undefined {
  const env = process.env.ML_PARITY_CACHE_DIR;
  if (env === 'off') return undefined;
  if (env) return new DiskCache(path.resolve(env));
  const at = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  return at < 0 ? undefined : new DiskCache(path.join(file.slice(0, at), 'node_modules', '.cache', 'ml-parity'));
}
