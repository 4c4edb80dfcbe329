import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CloneType } from '../../server/src/engine/analysis/clones';
import { readCorpusSources } from './corpusSources';
import { injectClones } from './inject';
import { scoreTool } from './score';
import { timeIncremental, timeJscpd, timeMlParity } from './timing';
import { runJscpd, runMlParity } from './tools';
import type { CloneBenchResult, CorpusFile, ToolScore } from './types';

const SEED = 20240611;
const PER_TYPE = 40;
const EDITS = 200;

function writeCorpus(dir: string, files: CorpusFile[]): void {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const f of files) {
    const p = path.join(dir, f.rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, f.text);
  }
}

const pct = (x: number): string => x.toFixed(3);

function markdown(r: Omit<CloneBenchResult, 'markdown'>): string {
  const rows = r.scores.map(
    (s: ToolScore) =>
      `| ${s.tool} | ${pct(s.recall[1])} | ${pct(s.recall[2])} | ${pct(s.recall[3])} | ${pct(s.precision)} | ${s.reported} | ${s.truePositives} | ${s.falsePositives} | ${s.preExisting} | ${s.implied} |`,
  );
  const times = r.timing.map((t) => `| ${t.tool} | ${t.ms.toFixed(0)} |`);
  return [
    `Corpus: ${r.corpus.files} files, ${r.corpus.lines} lines; injected type-1/2/3: ${r.corpus.injected[1]}/${r.corpus.injected[2]}/${r.corpus.injected[3]}`,
    '',
    '| tool | recall T1 | recall T2 | recall T3 | precision | reported | TP | FP | pre-existing | implied |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '| whole corpus | ms |',
    '|---|---|',
    ...times,
    '',
    `| incremental (${r.incremental.files} files, ${r.incremental.edits} edits) | p50 ms | p95 ms | max ms |`,
    '|---|---|---|---|',
    `| ML Parity CloneIndex | ${r.incremental.p50Ms.toFixed(1)} | ${r.incremental.p95Ms.toFixed(1)} | ${r.incremental.maxMs.toFixed(1)} |`,
    '',
    `Peak RSS of the benchmark process: ${r.peakRssMb.toFixed(0)} MB`,
  ].join('\n');
}

/** Builds the seeded corpus, scores ML Parity and jscpd 5 on it, and times them (plus jscpd 4). */
export async function runCloneBench(root = path.resolve(__dirname, '../../..')): Promise<CloneBenchResult> {
  const work = path.join(root, 'bench/.work/clones');
  const pristine = readCorpusSources(root);
  const injected = pristine.map((f) => ({ ...f }));
  const injections = injectClones(injected, PER_TYPE, SEED);
  const pristineDir = path.join(work, 'pristine');
  const corpusDir = path.join(work, 'corpus');
  writeCorpus(pristineDir, pristine);
  writeCorpus(corpusDir, injected);

  const oursBefore = runMlParity(pristineDir, pristine);
  const ours = runMlParity(corpusDir, injected);
  const j5Before = runJscpd(root, 5, pristineDir, path.join(work, 'out5-pristine'));
  const j5 = runJscpd(root, 5, corpusDir, path.join(work, 'out5'));
  const scores = [
    scoreTool('ML Parity', ours, oursBefore, injections),
    scoreTool('jscpd 5.3.2', j5, j5Before, injections),
  ];

  const rels = injected.map((f) => f.rel);
  const timing = [
    { tool: 'ML Parity (in process)', ms: timeMlParity(corpusDir, rels) },
    { tool: 'jscpd 5.3.2 (Rust, own process)', ms: timeJscpd(root, 5, corpusDir, path.join(work, 'out5')) },
    { tool: 'jscpd 4.3.0 (Node, own process)', ms: timeJscpd(root, 4, corpusDir, path.join(work, 'out4')) },
  ];
  const incremental = timeIncremental(injected.slice(0, 1000), EDITS, SEED);
  const count = (t: CloneType): number => injections.filter((i) => i.type === t).length;
  const result = {
    corpus: {
      files: injected.length,
      lines: injected.reduce((n, f) => n + f.text.split('\n').length, 0),
      injected: { 1: count(1), 2: count(2), 3: count(3) } as Record<CloneType, number>,
    },
    scores,
    timing,
    incremental,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  return { ...result, markdown: markdown(result) };
}

if (require.main === module) {
  runCloneBench().then(
    (r) => console.log(r.markdown),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
