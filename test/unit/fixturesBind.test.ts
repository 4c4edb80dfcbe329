import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { twoInputs } from '../../scripts/onnx/models';
import { EngineError, type EngineErrorCode } from '../../server/src/engine/errors';
import { bindExpected, bindInputs } from '../../server/src/engine/fixtures/bind';
import { loadFixtures } from '../../server/src/engine/fixtures/load';
import type { FixtureCase } from '../../server/src/engine/fixtures/types';
import { writeTestDataSet } from '../../server/src/engine/fixtures/write';
import { parseModel } from '../../server/src/engine/onnx/modelProto';
import type { ValueInfo } from '../../server/src/engine/onnx/signature';
import type { NamedTensor, Tensor } from '../../server/src/engine/tensor/tensor';

function f32(dims: number[], ...values: number[]): Tensor {
  return { dtype: 'float32', dims, data: new Float32Array(values) };
}

function fixture(inputs: NamedTensor[], expected?: NamedTensor[]): FixtureCase {
  return { id: 'case-7', inputs, expected, source: 'fx/case-7' };
}

const A: ValueInfo = { name: 'a', dtype: 'float32', dims: ['batch', 2] };
const B: ValueInfo = { name: 'b', dtype: 'float32', dims: [null, 1] };
const ta = f32([3, 2], 1, 2, 3, 4, 5, 6);
const tb = f32([3, 1], 7, 8, 9);

