import { applyAcceptance } from './compare/acceptance';
import { MetricsAccumulator } from './compare/metrics';
import { ExactSum } from './compare/exactSum';
import { mergeTailSnapshots } from './compare/tailMerge';
import type { OutputComparison, WorstElement } from './compare/types';
import { EngineError } from './errors';

/**
 * One output's statistics over all shards, in shard order, exactly as one run over all fixtures gives them:
 * counts and histograms add, maxima take the maximum, the mean divides an exact sum, the worst element is the
 * first unfixable one else the first largest finite one (shards hold consecutive fixtures), top-k agreement
 * adds its row counts. p99 is exact unless the shards' tails cannot pin it down; then `p99Bound` says
 * within which interval it lies. Every part must carry `partial` (a report written with --shard).
 */
export function mergeOutputComparisons(parts: readonly OutputComparison[], where: string): OutputComparison {
  const first = parts[0];
  const partials = parts.map((p, i) => {
    const q = p.partial;
    if (!q)
      throw new EngineError(
        'usage',
        `${where}: output "${p.name}" of shard ${i + 1} has no merge data; write shard reports with --shard I/N --format json`,
      );
    if (
      !Array.isArray(q.sumAbs) ||
      !q.tail ||
      !Array.isArray(q.tail.top) ||
      !q.topK ||
      !Array.isArray(p.histogram?.counts)
    ) {
      throw new EngineError(
        'usage',
        `${where}: the merge data of output "${p.name}" in shard ${i + 1} is incomplete; was the report edited or written by another version?`,
      );
    }
    return q;
  });
  const elements = sum(parts.map((p) => p.elements));
  const nanMismatches = sum(parts.map((p) => p.nanMismatches));
  const infMismatches = sum(parts.map((p) => p.infMismatches));
  const overflows = sum(partials.map((p) => p.overflows));
  const mismatches = sum(parts.map((p) => p.mismatches));
  const exact = new ExactSum();
  for (const p of partials) for (const x of p.sumAbs) exact.add(x);
  const finitePopulation = elements - nanMismatches - infMismatches - overflows;
  const unfixable = partials.find((p) => p.firstUnfixable)?.firstUnfixable;
  let worstFinite: WorstElement | undefined;
  for (const p of partials)
    if (p.worstFinite && (!worstFinite || p.worstFinite.absDiff > worstFinite.absDiff)) worstFinite = p.worstFinite;
  const shapeMismatch = parts.find((p) => p.shapeMismatch)?.shapeMismatch;
  const p99 = mergeTailSnapshots(
    0.99,
    partials.map((p) => p.tail),
  );
  const top = partials.reduce(
    (a, p) => ({
      r1: a.r1 + p.topK.top1Rows,
      a1: a.a1 + p.topK.top1Agree,
      r5: a.r5 + p.topK.top5Rows,
      a5: a.a5 + p.topK.top5Agree,
    }),
    { r1: 0, a1: 0, r5: 0, a5: 0 },
  );
  const counts = first.histogram.counts.map((_, i) => sum(parts.map((p) => p.histogram.counts[i] ?? 0)));
  const merged: OutputComparison = {
    name: first.name,
    candidateName: first.candidateName,
    dtype: first.dtype,
    shape: (parts.find((p) => p.elements > 0 || p.shapeMismatch) ?? first).shape,
    tolerance: { ...first.tolerance },
    passed: mismatches === 0 && !shapeMismatch,
    elements,
    maxAbs: Math.max(...parts.map((p) => p.maxAbs)),
    maxRel: Math.max(...parts.map((p) => p.maxRel)),
    meanAbs: finitePopulation > 0 ? exact.value() / finitePopulation : 0,
    p99Abs: p99.value,
    mismatches,
    mismatchPct: elements > 0 ? (100 * mismatches) / elements : 0,
    nanMismatches,
    infMismatches,
    nonFinite: {
      baselineNan: sum(parts.map((p) => p.nonFinite.baselineNan)),
      candidateNan: sum(parts.map((p) => p.nonFinite.candidateNan)),
      baselineInf: sum(parts.map((p) => p.nonFinite.baselineInf)),
      candidateInf: sum(parts.map((p) => p.nonFinite.candidateInf)),
    },
    minPassingAtol: unfixable ? Infinity : Math.max(...partials.map((p) => p.finiteMinPassingAtol)),
    histogram: { edges: [...first.histogram.edges], counts },
  };
  if (first.candidateDtype) merged.candidateDtype = first.candidateDtype;
  const worst = unfixable ?? worstFinite;
  if (worst) merged.worst = worst;
  if (top.r1 > 0) merged.top1Agreement = top.a1 / top.r1;
  if (top.r5 > 0) merged.top5Agreement = top.a5 / top.r5;
  if (top.r1 > 0 && parts.some((p) => p.topKInformative)) merged.topKInformative = true;
  if (shapeMismatch) merged.shapeMismatch = shapeMismatch;
  if (p99.bound) merged.p99Bound = p99.bound;
  const metricStates = partials.flatMap((p) => (p.metrics ? [p.metrics] : []));
  if (metricStates.length === partials.length) {
    // The acceptance criteria travel in each shard's verdict; judged again on the merged metrics.
    const criteria = Object.fromEntries((first.acceptance?.criteria ?? []).map((r) => [r.metric, r.threshold]));
    applyAcceptance(merged, MetricsAccumulator.merge(metricStates).finish(), criteria);
  }
  return merged;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
