import { strict as assert } from 'node:assert';
import { isEngineError } from '../../server/src/engine/errors';
import { DEFAULT_TOLERANCES, defaultTolerance, resolveTolerance } from '../../server/src/engine/compare/tolerance';
import type { DType } from '../../server/src/engine/tensor/tensor';

describe('compare/tolerance', () => {
  it('has dtype-aware defaults', () => {
    assert.deepEqual(defaultTolerance('float32'), { atol: 1e-5, rtol: 1.3e-6, equalNan: false });
    assert.deepEqual(defaultTolerance('float16'), { atol: 1e-5, rtol: 1e-3, equalNan: false });
    assert.deepEqual(defaultTolerance('float64'), { atol: 1e-7, rtol: 1e-7, equalNan: false });
    const exact: DType[] = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'string'];
    for (const d of exact) assert.deepEqual(defaultTolerance(d), { atol: 0, rtol: 0, equalNan: false }, d);
  });

  it('returns copies, never the frozen defaults', () => {
    const t = defaultTolerance('float32');
    t.atol = 1;
    assert.equal(DEFAULT_TOLERANCES.float32.atol, 1e-5);
  });

  it('per-output beats case defaults beats dtype defaults', () => {
    assert.deepEqual(resolveTolerance('float32'), { atol: 1e-5, rtol: 1.3e-6, equalNan: false });
    assert.deepEqual(resolveTolerance('float32', { atol: 1e-3, equalNan: true }), {
      atol: 1e-3,
      rtol: 1.3e-6,
      equalNan: true,
    });
    assert.deepEqual(resolveTolerance('float32', { atol: 1e-3, equalNan: true }, { atol: 0.5, rtol: 0 }), {
      atol: 0.5,
      rtol: 0,
      equalNan: true,
    });
    assert.deepEqual(resolveTolerance('int64', undefined, { atol: 1 }), { atol: 1, rtol: 0, equalNan: false });
  });

  it('lets undefined keys fall through', () => {
    assert.deepEqual(
      resolveTolerance('float64', { atol: 2, rtol: undefined }, { atol: undefined, equalNan: undefined }),
      {
        atol: 2,
        rtol: 1e-7,
        equalNan: false,
      },
    );
  });

  it('rejects negative or NaN tolerances with an EngineError', () => {
    for (const bad of [{ atol: -1 }, { rtol: NaN }]) {
      assert.throws(
        () => resolveTolerance('float32', bad),
        (e: unknown) => isEngineError(e) && e.code === 'config-invalid',
      );
    }
    assert.equal(resolveTolerance('float32', { atol: Infinity }).atol, Infinity);
  });
});
