import type { Location } from '../findings';
import type { Stage, StageKind } from './types';

/** A stage as one rule saw it; the analyzer merges candidates that share a `key` (the declaration's unit). */
export interface StageCandidate extends Stage {
  /** Unit key of the stage's declaration (see units.ts). */
  key: string;
  /** Higher wins when merging: an explicit registered name beats a declaration name. */
  specificity: number;
}

const KIND_RANK: Record<StageKind, number> = { registered: 5, constructed: 4, tagged: 3, estimator: 2, folder: 1 };

/** Merges candidates of the same declaration: most specific name, first registration. */
export function mergeStages(candidates: readonly StageCandidate[]): (Stage & { key: string })[] {
  const byKey = new Map<string, StageCandidate>();
  const sorted = [...candidates].sort(
    (a, b) =>
      b.specificity - a.specificity ||
      KIND_RANK[b.kind] - KIND_RANK[a.kind] ||
      compareLoc(a.registration, b.registration),
  );
  for (const c of sorted) {
    const prev = byKey.get(c.key);
    if (!prev) byKey.set(c.key, { ...c });
    else {
      if (!prev.registration && c.registration) prev.registration = c.registration;
      if (!prev.how.split('; ').includes(c.how)) prev.how += `; ${c.how}`;
    }
  }
  return [...byKey.values()]
    .map(({ specificity: _s, ...stage }) => stage)
    .sort((a, b) => compareLoc(a.location, b.location) || a.name.localeCompare(b.name));
}

function compareLoc(a: Location | undefined, b: Location | undefined): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  return (
    a.file.localeCompare(b.file) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character
  );
}

/** Stage methods enough to call a class an estimator: any, except `transform` on its own. */
export function isStageSet(methods: readonly string[]): boolean {
  return methods.some((m) => m !== 'transform');
}
