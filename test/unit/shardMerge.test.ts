import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputAccumulator } from '../../server/src/engine/compare/accumulator';
import { ExactSum } from '../../server/src/engine/compare/exactSum';
import { mergeOutputComparisons } from '../../server/src/engine/mergeOutputs';
import { outputVerdictLine } from '../../server/src/cli/reporters/outputLine';
import type { Tensor } from '../../server/src/engine/tensor/tensor';
import { mergeTailSnapshots } from '../../server/src/engine/compare/tailMerge';
import { TailQuantile } from '../../server/src/engine/compare/tailQuantile';
import { mulberry32 } from '../../server/src/engine/random';
import { parseShard, shardRange } from '../../server/src/engine/shard';
import type { VerifyReport } from '../../server/src/engine/verifyTypes';
import { mlp } from '../../scripts/onnx/models';
import { cli, tempDir, write } from '../support/tmp';

/** A report without what legitimately differs between runs: wall-clock times and the creation date. */
function stable(r: VerifyReport): unknown {
  return {
    ...r,
    createdAt: '',
    cases: r.cases.map((c) => ({
      ...c,
      timing: { ...c.timing, totalMs: 0, fixturesMs: 0, modelLoadMs: 0, inferenceMs: 0, compareMs: 0, probeMs: 0 },
    })),
  };
}

