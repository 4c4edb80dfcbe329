/**
 * Benchmark of the pipeline analysis on a generated ≈1,000-file, ≈66,000-line TypeScript pipeline
 * workspace: (1) whole-workspace time of ML Parity (full analysis, and clone detection alone) against
 * jscpd 5 and jscpd 4, (2) time of `Analyzer.updateFile` after one-file edits, (3) peak RSS during (2).
 * Every measurement runs in its own process (wall time includes start-up, as for a CLI run) and is
 * repeated; medians are reported. Run standalone: `node out/bench/analysis/analysisBench.js`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildCliBundles } from '../../scripts/bundles';
import { BIN, checkColdWarm, commitRuns, type CommitRuns } from './commitBench';
import { buildCorpus, DEFAULT_SHAPE, writeCorpus } from './corpus';
import type { ClonesRun, FullRun, IncrementalRun, ParseRun } from './worker';

const REPO = path.resolve(__dirname, '..', '..', '..');
const WORKER = path.join(__dirname, 'worker.js');
const REPEATS = 3;
const EDITS = 60;
const COMMITS = 16;

/** One contender of the whole-workspace comparison. */
interface WholeRow {
  contender: string;
  /** Median wall time of the process, ms. */
  wallMs: number;
  /** Median time inside the process spent on the analysis itself (ML Parity only), ms. */
  innerMs?: number;
  runsMs: number[];
  /** What it found, for context (findings by rule, clone classes, or jscpd's clone count). */
  found: string;
}

interface IncrementalSummary {
  files: number;
  edits: number;
  runs: number;
  /** Medians over the runs. */
  initialMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Highest sampled `process.memoryUsage().rss` over all runs, MB. */
  sampledPeakRssMb: number;
  /** Highest kernel high-water mark (`resourceUsage().maxRSS`) over all runs, MB. */
  maxRssMb: number;
  heapLimitMb: number;
  /** Every run's final incremental result equalled a from-scratch analysis of the same texts. */
  matchesFull: boolean;
  editMix: Record<string, number>;
}

export interface AnalysisBenchResult {
  machine: { cpus: number; node: string; loadBefore: number[]; loadAfter: number[] };
  corpus: { files: number; lines: number; bytes: number; description: string };
  whole: WholeRow[];
  incremental: IncrementalSummary;
  /** Through the repo's `bin/ml-parity`. */
  commits: CommitRuns;
  /** The same commits through the packaged extension's CLI (`dist/cli.js`, what its hook runs). */
  packagedCommits: CommitRuns;
  goals: { goal: string; measured: string; met: boolean }[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank quantile. */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)];
}

