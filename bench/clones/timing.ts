import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CloneIndex, detectClones } from '../../server/src/engine/analysis/clones';
import { mulberry32 as rng } from '../../server/src/engine/random';
import { runJscpd, type JscpdVersion } from './tools';
import type { CorpusFile } from './types';

/** Wall time of ML Parity on the corpus as it lies on disk (read + tokenize + detect). */
export function timeMlParity(dir: string, rels: string[]): number {
  const t0 = performance.now();
  const sources = rels.map((rel) => ({
    file: path.join(dir, rel),
    text: fs.readFileSync(path.join(dir, rel), 'utf8'),
  }));
  detectClones(sources, {});
  return performance.now() - t0;
}

/** Wall time of one jscpd process on the same corpus (includes its start-up, as a user would see it). */
export function timeJscpd(root: string, version: JscpdVersion, dir: string, outDir: string): number {
  const t0 = performance.now();
  runJscpd(root, version, dir, outDir);
  return performance.now() - t0;
}

export interface IncrementalTiming {
  files: number;
  edits: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** One-file edits in a warm index: time of `update` + `classes()` per edit. */
export function timeIncremental(files: CorpusFile[], edits: number, seed: number): IncrementalTiming {
  const random = rng(seed);
  const index = new CloneIndex({});
  for (const f of files) index.update({ file: `/ws/${f.rel}`, text: f.text });
  index.classes();
  const times: number[] = [];
  for (let k = 0; k < edits; k++) {
    const f = files[Math.floor(random() * files.length)];
    const lines = f.text.split('\n');
    const at = Math.floor(random() * lines.length);
    // Alternately duplicate a line (typing) and insert a fresh statement.
    lines.splice(at, 0, k % 2 === 0 ? lines[at] : `const mlParityEdit${k} = ${k};`);
    const t0 = performance.now();
    index.update({ file: `/ws/${f.rel}`, text: lines.join('\n') });
    index.classes();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return {
    files: files.length,
    edits,
    p50Ms: quantile(times, 0.5),
    p95Ms: quantile(times, 0.95),
    maxMs: times[times.length - 1],
  };
}
