import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliBundleDir } from '../support/cliBundle';
import { EXAMPLE, tempDir, write } from '../support/tmp';

// Loading a module through a V8 code cache (codeCache.ts): each case runs in a fresh node process, as
// the CLI does, and the module must behave exactly as `require` would load it, whatever the cache holds.

const LOADER = path.resolve(__dirname, '../../server/src/engine/analysis/codeCache.js');
const ANALYSIS_TS = path.resolve(__dirname, '../../server/src/engine/analysis/typescript.js');

/** A module that counts its evaluations, answers with a value, and requires a builtin. */
const moduleText = (answer: number): string =>
  `globalThis.evaluations = (globalThis.evaluations || 0) + 1;\n` +
  `const path = require('path');\n` +
  `exports.answer = () => ${answer};\n` +
  `exports.base = () => path.basename(__filename);\n`;

interface Loaded {
  use: string;
  answer: number;
  base: string;
  evaluations: number;
}

/**
 * Watches the code cache V8 is given (vm.Script, patched before the loader is loaded): 'used' when it was
 * given one and accepted it, 'compiled' when it compiled the source, 'off' when no script was made.
 */
const WATCH = `
  const vm = require('vm');
  const Script = vm.Script;
  globalThis.codeCacheUse = () => globalThis.seenScript === undefined ? 'off'
    : globalThis.seenScript.given && !globalThis.seenScript.script.cachedDataRejected ? 'used' : 'compiled';
  vm.Script = class extends Script {
    constructor(code, options) {
      super(code, options);
      globalThis.seenScript = { given: options.cachedData !== undefined, script: this };
    }
    createCachedData() {
      globalThis.codeMade = true;
      return super.createCachedData();
    }
  };`;

