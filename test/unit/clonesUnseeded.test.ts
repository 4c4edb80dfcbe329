import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { analyzeFiles } from '../../server/src/engine/analysis/analyzer';
import { CloneIndex, MAX_BUCKET } from '../../server/src/engine/analysis/clones/cloneIndex';
import { tokenize } from '../../server/src/engine/analysis/clones/tokenize';
import { DEFAULT_ANALYSIS } from '../../server/src/engine/config/types';
import { ownPart, sharedBlockFiles } from '../support/sharedBlock';
import { runHookChecks } from '../../server/src/engine/hooks/run';
import { cli, git, write, writeWorkspace } from '../support/tmp';

// A block copied into more files than the index pairs (MAX_BUCKET) seeds nothing: no clone class is
// found for it, so the analysis must say what it did not compare.
describe('clone detection names the code it did not compare', () => {
  it('a block in more than MAX_BUCKET files: no class, and every file holding it is a span', () => {
    const n = MAX_BUCKET + 6;
    const index = new CloneIndex();
    for (const [file, text] of Object.entries(sharedBlockFiles(n))) index.update({ file: `/ws/${file}`, text });
    assert.equal(index.classes().length, 0, 'the index compares nothing there (else this test no longer needs a note)');
    const u = index.unseeded();
    assert.equal(u.spans.length, n);
    assert.ok(u.windows > 0, JSON.stringify(u));

    // The same from a restored index, and after an update there (one file drops the block: still over the limit).
    const state = index.toState();
    const texts = new Map(Object.entries(sharedBlockFiles(n)).map(([f, t]) => [`/ws/${f}`, t]));
    // With the stored count, and from a state stored before there was one (counted from the stored postings).
    const { unseeded: _stored, ...older } = state;
    for (const s of [state, older]) {
      const restored = CloneIndex.restore({}, s, (f) => tokenize(f, texts.get(f) ?? ''));
      assert.deepEqual(restored.unseeded(), u);
      restored.update({ file: '/ws/src/m000.ts', text: ownPart(0) });
      assert.equal(restored.unseeded().spans.length, n - 1);
      assert.ok(!restored.unseeded().spans.some((x) => x.file === '/ws/src/m000.ts'));
    }
  });

  it('a restored index under the limit that files added since push over it', () => {
    const texts = new Map(Object.entries(sharedBlockFiles(MAX_BUCKET + 6)).map(([f, t]) => [`/ws/${f}`, t]));
    const first = [...texts].slice(0, 60);
    const index = new CloneIndex();
    for (const [file, text] of first) index.update({ file, text });
    assert.equal(index.classes().length, 1);
    const state = index.toState();
    const { unseeded: _stored, ...older } = state;
    for (const s of [state, older]) {
      const restored = CloneIndex.restore({}, s, (f) => tokenize(f, texts.get(f) ?? ''));
      for (const [file, text] of [...texts].slice(60)) restored.update({ file, text });
      assert.equal(restored.classes().length, 0);
      assert.equal(restored.unseeded().spans.length, MAX_BUCKET + 6);
    }
  });

  it('a copy that grows across the block from code around it is reported, and its files are no span', () => {
    const files = sharedBlockFiles(MAX_BUCKET + 6);
    const before = `export function prepare(table: string[][], limit: number): number[][] {\n  const parsed = table.map((row) => row.map((cell) => Number.parseFloat(cell.trim())));\n  return parsed.filter((row) => row.every((x) => Number.isFinite(x) && Math.abs(x) < limit));\n}\n`;
    const after = `export function summarize(values: number[], bins: number): number[] {\n  const lo = Math.min(...values);\n  const hi = Math.max(...values);\n  const counts = new Array(bins).fill(0);\n  for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo || 1)) * bins))]++;\n  return counts;\n}\n`;
    for (const f of ['src/m000.ts', 'src/m001.ts']) files[f] = before + files[f] + after;
    const index = new CloneIndex();
    for (const [file, text] of Object.entries(files)) index.update({ file: `/ws/${file}`, text });
    assert.deepEqual(
      index.classes().map((c) => c.occurrences.map((o) => o.file)),
      [['/ws/src/m000.ts', '/ws/src/m001.ts']],
    );
    const spans = index.unseeded().spans.map((s) => s.file);
    assert.equal(spans.length, MAX_BUCKET + 4);
    assert.ok(!spans.includes('/ws/src/m000.ts') && !spans.includes('/ws/src/m001.ts'));
    // Its other copy gone, m000's stretch is hidden again (its windows did not change, its pairs did).
    index.remove('/ws/src/m001.ts');
    assert.deepEqual(
      index.unseeded().spans.map((s) => s.file),
      spans.concat('/ws/src/m000.ts').sort(),
    );
  });

  it('every file updated at once (modes not followed) and then past the limit', () => {
    const texts = Object.entries(sharedBlockFiles(MAX_BUCKET + 6)).map(([f, t]) => ({ file: `/ws/${f}`, text: t }));
    const index = new CloneIndex();
    for (const f of texts.slice(0, 60)) index.update(f);
    assert.equal(index.unseeded().spans.length, 0);
    for (const f of texts) index.update(f);
    assert.equal(index.unseeded().spans.length, MAX_BUCKET + 6);
  });

  it('within the limit the block is a clone class and nothing is left out', () => {
    const index = new CloneIndex();
    for (const [file, text] of Object.entries(sharedBlockFiles(5))) index.update({ file: `/ws/${file}`, text });
    assert.equal(index.classes().length, 1);
    assert.deepEqual(index.unseeded(), { windows: 0, spans: [] });
  });

  it('the analysis notes it, naming files, and check shows it in text, JSON and SARIF', () => {
    const root = writeWorkspace({ ...sharedBlockFiles(MAX_BUCKET + 1), 'package.json': '{}' }, 'mlp-unseeded-');
    try {
      const r = analyzeFiles(root, DEFAULT_ANALYSIS);
      assert.equal(r.findings.filter((f) => f.rule === 'duplicate-code').length, 0);
      const note = r.notes.find((s) => s.startsWith('duplicates: '));
      assert.ok(note, JSON.stringify(r.notes));
      assert.match(
        note,
        /^duplicates: 65 stretches of at least 50 tokens made only of code that appears in more than 64 places \(\d+ such token windows, usually boilerplate\) were not compared with each other, so a copy there is not reported: src\/m000\.ts, src\/m001\.ts, src\/m002\.ts, src\/m003\.ts, src\/m004\.ts, and 60 more files$/,
      );
      const text = cli(root, 'check');
      assert.ok(text.stderr.includes(`note: ${note}`), text.stderr);
      const json = JSON.parse(cli(root, 'check', '--format', 'json').stdout) as { notes: string[] };
      assert.ok(json.notes.includes(note), JSON.stringify(json.notes));
      const sarif = JSON.parse(cli(root, 'check', '--format', 'sarif').stdout) as {
        runs: { invocations?: { toolExecutionNotifications?: { message: { text: string } }[] }[] }[];
      };
      const texts = sarif.runs[0].invocations?.[0].toolExecutionNotifications?.map((n) => n.message.text) ?? [];
      assert.ok(texts.includes(note), JSON.stringify(texts));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the pre-commit check shows the note a commit brings (a 65th copy makes the others uncompared)', async () => {
    const files = sharedBlockFiles(MAX_BUCKET + 1);
    const [last, ...rest] = Object.entries(files).reverse();
    const root = writeWorkspace({ ...Object.fromEntries(rest), 'package.json': '{}' }, 'mlp-unseeded-hook-');
    try {
      git(root, 'init', '-q');
      git(root, 'add', '.');
      git(root, 'commit', '-qm', 'init');
      write(root, last[0], last[1]);
      git(root, 'add', '.');
      const r = await runHookChecks({ root });
      assert.ok(
        r.notes.some((n) => /^analysis: duplicates: 65 stretches .* not compared/.test(n)),
        JSON.stringify(r.notes),
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
