import { bindInputs } from './fixtures/bind';
import { writeTestDataSet } from './fixtures/write';
import { InferenceHost } from './inference/host';
import { readModel, runtimeSource, withExternalData } from './onnx/modelSource';
import { parseModel } from './onnx/modelProto';
import type { VerifyCase } from './verifyTypes';
import { DEFAULT_TIMEOUT_MS, fixturesFor } from './verify';

/**
 * Runs the case's reference model (the baseline if given, else the candidate) on its fixtures and
 * writes inputs plus outputs in the ONNX test-data layout, so later runs can compare against them.
 * Returns the number of data sets written.
 */
export async function updateGolden(c: VerifyCase, outDir: string, workerPath?: string): Promise<number> {
  const model = readModel(c.baseline ?? c.candidate, process.cwd(), c.candidate);
  const { signature, externalData } = parseModel(model.bytes, model.file);
  const fixtures = fixturesFor(c, signature);
  const release = withExternalData(model, externalData);
  const host = new InferenceHost(workerPath);
  try {
    const timeout = c.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    await host.load('golden', runtimeSource(model), timeout, model.file);
    let index = 0;
    for (const fc of fixtures.read(0, fixtures.count)) {
      const feeds = bindInputs(fc, signature.inputs, fc.source);
      const outputs = (await host.run(['golden'], Object.fromEntries(feeds), timeout, `running case ${fc.id}`)).golden;
      writeTestDataSet(
        outDir,
        index++,
        signature.inputs.map((i) => ({ name: i.name, tensor: feeds.get(i.name)! })),
        signature.outputs.map((o) => ({ name: o.name, tensor: outputs[o.name] })),
      );
    }
    return index;
  } finally {
    host.dispose();
    release();
  }
}
