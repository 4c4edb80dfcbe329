/**
 * Benchmark: `ml-parity verify --locate` on a ~5.6 MB, 300-node conv net with one Conv perturbed deep
 * inside (block 27 of 33), against the "mark every output" way (bench/markAll.ts). Each contender is a
 * whole process; time is wall clock, memory the peak resident size of the process and its children
 * (the inference worker), sampled from /proc every 20 ms.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convNet } from '../scripts/onnx/convNet';

const root = path.resolve(__dirname, '..', '..');
const SIZE = 64;
const PERTURBED = 'conv_b27_2';

export interface LocateBenchRow {
  contender: string;
  seconds: number;
  peakMb: number;
  found: string;
}

/** Resident kB of a process and all its descendants (Linux /proc). */
function treeRssKb(pid: number): number {
  let total = 0;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const kids = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const k of kids ? kids.split(/\s+/) : []) total += treeRssKb(Number(k));
    }
  } catch {
    // the process ended between two reads
  }
  return total;
}

function measure(args: string[]): Promise<{ seconds: number; peakMb: number; stdout: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    let peak = 0;
    const timer = setInterval(() => {
      if (child.pid) peak = Math.max(peak, treeRssKb(child.pid));
    }, 20);
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(timer);
      if (status !== 0 && status !== 1) reject(new Error(`${args.join(' ')} exited ${status}: ${stderr}`));
      else resolve({ seconds: (performance.now() - t) / 1000, peakMb: peak / 1024, stdout, status });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function runLocateBench(workDir: string, repeats = 3): Promise<LocateBenchRow[]> {
  fs.mkdirSync(workDir, { recursive: true });
  const baseline = path.join(workDir, 'conv.onnx');
  const candidate = path.join(workDir, 'conv_perturbed.onnx');
  fs.writeFileSync(baseline, convNet());
  fs.writeFileSync(candidate, convNet({ perturb: { block: 27, amount: 0.5 } }));
  const cli = path.join(root, 'bin', 'ml-parity');
  const dims = ['--dim', `height=${SIZE}`, '--dim', `width=${SIZE}`, '--dim', 'batch=1', '--count', '1'];
  const contenders: { name: string; args: string[]; found: (out: string) => string }[] = [
    {
      name: `ml-parity verify --locate (verify, then the search)`,
      args: [cli, 'verify', '--baseline', baseline, '--candidate', candidate, ...dims, '--locate', '--format', 'json'],
      found: (out) =>
        (JSON.parse(out) as { cases: { divergence?: { baseline?: { name: string } } }[] }).cases[0].divergence?.baseline
          ?.name ?? '(none)',
    },
    {
      name: 'ml-parity verify without --locate (the verify part alone)',
      args: [cli, 'verify', '--baseline', baseline, '--candidate', candidate, ...dims, '--format', 'json'],
      found: () => '-',
    },
    {
      name: 'mark every output of both models, one run, compare all (plain onnxruntime-node)',
      args: [path.join(root, 'out', 'bench', 'markAll.js'), baseline, candidate, String(SIZE), String(SIZE)],
      found: (out) => out.trim(),
    },
  ];
  const rows: LocateBenchRow[] = [];
  for (const c of contenders) {
    const runs = [];
    for (let r = 0; r < repeats; r++) runs.push(await measure(c.args));
    const found = c.found(runs[0].stdout);
    if (c.found !== contenders[1].found && !found.startsWith(PERTURBED))
      throw new Error(`${c.name} found ${found}, not ${PERTURBED}`);
    rows.push({
      contender: c.name,
      seconds: median(runs.map((x) => x.seconds)),
      peakMb: median(runs.map((x) => x.peakMb)),
      found,
    });
  }
  return rows;
}

export function locateBenchMarkdown(rows: LocateBenchRow[]): string {
  return (
    [
      `Conv net, 300 nodes, 5.6 MB, input 1×3×${SIZE}×${SIZE}, Conv '${PERTURBED}' perturbed (node 248 of 300):`,
      '',
      '| contender (whole process) | seconds (median) | peak RSS, MB (process + children) | reported |',
      '| --- | ---: | ---: | --- |',
      ...rows.map((r) => `| ${r.contender} | ${r.seconds.toFixed(2)} | ${Math.round(r.peakMb)} | ${r.found} |`),
    ].join('\n') + '\n'
  );
}
