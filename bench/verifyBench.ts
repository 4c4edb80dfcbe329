/**
 * Benchmark: ML Parity verify over 10,000 fixtures of a mid-size MLP (256→512→512→10) against a plain
 * onnxruntime-node script that runs both models on the same inputs. Each contender is a whole process
 * (node start, runtime load, sessions, fixture reading, inference, comparison), timed side by side in
 * one run, the median of several repeats in alternating order.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateFixtures } from '../server/src/engine/fixtures/generate';
import { writeTestDataSet } from '../server/src/engine/fixtures/write';
import { benchMlp, mlp } from '../scripts/onnx/models';

interface VerifyBenchRow {
  contender: string;
  seconds: number;
  rowsPerSecond: number;
}

export interface VerifyBenchResult {
  fixtures: number;
  model: string;
  repeats: number;
  rows: VerifyBenchRow[];
  /** ML Parity time / plain script time, like for like. */
  ratios: Record<string, number>;
}

const FIXTURES = 10_000;
const root = path.resolve(__dirname, '..', '..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall time of one process run; a non-zero exit is a broken benchmark, not a data point. */
function timeProcess(args: string[], expectStatus = 0): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const s = (performance.now() - t) / 1000;
  if (r.status !== expectStatus)
    throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout.slice(0, 500)}`);
  return s;
}

/** A model pair to benchmark: the same weights as MatMul+Add and as Gemm. */
interface BenchModel {
  name: string;
  inDim: number;
  build: (fused: boolean) => Uint8Array;
  /** Run the synthetic and 1-row contenders too (cheap for the small model only). */
  allContenders: boolean;
}

export const BENCH_MODELS: BenchModel[] = [
  {
    name: 'MLP 256→512→512→10 (0.4 M parameters)',
    inDim: 256,
    build: (fused) => benchMlp({ fused }),
    allContenders: true,
  },
  {
    name: 'MLP 784→2048→2048→10 (5.8 M parameters)',
    inDim: 784,
    build: (fused) => mlp({ inDim: 784, hidden: [2048, 2048], outDim: 10, seed: 11, fused, activation: 'relu' }),
    allContenders: false,
  },
];

function prepare(workDir: string, m: BenchModel): { baseline: string; candidate: string; fixtureDir: string } {
  fs.mkdirSync(workDir, { recursive: true });
  const baseline = path.join(workDir, 'mlp.onnx');
  const candidate = path.join(workDir, 'mlp_fused.onnx');
  fs.writeFileSync(baseline, m.build(false));
  fs.writeFileSync(candidate, m.build(true));
  // The same 10,000 single-row fixtures for everyone, on disk in the ONNX test-data layout.
  const fixtureDir = path.join(workDir, 'fixtures');
  if (!fs.existsSync(path.join(fixtureDir, `test_data_set_${FIXTURES - 1}`))) {
    const generated = generateFixtures([{ name: 'features', dtype: 'float32', dims: ['batch', m.inDim] }], {
      count: FIXTURES,
      seed: 1,
      range: [-1, 1],
      dims: { batch: 1 },
    });
    generated.cases.forEach((c, i) => writeTestDataSet(fixtureDir, i, c.inputs));
  }
  return { baseline, candidate, fixtureDir };
}

/**
 * `against`: the root of another built checkout (e.g. main before a change, `ML_PARITY_BENCH_AGAINST`); its CLI
 * runs as one more contender, alternating with this one in the same run, so a before/after ratio is side by side.
 */
export async function runVerifyBench(
  workDir: string,
  m: BenchModel = BENCH_MODELS[0],
  repeats = 5,
  against = process.env.ML_PARITY_BENCH_AGAINST,
): Promise<VerifyBenchResult> {
  const { baseline, candidate, fixtureDir } = prepare(workDir, m);
  const cli = path.join(root, 'bin', 'ml-parity');
  const plain = path.join(root, 'out', 'bench', 'plainLoop.js');
  const verifyArgs = ['verify', '--baseline', baseline, '--candidate', candidate, '--fixtures', fixtureDir];
  const contenders: [string, string[]][] = [
    ['ml-parity verify --fixtures (10,000 test-data folders)', [cli, ...verifyArgs, '--format', 'json']],
    ['plain onnxruntime-node script, same fixtures, 512 rows per run', [plain, baseline, candidate, fixtureDir, '512']],
  ];
  const reference = against ? path.join(path.resolve(against), 'bin', 'ml-parity') : undefined;
  if (reference) {
    contenders.push([`the same, reference build at ${against}`, [reference, ...verifyArgs, '--format', 'json']]);
  }
  if (m.allContenders && !reference) {
    contenders.push(
      ['plain onnxruntime-node script, same fixtures, 1 row per run', [plain, baseline, candidate, fixtureDir, '1']],
      [
        'ml-parity verify, 10,000 synthetic fixtures (no disk)',
        [
          cli,
          'verify',
          '--baseline',
          baseline,
          '--candidate',
          candidate,
          '--count',
          String(FIXTURES),
          '--dim',
          'batch=1',
          '--format',
          'json',
        ],
      ],
    );
  }
  const times = contenders.map(() => [] as number[]);
  timeProcess(contenders[1][1]); // warm the file cache and the runtime's shared library once
  for (let r = 0; r < repeats; r++) {
    // Alternate the order so drift in machine load does not favour one contender.
    const order = r % 2 === 0 ? contenders.map((_, i) => i) : contenders.map((_, i) => contenders.length - 1 - i);
    for (const i of order) times[i].push(timeProcess(contenders[i][1]));
  }
  const rows = contenders.map(([name], i) => {
    const seconds = median(times[i]);
    return { contender: name, seconds, rowsPerSecond: FIXTURES / seconds };
  });
  const ratios: Record<string, number> = {
    'ml-parity verify / plain script (512 rows per run)': rows[0].seconds / rows[1].seconds,
  };
  if (reference) {
    ratios['reference build / plain script (512 rows per run)'] = rows[2].seconds / rows[1].seconds;
    ratios['ml-parity verify / reference build'] = rows[0].seconds / rows[2].seconds;
  } else if (m.allContenders) {
    ratios['ml-parity verify / plain script (1 row per run)'] = rows[0].seconds / rows[2].seconds;
  }
  return { fixtures: FIXTURES, model: m.name, repeats, rows, ratios };
}

export function verifyBenchMarkdown(r: VerifyBenchResult): string {
  const lines = [
    `${r.model}:`,
    '',
    `| contender (${r.fixtures.toLocaleString('en')} fixtures, both models, whole process) | seconds (median of ${r.repeats}) | rows/s |`,
    '| --- | ---: | ---: |',
    ...r.rows.map(
      (x) => `| ${x.contender} | ${x.seconds.toFixed(3)} | ${Math.round(x.rowsPerSecond).toLocaleString('en')} |`,
    ),
    '',
    '| ratio | value |',
    '| --- | ---: |',
    ...Object.entries(r.ratios).map(([k, v]) => `| ${k} | ${v.toFixed(3)} |`),
  ];
  return lines.join('\n') + '\n';
}
