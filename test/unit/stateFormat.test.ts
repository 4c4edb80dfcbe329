import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer, type AnalyzerState } from '../../server/src/engine/analysis/analyzer';
import { loadState, saveState } from '../../server/src/engine/analysis/cache/analysisState';
import { DiskCache } from '../../server/src/engine/analysis/cache/diskCache';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../../server/src/engine/config/types';
import { normalizeRows, tempDir, writeWorkspace } from '../support/tmp';

// The layout of a stored analyzer state (cache/analysisState.ts): what loads is what was saved, to the
// character and the posting, also when a loaded state is saved again with some graphs replaced; any
// damage, and a state of another layout, is a miss. And DiskCache's byte entries: crc32, or sha256 where
// the runtime has no crc32, each read by the other.

const CONFIG: AnalysisConfig = { ...DEFAULT_ANALYSIS, clones: { minTokens: 30, minLines: 4, minSimilarity: 0.8 } };
const norm = normalizeRows;
const FILES = {
  'package.json': '{"name":"p"}',
  'src/pipeline/clean.ts': `// Nettoyage des « données » → 数据 😀\nimport { clip } from '../lib/clip';\n${norm('clean')}export const c = clip;\n`,
  'src/pipeline/scale.ts': norm('scale'),
  'src/lib/clip.ts': 'export function clip(x: number): number {\n  return Math.min(1, Math.max(0, x));\n}\n',
  'test/clean.test.ts': "import { clean } from '../src/pipeline/clean';\nit('clean', () => clean([[1]]));\n",
};
/** A text no UTF-8 round trip keeps (a lone surrogate), as an editor buffer may hold. */
const ODD = "export const odd = '\ud800';\n";

/** A state as plain data: typed arrays as arrays, every graph's edges read. */
const plain = (s: AnalyzerState): unknown =>
  JSON.parse(
    JSON.stringify({
      ...s,
      clones: {
        ...s.clones,
        hashes: Array.from(s.clones.hashes),
        offsets: Array.from(s.clones.offsets),
        postings: Array.from(s.clones.postings),
      },
    }),
  );

describe('stored analyzer state: layout', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const setup = (): { root: string; disk: DiskCache; state: AnalyzerState } => {
    const root = writeWorkspace(FILES, 'mlp-layout-');
    const cache = tempDir('mlp-layout-cache-');
    dirs.push(root, cache);
    const analyzer = new Analyzer(root, CONFIG, { overrides: new Map([['src/lib/odd.ts', ODD]]) });
    analyzer.analyzeAll();
    return { root, disk: new DiskCache(cache), state: analyzer.toState() };
  };
  const entry = (disk: DiskCache, key: string): string => path.join(disk.dir, 'states', `${key}.json`);

  it('loads what was saved: texts of any characters, every graph edge, the clone postings', () => {
    const { disk, state } = setup();
    assert.ok(state.clones.postings.length > 0);
    assert.ok(state.workspace.graphs.some((g) => g.edges.length > 0));
    saveState(disk, 'k', state);
    const loaded = loadState(disk, 'k');
    assert.ok(loaded);
    assert.deepEqual(plain(loaded), plain(state));
    const text = (s: AnalyzerState, rel: string): string | undefined =>
      s.workspace.texts.find(([f]) => f.endsWith(rel))?.[1];
    assert.equal(text(loaded, 'odd.ts'), ODD);
    assert.equal(text(loaded, 'clean.ts'), FILES['src/pipeline/clean.ts']);
    // The postings are viewed in the bytes read, not copied (DiskCache aligns them).
    assert.equal(loaded.clones.postings.buffer, loaded.clones.hashes.buffer);
  });

  it('a loaded state saved again, with graphs replaced (keys of files new to its table, a key without #)', () => {
    const { disk, state } = setup();
    saveState(disk, 'a', state);
    const loaded = loadState(disk, 'a');
    assert.ok(loaded);
    const [first, second, ...rest] = loaded.workspace.graphs;
    const range = { start: { line: 1, character: 2 }, end: { line: 3, character: 4 } };
    const replaced = {
      file: first.file,
      edges: [...first.edges, [`${first.file}#9#1`, ['/elsewhere/x.ts#1#2', 'no-hash', `${first.file}#*`]]] as [
        string,
        string[],
      ][],
      // An import of a file new to the table; one located in another file (stored as it is).
      imports: [...first.imports, { target: '/elsewhere/y.ts', location: { file: first.file, range }, reexport: true }],
      targetFiles: [...first.targetFiles, '/elsewhere/t.ts'],
    };
    const located = {
      file: second.file,
      edges: second.edges,
      imports: [{ target: first.file, location: { file: '/elsewhere/z.ts', range }, reexport: false }],
      targetFiles: second.targetFiles,
    };
    const changed: AnalyzerState = {
      ...loaded,
      workspace: { ...loaded.workspace, graphs: [...rest, replaced, located] },
    };
    saveState(disk, 'b', changed);
    const again = loadState(disk, 'b');
    assert.ok(again);
    assert.deepEqual(plain(again), plain(changed));
    // Saved once more untouched (every graph as loaded, none decoded): the same state again.
    saveState(disk, 'c', again);
    const third = loadState(disk, 'c');
    assert.ok(third);
    assert.deepEqual(plain(third), plain(changed));
  });

  it('a byte flipped anywhere, or the entry cut short anywhere, is a miss', () => {
    const { disk, state } = setup();
    saveState(disk, 'k', state);
    const good = fs.readFileSync(entry(disk, 'k'));
    const at = [
      0,
      good.length - 1,
      ...Array.from({ length: 48 }, (_, i) => Math.floor(((i + 0.5) * good.length) / 48)),
    ];
    for (const i of at) {
      const bad = Buffer.from(good);
      bad[i] ^= 0x10;
      fs.writeFileSync(entry(disk, 'k'), bad);
      assert.equal(loadState(disk, 'k'), undefined, `byte ${i} of ${good.length} flipped`);
      fs.writeFileSync(entry(disk, 'k'), good.subarray(0, i));
      assert.equal(loadState(disk, 'k'), undefined, `cut at ${i} of ${good.length}`);
    }
    fs.writeFileSync(entry(disk, 'k'), good);
    assert.ok(loadState(disk, 'k'));
  });

  it('a state of another layout, checksum and all, is a miss', () => {
    const { disk, state } = setup();
    saveState(disk, 'k', state);
    const raw = fs.readFileSync(entry(disk, 'k'));
    const payload = Buffer.from(raw.subarray(raw.indexOf(0x0a) + 1));
    // The layout's number one up.
    payload[3] += 1;
    disk.setBytes('states', 'next', [payload]);
    assert.equal(loadState(disk, 'next'), undefined);
    // The layout before this one: a length, the JSON of all but the postings, then their bytes.
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
    size.writeUInt32LE(json.length);
    const bytes = (a: Int32Array | Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    disk.setBytes('states', 'before', [size, json, bytes(hashes), bytes(offsets), bytes(postings)]);
    assert.ok(disk.getBytes('states', 'before'));
    assert.equal(loadState(disk, 'before'), undefined);
  });

  it('an entry whose header leaves the postings unaligned (sha256, unpadded) loads through copies', () => {
    const { disk, state } = setup();
    saveState(disk, 'k', state);
    const raw = fs.readFileSync(entry(disk, 'k'));
    const payload = raw.subarray(raw.indexOf(0x0a) + 1);
    const sum = createHash('sha256').update(payload).digest('hex');
    // One space: the header's length is odd whatever the key, so the payload is not 8-aligned.
    const header = `{"key":"u","sum":"${sum}"} \n`;
    assert.notEqual(Buffer.byteLength(header) % 8, 0);
    fs.writeFileSync(entry(disk, 'u'), Buffer.concat([Buffer.from(header), payload]));
    const loaded = loadState(disk, 'u');
    assert.ok(loaded);
    assert.notEqual(loaded.clones.postings.buffer, loaded.clones.hashes.buffer);
    assert.deepEqual(plain(loaded), plain(state));
  });
});

