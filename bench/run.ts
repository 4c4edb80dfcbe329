/** `npm run bench`: every benchmark in one process run, printed as Markdown for bench/README.md. */
import * as path from 'node:path';
import { runVerifyBench, verifyBenchMarkdown } from './verifyBench';

async function main(): Promise<void> {
  const work = path.resolve(__dirname, '..', '..', 'bench', '.work');
  const only = process.argv[2];
  if (!only || only === 'verify') {
    console.log('## verify: ML Parity vs plain onnxruntime-node\n');
    console.log(verifyBenchMarkdown(await runVerifyBench(path.join(work, 'verify'))));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
