/**
 * verify-stage timings on the real paths: the CLI from a cold process (`bin/ml-parity verify-stage`, what
 * the pre-commit hook and a terminal pay), and the language server's command once warm (what "Verify
 * against HEAD" costs after the first run). A simple stage: a moving average refactored to a running sum,
 * equivalent, so all 200 generated inputs run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ServerCommands, type StageReport } from '../server/src/protocol';
import { LspTestClient } from '../test/server/lspClient';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'ml-parity');

const BEFORE = `export function movingAverage(xs: number[], window: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + window <= xs.length; i++) {
    let s = 0;
    for (let j = i; j < i + window; j++) s += xs[j];
    out.push(s / window);
  }
  return out;
}
`;
const AFTER = `export function movingAverage(xs: number[], window: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + window <= xs.length; i++) {
    let s = 0;
    for (let k = 0; k < window; k++) s += xs[i + k];
    out.push(s / window);
  }
  return out;
}
`;

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export interface StageBenchResult {
  coldCliMs: number[];
  warmLspMs: number[];
  inputs: number;
}

export async function runStageBench(work: string, coldRuns = 5, warmRuns = 10): Promise<StageBenchResult> {
  fs.rmSync(work, { recursive: true, force: true });
  const repo = path.join(work, 'repo');
  fs.mkdirSync(path.join(repo, 'src', 'pipeline'), { recursive: true });
  const file = path.join(repo, 'src', 'pipeline', 'smooth.ts');
  fs.writeFileSync(file, BEFORE);
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'init');
  fs.writeFileSync(file, AFTER);

  const coldCliMs: number[] = [];
  for (let i = 0; i < coldRuns; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, 'verify-stage', 'movingAverage'], { cwd: repo, encoding: 'utf8' });
    coldCliMs.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`verify-stage exited ${r.status}: ${r.stdout}${r.stderr}`);
  }

  const client = await LspTestClient.start(repo);
  let inputs = 0;
  const warmLspMs: number[] = [];
  try {
    await client.open(file);
    await client.waitFor('the first analysis', () => client.statuses.some((s) => s.state === 'idle'), 60_000);
    const args = [{ stage: 'movingAverage', uri: pathToFileURL(file).href }];
    await client.executeCommand(ServerCommands.verifyStage, args); // warms the caches and the compiler
    for (let i = 0; i < warmRuns; i++) {
      const t = process.hrtime.bigint();
      const report = (await client.executeCommand(ServerCommands.verifyStage, args)) as StageReport;
      warmLspMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (report.status !== 'equivalent') throw new Error(`expected equivalent, got ${report.status}`);
      inputs = Number(report.inputs.total);
    }
  } finally {
    await client.stop();
  }
  return { coldCliMs, warmLspMs, inputs };
}

export function stageBenchMarkdown(r: StageBenchResult): string {
  const row = (name: string, xs: number[], budget: number): string =>
    `| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} | ${budget} |`;
  return [
    `| verify-stage movingAverage (${r.inputs} generated inputs, equivalent) | median ms | min ms | max ms | budget ms |`,
    '| --- | ---: | ---: | ---: | ---: |',
    row(`CLI, cold process (\`ml-parity verify-stage\`, ${r.coldCliMs.length} runs)`, r.coldCliMs, 2000),
    row(`language server, warm (\`${ServerCommands.verifyStage}\`, ${r.warmLspMs.length} runs after one)`, r.warmLspMs, 300),
    '',
  ].join('\n');
}
