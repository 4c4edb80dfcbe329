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

/**
 * Scoring rule. Recall per type: share of injections some reported clone finds. Precision: a reported
 * clone is a true positive when it finds at least one injection; one that touches an injected range
 * without finding it is a false positive; one that touches none is a false positive too, unless the
 * same tool already reported that code on the untouched corpus (real, pre-existing duplication the
 * benchmark cannot label, so it is left out and counted separately as `preExisting`).
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
  const locations = injections.flatMap((i) => [i.source, i.copy]);
  let tp = 0;
  let fp = 0;
  let pre = 0;
  for (const c of reported) {
    if (injections.some((i) => finds(c, i))) tp++;
    else if (c.occurrences.some((o) => locations.some((l) => overlaps(o, l)))) fp++;
    else if (preExisting(c, before)) pre++;
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
  };
}