function assertBindError(fn: () => unknown, code: EngineErrorCode, message: RegExp, file = 'fx/case-7'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, `expected an EngineError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.location.file, file);
    assert.match(e.message, /^case case-7: /);
    assert.match(e.message, message);
    return true;
  });
}

describe('fixtures: binding to model inputs and outputs', () => {
  it('binds by name whatever the model order, and returns tensors in model order', () => {
    const fc = fixture([
      { name: 'b', tensor: tb },
      { name: 'a', tensor: ta },
    ]);
    for (const inputs of [
      [A, B],
      [B, A],
    ]) {
      const bound = bindInputs(fc, inputs);
      assert.deepEqual(
        [...bound.keys()],
        inputs.map((i) => i.name),
      );
      assert.equal(bound.get('a'), ta);
      assert.equal(bound.get('b'), tb);
    }
  });

  it('binds unnamed tensors by position, after named ones claim their inputs', () => {
    const positional = bindInputs(fixture([{ tensor: ta }, { tensor: tb }]), [A, B]);
    assert.equal(positional.get('a'), ta);
    assert.equal(positional.get('b'), tb);
    const mixed = bindInputs(fixture([{ tensor: ta }, { name: 'b', tensor: tb }]), [B, A]);
    assert.equal(mixed.get('a'), ta);
    assert.equal(mixed.get('b'), tb);
  });

  it('accepts any size for symbolic and null dims, and any shape when the rank is unknown', () => {
    const free: ValueInfo = { name: 'x', dtype: 'float32' };
    assert.equal(bindInputs(fixture([{ tensor: f32([2, 2, 1], 1, 2, 3, 4) }]), [free]).size, 1);
    assert.equal(bindInputs(fixture([{ tensor: f32([0, 1]) }]), [B]).size, 1);
  });

  it('rejects a missing input, an unknown name, surplus and duplicate tensors', () => {
    assertBindError(
      () => bindInputs(fixture([{ name: 'a', tensor: ta }]), [A, B]),
      'fixture-missing-input',
      /no tensor for model input 'b' \(expected float32\[\?,1\]\)/,
    );
    assertBindError(
      () => bindInputs(fixture([{ name: 'c', tensor: ta }]), [A, B]),
      'fixture-invalid',
      /tensor 'c' matches no model input \(the model's inputs: 'a', 'b'\)/,
    );
    assertBindError(
      () => bindInputs(fixture([{ tensor: ta }, { tensor: tb }, { tensor: tb }]), [A, B]),
      'fixture-invalid',
      /3 input tensors given but the model has 2 inputs/,
    );
    assertBindError(
      () =>
        bindInputs(
          fixture([
            { name: 'a', tensor: ta },
            { name: 'a', tensor: ta },
          ]),
          [A],
        ),
      'fixture-invalid',
      /two tensors for input 'a'/,
    );
  });

  it('rejects a wrong dtype, rank or static dim, saying expected and got', () => {
    const i64: Tensor = { dtype: 'int64', dims: [3, 2], data: new BigInt64Array(6) };
    assertBindError(
      () => bindInputs(fixture([{ name: 'a', tensor: i64 }]), [A]),
      'fixture-invalid',
      /input 'a': wrong dtype: expected float32\[batch,2\], got int64\[3,2\]/,
    );
    assertBindError(
      () => bindInputs(fixture([{ name: 'a', tensor: f32([6], 1, 2, 3, 4, 5, 6) }]), [A]),
      'fixture-invalid',
      /input 'a': rank mismatch: expected float32\[batch,2\], got float32\[6\]/,
    );
    assertBindError(
      () => bindInputs(fixture([{ name: 'a', tensor: f32([2, 3], 1, 2, 3, 4, 5, 6) }]), [A], 'other.json'),
      'fixture-invalid',
      /input 'a': dim 1 differs: expected float32\[batch,2\], got float32\[2,3\]/,
      'other.json',
    );
  });

  it('binds golden outputs by name or position, and requires them', () => {
    const Y: ValueInfo = { name: 'y', dtype: 'float32', dims: ['batch', 2] };
    const Z: ValueInfo = { name: 'z', dtype: 'float32', dims: [] };
    const z = f32([], 1);
    assert.equal(
      bindExpected(
        fixture(
          [],
          [
            { name: 'z', tensor: z },
            { name: 'y', tensor: ta },
          ],
        ),
        [Y, Z],
      ).get('z'),
      z,
    );
    assert.equal(bindExpected(fixture([], [{ tensor: ta }, { tensor: z }]), [Y, Z]).get('y'), ta);
    assertBindError(() => bindExpected(fixture([]), [Y]), 'fixture-missing-input', /has no expected outputs/);
    assertBindError(
      () => bindExpected(fixture([], [{ name: 'y', tensor: ta }]), [Y, Z]),
      'fixture-missing-input',
      /no tensor for model output 'z'/,
    );
    assertBindError(
      () => bindExpected(fixture([], [{ name: 'y', tensor: tb }]), [Y]),
      'fixture-invalid',
      /output 'y': dim 1 differs/,
    );
  });

  describe('on real models', () => {
    let root: string;
    before(() => {
      root = mkdtempSync(path.join(tmpdir(), 'mlparity-bind-'));
    });
    after(() => {
      rmSync(root, { recursive: true, force: true });
    });

    async function run(model: Uint8Array, feeds: Map<string, Tensor>): Promise<number[]> {
      const session = await ort.InferenceSession.create(model);
      try {
        const ortFeeds = Object.fromEntries(
          [...feeds].map(([n, t]) => [n, new ort.Tensor('float32', t.data as Float32Array, t.dims)]),
        );
        const out = await session.run(ortFeeds);
        return Array.from(out.y.data as Float32Array);
      } finally {
        await session.release();
      }
    }

    it('one named fixture runs the same on models that declare inputs in a different order', async () => {
      writeTestDataSet(root, 0, [
        { name: 'b', tensor: f32([1, 4], 1, 1, 1, 1) },
        { name: 'a', tensor: f32([1, 4], 1, 2, 3, 4) },
      ]);
      const [fc] = (await loadFixtures(root)).cases;
      const ab = twoInputs({ order: 'ab' });
      const ba = twoInputs({ order: 'ba' });
      const abOut = await run(ab, bindInputs(fc, parseModel(ab, 'ab.onnx').signature.inputs));
      const baOut = await run(ba, bindInputs(fc, parseModel(ba, 'ba.onnx').signature.inputs));
      assert.deepEqual(abOut, [3, 5, 7, 9]);
      assert.deepEqual(baOut, abOut);
    });

    it('unnamed tensors follow the declared order, so the same fixture means different things', async () => {
      const fc = fixture([{ tensor: f32([1, 4], 1, 2, 3, 4) }, { tensor: f32([1, 4], 1, 1, 1, 1) }]);
      const ab = twoInputs({ order: 'ab' });
      const ba = twoInputs({ order: 'ba' });
      assert.deepEqual(await run(ab, bindInputs(fc, parseModel(ab, 'ab.onnx').signature.inputs)), [3, 5, 7, 9]);
      assert.deepEqual(await run(ba, bindInputs(fc, parseModel(ba, 'ba.onnx').signature.inputs)), [3, 4, 5, 6]);
    });

    it('a fixture for a width-4 model is rejected by the width-5 variant before inference', () => {
      const fc = fixture([
        { name: 'a', tensor: f32([1, 4], 1, 2, 3, 4) },
        { name: 'b', tensor: f32([1, 4], 1, 1, 1, 1) },
      ]);
      const wide = twoInputs({ width: 5 });
      assertBindError(
        () => bindInputs(fc, parseModel(wide, 'wide.onnx').signature.inputs),
        'fixture-invalid',
        /input 'a': dim 1 differs: expected float32\[batch,5\], got float32\[1,4\]/,
      );
    });
  });
});
