import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PackStore } from '../../server/src/engine/analysis/cache/packStore';
import { tempDir } from '../support/tmp';

// Packs of small cache entries: what a reader gets is the exact bytes stored under the key, or nothing;
// damaged, truncated, half-written and concurrently written packs never give anything else.

const STORE = path.resolve(__dirname, '../../server/src/engine/analysis/cache/packStore.js');

/** The bytes every writer stores under `key` (as two processes computing the same facts would). */
function bytesOf(key: string): Buffer {
  const seed = createHash('sha256').update(key).digest();
  return Buffer.concat(Array.from({ length: 1 + seed[0] * 4 }, () => seed));
}
/** The same in the child processes' JavaScript. */
const BYTES_OF = `function bytesOf(key) {
  const seed = require('crypto').createHash('sha256').update(key).digest();
  return Buffer.concat(Array.from({ length: 1 + seed[0] * 4 }, () => seed));
}`;

const packsIn = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.endsWith('.pack'));

/** Flips one byte of the file at `at` (from the end when negative). */
function flip(file: string, at: number): void {
  const b = fs.readFileSync(file);
  const i = at < 0 ? b.length + at : at;
  b[i] ^= 0xff;
  fs.writeFileSync(file, b);
}

describe('pack store', () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const d = tempDir('mlp-packs-');
    dirs.push(d);
    return path.join(d, 'packs');
  };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('a flushed entry is read back exactly by another store; nothing is visible before the flush', () => {
    const dir = fresh();
    const a = new PackStore(dir);
    a.put('k1', [Buffer.from('he'), Buffer.from('llo')]);
    a.put('k2', [bytesOf('k2')]);
    assert.deepEqual(a.get('k1'), Buffer.from('hello'), 'pending entries are read by their own store');
    assert.equal(new PackStore(dir).get('k1'), undefined);
    a.flush();
    assert.equal(packsIn(dir).length, 1);
    const b = new PackStore(dir);
    assert.deepEqual(b.get('k1'), Buffer.from('hello'));
    assert.deepEqual(b.get('k2'), bytesOf('k2'));
    assert.equal(b.get('k3'), undefined);
  });

  it('texts are stored as their UTF-8 bytes, each exactly, across the shared buffers they are encoded into', () => {
    const dir = fresh();
    const a = new PackStore(dir);
    const texts = new Map<string, string>([
      ['ascii', '{"facts":1}'],
      ['accents', 'é∑ — ümlaut'],
      ['astral', '𝔘 emoji 🙂 and CJK 日本語'],
      ['empty', ''],
      ['large', 'x'.repeat(1.5 * (1 << 20))],
    ]);
    for (let i = 0; i < 300; i++) texts.set(`t${i}`, `${'é'.repeat(i * 17)}${i}`);
    for (const [k, t] of texts) a.putText(k, t);
    a.flush();
    // Texts put after a flush go on in the same buffer: the flushed ones stay as they were.
    a.putText('later', 'later text ü');
    assert.equal(a.get('later')?.toString('utf8'), 'later text ü');
    a.flush();
    const b = new PackStore(dir);
    for (const [k, t] of [...texts, ['later', 'later text ü']]) assert.equal(b.get(k)?.toString('utf8'), t, k);
  });

  it('entries nobody flushed are written when the process exits', () => {
    const dir = fresh();
    const script = `const { PackStore } = require(${JSON.stringify(STORE)}); new PackStore(${JSON.stringify(dir)}).put('late', [Buffer.from('written at exit')]);`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(new PackStore(dir).get('late'), Buffer.from('written at exit'));
  });

  it('a damaged entry, index or header, a truncated pack and a half-written one are never used', () => {
    const dir = fresh();
    const write = (keys: string[]): string => {
      const s = new PackStore(dir);
      for (const k of keys) s.put(k, [bytesOf(k)]);
      s.flush();
      const newest = packsIn(dir).sort().pop();
      assert.ok(newest);
      return path.join(dir, newest);
    };
    // One pack per kind of damage, each also checked alone.
    const entry = write(['e1', 'e2']);
    flip(entry, -1); // the last byte of e2
    let s = new PackStore(dir);
    assert.deepEqual(s.get('e1'), bytesOf('e1'), 'the sound entry of the same pack is still used');
    assert.equal(s.get('e2'), undefined, 'a damaged entry is a miss');

    const index = write(['i1']);
    flip(index, 47); // a key in the index (the JSON still parses)
    assert.equal(new PackStore(dir).get('i1'), undefined);
    assert.equal(fs.existsSync(index), false, 'a pack with a damaged index is deleted');

    const header = write(['h1']);
    flip(header, 0); // the magic
    assert.equal(new PackStore(dir).get('h1'), undefined);

    const truncated = write(['t1', 't2']);
    fs.truncateSync(truncated, fs.statSync(truncated).size - 1);
    s = new PackStore(dir);
    assert.equal(s.get('t1'), undefined, 'a truncated pack is not used at all');
    assert.equal(s.get('t2'), undefined);

    const empty = path.join(dir, `${'0'.repeat(10)}-1-00000000.pack`);
    fs.writeFileSync(empty, '');
    fs.mkdirSync(path.join(dir, `${'0'.repeat(10)}-2-00000000.pack`)); // not even a file: skipped, not fatal
    // What a writer that died mid-write leaves: its temporary file is never read.
    const half = write(['w1']);
    fs.renameSync(half, half.replace(/\.pack$/, '.tmp'));
    s = new PackStore(dir);
    assert.equal(s.get('w1'), undefined);
    assert.deepEqual(s.get('e1'), bytesOf('e1'));

    // A damaged entry is stored again by the run that recomputed it, and that copy is read first.
    s.put('e2', [bytesOf('e2')]);
    s.flush();
    assert.deepEqual(new PackStore(dir).get('e2'), bytesOf('e2'));
  });

  it('keeps the number of packs bounded by merging, without losing an entry', () => {
    const dir = fresh();
    const big = new PackStore(dir);
    for (let i = 0; i < 50; i++) big.put(`big${i}`, [bytesOf(`big${i}`)]);
    big.flush();
    for (let run = 0; run < 30; run++) {
      const s = new PackStore(dir);
      s.put(`run${run}`, [bytesOf(`run${run}`)]);
      s.flush();
    }
    assert.ok(packsIn(dir).length <= 12, `${packsIn(dir).length} packs`);
    const s = new PackStore(dir);
    for (const k of [
      ...Array.from({ length: 50 }, (_, i) => `big${i}`),
      ...Array.from({ length: 30 }, (_, i) => `run${i}`),
    ])
      assert.deepEqual(s.get(k), bytesOf(k), k);
  });

  it('prune keeps what this process used and the newest others, within the limit', () => {
    const dir = fresh();
    const old = new PackStore(dir);
    for (let i = 0; i < 20; i++) old.put(`old${i}`, [bytesOf(`old${i}`)]);
    old.flush();
    const now = new PackStore(dir);
    for (let i = 0; i < 10; i++) now.put(`new${i}`, [bytesOf(`new${i}`)]);
    now.get('old0'); // used by this run too
    now.prune(40); // within the limit: nothing goes
    let s = new PackStore(dir);
    assert.deepEqual(s.get('old19'), bytesOf('old19'));
    now.prune(16); // over it: used entries (11) + others up to 12
    assert.equal(packsIn(dir).length, 1, 'merged into one pack');
    s = new PackStore(dir);
    for (let i = 0; i < 10; i++) assert.deepEqual(s.get(`new${i}`), bytesOf(`new${i}`));
    assert.deepEqual(s.get('old0'), bytesOf('old0'));
    const kept = Array.from({ length: 20 }, (_, i) => `old${i}`).filter((k) => s.get(k) !== undefined);
    assert.equal(kept.length, 2, `kept ${kept.join(' ')}`);
  });

  it('processes writing, merging and reading at once: every entry is found afterwards, and a reader never gets wrong bytes', async () => {
    const dir = fresh();
    const startAt = Date.now() + 700;
    // Each writer stores shared keys (same bytes in both) and its own, in 20 flushes: 40 packs, so both
    // merge while the other writes; the reader opens stores and reads every key meanwhile.
    const writer = (name: string): string => `
      const { PackStore } = require(${JSON.stringify(STORE)});
      ${BYTES_OF}
      while (Date.now() < ${startAt});
      for (let run = 0; run < 20; run++) {
        const s = new PackStore(${JSON.stringify(dir)});
        for (let i = 0; i < 10; i++) {
          s.put('shared' + (run * 10 + i), [bytesOf('shared' + (run * 10 + i))]);
          s.put('${name}' + (run * 10 + i), [bytesOf('${name}' + (run * 10 + i))]);
        }
        s.flush();
      }`;
    const reader = `
      const { PackStore } = require(${JSON.stringify(STORE)});
      ${BYTES_OF}
      while (Date.now() < ${startAt});
      let wrong = 0, found = 0;
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        const s = new PackStore(${JSON.stringify(dir)});
        for (let i = 0; i < 200; i++)
          for (const k of ['shared' + i, 'a' + i, 'b' + i]) {
            const got = s.get(k);
            if (got === undefined) continue;
            found++;
            if (!got.equals(bytesOf(k))) wrong++;
          }
      }
      console.log(JSON.stringify({ wrong, found }));`;
    const run = (script: string): Promise<{ code: number | null; out: string; err: string }> =>
      new Promise((resolve) => {
        const p = spawn(process.execPath, ['-e', script]);
        let out = '';
        let err = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('close', (code) => resolve({ code, out, err }));
      });
    const [a, b, r] = await Promise.all([run(writer('a')), run(writer('b')), run(reader)]);
    for (const p of [a, b, r]) assert.equal(p.code, 0, p.err);
    const seen = JSON.parse(r.out) as { wrong: number; found: number };
    assert.equal(seen.wrong, 0);
    assert.ok(seen.found > 0, 'the reader read entries while the writers wrote');
    const s = new PackStore(dir);
    const missing = Array.from({ length: 200 }, (_, i) => ['shared' + i, 'a' + i, 'b' + i])
      .flat()
      .filter((k) => !s.get(k)?.equals(bytesOf(k)));
    assert.deepEqual(missing, []);
    assert.ok(packsIn(dir).length <= 13, `${packsIn(dir).length} packs`);
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
    );
  }).timeout(20000);
});
