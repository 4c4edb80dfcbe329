import { strict as assert } from 'node:assert';
import { DIFF_BIN_EDGES, OVERFLOW_BIN, binBySearch, diffBin } from '../../server/src/engine/compare/histogram';
import { TailQuantile } from '../../server/src/engine/compare/tailQuantile';
import { nearestRank, selectKth } from '../../server/src/engine/compare/quantile';
import { argmax, countTop1Agreement, countTopK, rankOf } from '../../server/src/engine/compare/topk';
import { mulberry32 as random } from '../../server/src/engine/random';

describe('compare/quantile', () => {
  it('nearestRank follows the nearest-rank definition', () => {
    assert.equal(nearestRank(0.99, 1), 0);
    assert.equal(nearestRank(0.99, 100), 98);
    assert.equal(nearestRank(0.99, 200), 197);
    assert.equal(nearestRank(0.99, 101), 99);
    assert.equal(nearestRank(1, 10), 9);
  });

  it('selectKth matches a sorted reference for every k, with duplicates and sorted input', () => {
    const rnd = random(7);
    const inputs: number[][] = [
      Array.from({ length: 257 }, () => rnd()),
      Array.from({ length: 300 }, () => Math.floor(rnd() * 5)),
      Array.from({ length: 64 }, (_, i) => i),
      Array.from({ length: 64 }, (_, i) => 64 - i),
      [3],
      [2, 2, 2, 2],
    ];
    for (const values of inputs) {
      const sorted = [...values].sort((a, b) => a - b);
      for (let k = 0; k < values.length; k++) {
        const a = Float64Array.from(values);
        assert.equal(selectKth(a, a.length, k), sorted[k], `k=${k} of ${values.length}`);
      }
    }
  });

  it('selectKth only looks at the first n values', () => {
    const a = Float64Array.from([5, 1, 3, -100, -100]);
    assert.equal(selectKth(a, 3, 0), 1);
  });
});

describe('compare/histogram', () => {
  it('bins zeros, sub-1e-12 values, decades and overflow, exact at the edges', () => {
    assert.equal(diffBin(0), 0);
    assert.equal(diffBin(1e-300), 1);
    assert.equal(diffBin(1e-12), 2);
    assert.equal(diffBin(9.99e-12), 2);
    assert.equal(diffBin(1e-7), DIFF_BIN_EDGES.indexOf(1e-7));
    assert.equal(diffBin(0.5), DIFF_BIN_EDGES.indexOf(0.1));
    assert.equal(diffBin(999), DIFF_BIN_EDGES.indexOf(100));
    assert.equal(diffBin(1e3), OVERFLOW_BIN);
    assert.equal(diffBin(Infinity), OVERFLOW_BIN);
    assert.equal(diffBin(NaN), OVERFLOW_BIN);
    for (let i = 2; i < DIFF_BIN_EDGES.length; i++) assert.equal(diffBin(DIFF_BIN_EDGES[i]), i);
  });

  it('the O(1) exponent-table bin agrees with binary search over 30 decades and at every edge', () => {
    const rnd = random(13);
    for (let i = 0; i < 20000; i++) {
      const v = 10 ** (-20 + 30 * rnd());
      assert.equal(diffBin(v), binBySearch(v), String(v));
    }
    for (const edge of DIFF_BIN_EDGES) {
      for (const v of [edge, edge * (1 - 1e-15), edge * (1 + 1e-15), Number.MAX_VALUE, 5e-324]) {
        assert.equal(diffBin(v), binBySearch(v), String(v));
      }
    }
  });
});

describe('compare/tailQuantile', () => {
  const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(0.99 * values.length) - 1];

  it('is exact against a sorted reference while compacting a small buffer', () => {
    const rnd = random(17);
    for (const n of [1, 7, 100, 1000, 50000]) {
      const q = new TailQuantile(0.99, 16);
      const values: number[] = [];
      for (let i = 0; i < n; i++) {
        const v = i % 4 === 0 ? 0 : 10 ** (-9 + 8 * rnd());
        values.push(v);
        if (v === 0) q.addZeros(1);
        else q.add(v);
      }
      assert.equal(q.count, n);
      assert.equal(q.quantile(), p99(values), `n=${n}`);
    }
  });

  it('is exact with many ties and an ascending stream', () => {
    const q = new TailQuantile(0.99, 16);
    const values: number[] = [];
    for (let i = 1; i <= 20000; i++) {
      const v = Math.ceil(i / 500);
      values.push(v);
      q.add(v);
    }
    assert.equal(q.quantile(), p99(values));
  });

  it('falls back to an estimate within 0.4% when the stream shifts far down', () => {
    const q = new TailQuantile(0.99, 16);
    const values: number[] = [];
    for (let i = 0; i < 1000; i++) values.push(1 + i / 1000);
    for (let i = 0; i < 200000; i++) values.push(1e-6 * (1 + (i % 1000) / 1000));
    for (const v of values) q.add(v);
    const exact = p99(values);
    assert.ok(exact < 1e-5, 'the p99 is among the late small values');
    const est = q.quantile();
    assert.ok(Math.abs(est / exact - 1) < 0.004, `${est} vs ${exact}`);
  });

  it('handles the empty and all-zero cases', () => {
    assert.equal(new TailQuantile().quantile(), 0);
    const q = new TailQuantile();
    q.addZeros(10);
    assert.equal(q.quantile(), 0);
  });
});

describe('compare/top1', () => {
  it('argmax takes the first maximum and skips NaN', () => {
    const a = Float64Array.from([1, 3, 3, NaN, 0]);
    assert.equal(argmax(a, 0, 5), 1);
    assert.equal(argmax(Float64Array.from([NaN, 2, 1]), 0, 3), 1);
    assert.equal(argmax(Float64Array.from([NaN, NaN]), 0, 2), 0);
    assert.equal(argmax(a, 2, 3), 0);
  });

  it('counts rows whose argmax agrees', () => {
    const b = Float32Array.from([0.1, 0.9, 0.8, 0.2, 0.5, 0.5]);
    const c = Float32Array.from([0.2, 0.8, 0.3, 0.7, 0.5, 0.4]);
    assert.equal(countTop1Agreement(b, c, 3, 2), 2);
  });

  it('ranks descending with ties to the lower index and NaN last', () => {
    const a = Float64Array.from([5, 7, 5, NaN, 9, 1]);
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((k) => rankOf(a, 0, 6, k)),
      [2, 1, 3, 5, 0, 4],
    );
  });

  it('top5: the baseline argmax among the candidate five largest', () => {
    // row 0: same argmax; row 1: baseline's class 0 is the candidate's 5th largest; row 2: its 6th
    const b = Float64Array.from([0, 0, 0, 0, 0, 0, 9, 9, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0]);
    const c = Float64Array.from([0, 0, 0, 0, 0, 0, 9, 5, 9, 8, 7, 6, 1, 2, 5, 9, 8, 7, 6, 5.5, 2]);
    assert.deepEqual(countTopK(b, c, 3, 7), { top1: 1, top5: 2 });
  });
});
