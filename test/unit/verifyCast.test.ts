import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { castTensor } from '../../server/src/engine/tensor/cast';
import { halfToFloat, type Tensor } from '../../server/src/engine/tensor/tensor';
import { runCase } from '../../server/src/engine/verify';
import { affineIo } from '../../scripts/onnx/inputModels';
import { cli, tempDir, write } from '../support/tmp';

describe('float16 I/O: --cast-inputs', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = tempDir();
    write(dir, 'f32.onnx', affineIo('float32'));
    write(dir, 'f16.onnx', affineIo('float16'));
    // fixtures in float32 for models that take float16: cast when read
    write(
      dir,
      'fx.json',
      JSON.stringify({ inputs: { x: { dims: [1, 6], type: 'float32', data: [0.1, 0.2, 0.3, -0.4, 0.5, 0.6] } } }),
    );
  });
  const p = (f: string): string => path.join(dir, f);

  it('casts like onnxruntime: round to nearest half, truncate toward zero for integers', () => {
    const t: Tensor = { dtype: 'float32', dims: [4], data: Float32Array.from([0.1, -2.7, 65520, 1e-8]) };
    const h = castTensor(t, 'float16');
    assert.deepEqual([...(h.data as Uint16Array)].map(halfToFloat), [0.0999755859375, -2.69921875, Infinity, 0]);
    assert.deepEqual([...(castTensor(t, 'int32').data as Int32Array)], [0, -2, 65520, 0]);
    assert.deepEqual([...(castTensor(t, 'int64').data as BigInt64Array)], [0n, -2n, 65520n, 0n]);
    assert.equal(castTensor(t, 'float32'), t);
    assert.throws(() => castTensor(t, 'bool'), /cannot cast/);
  });

  it('without the flag the input dtype difference is an error that suggests it', async () => {
    const r = await runCase({ name: 'f16', baseline: p('f32.onnx'), candidate: p('f16.onnx'), count: 2 });
    assert.equal(r.status, 'error');
    assert.equal(r.error?.code, 'signature-mismatch');
    assert.match(r.error?.message ?? '', /input "x": dtype float32 vs float16.*pass --cast-inputs/);
  });

  it('with it each model gets its own dtype, float16 outputs compare with float16 tolerance, and the report says so', async () => {
    const r = await runCase({
      name: 'f16',
      baseline: p('f32.onnx'),
      candidate: p('f16.onnx'),
      count: 8,
      dims: { batch: 4 },
      castInputs: true,
      tolerance: { atol: 5e-3 },
    });
    assert.equal(r.status, 'pass', JSON.stringify(r.error ?? r.outputs));
    const y = r.outputs[0];
    assert.equal(y.dtype, 'float32');
    assert.equal(y.candidateDtype, 'float16');
    assert.equal(y.tolerance.rtol, 1e-3, 'float16 default rtol');
    assert.ok(y.maxAbs > 0 && y.maxAbs < 5e-3, `maxAbs ${y.maxAbs}`);
    assert.deepEqual(r.inputs?.[0].castTo, { candidate: 'float16' });
    assert.ok(
      r.signatureDifferences.some((d) => d.kind === 'dtype' && d.side === 'output'),
      'the output dtype change is still listed',
    );
  });

  it('a float16 candidate that really differs still fails', async () => {
    const other = write(dir, 'f16b.onnx', affineIo('float16'));
    const r = await runCase({
      name: 'f16',
      baseline: p('f32.onnx'),
      candidate: other,
      count: 2,
      castInputs: true,
      tolerance: { atol: 0, rtol: 1e-6 },
    });
    assert.equal(r.status, 'fail', 'float16 rounding is beyond float32 tolerance when asked for it');
  });

  it('fixtures of another dtype: error suggests the flag; with it they are cast when read', async () => {
    const both16 = { name: 'f16', baseline: p('f16.onnx'), candidate: p('f16.onnx'), fixtures: p('fx.json') };
    const refused = await runCase(both16);
    assert.equal(refused.status, 'error');
    assert.match(
      refused.error?.message ?? '',
      /wrong dtype: expected float16\[batch,6\], got float32\[1,6\] \(--cast-inputs casts fixtures/,
    );
    const cast = await runCase({ ...both16, castInputs: true });
    assert.equal(cast.status, 'pass', JSON.stringify(cast.error));
    assert.equal(cast.inputs?.[0].fixtureDtype, 'float32');
    assert.equal(cast.inputs?.[0].dtype, 'float16');
  });

  it('CLI: exit 2 with the hint, then exit 0 with --cast-inputs and the cast in the text report', () => {
    const no = cli(dir, 'verify', '--baseline', 'f32.onnx', '--candidate', 'f16.onnx', '--dim', 'batch=2');
    assert.equal(no.status, 2);
    assert.match(no.stdout, /pass --cast-inputs/);
    const yes = cli(
      dir,
      'verify',
      '--baseline',
      'f32.onnx',
      '--candidate',
      'f16.onnx',
      '--dim',
      'batch=2',
      '--cast-inputs',
    );
    assert.equal(yes.status, 0, yes.stdout + yes.stderr);
    assert.match(yes.stdout, /^ {4}x {2}float32\[2,6\].*cast to float16 for the candidate$/m);
    assert.match(yes.stdout, /PASS {2}y {2}float32\/float16\[2,6\]/);
  });
});