function runNode(args: string[], cwd: string): { ms: number; stdout: string } {
  const t0 = performance.now();
  const res = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}: ${res.stderr}`);
  return { ms, stdout: res.stdout };
}

function worker<T>(mode: string, root: string, extra: string[] = []): { ms: number; out: T } {
  const { ms, stdout } = runNode([WORKER, mode, root, ...extra], REPO);
  return { ms, out: JSON.parse(stdout.trim().split('\n').pop() as string) as T };
}

interface JscpdReport {
  statistics?: { total?: { clones?: number; percentage?: number } };
}

function jscpd(version: 4 | 5, root: string, outDir: string): { ms: number; found: string } {
  fs.rmSync(outDir, { recursive: true, force: true });
  const script = version === 5 ? 'node_modules/jscpd5/run-jscpd.js' : 'node_modules/jscpd4/bin/jscpd';
  // --no-gitignore: the corpus lives under bench/.work/, which the repository ignores.
  const args = [
    path.join(REPO, script),
    '--min-tokens',
    '50',
    '--min-lines',
    '5',
    '--silent',
    '--no-gitignore',
    '--reporters',
    'json',
    '--output',
    outDir,
    '.',
  ];
  const { ms } = runNode(args, root);
  const report = JSON.parse(fs.readFileSync(path.join(outDir, 'jscpd-report.json'), 'utf8')) as JscpdReport;
  const total = report.statistics?.total;
  return { ms, found: `${total?.clones ?? '?'} clones, ${total?.percentage?.toFixed(1) ?? '?'}% duplicated lines` };
}

function wholeRows(root: string, workDir: string): WholeRow[] {
  const full: { ms: number; out: FullRun }[] = [];
  const clones: { ms: number; out: ClonesRun }[] = [];
  const parse: { ms: number; out: ParseRun }[] = [];
  const j5: { ms: number; found: string }[] = [];
  const j4: { ms: number; found: string }[] = [];
  const checks: { coldMs: number; warmMs: number; offMs: number }[] = [];
  // Interleaved so that a change in machine load hits every contender alike.
  for (let i = 0; i < REPEATS; i++) {
    full.push(worker<FullRun>('full', root));
    clones.push(worker<ClonesRun>('clones', root));
    parse.push(worker<ParseRun>('parse', root));
    j5.push(jscpd(5, root, path.join(workDir, 'jscpd5-report')));
    j4.push(jscpd(4, root, path.join(workDir, 'jscpd4-report')));
    checks.push(checkColdWarm(root, path.join(workDir, 'check-cache'), path.join(workDir, 'check-report.json')));
  }
  const f = full[0].out;
  const rules = Object.entries(f.findings)
    .map(([r, n]) => `${n} ${r}`)
    .join(', ');
  return [
    {
      contender: 'ML Parity, full analysis (stages, reachability, clones, cycles)',
      wallMs: median(full.map((r) => r.ms)),
      innerMs: median(full.map((r) => r.out.ms)),
      runsMs: full.map((r) => r.ms),
      found: `${f.stages} stages; ${rules}`,
    },
    {
      contender: 'ML Parity, clone detection only (`detectClones`)',
      wallMs: median(clones.map((r) => r.ms)),
      innerMs: median(clones.map((r) => r.out.ms)),
      runsMs: clones.map((r) => r.ms),
      found: `${clones[0].out.classes} clone classes (files: ${clones[0].out.files})`,
    },
    {
      contender: 'Floor: load the compiler, read and parse every file, no analysis',
      wallMs: median(parse.map((r) => r.ms)),
      innerMs: median(parse.map((r) => r.out.ms)),
      runsMs: parse.map((r) => r.ms),
      found: `${parse[0].out.files} files parsed`,
    },
    {
      contender: '`ml-parity check` CLI, empty cache (cold; writes the cache)',
      wallMs: median(checks.map((r) => r.coldMs)),
      runsMs: checks.map((r) => r.coldMs),
      found: 'same findings as the full analysis',
    },
    {
      contender: '`ml-parity check` CLI, warm cache, no file changed',
      wallMs: median(checks.map((r) => r.warmMs)),
      runsMs: checks.map((r) => r.warmMs),
      found: 'same findings, read from the cache',
    },
    {
      contender: '`ml-parity check` CLI, no cache (`ML_PARITY_CACHE_DIR=off`, as before the cache)',
      wallMs: median(checks.map((r) => r.offMs)),
      runsMs: checks.map((r) => r.offMs),
      found: 'same findings as the full analysis',
    },
    {
      contender: 'jscpd 5 (Rust)',
      wallMs: median(j5.map((r) => r.ms)),
      runsMs: j5.map((r) => r.ms),
      found: j5[0].found,
    },
    {
      contender: 'jscpd 4 (JavaScript)',
      wallMs: median(j4.map((r) => r.ms)),
      runsMs: j4.map((r) => r.ms),
      found: j4[0].found,
    },
  ];
}

function incrementalSummary(root: string): IncrementalSummary {
  const runs: IncrementalRun[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(worker<IncrementalRun>('incremental', root, [String(EDITS)]).out);
  const mb = (b: number): number => Math.round(b / 1e6);
  const editMix: Record<string, number> = {};
  for (const e of runs[0].edits) editMix[e.what] = (editMix[e.what] ?? 0) + 1;
  return {
    files:
      DEFAULT_SHAPE.pipelines * (DEFAULT_SHAPE.stagesPerPipeline + 1) + DEFAULT_SHAPE.helpers + DEFAULT_SHAPE.tests + 2,
    edits: EDITS,
    runs: runs.length,
    initialMs: median(runs.map((r) => r.initialMs)),
    p50Ms: median(runs.map((r) => quantile(r.editMs, 0.5))),
    p95Ms: median(runs.map((r) => quantile(r.editMs, 0.95))),
    maxMs: median(runs.map((r) => Math.max(...r.editMs))),
    sampledPeakRssMb: mb(Math.max(...runs.map((r) => r.sampledPeakRss))),
    maxRssMb: mb(Math.max(...runs.map((r) => r.maxRss))),
    heapLimitMb: mb(runs[0].heapLimit),
    matchesFull: runs.every((r) => r.matchesFull),
    editMix,
  };
}

/** Generates the corpus under `workDir` and runs every measurement. */
export async function runAnalysisBench(workDir: string): Promise<AnalysisBenchResult> {
  const loadBefore = os.loadavg();
  const root = path.join(path.resolve(workDir), 'workspace');
  const corpus = buildCorpus(root);
  writeCorpus(corpus);
  const whole = wholeRows(root, path.resolve(workDir));
  const incremental = incrementalSummary(root);
  // Bundled as `npm run package` does; inside the repo, so its external packages resolve as from dist/.
  const packaged = path.join(REPO, 'bench', '.work', 'packaged-cli');
  fs.rmSync(packaged, { recursive: true, force: true });
  await buildCliBundles(packaged);
  const [commits, packagedCommits] = commitRuns(path.resolve(workDir), COMMITS, [BIN, path.join(packaged, 'cli.js')]);
  const packagedP50 = median(packagedCommits.hookMs);
  const [full, clones, , cold, warm, off, j5, j4] = whole;
  const hookP50 = median(commits.hookMs);
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
  const goals = [
    {
      goal: 'full analysis within 3× of jscpd 5',
      measured: ratio(full.wallMs, j5.wallMs),
      met: full.wallMs <= 3 * j5.wallMs,
    },
    {
      goal: 'clone detection alone within 3× of jscpd 5',
      measured: ratio(clones.wallMs, j5.wallMs),
      met: clones.wallMs <= 3 * j5.wallMs,
    },
    {
      goal: 'full analysis faster than jscpd 4',
      measured: ratio(full.wallMs, j4.wallMs),
      met: full.wallMs < j4.wallMs,
    },
    {
      goal: 'clone detection alone faster than jscpd 4',
      measured: ratio(clones.wallMs, j4.wallMs),
      met: clones.wallMs < j4.wallMs,
    },
    {
      goal: `one-file edit p95 < 100 ms (${incremental.files} files)`,
      measured: `${incremental.p95Ms.toFixed(0)} ms`,
      met: incremental.p95Ms < 100,
    },
    {
      goal: 'peak RSS during the edits < 600 MB',
      measured: `${incremental.maxRssMb} MB`,
      met: incremental.maxRssMb < 600,
    },
    {
      goal: 'warm `check` at most 0.5× jscpd 5 (cold)',
      measured: ratio(warm.wallMs, j5.wallMs),
      met: warm.wallMs <= 0.5 * j5.wallMs,
    },
    {
      goal: `\`hook run\` on a one-file commit < 0.5 s (median of the ${commits.hookMs.length} that change no stage's code)`,
      measured: `${Math.round(hookP50)} ms (${ratio(hookP50, j5.wallMs)} jscpd 5, ${ratio(hookP50, warm.wallMs)} warm check)`,
      met: hookP50 < 500,
    },
    {
      goal: `the same through the packaged extension's CLI (\`dist/cli.js\`, what a hook installed from the editor runs)`,
      measured: `${Math.round(packagedP50)} ms (${ratio(packagedP50, hookP50)} bin/ml-parity)`,
      met: packagedP50 < 500,
    },
    {
      // 4.65× was the in-process full analysis (the row above) before the cache existed.
      goal: 'cold analysis no slower than 4.65× jscpd 5 (the full analysis in process, as measured before the cache)',
      measured: ratio(full.wallMs, j5.wallMs),
      met: full.wallMs <= 4.65 * j5.wallMs,
    },
    {
      goal: "the CLI's first run (empty cache: it writes the cache) within 5% of the CLI without a cache",
      measured: `${ratio(cold.wallMs, off.wallMs)} (${ratio(cold.wallMs, j5.wallMs)} jscpd 5, against ${ratio(off.wallMs, j5.wallMs)})`,
      met: cold.wallMs <= 1.05 * off.wallMs,
    },
  ];
  return {
    machine: { cpus: os.cpus().length, node: process.version, loadBefore, loadAfter: os.loadavg() },
    corpus: {
      files: corpus.files.size,
      lines: corpus.lines,
      bytes: corpus.bytes,
      description: `synthetic ML pipeline workspace (seed ${DEFAULT_SHAPE.seed}): ${DEFAULT_SHAPE.pipelines} pipelines × ${DEFAULT_SHAPE.stagesPerPipeline} stage modules + index, ${DEFAULT_SHAPE.helpers} helper modules, ${DEFAULT_SHAPE.tests} test files`,
    },
    whole,
    incremental,
    commits,
    packagedCommits,
    goals,
  };
}

