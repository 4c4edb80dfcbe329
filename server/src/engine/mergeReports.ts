import { mergeRunInfo, probeMsOf } from './inference/runPlan';
import { EngineError } from './errors';
import type { InputUsage } from './fixtures/inputUsage';
import { mergeOutputComparisons } from './mergeOutputs';
import { EMPTY_SHARD } from './shard';
import type { CaseReport, VerifyReport } from './verifyTypes';
import { TOOL_VERSION } from './version';

/** A shard report as read from a file: `file` names it in errors. */
export interface ShardFile {
  file: string;
  report: VerifyReport;
}

/**
 * `report merge`: the reports of `verify --shard 1/N` ... `N/N` combined into the report one unsharded run
 * gives (see mergeOutputComparisons for the statistics). Every shard of the same N must be there exactly once,
 * with the same cases in the same order. Throws EngineError('usage') naming the file otherwise.
 */
export function mergeShardReports(files: readonly ShardFile[]): VerifyReport {
  if (files.length === 0) throw new EngineError('usage', 'report merge needs the JSON reports of every shard');
  const ordered = orderShards(files);
  const names = ordered[0].report.cases.map((c) => c.name);
  for (const f of ordered) {
    const here = f.report.cases.map((c) => c.name);
    if (here.join('\u0000') !== names.join('\u0000')) {
      throw new EngineError('usage', `its cases (${here.join(', ')}) differ from ${ordered[0].file}'s (${names.join(', ')}); merge reports of one sharded run`, { file: f.file });
    }
  }
  const cases = names.map((_, k) => mergeCase(ordered.map((f) => ({ file: f.file, c: f.report.cases[k] }))));
  return {
    schemaVersion: 1,
    tool: { name: 'ml-parity', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    passed: cases.length > 0 && cases.every((c) => c.status === 'pass'),
    cases,
  };
}

/** Sorts the files by shard index, checking that 1..N each appear once with one N. */
function orderShards(files: readonly ShardFile[]): ShardFile[] {
  const withShard = files.map((f) => {
    const s = f.report.cases.find((c) => c.shard)?.shard;
    if (!s) throw new EngineError('usage', 'not a shard report: write each shard with verify --shard I/N --format json', { file: f.file });
    return { f, s };
  });
  const n = withShard[0].s.count;
  const seen = new Map<number, string>();
  for (const { f, s } of withShard) {
    if (s.count !== n) throw new EngineError('usage', `shard ${s.index}/${s.count} does not belong to a run of ${n} shards (${withShard[0].f.file})`, { file: f.file });
    const dup = seen.get(s.index);
    if (dup) throw new EngineError('usage', `shard ${s.index}/${n} given twice (also ${dup})`, { file: f.file });
    seen.set(s.index, f.file);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    throw new EngineError('usage', `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} missing: the merge would not cover every fixture`);
  }
  return withShard.sort((a, b) => a.s.index - b.s.index).map((x) => x.f);
}

function mergeCase(parts: { file: string; c: CaseReport }[]): CaseReport {
  const first = parts[0].c;
  const failed = parts.find((p) => p.c.status === 'error');
  const total = first.shard?.total ?? 0;
  const base: CaseReport = {
    name: first.name,
    status: 'error',
    mode: first.mode,
    fixtures: { origin: first.fixtures.origin, synthetic: first.fixtures.synthetic, count: parts.reduce((a, p) => a + p.c.fixtures.count, 0) },
    signatureDifferences: first.signatureDifferences,
    run: mergeRunInfo(parts.map((p) => p.c.run)),
    outputs: [],
    warnings: dedupe(parts.flatMap((p) => (p.c.warnings ?? []).filter((w) => !w.startsWith(EMPTY_SHARD)))),
    timing: {
      totalMs: parts.reduce((a, p) => a + p.c.timing.totalMs, 0),
      fixturesMs: parts.reduce((a, p) => a + p.c.timing.fixturesMs, 0),
      modelLoadMs: parts.reduce((a, p) => a + p.c.timing.modelLoadMs, 0),
      inferenceMs: parts.reduce((a, p) => a + p.c.timing.inferenceMs, 0),
      compareMs: parts.reduce((a, p) => a + p.c.timing.compareMs, 0),
      batched: parts.some((p) => p.c.timing.batched),
      ...probeMsOf(parts.map((p) => p.c)),
    },
  };
  if (first.baseline) base.baseline = first.baseline;
  if (first.candidate) base.candidate = first.candidate;
  const inputs = mergeInputs(parts.map((p) => p.c.inputs));
  if (inputs) base.inputs = inputs;
  if (failed) {
    const s = failed.c.shard;
    base.error = { ...failed.c.error!, message: `shard ${s?.index}/${s?.count} (${failed.file}): ${failed.c.error?.message ?? 'failed'}` };
    return base;
  }
  if (base.fixtures.count !== total) {
    throw new EngineError('usage', `the shards cover ${base.fixtures.count} of ${total} fixtures of case "${first.name}": were they run on different fixtures?`, { file: parts[0].file });
  }
  const names = first.outputs.map((o) => o.name);
  base.outputs = names.map((name, k) => mergeOutputComparisons(parts.map((p) => {
    const o = p.c.outputs[k];
    if (!o || o.name !== name) throw new EngineError('usage', `case "${first.name}" has other outputs than shard 1's`, { file: p.file });
    return o;
  }), parts[0].file));
  const failingDiff = first.status === 'fail' && parts.every((p) => p.c.outputs.every((o) => o.passed));
  base.status = base.outputs.every((o) => o.passed) && !failingDiff ? 'pass' : 'fail';
  return base;
}

/** Inputs over all shards: value range widened, shape from the first shard that fed any. */
function mergeInputs(lists: (InputUsage[] | undefined)[]): InputUsage[] | undefined {
  const present = lists.filter((l): l is InputUsage[] => !!l);
  if (present.length === 0) return undefined;
  return present[0].map((u, i) => {
    const all = present.map((l) => l[i]).filter((x): x is InputUsage => !!x && x.name === u.name);
    const fed = all.filter((x) => x.shape.length > 0 || x.min !== undefined);
    const m: InputUsage = { ...u, shape: [...(fed[0] ?? u).shape] };
    const mins = all.flatMap((x) => (x.min === undefined ? [] : [x.min]));
    const maxs = all.flatMap((x) => (x.max === undefined ? [] : [x.max]));
    if (mins.length > 0) m.min = Math.min(...mins);
    if (maxs.length > 0) m.max = Math.max(...maxs);
    if (fed.some((x) => x.shapeVaries || x.shape.join() !== m.shape.join())) m.shapeVaries = true;
    return m;
  });
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
