import { nearestRank } from './quantile';
import type { TailSnapshot } from './tailQuantile';

/** A quantile merged from several streams: exact, or known to lie within [bound[0], bound[1]]. */
export interface MergedQuantile {
  value: number;
  /** Present when the snapshots do not pin the quantile down: the true value lies in this closed interval. */
  bound?: [number, number];
}

/**
 * The nearest-rank q-quantile of the union of several streams, from their snapshots. Let u be the value of
 * the right rank among all listed top values. Every value bigger than u is listed when u is at least every
 * stream's floor, and then u is exact; otherwise the true quantile lies between u and the largest floor.
 */
export function mergeTailSnapshots(q: number, snaps: readonly TailSnapshot[]): MergedQuantile {
  const n = snaps.reduce((a, s) => a + s.count, 0);
  if (n === 0) return { value: 0 };
  const zeros = snaps.reduce((a, s) => a + s.zeros, 0);
  const k = nearestRank(q, n);
  if (k < zeros) return { value: 0 };
  // the wanted value is the (r+1)-th largest of all values
  const r = n - 1 - k;
  const listed = snaps.flatMap((s) => s.top).sort((a, b) => b - a);
  const floors = snaps.filter((s) => s.count - s.zeros > s.top.length).map((s) => s.floor);
  const maxFloor = floors.length > 0 ? Math.max(...floors) : 0;
  if (r < listed.length) {
    const u = listed[r];
    return u >= maxFloor ? { value: u } : { value: u, bound: [u, maxFloor] };
  }
  // the quantile is among unlisted values: all we know is that it is not above the largest floor
  return { value: maxFloor, bound: [0, maxFloor] };
}