describe('DiskCache byte entries: checksums', function () {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const dir = (): string => {
    const d = tempDir('mlp-bytes-');
    dirs.push(d);
    return d;
  };
  const parts = [Buffer.from('head\n'), new Uint8Array(new Float64Array([1.5, -2, 3e300]).buffer)];
  const whole = Buffer.concat(parts);
  const file = (d: string, key: string): string => path.join(d, 'x', `${key}.json`);

  it('the bytes start at a multiple of 8 in the entry, whatever the key', () => {
    const d = dir();
    const disk = new DiskCache(d);
    for (const key of ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh', 'é', 'x'.repeat(64)]) {
      disk.setBytes('x', key, parts);
      const raw = fs.readFileSync(file(d, key));
      assert.equal((raw.indexOf(0x0a) + 1) % 8, 0, key);
      assert.deepEqual(disk.getBytes('x', key), whole);
    }
  });

  it('crc32 and sha256 entries: each runtime reads what it can check, and damage is a miss for both', () => {
    const d = dir();
    const crc = new DiskCache(d);
    const sha = new DiskCache(d, { sha256Only: true });
    sha.setBytes('x', 's', parts);
    assert.match(fs.readFileSync(file(d, 's'), 'utf8'), /"sum":"[0-9a-f]{64}"/);
    assert.deepEqual(crc.getBytes('x', 's'), whole);
    assert.deepEqual(sha.getBytes('x', 's'), whole);
    crc.setBytes('x', 'c', parts);
    assert.match(fs.readFileSync(file(d, 'c'), 'utf8'), /"crc":\d+/);
    // A runtime without crc32 cannot check it: a miss, and the entry is left for those that can.
    assert.equal(sha.getBytes('x', 'c'), undefined);
    assert.deepEqual(crc.getBytes('x', 'c'), whole);
    for (const [reader, key] of [
      [crc, 'c'],
      [crc, 's'],
      [sha, 's'],
    ] as const) {
      const good = fs.readFileSync(file(d, key));
      const bad = Buffer.from(good);
      bad[bad.length - 3] ^= 1;
      fs.writeFileSync(file(d, key), bad);
      assert.equal(reader.getBytes('x', key), undefined, `${key} flipped`);
      assert.equal(fs.existsSync(file(d, key)), false, `${key}: a bad entry is deleted`);
      fs.writeFileSync(file(d, key), good);
    }
  });
});
