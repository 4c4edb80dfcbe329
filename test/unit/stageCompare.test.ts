import { strict as assert } from 'node:assert';
import * as vm from 'node:vm';
import { compareValues } from '../../server/src/engine/stageVerify/compare';
import { decode, encode } from '../../server/src/engine/stageVerify/values';

describe('stage outcome comparison', () => {
  it('NaN equals NaN; infinities only themselves; float64 within 1e-9 relative', () => {
    assert.equal(compareValues([NaN, 1], [NaN, 1]), undefined);
    assert.ok(compareValues(Infinity, -Infinity));
    assert.ok(compareValues(NaN, 0));
    assert.equal(compareValues(0.1 + 0.2, 0.3), undefined);
    assert.deepEqual(compareValues([1, 2], [1, 2.001]), { path: '[1]', reason: '2 vs 2.001' });
  });

  it('Float32Array elements get the float32 tolerance, integer typed arrays none', () => {
    assert.equal(compareValues(new Float32Array([1000]), new Float32Array([1000.005])), undefined);
    assert.ok(compareValues(new Float64Array([1000]), new Float64Array([1000.005])));
    assert.ok(compareValues(new Int32Array([1, 2]), new Int32Array([1, 3])));
    assert.match(compareValues(new Float32Array(2), new Float64Array(2))?.reason ?? '', /Float32Array vs Float64Array/);
  });

  it('plain objects by keys, Maps by key, Sets by member, instances by class', () => {
    assert.equal(compareValues({ a: 1, b: [2] }, { b: [2], a: 1 }), undefined);
    assert.equal(compareValues({ a: 1 }, { a: 1, b: undefined })?.path, '.b');
    assert.equal(compareValues(new Map([['x', 1]]), new Map([['x', 1 + 1e-12]])), undefined);
    assert.equal(compareValues(new Map([['x', 1]]), new Map([['y', 1]]))?.path, '.get("x")');
    assert.equal(compareValues(new Set([1, 2]), new Set([2, 1])), undefined);
    assert.ok(compareValues(new Set([1, 2]), new Set([1, 3])));
    class A {
      v = 1;
    }
    class B {
      v = 1;
    }
    assert.match(compareValues(new A(), new B())?.reason ?? '', /instance of A vs B/);
  });

  it('compares values from another realm (the stage runs in a vm context)', () => {
    const other = vm.runInNewContext('({ a: [1, new Float32Array([2])], m: new Map([[1, 2]]) })') as unknown;
    assert.equal(compareValues(other, { a: [1, new Float32Array([2])], m: new Map([[1, 2]]) }), undefined);
  });

  it('round-trips what JSON cannot hold', () => {
    const v = {
      n: [NaN, -0, Infinity],
      u: undefined,
      t: new Int16Array([3, -4]),
      m: new Map([['k', new Set([1])]]),
      $odd: 1n,
    };
    const back = decode(JSON.parse(JSON.stringify(encode(v))) as ReturnType<typeof encode>);
    assert.equal(compareValues(back, v), undefined);
    assert.ok(Object.is((back as { n: number[] }).n[1], -0));
  });

  it('names differing dates as the stage printed them, also from another realm', () => {
    const [a, b] = [new Date(0), new Date(1000)];
    assert.deepEqual(compareValues(a, b), { path: '(value)', reason: `${String(a)} vs ${String(b)}` });
    const other = vm.runInNewContext('new Date(1000)') as Date;
    assert.equal(compareValues(other, b), undefined);
    assert.equal(compareValues(a, other)?.reason, `${String(a)} vs ${String(b)}`);
  });

  it('decodes tagged values written as strings or numbers, and names a malformed tag', () => {
    assert.equal(decode({ $bigint: '12' }), 12n);
    assert.equal(decode({ $bigint: 12 }), 12n);
    assert.deepEqual(decode({ $typed: 'BigInt64Array', data: ['1', 2] }), new BigInt64Array([1n, 2n]));
    assert.equal((decode({ $date: '1970-01-01T00:00:01.000Z' }) as Date).getTime(), 1000);
    assert.throws(() => decode({ $unsupported: 'function f' }), /cannot rebuild function f/);
    assert.throws(() => decode({ $typed: { x: 1 }, data: [] }), /unknown typed array "\{"x":1\}"/);
  });
});
