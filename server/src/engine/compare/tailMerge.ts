import { nearestRank } from './quantile';
import { fineBin, fineBinEdges, type TailSnapshot } from './tailQuantile';

/** A quantile merged from several streams: exact, or known to lie within [bound[0], bound[1]]. */
export interface MergedQuantile {
  value: number;
  /** Present when the snapshots do not pin the quantile down: the true value lies in this closed interval. */
  bound?: [number, number];
}

/**
 * The nearest-rank q-quantile of the union of several streams, from their snapshots. Let u be the value of
 * the right rank among all listed top values. Every value bigger than u is listed when u is at least every
 * stream's floor, and then u is exact. Otherwise the values are counted by fine bin (listed ones exactly,
 * the others from the streams' bins): if the bin holding the quantile has only listed values it is still
 * exact; if not, the result is that bin's middle (what one TailQuantile over all values answers when its
 * quantile falls among discarded values) and the bound is the bin (< 0.8% wide), narrowed by u and the floors.
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
  const u = r < listed.length ? listed[r] : 0;
  if (r < listed.length && u >= maxFloor) return { value: u };

  const unlisted = new Map<number, number>();
  for (const s of snaps) {
    const bins = s.bins ?? [];
    for (let i = 0; i + 1 < bins.length; i += 2) unlisted.set(bins[i], (unlisted.get(bins[i]) ?? 0) + bins[i + 1]);
  }
  const byBin = new Map<number, number[]>();
  for (const v of listed) {
    const b = fineBin(v);
    const list = byBin.get(b);
    if (list) list.push(v);
    else byBin.set(b, [v]);
  }
  const bins = [...new Set([...unlisted.keys(), ...byBin.keys()])].sort((a, b) => b - a);
  let above = 0;
  for (const b of bins) {
    const exact = byBin.get(b) ?? [];
    const other = unlisted.get(b) ?? 0;
    if (above + exact.length + other <= r) {
      above += exact.length + other;
      continue;
    }
    // `exact` is sorted descending already (from `listed`)
    if (other === 0) return { value: exact[r - above] };
    // here the value is unlisted, so it is at most the largest floor and at least u
    const [lo, hi] = fineBinEdges(b);
    const low = Math.max(lo, u);
    const high = Math.max(low, Math.min(hi, maxFloor));
    return { value: Math.min(high, Math.max(low, (lo + hi) / 2)), bound: [low, high] };
  }
  return { value: maxFloor, bound: [u, maxFloor] };
}
