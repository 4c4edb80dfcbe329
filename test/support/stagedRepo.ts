import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { analyzeFiles, type AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { DiskCache } from '../../server/src/engine/analysis/cache/diskCache';
import { readStagedSources } from '../../server/src/engine/analysis/gitIndex';
import { analyzeSince, type SinceResult } from '../../server/src/engine/analysis/since';
import type { AnalysisConfig } from '../../server/src/engine/config/types';
import { git, write, writeWorkspace } from './tmp';

// Shared by the tests of the hook's derived analyses (stored states, deltas, stored walks, project files):
// a committed repository with its workspace cache, and a staged analysis checked against a fresh one.

/** What a derived analysis must give exactly as a fresh one does. */
export const comparable = (r: AnalysisResult): string =>
  JSON.stringify({ findings: r.findings, stages: r.stages, files: r.files, notes: r.notes, leftOut: r.leftOut });

/** Temp repositories of one suite: `make` commits `files` once; `cleanup` (an `after` hook) removes them all. */
export function committedRepos(prefix: string): {
  make: (files: Record<string, string>) => { root: string; cache: DiskCache };
  cleanup: () => void;
} {
  const roots: string[] = [];
  return {
    make: (files) => {
      const root = writeWorkspace(files, prefix);
      roots.push(root);
      git(root, 'init', '-q');
      git(root, 'add', '.');
      git(root, 'commit', '-qm', 'init');
      const cache = DiskCache.forWorkspace(root);
      assert.ok(cache, 'the repository needs a package.json for its cache');
      return { root, cache };
    },
    cleanup: () => roots.splice(0).forEach((r) => fs.rmSync(r, { recursive: true, force: true })),
  };
}

/** The staged analysis against HEAD through the cache, asserted equal to a fresh analysis of the staged files. */
export function sinceFresh(root: string, config: AnalysisConfig, cache: DiskCache): SinceResult {
  const s = analyzeSince({ root, config, rev: 'HEAD', staged: true, cache });
  const fresh = analyzeFiles(root, config, readStagedSources(root), { exclusive: true });
  assert.equal(comparable(s.result), comparable(fresh));
  return s;
}

/** Writes a file and stages it. */
export function stage(root: string, rel: string, text: string): void {
  write(root, rel, text);
  git(root, 'add', rel);
}
