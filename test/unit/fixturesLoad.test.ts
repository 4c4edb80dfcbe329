import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EngineError, isEngineError, type EngineErrorCode } from '../../server/src/engine/errors';
import { loadFixtures, openFixtures } from '../../server/src/engine/fixtures/load';
import { writeNpy } from '../../server/src/engine/fixtures/npy';
import { encodeTensorProto } from '../../server/src/engine/fixtures/tensorProto';
import { writeTestDataSet } from '../../server/src/engine/fixtures/write';
import type { NamedTensor, Tensor } from '../../server/src/engine/tensor/tensor';

function f32(dims: number[], ...values: number[]): Tensor {
  return { dtype: 'float32', dims, data: new Float32Array(values) };
}

function values(t: NamedTensor | undefined): number[] {
  return Array.from((t?.tensor.data ?? []) as Float32Array);
}

async function assertRejects(
  p: Promise<unknown>,
  code: EngineErrorCode,
  file: string,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof EngineError, `expected an EngineError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.location.file, file);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('fixtures: loadFixtures and writeTestDataSet', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mlparity-fixtures-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('reads the ONNX test-data layout: sets sorted numerically, names kept, golden outputs', async () => {
    for (const n of [10, 2, 0, 1]) {
      writeTestDataSet(
        root,
        n,
        [
          { name: 'a', tensor: f32([1, 2], n, n + 1) },
          { name: 'b', tensor: f32([1], -n) },
        ],
        [{ name: 'y', tensor: f32([1, 2], 2 * n, 2 * n + 1) }],
      );
    }
    writeFileSync(path.join(root, 'model.onnx'), 'not read');
    const set = await loadFixtures(root);
    assert.equal(set.synthetic, false);
    assert.equal(set.origin, root);
    assert.deepEqual(
      set.cases.map((c) => c.id),
      ['test_data_set_0', 'test_data_set_1', 'test_data_set_2', 'test_data_set_10'],
    );
    const last = set.cases[3];
    assert.equal(last.source, path.join(root, 'test_data_set_10'));
    assert.deepEqual(
      last.inputs.map((t) => t.name),
      ['a', 'b'],
    );
    assert.deepEqual(values(last.inputs[0]), [10, 11]);
    assert.deepEqual(last.inputs[0].tensor.dims, [1, 2]);
    assert.deepEqual(values(last.expected?.[0]), [20, 21]);
    assert.equal(last.expected?.[0].name, 'y');
  });

  it("reads later sets by the first set's file names, and lists a set that lacks one of them", async () => {
    writeTestDataSet(root, 0, [{ name: 'a', tensor: f32([1], 0) }], [{ name: 'y', tensor: f32([1], 0) }]);
    writeTestDataSet(root, 1, [{ name: 'a', tensor: f32([1], 1) }]); // no golden output here
    writeTestDataSet(root, 2, [{ name: 'a', tensor: f32([1], 2) }], [{ name: 'y', tensor: f32([1], 4) }]);
    const set = await loadFixtures(root);
    assert.deepEqual(
      set.cases.map((c) => c.expected?.length ?? 0),
      [1, 0, 1],
    );
    assert.deepEqual(values(set.cases[2].expected?.[0]), [4]);
  });

  it('names sets and files as path.join would, however the folder was written (sources and error locations)', async () => {
    for (const n of [0, 1, 2]) writeTestDataSet(root, n, [{ name: 'a', tensor: f32([1], n) }]);
    writeFileSync(path.join(root, 'test_data_set_2', 'input_0.pb'), Buffer.from([0xff, 0xff, 0xff]));
    const sub = path.join(root, 'sub');
    mkdirSync(sub);
    for (const written of [`${root}/./`, `${sub}/..`, path.relative(process.cwd(), root) + '/']) {
      const stream = openFixtures(written);
      assert.deepEqual(
        stream.read(0, 2).map((c) => c.source),
        [path.join(written, 'test_data_set_0'), path.join(written, 'test_data_set_1')],
        written,
      );
      assert.throws(
        () => stream.read(2, 3),
        (e: unknown) => isEngineError(e) && e.location.file === path.join(written, 'test_data_set_2', 'input_0.pb'),
        written,
      );
    }
  });

  it('accepts a test_data_set_N folder itself and orders input_10 after input_9', async () => {
    const inputs = Array.from({ length: 11 }, (_, k) => ({ tensor: f32([1], k) }));
    const dir = writeTestDataSet(root, 3, inputs);
    assert.deepEqual(readdirSync(dir).length, 11);
    const set = await loadFixtures(dir);
    assert.equal(set.cases.length, 1);
    assert.equal(set.cases[0].id, 'test_data_set_3');
    assert.equal(set.cases[0].expected, undefined);
    assert.deepEqual(
      set.cases[0].inputs.map((t) => values(t)[0]),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.ok(
      set.cases[0].inputs.every((t) => t.name === undefined),
      'unnamed tensors stay positional',
    );
  });

  it('rewriting a set removes stale tensors', async () => {
    writeTestDataSet(
      root,
      0,
      [{ name: 'x', tensor: f32([1], 1) }],
      [
        { name: 'y', tensor: f32([1], 1) },
        { name: 'z', tensor: f32([1], 2) },
      ],
    );
    const dir = writeTestDataSet(root, 0, [{ name: 'x', tensor: f32([1], 5) }], [{ name: 'y', tensor: f32([1], 6) }]);
    assert.deepEqual(readdirSync(dir).sort(), ['input_0.pb', 'output_0.pb']);
    const [fc] = (await loadFixtures(root)).cases;
    assert.deepEqual(values(fc.inputs[0]), [5]);
    assert.deepEqual(
      fc.expected?.map((t) => t.name),
      ['y'],
    );
  });

  it('reads a folder of .npy files as one case named by file stem', async () => {
    writeFileSync(path.join(root, 'b.npy'), writeNpy(f32([2], 3, 4)));
    writeFileSync(path.join(root, 'a.npy'), writeNpy(f32([1], 1)));
    writeFileSync(path.join(root, 'README.md'), 'ignored');
    const set = await loadFixtures(root);
    assert.equal(set.cases.length, 1);
    assert.equal(set.cases[0].id, path.basename(root));
    assert.deepEqual(
      set.cases[0].inputs.map((t) => [t.name, values(t)]),
      [
        ['a', [1]],
        ['b', [3, 4]],
      ],
    );
  });

  it('reads subfolders of .npy files as one case each, in natural order', async () => {
    for (const name of ['c10', 'c2', 'c1']) {
      mkdirSync(path.join(root, name));
      writeFileSync(path.join(root, name, 'x.npy'), writeNpy(f32([1], Number(name.slice(1)))));
    }
    mkdirSync(path.join(root, 'notes'));
    const set = await loadFixtures(root);
    assert.deepEqual(
      set.cases.map((c) => c.id),
      ['c1', 'c2', 'c10'],
    );
    assert.deepEqual(
      set.cases.map((c) => values(c.inputs[0])[0]),
      [1, 2, 10],
    );
    assert.equal(set.cases[2].source, path.join(root, 'c10'));
  });

  it('reads a .json file, a single .pb and a single .npy', async () => {
    const json = path.join(root, 'cases.json');
    writeFileSync(
      json,
      JSON.stringify({ cases: [{ id: 'one', inputs: { x: { dims: [1], type: 'float32', data: [7] } } }] }),
    );
    const fromJson = await loadFixtures(json);
    assert.deepEqual(
      fromJson.cases.map((c) => [c.id, c.source, values(c.inputs[0])]),
      [['one', json, [7]]],
    );

    const pb = path.join(root, 'single.pb');
    writeFileSync(pb, encodeTensorProto(f32([2], 8, 9)));
    const fromPb = await loadFixtures(pb);
    assert.deepEqual(
      fromPb.cases.map((c) => [c.id, c.inputs[0].name, values(c.inputs[0])]),
      [['single', undefined, [8, 9]]],
    );

    const npy = path.join(root, 'features.npy');
    writeFileSync(npy, writeNpy(f32([1], 3)));
    const fromNpy = await loadFixtures(npy);
    assert.equal(fromNpy.cases[0].inputs[0].name, 'features');
  });

  it('reports missing paths, empty folders and bad files with the right code and file', async () => {
    await assertRejects(loadFixtures(path.join(root, 'nope')), 'file-not-found', path.join(root, 'nope'));
    await assertRejects(loadFixtures(root), 'fixture-empty', root);
    writeFileSync(path.join(root, 'notes.txt'), 'hello');
    mkdirSync(path.join(root, 'empty-sub'));
    await assertRejects(loadFixtures(root), 'fixture-empty', root);

    const set = path.join(root, 'sets');
    mkdirSync(path.join(set, 'test_data_set_0'), { recursive: true });
    await assertRejects(loadFixtures(set), 'fixture-empty', path.join(set, 'test_data_set_0'));

    writeTestDataSet(set, 0, [{ name: 'x', tensor: f32([1], 1) }]);
    const corrupt = path.join(set, 'test_data_set_0', 'input_1.pb');
    writeFileSync(corrupt, Buffer.from([0x0a, 0xff, 0xff]));
    await assertRejects(loadFixtures(set), 'fixture-invalid', corrupt, /TensorProto/);

    const txt = path.join(root, 'notes.txt');
    await assertRejects(loadFixtures(txt), 'fixture-invalid', txt, /unrecognised fixture file type/);
    const badJson = path.join(root, 'bad.json');
    writeFileSync(badJson, '{ "inputs": ');
    await assertRejects(loadFixtures(badJson), 'fixture-invalid', badJson, /JSON syntax error/);
  });
});
