import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeTensorProto } from '../../server/src/engine/fixtures/tensorProto';
import { writeTestDataSet } from '../../server/src/engine/fixtures/write';
import { InferenceHost } from '../../server/src/engine/inference/host';
import { runCase } from '../../server/src/engine/verify';
import type { CaseReport, VerifyCase } from '../../server/src/engine/verifyTypes';
import { hangingModel, mlp, twoInputs, unsupportedOp, UNSUPPORTED_OP } from '../../scripts/onnx/models';
import { tempDir, write } from '../support/tmp';

function expectError(r: CaseReport, code: string, pattern: RegExp, file?: string): void {
  assert.equal(r.status, 'error', `expected an error, got ${r.status}`);
  assert.ok(r.error, 'error details');
  assert.equal(r.error.code, code, r.error.message);
  assert.match(r.error.message, pattern);
  if (file) assert.equal(r.error.file, file);
}

const classifier = (fused = false): Uint8Array =>
  mlp({ inDim: 4, hidden: 8, outDim: 3, seed: 1, fused, activation: 'relu' });

describe('verify: bad input gets a clear, located error', function () {
  this.timeout(60_000);
  let dir: string;
  let good: string;
  beforeEach(() => {
    dir = tempDir();
    good = write(dir, 'good.onnx', classifier());
  });
  const run = (c: Partial<VerifyCase>): Promise<CaseReport> =>
    runCase({ name: 'bad', candidate: good, baseline: good, count: 2, ...c });

  it('missing model file', async () => {
    const missing = path.join(dir, 'nope.onnx');
    expectError(await run({ baseline: missing }), 'file-not-found', /not found/, missing);
  });

  it('a file that is not ONNX', async () => {
    const txt = write(dir, 'notes.onnx', 'hello, this is not a model\n');
    expectError(await run({ candidate: txt }), 'not-onnx', /not a valid ONNX model/, txt);
  });

  it('a truncated ONNX file', async () => {
    const bytes = classifier();
    const cut = write(dir, 'cut.onnx', bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectError(await run({ candidate: cut }), 'not-onnx', /truncated|not a valid/, cut);
  });

  it('an op onnxruntime cannot run, named', async () => {
    const m = write(dir, 'unsupported.onnx', unsupportedOp());
    const r = await runCase({ name: 'u', candidate: m, baseline: m, count: 1 });
    expectError(r, 'unsupported-op', new RegExp(UNSUPPORTED_OP), m);
  });

  it('input names that differ between the models', async () => {
    const a = write(dir, 'a.onnx', twoInputs({}));
    const b = write(dir, 'b.onnx', twoInputs({ aName: 'alpha' }));
    const r = await runCase({ name: 's', baseline: a, candidate: b, count: 1 });
    expectError(r, 'signature-mismatch', /input "a" is missing/);
    assert.ok(r.signatureDifferences.some((d) => d.kind === 'extra-input' && d.name === 'alpha'));
  });

  it('input dtypes that differ', async () => {
    const a = write(dir, 'a.onnx', twoInputs({}));
    const b = write(dir, 'b.onnx', twoInputs({ bDtype: 'float64' }));
    expectError(
      await runCase({ name: 's', baseline: a, candidate: b, count: 1 }),
      'signature-mismatch',
      /dtype float32 vs float64/,
    );
  });

  it('input shapes that differ', async () => {
    const a = write(dir, 'a.onnx', twoInputs({}));
    const b = write(dir, 'b.onnx', twoInputs({ width: 5 }));
    expectError(
      await runCase({ name: 's', baseline: a, candidate: b, count: 1 }),
      'signature-mismatch',
      /dim 1 is 4 vs 5/,
    );
  });

  it('a fixture missing an input', async () => {
    const a = write(dir, 'a.onnx', twoInputs({}));
    const fx = path.join(dir, 'fx');
    writeTestDataSet(fx, 0, [{ name: 'a', tensor: { dtype: 'float32', dims: [1, 4], data: new Float32Array(4) } }]);
    expectError(
      await runCase({ name: 'f', baseline: a, candidate: a, fixtures: fx }),
      'fixture-missing-input',
      /input 'b'/,
    );
  });

  it('a fixture of the wrong dtype', async () => {
    const fx = path.join(dir, 'fx');
    writeTestDataSet(fx, 0, [
      { name: 'features', tensor: { dtype: 'float64', dims: [1, 4], data: new Float64Array(4) } },
    ]);
    expectError(await run({ fixtures: fx }), 'fixture-invalid', /float64/);
  });

  it('a fixture with the wrong element count', async () => {
    const fx = path.join(dir, 'fx');
    writeTestDataSet(fx, 0, [
      { name: 'features', tensor: { dtype: 'float32', dims: [2, 5], data: new Float32Array(10) } },
    ]);
    expectError(await run({ fixtures: fx }), 'fixture-invalid', /features/);
  });

  it('a malformed fixture file', async () => {
    const fx = path.join(dir, 'fx');
    write(
      fx,
      'test_data_set_0/input_0.pb',
      encodeTensorProto({ dtype: 'float32', dims: [1, 4], data: new Float32Array(4) }, 'features').subarray(0, 5),
    );
    const r = await run({ fixtures: fx });
    expectError(r, 'fixture-invalid', /input_0\.pb|invalid|truncated/i);
    assert.match(r.error!.file ?? '', /input_0\.pb$/);
  });

  it('an empty fixture set', async () => {
    const fx = path.join(dir, 'empty');
    fs.mkdirSync(fx);
    expectError(await run({ fixtures: fx }), 'fixture-empty', /.+/);
  });

  it('golden mode without expected outputs', async () => {
    const fx = path.join(dir, 'fx');
    writeTestDataSet(fx, 0, [
      { name: 'features', tensor: { dtype: 'float32', dims: [1, 4], data: new Float32Array(4) } },
    ]);
    expectError(await runCase({ name: 'g', candidate: good, fixtures: fx }), 'usage', /golden mode/);
  });

  it('a model that hangs is stopped by the timeout', async () => {
    const m = write(dir, 'hang.onnx', hangingModel());
    const started = Date.now();
    const r = await runCase({ name: 'h', baseline: m, candidate: m, count: 1, timeoutMs: 1500 });
    expectError(r, 'inference-timeout', /did not finish within 1500 ms/);
    assert.ok(Date.now() - started < 30_000, 'returned promptly after the timeout');
  });

  it('a crash of the inference process rejects instead of taking the caller down', async () => {
    const host = new InferenceHost();
    try {
      await host.load('m', hangingModel(), 30_000, 'hang.onnx');
      const running = host.run(
        ['m'],
        { x: { dtype: 'float32', dims: [1], data: new Float32Array(1) } },
        60_000,
        'running',
      );
      process.kill(host.pid!, 'SIGSEGV');
      await assert.rejects(running, (e: Error & { code?: string }) => {
        assert.equal(e.code, 'inference-crashed');
        assert.match(e.message, /SIGSEGV/);
        return true;
      });
    } finally {
      host.dispose();
    }
  });

  it('cancellation stops a running case', async () => {
    const m = write(dir, 'hang.onnx', hangingModel());
    const ac = new AbortController();
    const pending = runCase(
      { name: 'c', baseline: m, candidate: m, count: 1, timeoutMs: 60_000 },
      { signal: ac.signal },
    );
    setTimeout(() => ac.abort(), 300);
    expectError(await pending, 'cancelled', /cancelled/);
  });
});
