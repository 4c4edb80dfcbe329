import { Scratch, toFloatView } from '../compare/numericView';
import type { Tensor } from '../tensor/tensor';
import type { LocateGraph } from './graph';
import type { MatchTie } from './match';

/**
 * A cheap summary of a tensor's values: its shape and the mean, spread and range of its finite values. Two
 * tensors computing the same thing have close signatures even in float16; two different branches of a graph
 * (other weights, other ops upstream) almost never do.
 */
export interface ValueSignature {
  dims: number[];
  mean: number;
  std: number;
  min: number;
  max: number;
}

const scratch = new Scratch();

/** The signature of a numeric tensor; undefined for strings or a tensor without a finite value. */
export function signatureOf(t: Tensor): ValueSignature | undefined {
  if (Array.isArray(t.data)) return undefined;
  const v = toFloatView(t, scratch);
  let n = 0;
  let sum = 0;
  let sq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) continue;
    n++;
    sum += x;
    sq += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (n === 0) return undefined;
  const mean = sum / n;
  return { dims: [...t.dims], mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)), min, max };
}

/** How far apart two signatures are (0: alike); Infinity when the shapes differ, so such a pair is never chosen. */
export function signatureDistance(a: ValueSignature, b: ValueSignature): number {
  if (a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) return Infinity;
  // Relative to the tensor's own scale, so a large activation and a small one weigh the same.
  const scale = Math.max(Math.abs(a.min), Math.abs(a.max), Math.abs(b.min), Math.abs(b.max), 1e-12);
  return (
    Math.abs(a.mean - b.mean) / scale +
    Math.abs(a.std - b.std) / scale +
    Math.abs(a.min - b.min) / scale +
    Math.abs(a.max - b.max) / scale
  );
}

/** The output each tie compares: a node's first activation output. */
export function tieOutput(g: LocateGraph, node: number): string | undefined {
  return g.nodes[node].outputs.find((o) => o && !g.constants.has(o));
}

/**
 * For each tie, the candidate node whose output signature is nearest the baseline node's, when it is clearly
 * nearer than the others (less than half the runner-up's distance); ties the values cannot settle keep the
 * positional choice.
 */
export function decideTies(
  ties: readonly MatchTie[],
  base: LocateGraph,
  cand: LocateGraph,
  baseSigs: ReadonlyMap<string, ValueSignature>,
  candSigs: ReadonlyMap<string, ValueSignature>,
): Map<number, number> {
  const decided = new Map<number, number>();
  for (const t of ties) {
    const bo = tieOutput(base, t.base);
    const bs = bo === undefined ? undefined : baseSigs.get(bo);
    if (!bs) continue;
    const ranked = t.options
      .map((k) => {
        const co = tieOutput(cand, k);
        const cs = co === undefined ? undefined : candSigs.get(co);
        return { k, d: cs ? signatureDistance(bs, cs) : Infinity };
      })
      .sort((x, y) => x.d - y.d);
    const [first, second] = ranked;
    if (first && Number.isFinite(first.d) && (!second || first.d < second.d / 2)) decided.set(t.base, first.k);
  }
  return decided;
}