/** Markdown tables for bench/README.md. */
export function analysisBenchMarkdown(r: AnalysisBenchResult): string {
  const ms = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' / ');
  const inc = r.incremental;
  const lines = [
    `Corpus: ${r.corpus.description}; ${r.corpus.files} files, ${r.corpus.lines.toLocaleString('en-US')} lines, ${(r.corpus.bytes / 1e6).toFixed(1)} MB.`,
    `Machine: ${r.machine.cpus} CPUs, Node ${r.machine.node}, load average (1/5/15 min) ${load(r.machine.loadBefore)} before, ${load(r.machine.loadAfter)} after. Medians of ${inc.runs} runs.`,
    '',
    '### Whole workspace (`--min-tokens 50 --min-lines 5`, each run a fresh process)',
    '',
    '| Contender | Wall time | Analysis inside the process | Runs | Found |',
    '|---|---:|---:|---|---|',
    ...r.whole.map(
      (w) =>
        `| ${w.contender} | ${ms(w.wallMs)} | ${w.innerMs === undefined ? '—' : ms(w.innerMs)} | ${w.runsMs.map(ms).join(', ')} | ${w.found} |`,
    ),
    '',
    floorLine(r.whole),
    '',
    `### One-file edits through \`Analyzer.updateFile\` (${inc.files} files, ${inc.edits} edits of distinct files per run)`,
    '',
    '| Initial analysis | p50 | p95 | Max | Peak RSS (kernel) | Peak RSS (sampled) | V8 heap limit | Equals a full re-analysis |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
    `| ${ms(inc.initialMs)} | ${ms(inc.p50Ms)} | ${ms(inc.p95Ms)} | ${ms(inc.maxMs)} | ${inc.maxRssMb} MB | ${inc.sampledPeakRssMb} MB | ${inc.heapLimitMb} MB (default) | ${inc.matchesFull ? 'yes' : '**no**'} |`,
    '',
    `Edit mix: ${Object.entries(inc.editMix)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}.`,
    '',
    `### One-file commits through the CLI (${r.commits.hookMs.length + r.commits.hookStageMs.length} commits in a git repository of the corpus, each a fresh process)`,
    '',
    "Each commit is made twice, interleaved: through the repo's `bin/ml-parity` (tsc output; the TypeScript compiler loaded through its code cache) and through the packaged extension's `dist/cli.js` (the esbuild bundle, loaded through its code cache in the cache folder), each with its own repository and cache.",
    '',
    '| step | CLI | p50 | p95 | max |',
    '|---|---|---:|---:|---:|',
    ...commitRows(r.commits, 'bin/ml-parity', ms),
    ...commitRows(r.packagedCommits, 'dist/cli.js', ms),
    '',
    'Last hook summary:',
    '',
    '```',
    r.commits.lastSummary,
    '```',
    '',
    '### Goals',
    '',
    '| Goal | Measured | Met |',
    '|---|---:|---|',
    ...r.goals.map((g) => `| ${g.goal} | ${g.measured} | ${g.met ? 'yes' : 'no'} |`),
  ];
  return lines.join('\n') + '\n';
}

