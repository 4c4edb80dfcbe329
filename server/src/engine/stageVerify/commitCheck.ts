import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles } from '../analysis/analyzer';
import { readStagedSources } from '../analysis/gitIndex';
import { hasHead } from '../git';
import type { Stage } from '../analysis/types';
import type { StagesConfig } from '../config/types';
import { EngineError, isEngineError } from '../errors';
import { loadConfig } from '../config/load';
import { acceptCommand, stageVerdictLine } from './summary';
import { gitTop } from './tree';
import type { StageVerifyReport } from './types';
import { verifyStage } from './verifyStage';

/** What the pre-commit step concluded for one stage whose staged code differs from HEAD. */
export interface StageCommitResult {
  stage: string;
  file: string;
  /** 1-based line of the stage's declaration in the staged file. */
  line: number;
  status: 'equivalent' | 'not-equivalent' | 'accepted' | 'not-verified';
  /** The verdict line, or why the stage could not be verified. */
  message: string;
  blocking: boolean;
  report?: StageVerifyReport;
}

/**
 * verify-stage for every stage whose staged code differs from HEAD (its declaration overlaps a changed
 * line), the index against HEAD, within the per-stage budget. A divergence blocks unless that exact
 * staged code was accepted (`ml-parity verify-stage NAME --accept`); a stage that cannot be built
 * blocks too; a new stage, a changed signature or ungeneratable parameters are reported, not blocking.
 */
export async function checkStagedStages(opts: {
  root: string;
  config: StagesConfig;
  /** Stages of the staged analysis (the hook has them already). */
  stages: readonly Stage[];
  /** The staged text of a source file (absolute path), read only for the stages that changed. */
  source: (file: string) => string | undefined;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}): Promise<{ results: StageCommitResult[]; notes: string[] }> {
  const top = gitTop(opts.root);
  if (!hasHead(top))
    return { results: [], notes: ['stages: not verified, there is no HEAD commit to compare with yet'] };
  const accepted = readAccepted(top);
  const results: StageCommitResult[] = [];
  const changed = new Map<string, [number, number][]>();
  for (const stage of opts.stages) {
    const file = stage.body.file;
    if (!changed.has(file)) changed.set(file, changedLines(top, file));
    const hunks = changed.get(file) ?? [];
    const { start, end } = stage.body.range;
    if (!hunks.some(([a, b]) => a <= end.line && b >= start.line)) continue;
    if (opts.signal?.aborted) break;
    const base = { stage: stage.name, file, line: stage.location.range.start.line + 1 };
    if (!existsAtHead(top, file)) {
      // A new file has nothing at HEAD to be compared with; saying so costs no build.
      results.push({
        ...base,
        status: 'not-verified',
        message: `${stage.name}: not verified: new file, nothing at HEAD to compare with`,
        blocking: false,
      });
      continue;
    }
    const hash = stageHash(opts.source(file), stage);
    if (hash && accepted[stage.name] === hash) {
      results.push({
        ...base,
        status: 'accepted',
        message: `${stage.name}: change accepted (${acceptCommand(stage.name)}); not verified`,
        blocking: false,
      });
      continue;
    }
    opts.onProgress?.(`verifying stage ${stage.name} against HEAD`);
    try {
      const report = await verifyStage({
        root: opts.root,
        stage: stage.name,
        knownStages: opts.stages,
        candidate: { kind: 'index' },
        baseline: { kind: 'revision', rev: 'HEAD' },
        count: opts.config.count,
        callTimeoutMs: opts.config.timeoutMs,
        budgetMs: opts.config.budgetMs,
        signal: opts.signal,
      });
      const bad = report.status === 'not-equivalent';
      results.push({ ...base, status: report.status, message: stageVerdictLine(report), blocking: bad, report });
    } catch (e) {
      if (!isEngineError(e)) throw e;
      if (e.code === 'cancelled') throw e;
      // A version that does not build or load is a broken commit; the rest cannot be judged and says so.
      const blocking = e.code === 'stage-build-failed' || e.code === 'stage-load-failed';
      results.push({
        ...base,
        status: 'not-verified',
        message: `${stage.name}: not verified: ${e.format()}`,
        blocking,
      });
    }
  }
  return { results, notes: [] };
}

function existsAtHead(top: string, file: string): boolean {
  const rel = path.relative(top, file).split(path.sep).join('/');
  return spawnSync('git', ['cat-file', '-e', `HEAD:${rel}`], { cwd: top }).status === 0;
}

/** Changed line ranges (0-based, inclusive) of the staged file against HEAD; the whole file when new. */
function changedLines(top: string, file: string): [number, number][] {
  const rel = path.relative(top, file).split(path.sep).join('/');
  const r = spawnSync('git', ['diff', '--cached', '--no-color', '--no-ext-diff', '-U0', 'HEAD', '--', rel], {
    cwd: top,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) return [];
  const out: [number, number][] = [];
  for (const m of r.stdout.matchAll(/^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/gm)) {
    const start = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    // A pure deletion (count 0) sits between line start and start + 1.
    out.push(count === 0 ? [start - 1, start] : [start - 1, start + count - 2]);
  }
  return out;
}

/** Hash of a stage's declaration text as staged: an acceptance holds for exactly that code. */
function stageHash(text: string | undefined, stage: Stage): string | undefined {
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const { start, end } = stage.body.range;
  const body = lines.slice(start.line, end.line + 1).join('\n');
  return createHash('sha256').update(`${stage.name}\0${body}`).digest('hex');
}

function acceptedFile(top: string): string {
  const r = spawnSync('git', ['rev-parse', '--git-path', 'ml-parity/accepted-stages.json'], {
    cwd: top,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new EngineError('git-error', 'git rev-parse --git-path failed', { file: top });
  return path.resolve(top, r.stdout.trim());
}

function readAccepted(top: string): Record<string, string> {
  try {
    const data = JSON.parse(fs.readFileSync(acceptedFile(top), 'utf8')) as unknown;
    return typeof data === 'object' && data !== null ? (data as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * Records the staged code of one stage as an intended change: the next hook run lets exactly that code
 * through without verifying it (any further edit to the stage is verified again). Kept in the git folder,
 * never committed. Throws EngineError when the stage is unknown or has no staged change.
 */
export function acceptStagedStage(root: string, name: string): { file: string; line: number } {
  const top = gitTop(root);
  const sources = readStagedSources(root);
  const stages = analyzeFiles(root, loadConfig(root).analysis, sources, { exclusive: true }).stages;
  const stage = stages.find((s) => s.name === name);
  if (!stage) {
    const names = [...new Set(stages.map((s) => s.name))].sort().join(', ') || 'none';
    throw new EngineError('stage-not-found', `no stage named "${name}" in the index (the stages are: ${names})`, {
      file: root,
    });
  }
  const { start, end } = stage.body.range;
  if (!changedLines(top, stage.body.file).some(([a, b]) => a <= end.line && b >= start.line)) {
    throw new EngineError(
      'usage',
      `stage "${name}" has no staged change against HEAD: stage the change first (git add), then accept it`,
      { file: stage.body.file },
    );
  }
  const hash = stageHash(sources.get(stage.body.file), stage);
  if (!hash) throw new EngineError('file-not-found', 'the stage file is not in the index', { file: stage.body.file });
  const file = acceptedFile(top);
  const data = { ...readAccepted(top), [name]: hash };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 1) + '\n');
  return { file: stage.body.file, line: stage.location.range.start.line + 1 };
}