/** Loads the fixture module in a new process, then requires it as the engine does, and reports. */
function load(dir: string, env: Record<string, string | undefined>): Loaded {
  const script = `${WATCH}
    const { loadWithCodeCache } = require(${JSON.stringify(LOADER)});
    const req = require('module').createRequire(${JSON.stringify(path.join(dir, 'main.js'))});
    loadWithCodeCache('fixture-mod', req);
    const m = req('fixture-mod');
    console.log(JSON.stringify({ use: codeCacheUse(), answer: m.answer(), base: m.base(), evaluations: globalThis.evaluations }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Loaded;
}

function entries(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((n) => path.join(dir, n)) : [];
}

describe('V8 code cache for the compiler module', () => {
  const dirs: string[] = [];
  const fixture = (): { dir: string; file: string } => {
    const dir = tempDir('mlp-codecache-');
    dirs.push(dir);
    return { dir, file: write(dir, 'node_modules/fixture-mod/index.js', moduleText(41)) };
  };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('stores the code at exit and uses it next time; the module is evaluated once and is the one require returns', () => {
    const { dir } = fixture();
    const cacheDir = path.join(dir, 'cache');
    const env = { ML_PARITY_CACHE_DIR: cacheDir };
    assert.deepEqual(load(dir, env), { use: 'compiled', answer: 41, base: 'index.js', evaluations: 1 });
    assert.equal(entries(path.join(cacheDir, 'code', 'index')).length, 1);
    assert.deepEqual(load(dir, env), { use: 'used', answer: 41, base: 'index.js', evaluations: 1 });
  });

  it('a changed module (same size, same modification time) never runs the old code', () => {
    const { dir, file } = fixture();
    const env = { ML_PARITY_CACHE_DIR: path.join(dir, 'cache') };
    load(dir, env);
    assert.equal(load(dir, env).use, 'used');
    const { mtime } = fs.statSync(file);
    fs.writeFileSync(file, moduleText(42));
    fs.utimesSync(file, mtime, mtime);
    assert.deepEqual(load(dir, env), { use: 'compiled', answer: 42, base: 'index.js', evaluations: 1 });
    assert.equal(load(dir, env).use, 'used');
  });

  it('a damaged or torn entry is compiled again and rewritten, never used', () => {
    const { dir } = fixture();
    const cacheDir = path.join(dir, 'cache');
    const env = { ML_PARITY_CACHE_DIR: cacheDir };
    load(dir, env);
    const [entry] = entries(path.join(cacheDir, 'code', 'index'));
    const bytes = fs.readFileSync(entry);
    bytes[bytes.length - 5] ^= 0xff;
    fs.writeFileSync(entry, bytes);
    assert.deepEqual(load(dir, env), { use: 'compiled', answer: 41, base: 'index.js', evaluations: 1 });
    assert.equal(load(dir, env).use, 'used');
    fs.writeFileSync(entry, bytes.subarray(0, bytes.length >> 1));
    assert.equal(load(dir, env).use, 'compiled');
  });

  it('lives beside the installed module by default; ML_PARITY_CACHE_DIR=off turns it off', () => {
    const { dir } = fixture();
    assert.equal(load(dir, { ML_PARITY_CACHE_DIR: undefined }).use, 'compiled');
    assert.equal(entries(path.join(dir, 'node_modules', '.cache', 'ml-parity', 'code', 'index')).length, 1);
    assert.equal(load(dir, { ML_PARITY_CACHE_DIR: undefined }).use, 'used');
    assert.deepEqual(load(dir, { ML_PARITY_CACHE_DIR: 'off' }), {
      use: 'off',
      answer: 41,
      base: 'index.js',
      evaluations: 1,
    });
  });

  it('a cache folder that cannot be written: the module loads as usual and no code is made for it', () => {
    const { dir } = fixture();
    const blocked = path.join(write(dir, 'a-file', 'x'), 'cache');
    const script = `${WATCH}
      const { loadWithCodeCache } = require(${JSON.stringify(LOADER)});
      const req = require('module').createRequire(${JSON.stringify(path.join(dir, 'main.js'))});
      loadWithCodeCache('fixture-mod', req);
      const answer = req('fixture-mod').answer();
      process.on('exit', () => console.log(JSON.stringify({ use: codeCacheUse(), answer, made: globalThis.codeMade === true })));`;
    const r = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { ...process.env, ML_PARITY_CACHE_DIR: blocked },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { use: 'compiled', answer: 41, made: false });
  });

  it('the analysis and ts-morph share one compiler module, loaded from the cache', () => {
    const cacheDir = tempDir('mlp-codecache-ts-');
    dirs.push(cacheDir);
    const script = `${WATCH}
      const { ts } = require(${JSON.stringify(ANALYSIS_TS)});
      const sf = ts.createSourceFile('a.ts', 'export const x = 1;', ts.ScriptTarget.Latest);
      console.log(JSON.stringify({ use: codeCacheUse(), same: require('@ts-morph/common').ts.createSourceFile === ts.createSourceFile, statements: sf.statements.length }));`;
    const run = (): unknown => {
      const r = spawnSync(process.execPath, ['-e', script], {
        encoding: 'utf8',
        cwd: path.resolve(__dirname, '../../..'),
        env: { ...process.env, ML_PARITY_CACHE_DIR: cacheDir },
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    assert.deepEqual(run(), { use: 'compiled', same: true, statements: 1 });
    assert.deepEqual(run(), { use: 'used', same: true, statements: 1 });
  });
});

// The packaged extension's bundles (dist/cli.js, dist/server.js) are small bootstraps that load the real
// bundle beside them through the same cache (requireBundle), kept in the user's cache folder.

/** Preloaded with --require: reports on stderr what V8 was given for the first script, and each code made. */
const WATCH_PRELOAD = `
  const vm = require('vm');
  const Script = vm.Script;
  let seen;
  vm.Script = class extends Script {
    constructor(code, options) {
      super(code, options);
      seen ??= { given: options !== undefined && options.cachedData !== undefined, script: this };
    }
    createCachedData() {
      process.stderr.write('codecache: made\\n');
      return super.createCachedData();
    }
  };
  process.on('exit', () => process.stderr.write('codecache: ' +
    (seen === undefined ? 'off' : seen.given && !seen.script.cachedDataRejected ? 'used' : 'compiled') + '\\n'));`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  use: string;
  made: boolean;
}

function runWatched(dir: string, args: string[], env: Record<string, string | undefined>, cwd = dir): Run {
  const preload = path.join(dir, 'watch.js');
  if (!fs.existsSync(preload)) fs.writeFileSync(preload, WATCH_PRELOAD);
  const r = spawnSync(process.execPath, ['--require', preload, ...args], {
    cwd,
    encoding: 'utf8',
    // A private home: a case that falls through to ~/.cache writes nothing of the user's.
    env: {
      ...process.env,
      ML_PARITY_CACHE_DIR: undefined,
      XDG_CACHE_HOME: undefined,
      HOME: path.join(dir, 'home'),
      ...env,
    },
  });
  const lines = r.stderr.split('\n');
  const use = lines.find((l) => /^codecache: (off|used|compiled)$/.test(l))?.slice('codecache: '.length) ?? '';
  const made = lines.includes('codecache: made');
  const stderr = lines.filter((l) => !l.startsWith('codecache: ')).join('\n');
  return { status: r.status, stdout: r.stdout, stderr, use, made };
}

/** A bundle that counts its evaluations in a file, and a bootstrap beside it that loads it and prints. */
function bundleFixture(answer: number): { dir: string; bundle: string; boot: string } {
  const dir = tempDir('mlp-bundlecache-');
  const bundle = write(
    dir,
    'dist/appMain.js',
    `require('fs').appendFileSync(require('path').join(__dirname, 'evaluations'), 'x');\n` +
      `if (process.env.FIXTURE_THROW) throw new Error('the bundle failed');\n` +
      `exports.answer = () => ${answer};\n` +
      `exports.where = () => [__filename, __dirname, require.resolve('./peer')];\n`,
  );
  write(dir, 'dist/peer.js', 'module.exports = 1;\n');
  const boot = write(
    dir,
    'dist/app.js',
    `const m = require(${JSON.stringify(LOADER)}).requireBundle(require('path').join(__dirname, 'appMain.js'));\n` +
      `console.log(JSON.stringify({ answer: m.answer(), where: m.where() }));\n`,
  );
  return { dir, bundle, boot };
}

const answerOf = (r: Run): number => (JSON.parse(r.stdout) as { answer: number }).answer;

function evaluations(dir: string): number {
  const file = path.join(dir, 'dist', 'evaluations');
  const n = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').length : 0;
  fs.rmSync(file, { force: true });
  return n;
}

function entryCommands(file: string): string[] {
  const bytes = fs.readFileSync(file);
  const header = bytes.indexOf(0x0a);
  return JSON.parse(bytes.subarray(header + 1, bytes.indexOf(0x0a, header + 1)).toString('utf8')) as string[];
}

describe('V8 code cache for the packaged bundles', () => {
  const dirs: string[] = [];
  const fixture = (answer = 41): ReturnType<typeof bundleFixture> => {
    const f = bundleFixture(answer);
    dirs.push(f.dir);
    return f;
  };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("stores the bundle's code in the user's cache folder and uses it next time; the bundle runs once, as itself", () => {
    const { dir, bundle, boot } = fixture();
    const expected = { answer: 41, where: [bundle, path.dirname(bundle), path.join(dir, 'dist', 'peer.js')] };
    const xdg = path.join(dir, 'xdg');
    const first = runWatched(dir, [boot], { XDG_CACHE_HOME: xdg });
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), expected);
    assert.deepEqual([first.use, first.made, evaluations(dir)], ['compiled', true, 1]);
    const [entry] = entries(path.join(xdg, 'ml-parity', 'code', 'appMain'));
    assert.ok(entry, 'no entry in $XDG_CACHE_HOME/ml-parity/code/appMain');
    const second = runWatched(dir, [boot], { XDG_CACHE_HOME: xdg });
    assert.deepEqual(JSON.parse(second.stdout), expected);
    assert.deepEqual([second.use, second.made, evaluations(dir)], ['used', false, 1]);
    // Without XDG_CACHE_HOME: ~/.cache/ml-parity; ML_PARITY_CACHE_DIR wins over both; 'off' turns it off.
    const home = path.join(dir, 'home');
    assert.equal(runWatched(dir, [boot], { HOME: home }).use, 'compiled');
    assert.equal(entries(path.join(home, '.cache', 'ml-parity', 'code', 'appMain')).length, 1);
    const own = path.join(dir, 'own');
    assert.equal(runWatched(dir, [boot], { XDG_CACHE_HOME: xdg, ML_PARITY_CACHE_DIR: own }).use, 'compiled');
    assert.equal(entries(path.join(own, 'code', 'appMain')).length, 1);
    const off = runWatched(dir, [boot], { XDG_CACHE_HOME: xdg, ML_PARITY_CACHE_DIR: 'off' });
    assert.deepEqual([JSON.parse(off.stdout), off.use, off.made], [expected, 'off', false]);
    evaluations(dir);
  });

  it('a changed bundle (same size, same modification time) never runs the old code', () => {
    const { dir, bundle, boot } = fixture(41);
    const env = { ML_PARITY_CACHE_DIR: path.join(dir, 'cache') };
    runWatched(dir, [boot], env);
    assert.equal(runWatched(dir, [boot], env).use, 'used');
    const { mtime } = fs.statSync(bundle);
    fs.writeFileSync(bundle, fs.readFileSync(bundle, 'utf8').replace('=> 41', '=> 42'));
    fs.utimesSync(bundle, mtime, mtime);
    const changed = runWatched(dir, [boot], env);
    assert.deepEqual([answerOf(changed), changed.use, changed.made], [42, 'compiled', true]);
    assert.equal(runWatched(dir, [boot], env).use, 'used');
  });

  it('a damaged entry is ignored and replaced', () => {
    const { dir, boot } = fixture();
    const cache = path.join(dir, 'cache');
    runWatched(dir, [boot], { ML_PARITY_CACHE_DIR: cache });
    const [entry] = entries(path.join(cache, 'code', 'appMain'));
    const bytes = fs.readFileSync(entry);
    bytes[bytes.length - 7] ^= 0xff;
    fs.writeFileSync(entry, bytes);
    const damaged = runWatched(dir, [boot], { ML_PARITY_CACHE_DIR: cache });
    assert.deepEqual([answerOf(damaged), damaged.use, damaged.made], [41, 'compiled', true]);
    assert.notDeepEqual(fs.readFileSync(entry), bytes);
    assert.equal(runWatched(dir, [boot], { ML_PARITY_CACHE_DIR: cache }).use, 'used');
  });

  it('an entry made by one command is stored again by each other command, up to eight', () => {
    const { dir, boot } = fixture();
    const env = { ML_PARITY_CACHE_DIR: path.join(dir, 'cache') };
    const entry = (): string => entries(path.join(dir, 'cache', 'code', 'appMain'))[0];
    const made = (...args: string[]): boolean => {
      const r = runWatched(dir, [boot, ...args], env);
      assert.equal(r.status, 0, r.stderr);
      return r.made;
    };
    assert.equal(made('--version'), true);
    assert.deepEqual(entryCommands(entry()), ['']);
    assert.equal(made('hook', 'install', '--cli', 'x'), true);
    assert.equal(made('hook', 'run'), true);
    assert.equal(made('hook', 'run'), false);
    assert.equal(made('hook', 'install'), false);
    assert.deepEqual(entryCommands(entry()), ['', 'hook install', 'hook run']);
    for (const c of ['a', 'b', 'c', 'd', 'e']) assert.equal(made(c), true);
    assert.equal(made('f'), false);
    assert.equal(entryCommands(entry()).length, 8);
  });

  it("an error of the bundle's own propagates, the bundle evaluated once", () => {
    const { dir, boot } = fixture();
    for (const cache of [path.join(dir, 'cache'), 'off']) {
      const r = runWatched(dir, [boot], { ML_PARITY_CACHE_DIR: cache, FIXTURE_THROW: '1' });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /the bundle failed/);
      assert.equal(evaluations(dir), 1, cache);
    }
  });

  it('the packaged CLI through its bootstrap: the same output as without the cache, then from the stored code', async function () {
    this.timeout(120_000);
    // A copy of the built folder: this test changes the bundle in place.
    const dist = fs.mkdtempSync(path.join(path.dirname(await cliBundleDir()), 'bundle-copy-'));
    dirs.push(dist);
    fs.cpSync(await cliBundleDir(), dist, { recursive: true });
    const cli = path.join(dist, 'cli.js');
    const cache = path.join(dist, 'cache');
    const check = (c: string): Run => runWatched(dist, [cli, 'check'], { ML_PARITY_CACHE_DIR: c }, EXAMPLE);
    const plain = check('off');
    assert.equal(plain.use, 'off');
    assert.match(plain.stdout, /Analysed \d+ source files/);
    const first = check(cache);
    const second = check(cache);
    for (const [r, use, made] of [
      [first, 'compiled', true],
      [second, 'used', false],
    ] as const) {
      assert.equal(r.status, plain.status, r.stderr);
      assert.equal(r.stdout, plain.stdout);
      assert.deepEqual([r.use, r.made], [use, made]);
    }
    // Changed in place, same size and modification time: the next process runs the new code.
    assert.equal(runWatched(dist, [cli, '--version'], { ML_PARITY_CACHE_DIR: cache }).stdout.trim(), '0.1.0');
    const main = path.join(dist, 'cliMain.js');
    const { mtime } = fs.statSync(main);
    const text = fs.readFileSync(main, 'utf8');
    assert.ok(text.includes('"0.1.0"'));
    fs.writeFileSync(main, text.replace('"0.1.0"', '"0.1.9"'));
    fs.utimesSync(main, mtime, mtime);
    const changed = runWatched(dist, [cli, '--version'], { ML_PARITY_CACHE_DIR: cache });
    assert.deepEqual([changed.stdout.trim(), changed.use], ['0.1.9', 'compiled']);
  });
});