if (require.main === module) {
  const work = path.join(REPO, 'bench', '.work', 'analysis');
  runAnalysisBench(work)
    .then((r) => {
      fs.writeFileSync(path.join(work, 'result.json'), JSON.stringify(r, null, 2));
      console.log(analysisBenchMarkdown(r));
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}

function commitRows(c: CommitRuns, cli: string, ms: (x: number) => string): string[] {
  const row = (step: string, xs: readonly number[]): string =>
    `| ${step} | ${cli} | ${ms(quantile(xs, 0.5))} | ${ms(quantile(xs, 0.95))} | ${ms(Math.max(...xs))} |`;
  return [
    row("`check` after a one-file edit (other files' facts and tokens cached)", c.checkAfterEditMs),
    row(
      `\`hook run\`, ${c.hookMs.length} commits changing no stage's code (HEAD's result and state stored by the previous commit's run)`,
      c.hookMs,
    ),
    row(
      `\`hook run\`, ${c.hookStageMs.length} commits changing a stage's code (verify-stage runs on the stage too)`,
      c.hookStageMs,
    ),
    `| first \`hook run\` in the repository (nothing cached: HEAD and the index both analysed) | ${cli} | ${ms(c.firstHookMs)} | | |`,
  ];
}

/** How much of a 3×-jscpd-5 budget the parse-only floor already takes. */
function floorLine(whole: readonly WholeRow[]): string {
  const floor = whole.find((w) => w.contender.startsWith('Floor'));
  const j5 = whole.find((w) => w.contender.startsWith('jscpd 5'));
  if (!floor || !j5) return '';
  return `Parsing alone (no analysis) takes ${(floor.wallMs / j5.wallMs).toFixed(2)}× jscpd 5's time: ${Math.round((100 * floor.wallMs) / (3 * j5.wallMs))}% of a 3× budget.`;
}
