/**
 * The script an ML engineer would write without ML Parity, run as its own process by the verify
 * benchmark: read the ONNX test-data fixtures, run both models on the same inputs (ROWS rows per run),
 * and report the max |diff| of every output. Usage: node plainLoop.js BASELINE CANDIDATE FIXTURE_DIR [ROWS]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';

function readInputs(dir: string): Float32Array[] {
  const sets = fs.readdirSync(dir).filter((n) => n.startsWith('test_data_set_'));
  sets.sort((a, b) => Number(a.slice(14)) - Number(b.slice(14)));
  return sets.map((n) => {
    const raw = onnx.TensorProto.decode(fs.readFileSync(path.join(dir, n, 'input_0.pb'))).rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  });
}

export async function plainLoop(
  baseline: string,
  candidate: string,
  inputs: Float32Array[],
  rows: number,
): Promise<Record<string, number>> {
  const opts: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all' };
  const [a, b] = await Promise.all([
    ort.InferenceSession.create(baseline, opts),
    ort.InferenceSession.create(candidate, opts),
  ]);
  const width = inputs[0].length;
  const worst: Record<string, number> = {};
  for (let start = 0; start < inputs.length; start += rows) {
    const chunk = inputs.slice(start, start + rows);
    const data = new Float32Array(chunk.length * width);
    chunk.forEach((r, i) => data.set(r, i * width));
    const feeds = { [a.inputNames[0]]: new ort.Tensor('float32', data, [chunk.length, width]) };
    const [ra, rb] = await Promise.all([a.run(feeds), b.run(feeds)]);
    for (const name of a.outputNames) {
      const pa = ra[name].data as Float32Array;
      const pb = rb[name].data as Float32Array;
      let w = worst[name] ?? 0;
      for (let i = 0; i < pa.length; i++) w = Math.max(w, Math.abs(pa[i] - pb[i]));
      worst[name] = w;
    }
  }
  await Promise.all([a.release(), b.release()]);
  return worst;
}

if (require.main === module) {
  const [baseline, candidate, dir, rows] = process.argv.slice(2);
  void plainLoop(baseline, candidate, readInputs(dir), Number(rows ?? 512)).then((w) => console.log(JSON.stringify(w)));
}
