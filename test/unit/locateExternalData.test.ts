import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { externalizeWeights } from '../../scripts/onnx/externalData';
import { deepNet, type DeepNetOptions } from '../../scripts/onnx/deepNet';
import { EngineError } from '../../server/src/engine/errors';
import { InferenceHost } from '../../server/src/engine/inference/host';
import { locateDivergence } from '../../server/src/engine/locate/locate';
import type { Tensor } from '../../server/src/engine/tensor/tensor';
import { runCase } from '../../server/src/engine/verify';
import type { Divergence } from '../../server/src/engine/locate/types';
import { cli, git, tempDir, write } from '../support/tmp';

/** deepNet with every weight moved into `net.onnx.data` beside it; a perturbation changes only the data file. */
function netWithExternalData(o: DeepNetOptions): { model: Uint8Array; data: Uint8Array } {
  return externalizeWeights(deepNet(o), 'net.onnx.data');
}

const PERTURBED: DeepNetOptions = { perturb: { block: 11, amount: 0.05 } };

/** The located node is the perturbed Add, found with agreeing inputs and the perturbation's size. */
function assertFoundAddB11(d: Divergence | undefined, where: string): void {
  assert.ok(d, `${where}: a divergence section`);
  assert.equal(d.found, true, `${where}: ${d.reason}`);
  assert.deepEqual(d.baseline, { name: 'add_b11', opType: 'Add', output: 'a11' }, where);
  assert.equal(d.inputMaxAbs, 0, where);
  assert.ok(Math.abs((d.outputMaxAbs ?? 0) - 0.05) < 1e-6, `${where}: outputMaxAbs ${d.outputMaxAbs}`);
}

function locateJson(cwd: string, baseline: string, candidate: string): { status: number | null; d?: Divergence } {
  const r = cli(
    cwd,
    'verify',
    '--baseline',
    baseline,
    '--candidate',
    candidate,
    '--count',
    '4',
    '--locate',
    '--format',
    'json',
  );
  assert.ok(r.status === 1 || r.status === 2, `exit ${r.status}: ${r.stdout}${r.stderr}`);
  if (r.status === 2) return { status: 2 };
  const report = JSON.parse(r.stdout) as { cases: { status: string; divergence?: Divergence }[] };
  assert.equal(report.cases[0].status, 'fail');
  return { status: r.status, d: report.cases[0].divergence };
}

describe('verify --locate on models whose weights live in external data files (real onnxruntime)', function () {
  this.timeout(90_000);
  let dir: string;
  beforeEach(() => {
    dir = tempDir('mlp-locext-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('plain files: each side reads its own data file, even when both are named alike and the run starts beside one', async () => {
    const base = netWithExternalData({});
    const cand = netWithExternalData(PERTURBED);
    assert.deepEqual(base.model, cand.model, 'only the data files differ');
    const baseFile = write(dir, 'base/net.onnx', base.model);
    write(dir, 'base/net.onnx.data', base.data);
    const candFile = write(dir, 'cand/net.onnx', cand.model);
    write(dir, 'cand/net.onnx.data', cand.data);

    const r = await runCase({ name: 'x', baseline: baseFile, candidate: candFile, count: 4, locate: true });
    assert.equal(r.status, 'fail', JSON.stringify(r.error));
    assertFoundAddB11(r.divergence, 'in process');
    // From either model's folder, a data file resolved against the working folder would give both sides
    // the same weights and nothing would be seen to diverge.
    for (const cwd of [path.dirname(baseFile), path.dirname(candFile)]) {
      const { d } = locateJson(cwd, baseFile, candFile);
      assertFoundAddB11(d, `from ${cwd}`);
    }
  });

  it('a data file in a subfolder of the model (location "weights/net.bin") is found on both sides', async () => {
    const base = externalizeWeights(deepNet({}), 'weights/net.bin');
    const cand = externalizeWeights(deepNet(PERTURBED), 'weights/net.bin');
    const baseFile = write(dir, 'base/net.onnx', base.model);
    write(dir, 'base/weights/net.bin', base.data);
    const candFile = write(dir, 'cand/net.onnx', cand.model);
    write(dir, 'cand/weights/net.bin', cand.data);
    const { d } = locateJson(path.dirname(baseFile), baseFile, candFile);
    assertFoundAddB11(d, 'subfolder');
  });

  it('git:HEAD baseline: locates against the weights at HEAD, not the changed work-tree data file', async () => {
    git(dir, 'init', '-q');
    const v1 = netWithExternalData({});
    const file = write(dir, 'models/net.onnx', v1.model);
    const dataFile = write(dir, 'models/net.onnx.data', v1.data);
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'v1');
    fs.writeFileSync(dataFile, netWithExternalData(PERTURBED).data);

    const r = await runCase({ name: 'g', baseline: 'git:HEAD', candidate: file, count: 4, locate: true });
    assert.equal(r.status, 'fail', JSON.stringify(r.error));
    assertFoundAddB11(r.divergence, 'in process');
    for (const cwd of [dir, path.dirname(file)]) {
      const { d } = locateJson(cwd, 'git:HEAD', file);
      assertFoundAddB11(d, `from ${cwd}`);
    }
  });

  it('git:HEAD:path baseline beside a work-tree candidate in another folder', async () => {
    git(dir, 'init', '-q');
    const v1 = netWithExternalData({});
    write(dir, 'old/net.onnx', v1.model);
    write(dir, 'old/net.onnx.data', v1.data);
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'v1');
    // The work-tree copy of the baseline's data changes too: only HEAD's weights give the right answer.
    fs.writeFileSync(path.join(dir, 'old/net.onnx.data'), netWithExternalData(PERTURBED).data);
    const v2 = netWithExternalData(PERTURBED);
    const cand = write(dir, 'new/net.onnx', v2.model);
    write(dir, 'new/net.onnx.data', v2.data);
    const { d } = locateJson(dir, 'git:HEAD:old/net.onnx', cand);
    assertFoundAddB11(d, 'git:HEAD:old/net.onnx');
  });
});

describe('locateDivergence: a side whose external data cannot be read', function () {
  this.timeout(30_000);
  it('fails naming the side and its file, never a node', async () => {
    const dir = tempDir('mlp-locext-');
    const host = new InferenceHost();
    try {
      const base = netWithExternalData({});
      const cand = netWithExternalData(PERTURBED);
      const baseFile = write(dir, 'base/net.onnx', base.model);
      write(dir, 'base/net.onnx.data', base.data);
      const candFile = write(dir, 'cand/net.onnx', cand.model);
      // the candidate's data file is gone by the time the locator loads it
      const x: Tensor = {
        dtype: 'float32',
        dims: [1, 8],
        data: new Float32Array(8).fill(0.5),
      };
      await assert.rejects(
        locateDivergence({
          host,
          baseline: { bytes: base.model, file: baseFile, externalDataDir: path.dirname(baseFile) },
          candidate: { bytes: cand.model, file: candFile, externalDataDir: path.dirname(candFile) },
          fixtures: [{ id: '0', feeds: { x } }],
          failing: ['y'],
          timeoutMs: 20_000,
        }),
        (e: unknown) => {
          assert.ok(e instanceof EngineError);
          assert.match(e.message, /^candidate \S+cand\/net\.onnx: .*net\.onnx\.data/);
          assert.equal(e.location.file, candFile);
          return true;
        },
      );
    } finally {
      host.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
