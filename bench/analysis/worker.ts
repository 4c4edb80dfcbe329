/**
 * One measurement in a fresh process (so memory and warm-up of one do not leak into the next):
 * `node worker.js <mode> <root> [edits]`, prints one JSON line. Modes:
 * - full: `analyzeFiles` over the workspace on disk (cold, like the CLI);
 * - clones: read every source file (tests too, as jscpd does) and `detectClones` only (like-for-like vs jscpd);
 * - parse: load the compiler, read and parse every file, nothing else (the floor of any parsing analysis);
 * - incremental: warm `Analyzer`, then `edits` one-file edits through `updateFile`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import fg from 'fast-glob';
import { ts } from '../../server/src/engine/analysis/typescript';
import { Analyzer, analyzeFiles, type AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { detectClones } from '../../server/src/engine/analysis/clones';
import { DEFAULT_ANALYSIS } from '../../server/src/engine/config/types';
import { buildCorpus } from './corpus';
import { editSequence } from './edits';

export interface FullRun {
  ms: number;
  files: number;
  stages: number;
  findings: Record<string, number>;
}

/** The floor any parsing analysis pays: load the compiler, read and parse every file, nothing else. */
export interface ParseRun {
  ms: number;
  files: number;
}

export interface ClonesRun {
  ms: number;
  files: number;
  classes: number;
}

export interface IncrementalRun {
  /** Constructor + first analyzeAll. */
  initialMs: number;
  /** Per edit, in order. */
  editMs: number[];
  edits: { rel: string; what: string }[];
  /** Highest `process.memoryUsage().rss` seen, sampled after every step (bytes). */
  sampledPeakRss: number;
  /** Kernel high-water mark of the process (`resourceUsage().maxRSS`, bytes) up to the end of the edits. */
  maxRss: number;
  heapLimit: number;
  /** True when the last incremental result equals a fresh full analysis of the same texts. */
  matchesFull: boolean;
}

function ruleCounts(r: AnalysisResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of r.findings) out[f.rule] = (out[f.rule] ?? 0) + 1;
  return out;
}

function full(root: string): FullRun {
  const t0 = performance.now();
  const r = analyzeFiles(root, DEFAULT_ANALYSIS);
  const ms = performance.now() - t0;
  return { ms, files: r.files, stages: r.stages.length, findings: ruleCounts(r) };
}

function clones(root: string): ClonesRun {
  const t0 = performance.now();
  const rels = fg.sync(DEFAULT_ANALYSIS.include, { cwd: root, ignore: DEFAULT_ANALYSIS.exclude });
  const sources = rels.map((rel) => ({
    file: path.join(root, rel),
    text: fs.readFileSync(path.join(root, rel), 'utf8'),
  }));
  const classes = detectClones(sources, DEFAULT_ANALYSIS.clones);
  return { ms: performance.now() - t0, files: sources.length, classes: classes.length };
}

function parseOnly(root: string): ParseRun {
  const t0 = performance.now();
  const rels = fg.sync(DEFAULT_ANALYSIS.include, { cwd: root, ignore: DEFAULT_ANALYSIS.exclude });
  for (const rel of rels)
    ts.createSourceFile(rel, fs.readFileSync(path.join(root, rel), 'utf8'), ts.ScriptTarget.ES2022, false);
  return { ms: performance.now() - t0, files: rels.length };
}

const comparable = (r: AnalysisResult): string =>
  JSON.stringify({ findings: r.findings, stages: r.stages, files: r.files });

function incremental(root: string, count: number): IncrementalRun {
  const corpus = buildCorpus(root);
  const edits = editSequence(corpus, count, 7);
  let peak = process.memoryUsage().rss;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const t0 = performance.now();
  const analyzer = new Analyzer(root, DEFAULT_ANALYSIS);
  analyzer.analyzeAll();
  const initialMs = performance.now() - t0;
  sample();
  const editMs: number[] = [];
  let last: AnalysisResult | undefined;
  for (const e of edits) {
    const t = performance.now();
    last = analyzer.updateFile(path.join(root, e.rel), e.text);
    editMs.push(performance.now() - t);
    sample();
  }
  const maxRss = process.resourceUsage().maxRSS * 1024;
  // Correctness guard for the optimisations: incremental state must equal a from-scratch run.
  const overrides = new Map(edits.map((e) => [path.join(root, e.rel), corpus.files.get(e.rel) as string]));
  const fresh = analyzeFiles(root, DEFAULT_ANALYSIS, overrides);
  const matchesFull = last !== undefined && comparable(last) === comparable(fresh);
  const heapLimit = getHeapStatistics().heap_size_limit;
  return {
    initialMs,
    editMs,
    edits: edits.map((e) => ({ rel: e.rel, what: e.what })),
    sampledPeakRss: peak,
    maxRss,
    heapLimit,
    matchesFull,
  };
}

if (require.main === module) {
  const [mode, dir, n] = process.argv.slice(2);
  const root = path.resolve(dir);
  const out =
    mode === 'full'
      ? full(root)
      : mode === 'clones'
        ? clones(root)
        : mode === 'parse'
          ? parseOnly(root)
          : incremental(root, Number(n ?? 60));
  process.stdout.write(JSON.stringify(out) + '\n');
}
