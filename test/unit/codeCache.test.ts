import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir, write } from '../support/tmp';

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
    assert.equal(entries(path.join(cacheDir, 'code')).length, 1);
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
    const [entry] = entries(path.join(cacheDir, 'code'));
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
    assert.equal(entries(path.join(dir, 'node_modules', '.cache', 'ml-parity', 'code')).length, 1);
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
