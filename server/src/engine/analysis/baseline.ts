import { createHash } from 'node:crypto';
import type { Finding } from '../findings';
import { relPath } from './paths';

/**
 * How a finding relates to a baseline (SARIF's `baselineState`): present now and not before, present
 * in both, or present only in the baseline (fixed, or its code removed).
 */
type BaselineState = 'new' | 'unchanged' | 'absent';

/** A finding with its fingerprint and, when compared with a baseline, its state. */
export interface FingerprintedFinding {
  finding: Finding;
  /** `hash:n`, where n counts findings with the same identity (as GitHub's partial fingerprints do). */
  fingerprint: string;
  state?: BaselineState;
}

/**
 * What identifies a finding across revisions, never its line or column, so it survives code moving
 * and unrelated edits: the rule, the file(s) and the named things involved. `detail` tells apart
 * findings with the same identity where the rule has content (the clone's normalized tokens).
 */
interface FindingIdentity {
  identity: string;
  detail: string;
}

/**
 * The identity of a finding. `rename` maps a file of the baseline to its path now, so a finding in a
 * renamed file keeps its identity.
 */
function findingIdentity(root: string, f: Finding, rename: (file: string) => string = (x) => x): FindingIdentity {
  const rel = (file: string): string => relPath(root, rename(file));
  switch (f.rule) {
    case 'untested-stage':
    case 'unexecuted-stage':
      return { identity: [f.rule, rel(f.file), f.data.stage].join('\0'), detail: '' };
    case 'duplicate-code':
    case 'cross-stage-duplicate': {
      // Every copy, by file and owning stage; the clone's token hash pairs up classes between the same places.
      const stages = f.data.stages;
      const copies = [f, ...f.related].map((l, i) => `${rel(l.file)}@${stages[i] ?? ''}`).sort();
      return { identity: [f.rule, ...copies].join('\0'), detail: f.data.cloneId };
    }
    case 'circular-import':
      return { identity: [f.rule, ...[...f.data.files].sort()].join('\0'), detail: '' };
    default:
      // Numbers in messages are sizes and counts that unrelated edits change (a skipped file's bytes).
      return { identity: [f.rule, rel(f.file), f.message.replace(/\d+/g, '#')].join('\0'), detail: '' };
  }
}

/** Fingerprints for SARIF's `partialFingerprints`, in the order of `findings`. */
export function fingerprintFindings(root: string, findings: readonly Finding[]): FingerprintedFinding[] {
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const hash = sha(findingIdentity(root, finding).identity);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return { finding, fingerprint: `${hash}:${n}` };
  });
}

/** Result of comparing the findings now with those of a baseline. */
export interface BaselineComparison {
  /** Every finding now, in the given order, each `new` or `unchanged`. */
  current: FingerprintedFinding[];
  /** Baseline findings with no counterpart now (with their baseline locations, renamed files mapped). */
  absent: FingerprintedFinding[];
}

/**
 * Pairs each finding now with one of the baseline with the same identity: first those whose detail
 * also agrees, then any left. Identities are counted, so a second copy of an old finding is new.
 */
export function compareWithBaseline(
  root: string,
  current: readonly Finding[],
  baseline: readonly Finding[],
  renames: ReadonlyMap<string, string> = new Map(),
): BaselineComparison {
  const rename = (file: string): string => renames.get(file) ?? file;
  const now = fingerprintFindings(root, current);
  const ids = current.map((f) => findingIdentity(root, f));
  const before = baseline.map((f) => ({ finding: f, ...findingIdentity(root, f, rename) }));
  const open = new Map<string, number[]>();
  before.forEach((b, i) => {
    const list = open.get(b.identity);
    if (list) list.push(i);
    else open.set(b.identity, [i]);
  });
  const matched = new Set<number>();
  const state: BaselineState[] = current.map(() => 'new');
  const take = (i: number, sameDetail: boolean): void => {
    const list = open.get(ids[i].identity);
    const at = list?.findIndex((j) => !sameDetail || before[j].detail === ids[i].detail) ?? -1;
    if (!list || at < 0) return;
    matched.add(list[at]);
    list.splice(at, 1);
    state[i] = 'unchanged';
  };
  ids.forEach((_, i) => take(i, true));
  ids.forEach((_, i) => state[i] === 'new' && take(i, false));
  const gone = before.filter((_, j) => !matched.has(j)).map((b) => relocate(b.finding, rename));
  return {
    current: now.map((n, i) => ({ ...n, state: state[i] })),
    absent: fingerprintFindings(root, gone).map((n) => ({ ...n, state: 'absent' })),
  };
}

/** A baseline finding with its files renamed to where they are now. */
function relocate(f: Finding, rename: (file: string) => string): Finding {
  return { ...f, file: rename(f.file), related: f.related.map((r) => ({ ...r, file: rename(r.file) })) };
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}
