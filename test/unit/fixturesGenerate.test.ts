import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import { identity, IDENTITY_DTYPES } from '../../scripts/onnx/models';
import { EngineError } from '../../server/src/engine/errors';
import { bindInputs } from '../../server/src/engine/fixtures/bind';
import { generateFixtures } from '../../server/src/engine/fixtures/generate';
import { encodeTensorProto } from '../../server/src/engine/fixtures/tensorProto';
import type { FixtureSet, GenerateOptions } from '../../server/src/engine/fixtures/types';
import { parseModel } from '../../server/src/engine/onnx/modelProto';
import type { ValueInfo } from '../../server/src/engine/onnx/signature';
import { readNumber, type Tensor } from '../../server/src/engine/tensor/tensor';

const OPTS: GenerateOptions = { count: 8, seed: 0, range: [-1, 1], dims: {} };

/** Every tensor of the set, serialized, so equality means identical bytes. */
function bytes(set: FixtureSet): Buffer[] {
  return set.cases.flatMap((c) => c.inputs.map((t) => Buffer.from(encodeTensorProto(t.tensor, t.name))));
}

function numbers(t: Tensor): number[] {
  return Array.from({ length: t.data.length }, (_, i) => readNumber(t, i));
}

describe('fixtures: synthetic generation', () => {
  const inputs: ValueInfo[] = [
    { name: 'x', dtype: 'float32', dims: ['batch', 3] },
    { name: 'ids', dtype: 'int64', dims: ['batch', 'seq'] },
    { name: 'mask', dtype: 'bool', dims: [null, 2] },
  ];

  it('describes itself and names cases', () => {
    const set = generateFixtures(inputs, OPTS);
    assert.equal(set.synthetic, true);
    assert.equal(set.origin, 'synthetic (seed 0, range [-1, 1), 8 cases)');
    assert.deepEqual(
      set.cases.map((c) => c.id),
      [
        'sample-0000',
        'sample-0001',
        'sample-0002',
        'sample-0003',
        'sample-0004',
        'sample-0005',
        'sample-0006',
        'sample-0007',
      ],
    );
    assert.ok(set.cases.every((c) => c.source === '' && c.expected === undefined));
    assert.deepEqual(
      set.cases[0].inputs.map((t) => t.name),
      ['x', 'ids', 'mask'],
    );
  });

  it('is deterministic for a seed, differs across seeds and across cases', () => {
    assert.deepEqual(bytes(generateFixtures(inputs, OPTS)), bytes(generateFixtures(inputs, OPTS)));
    assert.notDeepEqual(bytes(generateFixtures(inputs, OPTS)), bytes(generateFixtures(inputs, { ...OPTS, seed: 1 })));
    const [c0, c1] = generateFixtures(inputs, OPTS).cases;
    assert.notDeepEqual(numbers(c0.inputs[0].tensor), numbers(c1.inputs[0].tensor));
  });

  it("an input's values do not depend on the other inputs or their order", () => {
    const alone = generateFixtures([inputs[0]], OPTS).cases[3].inputs[0];
    const among = generateFixtures([inputs[2], inputs[1], inputs[0]], OPTS).cases[3].inputs[2];
    assert.equal(among.name, 'x');
    assert.deepEqual(numbers(among.tensor), numbers(alone.tensor));
  });

  it('sizes symbolic dims from opts.dims by name, else 1; keeps static dims', () => {
    const set = generateFixtures(inputs, { ...OPTS, dims: { batch: 4, seq: 7 } });
    assert.deepEqual(
      set.cases[0].inputs.map((t) => t.tensor.dims),
      [
        [4, 3],
        [4, 7],
        [1, 2],
      ],
    );
    const defaults = generateFixtures(inputs, OPTS);
    assert.deepEqual(
      defaults.cases[0].inputs.map((t) => t.tensor.dims),
      [
        [1, 3],
        [1, 1],
        [1, 2],
      ],
    );
    const unknownRank = generateFixtures([{ name: 'r', dtype: 'float32' }], OPTS);
    assert.deepEqual(unknownRank.cases[0].inputs[0].tensor.dims, [1]);
  });

  it('keeps floats in [low, high) for every float dtype, and spreads them', () => {
    for (const dtype of ['float16', 'float32', 'float64'] as const) {
      const set = generateFixtures([{ name: 'x', dtype, dims: [4096] }], { ...OPTS, count: 2, range: [-0.5, 2] });
      const v = set.cases.flatMap((c) => numbers(c.inputs[0].tensor));
      assert.ok(
        v.every((n) => n >= -0.5 && n < 2),
        dtype,
      );
      assert.ok(Math.min(...v) < -0.45 && Math.max(...v) > 1.95, `${dtype} covers the range`);
    }
  });

  it('draws integers from the rounded range, clamped to the dtype; bool 0/1; strings s<k>', () => {
    const gen = (dtype: ValueInfo['dtype'], range: [number, number]): (number | string)[] => {
      const t = generateFixtures([{ name: 'v', dtype, dims: [2000] }], { ...OPTS, count: 1, range }).cases[0].inputs[0]
        .tensor;
      return dtype === 'string' ? (t.data as string[]) : numbers(t);
    };
    assert.deepEqual(new Set(gen('int32', [-1, 1])), new Set([-1, 0]));
    assert.deepEqual(new Set(gen('int64', [-2.5, 1.5])), new Set([-2, -1, 0, 1]));
    assert.deepEqual(new Set(gen('uint8', [-10, 2])), new Set([0, 1]));
    assert.deepEqual(new Set(gen('int8', [0.2, 0.8])), new Set([0]));
    assert.deepEqual(new Set(gen('bool', [-1, 1])), new Set([0, 1]));
    const strings = gen('string', [-1, 1]) as string[];
    assert.ok(strings.every((s) => /^s\d{1,3}$/.test(s)));
    assert.ok(new Set(strings).size > 100);
  });

  it('rejects bad options with a usage error', () => {
    const bad: GenerateOptions[] = [
      { ...OPTS, count: 0 },
      { ...OPTS, count: 1.5 },
      { ...OPTS, range: [1, 1] },
      { ...OPTS, range: [0, Infinity] },
      { ...OPTS, dims: { batch: -1 } },
      { ...OPTS, seed: NaN },
    ];
    for (const opts of bad) {
      assert.throws(
        () => generateFixtures(inputs, opts),
        (e: unknown) => e instanceof EngineError && e.code === 'usage',
        JSON.stringify(opts),
      );
    }
  });

  it('generates valid feeds for every dtype: onnxruntime runs Identity on them and returns them unchanged', async () => {
    for (const dtype of IDENTITY_DTYPES) {
      const model = identity(dtype);
      const sig = parseModel(model, `identity_${dtype}.onnx`).signature;
      const [fc] = generateFixtures(sig.inputs, { ...OPTS, count: 1, dims: { batch: 2 } }).cases;
      const x = bindInputs(fc, sig.inputs).get('x') as Tensor;
      assert.deepEqual(x.dims, [2, 3]);
      const session = await ort.InferenceSession.create(model);
      try {
        const out = await session.run({ x: new ort.Tensor(dtype, x.data, x.dims) });
        assert.deepEqual(Array.from(out.y.data as ArrayLike<unknown>), Array.from(x.data as ArrayLike<unknown>), dtype);
        assert.deepEqual(out.y.dims, [2, 3]);
      } finally {
        await session.release();
      }
    }
  });
});