describe('--shard and report merge', function () {
  this.timeout(120_000);

  it('ExactSum gives the correctly rounded sum whatever the order', () => {
    assert.equal(new ExactSum([1e100, 1, -1e100]).value(), 1);
    assert.equal(new ExactSum([0.1, 0.2, 0.3]).value(), 0.6);
    const rnd = mulberry32(5);
    const xs = Array.from({ length: 2000 }, () => (rnd() - 0.3) * 10 ** Math.floor(rnd() * 12 - 6));
    const whole = new ExactSum(xs).value();
    for (let trial = 0; trial < 5; trial++) {
      const cut = Math.floor(rnd() * xs.length);
      const a = new ExactSum(xs.slice(0, cut));
      const b = new ExactSum(xs.slice(cut).reverse());
      assert.equal(new ExactSum([...b.parts(), ...a.parts()]).value(), whole);
    }
    const naive = xs.reduce((s, x) => s + x, 0);
    assert.ok(Math.abs(naive - whole) <= 1e-9 * Math.abs(whole));
  });

  it('p99 merged from shard tails equals the p99 of the whole stream, or states a bound', () => {
    const rnd = mulberry32(9);
    for (const n of [10, 1000, 50_000]) {
      const values = Array.from({ length: n }, () => (rnd() < 0.2 ? 0 : rnd() ** 3));
      const whole = new TailQuantile(0.99, 64);
      const shards = [new TailQuantile(0.99, 64), new TailQuantile(0.99, 64), new TailQuantile(0.99, 64)];
      values.forEach((v, i) => {
        const s = shards[Math.floor((3 * i) / n)];
        if (v === 0) {
          whole.addZeros(1);
          s.addZeros(1);
        } else {
          whole.add(v);
          s.add(v);
        }
      });
      const merged = mergeTailSnapshots(
        0.99,
        shards.map((s) => s.snapshot()),
      );
      assert.equal(merged.bound, undefined, `n=${n}`);
      assert.equal(merged.value, whole.quantile(), `n=${n}`);
    }
    // large values first, then a long run of small ones: each shard's kept tail no longer covers the global
    // p99, so the merge counts fine bins and states a bound under 0.8% wide that holds the true p99
    const streams = [0, 1, 2].map((j) => [
      ...Array.from({ length: 3000 }, () => 1 + rnd() + j),
      ...Array.from({ length: 60_000 }, () => 1e-3 * (1 + rnd())),
    ]);
    const snaps = streams.map((vs) => {
      const t = new TailQuantile(0.99, 64);
      for (const v of vs) t.add(v);
      return t.snapshot();
    });
    const sorted = streams.flat().sort((a, b) => a - b);
    const truth = sorted[Math.ceil(0.99 * sorted.length) - 1];
    const m = mergeTailSnapshots(0.99, snaps);
    if (m.bound) {
      assert.ok(m.bound[0] <= truth && truth <= m.bound[1], `${truth} in ${m.bound.join('..')}`);
      assert.ok(m.bound[1] - m.bound[0] <= 0.008 * m.bound[0], `bound ${m.bound.join('..')}`);
      assert.ok(m.bound[0] <= m.value && m.value <= m.bound[1]);
    } else {
      assert.equal(m.value, truth);
    }
  });

  it('merges outputs exactly: the mean from exact sums, the first of tied worst elements, top-k counts', () => {
    const f64 = (...v: number[]): Tensor => ({ dtype: 'float64', dims: [1, v.length], data: Float64Array.from(v) });
    const tol = { atol: 0, rtol: 0, equalNan: false };
    // |diff| 1, 2^-53 twice, 1 again, 2^-53: summed naively shard by shard every 2^-53 is rounded away
    const t = 2 ** -53;
    const cases: [string, Tensor, Tensor][] = [
      ['c0', f64(0, 0), f64(1, 0)],
      ['c1', f64(0, 5), f64(t, 5)],
      ['c2', f64(0, 5), f64(t, 5)],
      ['c3', f64(0, 1), f64(1, 0)],
      ['c4', f64(0, 5), f64(t, 5)],
    ];
    const whole = new OutputAccumulator('y', 'y', 'float64', tol);
    for (const [id, b, c] of cases) whole.add(id, b, c);
    const parts = [[0], [1], [2], [3], [4]].map((idx) => {
      const a = new OutputAccumulator('y', 'y', 'float64', tol);
      for (const i of idx) a.add(...cases[i]);
      return a.finish({ partial: true });
    });
    const merged = mergeOutputComparisons(parts, 'test');
    const expected = whole.finish();
    assert.equal(merged.meanAbs, expected.meanAbs);
    assert.equal(merged.meanAbs, (3 + 2 ** -51) / 10, 'the exact sum 3 + 3·2^-53, rounded once');
    assert.notEqual(merged.meanAbs, (1 + t + t + 2 + t) / 10, 'which a naive sum would miss');
    assert.equal(merged.worst?.caseId, 'c0', 'ties go to the first shard, as in one run');
    assert.deepEqual(merged, expected);
    assert.doesNotMatch(outputVerdictLine(merged), /within/);
    assert.match(
      outputVerdictLine({ ...merged, p99Abs: 1.005e-6, p99Bound: [1e-6, 1.01e-6] }),
      /p99 1e-6 \(merged: within \[1e-6, 1\.01e-6\]\)/,
    );
  });

  it('parses I/N and slices contiguously, covering every fixture once', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    for (const bad of ['0/3', '4/3', '1/0', 'x', '1/2/3']) assert.throws(() => parseShard(bad), /--shard takes I\/N/);
    for (const [total, n] of [
      [10, 3],
      [2, 5],
      [0, 2],
      [37, 4],
    ]) {
      const ranges = Array.from({ length: n }, (_, i) => shardRange({ index: i + 1, count: n }, total));
      assert.equal(ranges[0][0], 0);
      assert.equal(ranges[n - 1][1], total);
      for (let i = 1; i < n; i++) assert.equal(ranges[i][0], ranges[i - 1][1]);
      assert.ok(ranges.every(([s, e]) => e - s <= Math.ceil(total / n)));
    }
  });

  it('merging the shards gives exactly the unsharded JSON and text reports', () => {
    const dir = tempDir();
    write(dir, 'a.onnx', mlp({ inDim: 6, hidden: 16, outDim: 7, seed: 3, fused: false, activation: 'relu' }));
    write(dir, 'b.onnx', mlp({ inDim: 6, hidden: 16, outDim: 7, seed: 3, fused: true, activation: 'leakyrelu' }));
    const args = [
      'verify',
      '--baseline',
      'a.onnx',
      '--candidate',
      'b.onnx',
      '--count',
      '41',
      '--dim',
      'batch=32',
      '--seed',
      '4',
    ];
    const whole = cli(dir, ...args, '--format', 'json', '--out', 'whole.json');
    assert.equal(whole.status, 1, whole.stderr);
    for (let i = 1; i <= 3; i++) {
      const r = cli(dir, ...args, '--shard', `${i}/3`, '--format', 'json', '--out', `s${i}.json`);
      assert.equal(r.status, 1, r.stderr);
    }
    const shard2 = JSON.parse(fs.readFileSync(path.join(dir, 's2.json'), 'utf8')) as VerifyReport;
    assert.deepEqual(shard2.cases[0].shard, { index: 2, count: 3, start: 13, end: 27, total: 41 });
    assert.ok(shard2.cases[0].outputs[0].partial, 'shard reports carry merge data');

    const merged = cli(
      dir,
      'report',
      'merge',
      's3.json',
      's1.json',
      's2.json',
      '--format',
      'json',
      '--out',
      'merged.json',
    );
    assert.equal(merged.status, 1, merged.stderr);
    const read = (f: string): VerifyReport => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as VerifyReport;
    const w = read('whole.json');
    const m = read('merged.json');
    assert.ok(
      w.cases[0].outputs.every((o) => o.elements > 4096 && o.mismatches > 0),
      'enough differing elements to compact the p99 tail',
    );
    assert.deepEqual(stable(m), stable(w));

    const text = (r: { stdout: string }): string => r.stdout.replace(/\d+ ms/g, 'N ms');
    const wholeText = cli(dir, ...args);
    const mergedText = cli(dir, 'report', 'merge', 's1.json', 's2.json', 's3.json');
    assert.equal(mergedText.status, 1);
    assert.equal(text(mergedText), text(wholeText));
  });

  it('refuses incomplete, duplicated, mixed or non-shard reports with exit 2', () => {
    const dir = tempDir();
    write(dir, 'a.onnx', mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused: false, activation: 'relu' }));
    const args = [
      'verify',
      '--baseline',
      'a.onnx',
      '--candidate',
      'a.onnx',
      '--count',
      '5',
      '--dim',
      'batch=2',
      '--format',
      'json',
    ];
    for (const s of ['1/2', '2/2', '1/3'])
      assert.equal(cli(dir, ...args, '--shard', s, '--out', `s${s.replace('/', 'of')}.json`).status, 0);
    assert.equal(cli(dir, ...args, '--out', 'plain.json').status, 0);
    // a shard report whose merge data was cut (hand-edited, or written by another version)
    const edited = JSON.parse(fs.readFileSync(path.join(dir, 's2of2.json'), 'utf8')) as {
      cases: { outputs: { partial: Record<string, unknown> }[] }[];
    };
    delete edited.cases[0].outputs[0].partial.tail;
    write(dir, 'cut.json', JSON.stringify(edited));
    // fields every reader needs, dropped or retyped: a located exit 2, never a TypeError's stack trace
    const shard2 = JSON.parse(fs.readFileSync(path.join(dir, 's2of2.json'), 'utf8')) as {
      cases: { timing?: unknown; fixtures: { count: unknown } }[];
    };
    delete shard2.cases[0].timing;
    write(dir, 'untimed.json', JSON.stringify(shard2));
    shard2.cases[0].timing = {};
    shard2.cases[0].fixtures.count = '3';
    write(dir, 'retyped.json', JSON.stringify(shard2));
    const incomplete = (file: string, where: string) =>
      new RegExp(
        `${file}: not a complete ml-parity verify JSON report (${where}`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
      );
    const cases: [string[], RegExp][] = [
      [
        ['s1of2.json', 'cut.json'],
        incomplete('cut.json', "/cases/0/outputs/0/partial: must have required property 'tail'"),
      ],
      [['s1of2.json', 'untimed.json'], incomplete('untimed.json', "/cases/0: must have required property 'timing'")],
      [['s1of2.json', 'retyped.json'], incomplete('retyped.json', '/cases/0/')],
      [['s1of2.json'], /shard 2\/2 missing/],
      [['s1of2.json', 's1of2.json', 's2of2.json'], /shard 1\/2 given twice/],
      [['s1of2.json', 's1of3.json'], /does not belong to a run of 2 shards/],
      [['plain.json'], /not a shard report/],
      [['nope.json'], /cannot read the report/],
    ];
    for (const [files, message] of cases) {
      const r = cli(dir, 'report', 'merge', ...files);
      assert.equal(r.status, 2, files.join(' '));
      assert.match(r.stderr, message);
    }
    const bad = cli(dir, ...args, '--shard', '3/2');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--shard takes I\/N/);
    const ok = cli(dir, 'report', 'merge', 's2of2.json', 's1of2.json');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^PASS {2}a {2}.*\[5 fixtures/m);
  });
});
