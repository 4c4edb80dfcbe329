/**
 * `npm run demo`: runs ML Parity on the bundled example workspace and prints what a user would see.
 * The wrong refactor (Relu → LeakyRelu) is meant to fail; the demo exits 0 when every case ends as
 * expected and non-zero when one does not, so it doubles as a smoke test.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const example = path.join(root, 'examples', 'workspace');
const bin = path.join(root, 'bin', 'ml-parity');

const EXPECTED: Record<string, string> = {
  'fuse-matmul-add': 'pass',
  'split-reduction': 'pass',
  'relu-to-leakyrelu': 'fail',
};

function run(args: string[], show: boolean): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: example, encoding: 'utf8' });
  if (show) process.stdout.write(r.stdout + r.stderr);
  return { status: r.status, stdout: r.stdout };
}

function main(): number {
  console.log(`$ cd examples/workspace && ml-parity check\n`);
  const check = run(['check'], true);
  console.log(`(exit ${check.status})\n`);

  console.log(`$ cd examples/workspace && ml-parity verify\n`);
  const text = run(['verify'], true);
  console.log(`(exit ${text.status}: 1 means a case is not equivalent, as expected for relu-to-leakyrelu)\n`);

  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-demo-')), 'report.json');
  run(['verify', '--format', 'json', '--out', out], false);
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { cases: { name: string; status: string }[] };
  const wrong = report.cases.filter((c) => EXPECTED[c.name] !== c.status);
  if (wrong.length > 0 || report.cases.length !== Object.keys(EXPECTED).length || text.status !== 1) {
    console.error(`demo: unexpected results: ${JSON.stringify(report.cases.map((c) => [c.name, c.status]))}`);
    return 1;
  }
  console.log(
    `demo: every case ended as expected (${Object.entries(EXPECTED)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}); JSON report at ${out}`,
  );
  return 0;
}

process.exitCode = main();
