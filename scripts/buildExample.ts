/**
 * Regenerates the example workspace's models and fixtures:
 *   node out/scripts/buildExample.js [workspaceRoot]   (default: examples/workspace)
 * Models and fixture inputs depend only on fixed seeds; golden outputs come from running the baseline
 * model in onnxruntime-node, so they are bit-stable on one machine and equal to float32 rounding elsewhere.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeTestDataSet } from '../server/src/engine/fixtures/write';
import type { DType, NamedTensor, Tensor } from '../server/src/engine/tensor/tensor';
import { classifierInputs, exampleModels, reduceInputs } from './onnx/exampleData';

/** A fixture folder of the workspace: which model makes its golden outputs and what feeds it. */
interface FixtureSpec {
  dir: string;
  baseline: string;
  inputName: string;
  inputs: Tensor[];
}

const FIXTURES: ReadonlyArray<() => FixtureSpec> = [
  () => ({
    dir: 'fixtures/classifier',
    baseline: 'models/classifier.onnx',
    inputName: 'features',
    inputs: classifierInputs(),
  }),
  () => ({ dir: 'fixtures/reduce', baseline: 'models/reduce.onnx', inputName: 'x', inputs: reduceInputs() }),
];

function fromOrt(t: ort.Tensor): Tensor {
  return { dtype: t.type as DType, dims: [...t.dims], data: t.data };
}

function toOrt(t: Tensor): ort.Tensor {
  return new ort.Tensor(t.dtype, t.data, t.dims);
}

async function writeFixtures(root: string, spec: FixtureSpec, model: Uint8Array): Promise<string[]> {
  const dir = path.join(root, spec.dir);
  rmSync(dir, { recursive: true, force: true }); // no stale sets from an older, larger build
  const session = await ort.InferenceSession.create(model);
  const written: string[] = [];
  try {
    for (const [i, input] of spec.inputs.entries()) {
      const result = await session.run({ [spec.inputName]: toOrt(input) });
      const outputs: NamedTensor[] = session.outputNames.map((name) => ({ name, tensor: fromOrt(result[name]) }));
      const setDir = writeTestDataSet(dir, i, [{ name: spec.inputName, tensor: input }], outputs);
      const rel = path.relative(root, setDir).split(path.sep).join('/');
      written.push(`${rel}/input_0.pb`, ...outputs.map((_, k) => `${rel}/output_${k}.pb`));
    }
  } finally {
    await session.release();
  }
  return written;
}

/** Writes every model and fixture under `root`; returns the written paths, relative and '/'-separated. */
export async function buildExample(root: string): Promise<string[]> {
  const models = exampleModels();
  const written: string[] = [];
  for (const m of models) {
    mkdirSync(path.dirname(path.join(root, m.file)), { recursive: true });
    writeFileSync(path.join(root, m.file), m.bytes);
    written.push(m.file);
  }
  for (const make of FIXTURES) {
    const spec = make();
    const model = models.find((m) => m.file === spec.baseline);
    if (!model) throw new Error(`no model ${spec.baseline}`);
    written.push(...(await writeFixtures(root, spec, model.bytes)));
  }
  return written;
}

/** The committed example workspace, seen from the compiled `out/scripts/`. */
export const EXAMPLE_ROOT = path.resolve(__dirname, '..', '..', 'examples', 'workspace');

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? EXAMPLE_ROOT);
  buildExample(root).then(
    (files) => console.log(`wrote ${files.length} files under ${root}`),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
