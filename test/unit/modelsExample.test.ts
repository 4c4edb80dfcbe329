import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildExample, EXAMPLE_ROOT } from '../../scripts/buildExample';
import { DEFAULT_TOLERANCES, resolveTolerance } from '../../server/src/engine/compare/tolerance';
import type { Tolerance } from '../../server/src/engine/compare/types';
import { loadFixtures } from '../../server/src/engine/fixtures/load';
import { decodeTensorProto } from '../../server/src/engine/fixtures/tensorProto';
import type { Tensor } from '../../server/src/engine/tensor/tensor';

interface ConfigCase {
  name: string;
  baseline: string;
  candidate: string;
  fixtures: string;
  tolerance?: Partial<Tolerance>;
}

function listFiles(root: string, sub: string): string[] {
  const dir = path.join(root, sub);
  return readdirSync(dir).flatMap((name) => {
    const rel = `${sub}/${name}`;
    return statSync(path.join(root, rel)).isDirectory() ? listFiles(root, rel) : [rel];
  });
}

function floatData(t: Tensor): Float32Array {
  assert.equal(t.dtype, 'float32');
  return t.data as Float32Array;
}

/** Max |a-b| and whether every element passes |c-b| <= atol + rtol*|b|. */
function compare(
  base: Float32Array,
  cand: Float32Array,
  tol: { atol: number; rtol: number },
): { maxAbs: number; pass: boolean } {
  assert.equal(base.length, cand.length);
  let maxAbs = 0;
  let pass = true;
  base.forEach((b, i) => {
    const d = Math.abs(cand[i] - b);
    maxAbs = Math.max(maxAbs, d);
    if (!(d <= tol.atol + tol.rtol * Math.abs(b))) pass = false;
  });
  return { maxAbs, pass };
}

async function runAll(model: string, inputs: Tensor[]): Promise<Map<string, Float32Array>[]> {
  const session = await ort.InferenceSession.create(model);
  try {
    const runs: Map<string, Float32Array>[] = [];
    for (const t of inputs) {
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', floatData(t), t.dims) });
      runs.push(new Map(session.outputNames.map((n) => [n, out[n].data as Float32Array])));
    }
    return runs;
  } finally {
    await session.release();
  }
}

describe('example workspace models and fixtures', () => {
  let tmp = '';
  let written: string[] = [];

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'mlparity-example-'));
    written = await buildExample(tmp);
  });

  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('rebuilding yields the committed files, byte for byte', () => {
    const committed = [...listFiles(EXAMPLE_ROOT, 'models'), ...listFiles(EXAMPLE_ROOT, 'fixtures')].sort();
    assert.deepEqual([...written].sort(), committed, 'committed models/fixtures differ from what the script writes');
    for (const rel of written) {
      const fresh = readFileSync(path.join(tmp, rel));
      const kept = readFileSync(path.join(EXAMPLE_ROOT, rel));
      if (fresh.equals(kept)) continue;
      // Golden outputs come from onnxruntime, whose float32 kernels may round differently on another CPU;
      // everything else is pure script output and must match exactly.
      assert.match(rel, /output_\d+\.pb$/, `${rel} is not byte-identical`);
      const a = floatData(decodeTensorProto(fresh, rel).tensor);
      const b = floatData(decodeTensorProto(kept, rel).tensor);
      assert.ok(compare(b, a, { atol: 1e-4, rtol: 1e-5 }).pass, `${rel} differs beyond float32 rounding`);
    }
  });

  it('golden outputs are the baseline model outputs on the committed inputs', async () => {
    for (const [dir, model] of [
      ['fixtures/classifier', 'models/classifier.onnx'],
      ['fixtures/reduce', 'models/reduce.onnx'],
    ]) {
      const set = await loadFixtures(path.join(EXAMPLE_ROOT, dir));
      assert.equal(set.cases.length, 5);
      const runs = await runAll(
        path.join(EXAMPLE_ROOT, model),
        set.cases.map((c) => c.inputs[0].tensor),
      );
      set.cases.forEach((c, i) => {
        assert.ok(c.expected?.length);
        for (const e of c.expected) {
          const got = runs[i].get(e.name ?? '');
          assert.ok(got, `${c.id}: no output ${e.name}`);
          assert.ok(compare(floatData(e.tensor), got, DEFAULT_TOLERANCES.float32).pass, `${dir}/${c.id}/${e.name}`);
        }
      });
    }
  });

  it('the three configured cases pass, pass only within tolerance, and fail', async () => {
    const config = JSON.parse(readFileSync(path.join(EXAMPLE_ROOT, 'mlparity.config.json'), 'utf8')) as {
      verify: { cases: ConfigCase[] };
    };
    const verdicts: Record<string, { pass: boolean; passDefaults: boolean; maxAbs: number }> = {};
    for (const c of config.verify.cases) {
      const set = await loadFixtures(path.join(EXAMPLE_ROOT, c.fixtures));
      const inputs = set.cases.map((k) => k.inputs[0].tensor);
      const base = await runAll(path.join(EXAMPLE_ROOT, c.baseline), inputs);
      const cand = await runAll(path.join(EXAMPLE_ROOT, c.candidate), inputs);
      const tol = resolveTolerance('float32', c.tolerance);
      let [pass, passDefaults, maxAbs] = [true, true, 0];
      base.forEach((outputs, i) =>
        outputs.forEach((b, name) => {
          const candOut = cand[i].get(name);
          assert.ok(candOut);
          const r = compare(b, candOut, tol);
          pass &&= r.pass;
          passDefaults &&= compare(b, candOut, DEFAULT_TOLERANCES.float32).pass;
          maxAbs = Math.max(maxAbs, r.maxAbs);
        }),
      );
      verdicts[c.name] = { pass, passDefaults, maxAbs };
    }
    assert.deepEqual(Object.keys(verdicts), ['fuse-matmul-add', 'split-reduction', 'relu-to-leakyrelu']);
    assert.equal(verdicts['fuse-matmul-add'].pass, true);
    const split = verdicts['split-reduction'];
    assert.equal(split.pass, true, `split max abs diff ${split.maxAbs}`);
    assert.equal(split.passDefaults, false, 'the split case should need its widened tolerance');
    assert.ok(split.maxAbs > 0 && split.maxAbs < 1e-3, `split max abs diff ${split.maxAbs}`);
    assert.equal(verdicts['relu-to-leakyrelu'].pass, false);
  });
});
