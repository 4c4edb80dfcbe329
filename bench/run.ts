/**
 * `npm run bench`: every benchmark in one process run, printed as Markdown for bench/README.md.
 * `npm run bench -- verify` (or `clones`, `analysis`, `stage`) runs one of them.
 */
import * as path from 'node:path';
import { analysisBenchMarkdown, runAnalysisBench } from './analysis/analysisBench';
import { runCloneBench } from './clones/run';
import { runStageBench, stageBenchMarkdown } from './stageBench';
import { BENCH_MODELS, runVerifyBench, verifyBenchMarkdown } from './verifyBench';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  const work = path.join(root, 'bench', '.work');
  const only = process.argv[2];
  if (!only || only === 'verify') {
    console.log('## verify: ML Parity vs plain onnxruntime-node\n');
    console.log(verifyBenchMarkdown(await runVerifyBench(path.join(work, 'verify'), BENCH_MODELS[0], 5)));
    console.log(verifyBenchMarkdown(await runVerifyBench(path.join(work, 'verify-mid'), BENCH_MODELS[1], 3)));
  }
  if (!only || only === 'clones') {
    console.log('## clones: seeded precision/recall and timing vs jscpd\n');
    console.log((await runCloneBench(root)).markdown);
  }
  if (!only || only === 'analysis') {
    console.log('## analysis: 1,000-file pipeline workspace vs jscpd, one-file edits, memory\n');
    console.log(analysisBenchMarkdown(await runAnalysisBench(path.join(work, 'analysis'))));
  }
  if (!only || only === 'stage') {
    console.log('## verify-stage: a simple stage, cold CLI and warm language server\n');
    console.log(stageBenchMarkdown(await runStageBench(path.join(work, 'stage'))));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
