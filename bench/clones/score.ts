import type { CloneType } from '../../server/src/engine/analysis/clones';
import type { Injection, LineRange, ReportedClone, ToolScore } from './types';

function overlaps(a: LineRange, b: LineRange): boolean {
  return a.file === b.file && a.start <= b.end && b.start <= a.end;
}

/** A reported clone finds an injection when one occurrence overlaps the source and another the copy. */
function finds(clone: ReportedClone, inj: Injection): boolean {
  const occ = clone.occurrences;
  for (let i = 0; i < occ.length; i++) {
    if (!overlaps(occ[i], inj.source)) continue;
    for (let j = 0; j < occ.length; j++) if (j !== i && overlaps(occ[j], inj.copy)) return true;
  }
  return false;
}

/** Same code reported before injection: two of its occurrences overlap two of one earlier clone's. */
function preExisting(clone: ReportedClone, before: ReportedClone[]): boolean {
  return before.some((b) => {
    const hit = clone.occurrences.filter((o) => b.occurrences.some((p) => overlaps(o, p)));
    return hit.length >= 2;
  });
}

/** The lines of `copy`'s source that the part `o` of the copy was copied from (a type-3 edit shifts them by a line at most). */
function sourceOf(o: LineRange, inj: Injection): LineRange {
  const shift = inj.source.start - inj.copy.start;
  return {
    file: inj.source.file,
    start: Math.max(inj.source.start, o.start + shift),
    end: Math.min(inj.source.end, o.end + shift),
  };
}

/**
 * A clone between an injected copy and other code `q` the copy's source was already a clone of: some
 * earlier clone (on the untouched corpus) has one occurrence on the source lines the copy's occurrence
 * came from and another on `q`. Copying code that has a clone makes the copy a clone of it too.
 */
function implied(clone: ReportedClone, before: ReportedClone[], injections: Injection[]): boolean {
  const occ = clone.occurrences;
  const injectionOf = (o: LineRange): Injection | undefined => injections.find((i) => overlaps(o, i.copy));
  return occ.some((o, x) => {
    const inj = injectionOf(o);
    if (!inj) return false;
    const src = sourceOf(o, inj);
    return occ.some(
      (q, y) =>
        y !== x &&
        !injectionOf(q) &&
        before.some(
          (b) =>
            b.occurrences.some((p) => overlaps(p, src)) &&
            b.occurrences.some((p) => overlaps(p, q) && !overlaps(p, src)),
        ),
    );
  });
}

/**
 * Scoring rule. Recall per type: share of injections some reported clone finds. Precision: a reported
 * clone is a true positive when it finds at least one injection. One that finds none is judged by where
 * its occurrences are:
 * - none in an injected copy (all in code the injection left as it was, the sources of injections
 *   included): pre-existing when the same tool reported that code on the untouched corpus (real
 *   duplication the benchmark cannot label, left out and counted apart), else a false positive;
 * - one in an injected copy: implied when the copy's source was already a clone of another occurrence
 *   (the copy duplicates what its source duplicates; left out and counted apart), else a false positive.
 * Before 2026-11-29 any clone touching an injection's source or copy without finding it was a false
 * positive, which counted pre-existing duplication next to an injected source as an error of the tool
 * (bench/README.md, "clones").
 */
export function scoreTool(
  tool: string,
  reported: ReportedClone[],
  before: ReportedClone[],
  injections: Injection[],
): ToolScore {
  const recall = { 1: 0, 2: 0, 3: 0 } as Record<CloneType, number>;
  for (const type of [1, 2, 3] as CloneType[]) {
    const ofType = injections.filter((i) => i.type === type);
    recall[type] =
      ofType.length === 0 ? 1 : ofType.filter((i) => reported.some((c) => finds(c, i))).length / ofType.length;
  }
  let tp = 0;
  let fp = 0;
  let pre = 0;
  let impl = 0;
  for (const c of reported) {
    if (injections.some((i) => finds(c, i))) tp++;
    else if (!c.occurrences.some((o) => injections.some((i) => overlaps(o, i.copy)))) {
      if (preExisting(c, before)) pre++;
      else fp++;
    } else if (implied(c, before, injections)) impl++;
    else fp++;
  }
  return {
    tool,
    recall,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    reported: reported.length,
    truePositives: tp,
    falsePositives: fp,
    preExisting: pre,
    implied: impl,
  };
}
