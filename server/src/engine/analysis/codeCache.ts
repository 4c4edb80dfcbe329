import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { DiskCache, sha256 } from './cache/diskCache';

/*
 * Loading a CommonJS module through a V8 code cache. Compiling is most of the cost of loading a large
 * module (the TypeScript compiler's 9 MB: ~0.1 s of ~0.17 s; the packaged CLI's 8 MB bundle likewise);
 * with the code V8 compiled in an earlier process it is skipped. An entry is keyed by the sha256 of the
 * module's source, the node and V8 versions, the architecture and the path, and checked like every
 * cache entry (key and sha256 of the payload; V8 checks its version and flags itself): a missing,
 * damaged or rejected entry only means compiling as usual, never running other code than the file's.
 * The code compiled in this process is stored when it exits, so the functions it compiled lazily are
 * in it, and only where the cache folder can be written (making the data costs time too).
 */

/**
 * Loads the module `id` (as `require` would resolve it from `requireFrom`) through the code cache and
 * puts it in require's cache, so that the plain `require` that follows gets this very module. Does
 * nothing when the cache is off (`ML_PARITY_CACHE_DIR=off`), when the module is already loaded or cannot
 * be resolved (a bundle), or when anything fails: `require` then loads it.
 */
export function loadWithCodeCache(id: string, requireFrom: NodeJS.Require): void {
  let file: string;
  try {
    file = requireFrom.resolve(id);
  } catch {
    return;
  }
  if (requireFrom.cache[file]) return;
  const disk = besideModule(file);
  const compiled = disk && compile(file, disk);
  if (!compiled) return;
  const mod = newModule(file);
  requireFrom.cache[file] = mod;
  try {
    compiled.run(mod);
    mod.loaded = true;
    compiled.storeAtExit();
  } catch {
    delete requireFrom.cache[file];
  }
}

/**
 * The exports of the bundle `file` (the packaged CLI or language server, run by a small bootstrap), loaded
 * through the code cache in the user's cache folder ({@link userCache}); with the cache off or failing,
 * by `require`. An error thrown by the bundle's own code is the program's and propagates, as from `require`.
 */
export function requireBundle(file: string): unknown {
  const disk = userCache();
  const compiled = disk && compile(file, disk);
  if (!compiled) return Module.createRequire(file)(file);
  const mod = newModule(file);
  require.cache[file] = mod;
  try {
    compiled.run(mod);
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
  mod.loaded = true;
  compiled.storeAtExit();
  return mod.exports;
}

interface Compiled {
  /** Runs the module's code with `mod` as its module (exports, require from its own folder, filename). */
  run(mod: Module): void;
  /** Stores the compiled code at exit unless the cache held an entry V8 accepted. */
  storeAtExit(): void;
}

/**
 * The module's code compiled with the cache entry V8 is given, or undefined when it cannot be read. An
 * entry holds the code of the functions the runs that made it called (V8 compiles the others lazily), so
 * it also lists those runs' commands ({@link command}); a run of another command stores it again at exit,
 * with the code it compiled added to the code it was given, until it covers {@link MAX_COMMANDS} of them.
 * So the CLI's first run (a `hook install`, a `--version`) does not leave every later `hook run` compiling
 * most of what it calls.
 */
function compile(file: string, disk: DiskCache): Compiled | undefined {
  try {
    const bytes = fs.readFileSync(file);
    const key = sha256(`${sha256(bytes)}\0${process.version}\0${process.versions.v8}\0${process.arch}\0${file}`);
    // One folder per module (the compiler, each bundle), each keeping its two newest entries.
    const kind = `code/${path.basename(file, '.js')}`;
    const entry = readEntry(disk.getBytes(kind, key));
    const script = new vm.Script(Module.wrap(bytes.toString('utf8')), { filename: file, cachedData: entry?.code });
    return {
      run(mod) {
        const fn = script.runInThisContext() as (...args: unknown[]) => void;
        fn.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
      },
      storeAtExit() {
        const cmd = command();
        const given = entry && !script.cachedDataRejected ? entry.commands : [];
        if (given.includes(cmd) || given.length >= MAX_COMMANDS) return;
        if (writable(path.join(disk.dir, kind)))
          process.once('exit', () => store(disk, kind, key, script, [...given, cmd]));
      },
    };
  } catch {
    return undefined;
  }
}

/** The number of commands after which an entry is no longer stored again (it holds most of the code by then). */
const MAX_COMMANDS = 8;

/** This process's command: the CLI's leading words (`hook run`, `check`), '' for the language server. */
function command(): string {
  const words: string[] = [];
  for (const a of process.argv.slice(2)) {
    if (a.startsWith('-') || words.length === 2) break;
    words.push(a);
  }
  return words.join(' ');
}

interface Entry {
  commands: string[];
  code: Buffer;
}

/** An entry's payload: a JSON line listing the commands it covers, then V8's code. */
function readEntry(payload: Buffer | undefined): Entry | undefined {
  if (!payload) return undefined;
  const nl = payload.indexOf(0x0a);
  try {
    const commands: unknown = JSON.parse(payload.subarray(0, nl).toString('utf8'));
    if (nl > 0 && Array.isArray(commands) && commands.every((c) => typeof c === 'string'))
      return { commands, code: payload.subarray(nl + 1) };
  } catch {
    // a payload of another shape is a miss, like a damaged one
  }
  return undefined;
}

function newModule(file: string): Module {
  const mod = new Module(file, require.main);
  mod.filename = file;
  mod.paths = Module.createRequire(file).resolve.paths('x') ?? [];
  return mod;
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

function store(disk: DiskCache, kind: string, key: string, script: vm.Script, commands: string[]): void {
  try {
    disk.setBytes(kind, key, [Buffer.from(`${JSON.stringify(commands)}\n`), script.createCachedData()]);
    disk.prune(kind, 2);
  } catch {
    // only costs the next run the compile time
  }
}

/**
 * For a module installed in node_modules: `ML_PARITY_CACHE_DIR` when set, else `node_modules/.cache/ml-parity`
 * beside it, the tool's own folder, which is as trusted as the code (never a shared temp folder: the entry is code).
 */
function besideModule(file: string): DiskCache | undefined {
  const env = process.env.ML_PARITY_CACHE_DIR;
  if (env === 'off') return undefined;
  if (env) return new DiskCache(path.resolve(env));
  const at = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  return at < 0 ? undefined : new DiskCache(path.join(file.slice(0, at), 'node_modules', '.cache', 'ml-parity'));
}

/**
 * For a bundle of the packaged extension: `ML_PARITY_CACHE_DIR` when set, else the user's own cache folder
 * (`$XDG_CACHE_HOME/ml-parity`, `%LOCALAPPDATA%\ml-parity` on Windows, `~/.cache/ml-parity`). Not beside the
 * bundle: an installed extension's folder may be read-only (a system-wide or image-baked install) and is
 * replaced by every update. Never a shared temp folder: what is stored there is run as code, so it must
 * be a folder only this user can write.
 */
function userCache(): DiskCache | undefined {
  const env = process.env.ML_PARITY_CACHE_DIR;
  if (env === 'off') return undefined;
  if (env) return new DiskCache(path.resolve(env));
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return new DiskCache(path.join(xdg, 'ml-parity'));
  const local = process.env.LOCALAPPDATA;
  if (process.platform === 'win32' && local && path.isAbsolute(local))
    return new DiskCache(path.join(local, 'ml-parity'));
  try {
    const home = os.homedir();
    return home ? new DiskCache(path.join(home, '.cache', 'ml-parity')) : undefined;
  } catch {
    return undefined;
  }
}
