/**
 * The "mark every output" way of finding where two models diverge (what Polygraphy's
 * `--onnx-outputs mark all` does), run as its own process by the locate benchmark: every intermediate of
 * both models becomes a graph output, both run once on the same input, every pair is compared by name in
 * float64, and the first divergent one in file order is printed.
 * Usage: node markAll.js BASELINE CANDIDATE HEIGHT WIDTH
 */
import * as fs from 'node:fs';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';

function markAll(file: string): { bytes: Uint8Array; order: string[] } {
  const model = onnx.ModelProto.decode(fs.readFileSync(file));
  const g = model.graph;
  if (!g) throw new Error(`${file}: no graph`);
  const outputs = g.output ?? [];
  const present = new Set(outputs.map((o) => o.name));
  const order: string[] = [];
  for (const n of g.node ?? []) {
    for (const o of n.output ?? []) {
      order.push(o);
      if (!present.has(o)) outputs.push({ name: o });
    }
  }
  g.output = outputs;
  return { bytes: onnx.ModelProto.encode(model).finish(), order };
}

async function main(): Promise<void> {
  const [baseline, candidate, h, w] = process.argv.slice(2);
  const a = markAll(baseline);
  const b = markAll(candidate);
  const opts: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all' };
  const [sa, sb] = await Promise.all([
    ort.InferenceSession.create(a.bytes, opts),
    ort.InferenceSession.create(b.bytes, opts),
  ]);
  const n = 3 * Number(h) * Number(w);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37);
  const feeds = { [sa.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, Number(h), Number(w)]) };
  const [ra, rb] = await Promise.all([sa.run(feeds), sb.run(feeds)]);
  for (const name of a.order) {
    const x = ra[name]?.data as Float32Array | undefined;
    const y = rb[name]?.data as Float32Array | undefined;
    if (!x || !y || x.length !== y.length) continue;
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(y[i] - x[i]);
      if (d > 1e-5 + 1.3e-6 * Math.abs(x[i])) {
        console.log(name);
        return;
      }
    }
  }
  console.log('(none)');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
