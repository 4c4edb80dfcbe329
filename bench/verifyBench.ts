/**
 * Benchmark: ML Parity verify over 10,000 fixtures of a mid-size MLP (256→512→512→10) against plain
 * onnxruntime-node loops that run both models on the same inputs, all in one process run so the
 * machine state is the same for every contender.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { generateFixtures } from '../server/src/engine/fixtures/generate';
import { writeTestDataSet } from '../server/src/engine/fixtures/write';
import { runCase } from '../server/src/engine/verify';
import { benchMlp } from '../scripts/onnx/models';

export interface VerifyBenchRow {
  contender: string;
  seconds: number;
  rowsPerSecond: number;
}

export interface VerifyBenchResult {
  fixtures: number;
  rows: VerifyBenchRow[];
  /** ML Parity time / plain loop time, per plain-loop flavour. */
  ratios: Record<string, number>;
}

const FIXTURES = 10_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn: () => Promise<unknown>, repeats: number): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    runs.push((performance.now() - t) / 1000);
  }
  return median(runs);
}

/**
 * The script a user would write without ML Parity: create both sessions, run them on the same inputs
 * (`batch` rows per run), track the max |diff| of one output. Session creation is timed, as it is for
 * ML Parity.
 */
async function plainLoop(baseline: string, candidate: string, inputs: Float32Array[], batch: number): Promise<number> {
  const opts: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all' };
  const a = await ort.InferenceSession.create(baseline, opts);
  const b = await ort.InferenceSession.create(candidate, opts);
  let worst = 0;
  for (let start = 0; start < inputs.length; start += batch) {
    const rows = inputs.slice(start, start + batch);
    const data = new Float32Array(rows.length * 256);
    rows.forEach((r, i) => data.set(r, i * 256));
    const feeds = { features: new ort.Tensor('float32', data, [rows.length, 256]) };
    const [ra, rb] = await Promise.all([a.run(feeds), b.run(feeds)]);
    // A minimal comparison (max |diff| of one output) so the loop is not dead code.
    const pa = ra.probs.data as Float32Array;
    const pb = rb.probs.data as Float32Array;
    for (let i = 0; i < pa.length; i++) worst = Math.max(worst, Math.abs(pa[i] - pb[i]));
  }
  await Promise.all([a.release(), b.release()]);
  return worst;
}

/** What the same user script does to get its inputs from the fixture folders: read and decode each .pb. */
function readFixturesPlainly(dir: string, count: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const t = onnx.TensorProto.decode(fs.readFileSync(path.join(dir, `test_data_set_${i}`, 'input_0.pb')));
    const raw = t.rawData;
    out.push(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
  }
  return out;
}

export async function runVerifyBench(workDir: string, repeats = 3): Promise<VerifyBenchResult> {
  fs.mkdirSync(workDir, { recursive: true });
  const baseline = path.join(workDir, 'mlp.onnx');
  const candidate = path.join(workDir, 'mlp_fused.onnx');
  fs.writeFileSync(baseline, benchMlp({ fused: false }));
  fs.writeFileSync(candidate, benchMlp({ fused: true }));

  // The same 10,000 single-row fixtures for everyone, on disk in the ONNX test-data layout.
  const fixtureDir = path.join(workDir, 'fixtures');
  const generated = generateFixtures([{ name: 'features', dtype: 'float32', dims: ['batch', 256] }], {
    count: FIXTURES, seed: 1, range: [-1, 1], dims: { batch: 1 },
  });
  if (!fs.existsSync(path.join(fixtureDir, `test_data_set_${FIXTURES - 1}`))) {
    generated.cases.forEach((c, i) => writeTestDataSet(fixtureDir, i, c.inputs));
  }
  const inputs = generated.cases.map((c) => c.inputs[0].tensor.data as Float32Array);

  // Warm the runtime and the file cache once so no contender pays first-use costs alone.
  await plainLoop(baseline, candidate, inputs.slice(0, 8), 8);

  let mlReport: Awaited<ReturnType<typeof runCase>> | undefined;
  const mlParity = await time(async () => {
    mlReport = await runCase({ name: 'bench', baseline, candidate, fixtures: fixtureDir, timeoutMs: 600_000 });
  }, repeats);
  if (mlReport?.status !== 'pass') throw new Error(`bench case did not pass: ${JSON.stringify(mlReport?.error ?? mlReport?.status)}`);
  const mlParityInMemory = await time(async () => {
    await runCase({ name: 'bench', baseline, candidate, count: FIXTURES, seed: 1, dims: { batch: 1 }, timeoutMs: 600_000 });
  }, repeats);
  const loopBatched = await time(() => plainLoop(baseline, candidate, inputs, 512), repeats);
  const loopFromDisk = await time(() => plainLoop(baseline, candidate, readFixturesPlainly(fixtureDir, FIXTURES), 512), repeats);
  const loopSingle = await time(() => plainLoop(baseline, candidate, inputs, 1), repeats);

  const row = (contender: string, seconds: number): VerifyBenchRow => ({ contender, seconds, rowsPerSecond: FIXTURES / seconds });
  return {
    fixtures: FIXTURES,
    rows: [
      row('ML Parity verify (fixtures read from 10,000 test-data folders)', mlParity),
      row('ML Parity verify (synthetic fixtures, no disk)', mlParityInMemory),
      row('plain onnxruntime-node loop reading the same 10,000 .pb files, 512 rows per run', loopFromDisk),
      row('plain onnxruntime-node loop, inputs in memory, 512 rows per run', loopBatched),
      row('plain onnxruntime-node loop, 1 row per run', loopSingle),
    ],
    ratios: {
      'ML Parity (disk) / plain loop reading the same files': mlParity / loopFromDisk,
      'ML Parity (synthetic) / plain loop, inputs in memory': mlParityInMemory / loopBatched,
      'ML Parity (disk) / plain loop per row': mlParity / loopSingle,
    },
  };
}

export function verifyBenchMarkdown(r: VerifyBenchResult): string {
  const lines = [
    `| contender (${r.fixtures.toLocaleString('en')} fixtures, both models) | seconds (median) | rows/s |`,
    '| --- | ---: | ---: |',
    ...r.rows.map((x) => `| ${x.contender} | ${x.seconds.toFixed(3)} | ${Math.round(x.rowsPerSecond).toLocaleString('en')} |`),
    '',
    '| ratio | value |',
    '| --- | ---: |',
    ...Object.entries(r.ratios).map(([k, v]) => `| ${k} | ${v.toFixed(3)} |`),
  ];
  return lines.join('\n') + '\n';
}
