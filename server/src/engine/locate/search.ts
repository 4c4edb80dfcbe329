import type { LocateGraph } from './graph';
import type { TensorMatch } from './match';

/** Nodes between the search's divergent bound and the output sampled for the reported path. */
const PATH_SAMPLE = 8;

/** A matched pair's result over every fixture the locator ran. */
export interface TensorStatus {
  comparable: boolean;
  maxAbs: number;
  diverges: boolean;
}

/** Runs both models with the given baseline tensors (and their matches) marked as outputs and compares them. */
type Probe = (baselineTensors: string[]) => Promise<Map<string, TensorStatus>>;

export interface SearchInput {
  base: LocateGraph;
  matches: Map<string, TensorMatch>;
  /** Baseline graph outputs that failed the comparison. */
  failing: string[];
  probe: Probe;
  /** How many nodes one probe may mark (the caller shrinks it when tensors are large). */
  width: () => number;
}

export interface SearchResult {
  /** Baseline node index of the first divergence, if one was found. */
  node?: number;
  /** Baseline nodes between the first divergence and its matched inputs (replaced by a fused candidate node). */
  chain: number[];
  /** Matched tensors feeding the divergent node (through `chain`), all agreeing. */
  inputs: string[];
  /** Nodes on the shortest way from the divergent node to a failing output, in order. */
  path: number[];
  status: Map<string, TensorStatus>;
  /** Why nothing was found, when nothing was. */
  reason?: string;
}

/**
 * Finds a node whose output diverges while every matched input agrees, searching the baseline's
 * topological order with probes of at most `width()` nodes: a k-ary narrowing towards the first divergent
 * probe, a full scan of the last window, then a check of that node's inputs. A divergent input moves the
 * search before it, so the result always has agreeing inputs; it is the earliest such node when a
 * divergence, once it appears, stays visible at later probes (the usual case; a masked divergence can
 * make the search settle on a later, still genuine, first divergence of another branch).
 */
export async function searchDivergence(s: SearchInput): Promise<SearchResult> {
  const { base, matches } = s;
  const status = new Map<string, TensorStatus>();
  const matchedOutputs = (k: number): string[] =>
    base.nodes[k].outputs.filter((o) => o && matches.has(o) && !base.constants.has(o));
  const dropped = new Set<number>();
  const points = (): number[] =>
    base.nodes
      .filter((n) => n.opType !== 'Constant' && !dropped.has(n.index) && matchedOutputs(n.index).length > 0)
      .map((n) => n.index);

  const ensure = async (nodes: number[]): Promise<void> => {
    const want = [...new Set(nodes.flatMap(matchedOutputs))].filter((t) => !status.has(t));
    if (want.length === 0) return;
    for (const [t, st] of await s.probe(want)) status.set(t, st);
    for (const k of nodes) if (matchedOutputs(k).some((t) => status.get(t)?.comparable === false)) dropped.add(k);
  };
  const diverges = (k: number): boolean =>
    !dropped.has(k) && matchedOutputs(k).some((t) => status.get(t)?.diverges === true);

  const result: SearchResult = { chain: [], inputs: [], path: [], status };
  const outputNodes = [
    ...new Set(
      s.failing.flatMap((o) => {
        const p = base.producer.get(o);
        return p === undefined || !matches.has(o) ? [] : [p];
      }),
    ),
  ].sort((a, b) => a - b);
  if (outputNodes.length === 0) {
    result.reason = "no failing output could be matched to the candidate's";
    return result;
  }
  // The failing outputs are checked in the first probe, together with the first narrowing step.
  let pending = outputNodes;
  let divergentOutputs: number[] = [];
  const check = async (nodes: number[]): Promise<boolean> => {
    await ensure([...nodes, ...pending]);
    if (pending.length > 0) {
      divergentOutputs = outputNodes.filter(diverges);
      pending = [];
    }
    return divergentOutputs.length > 0;
  };
  const unseen = (): SearchResult => {
    result.reason =
      'no failing output was seen to diverge with intermediate outputs marked (at the case tolerance on the located fixtures)';
    return result;
  };
  let hi = outputNodes[outputNodes.length - 1];
  for (let guard = 0; guard < base.nodes.length + 2; guard++) {
    let pts = points().filter((k) => k <= hi);
    let lo = 0;
    let hiPos = pts.indexOf(hi);
    while (hiPos - lo > s.width()) {
      const w = s.width();
      const probes = Array.from({ length: w }, (_, i) => pts[lo + Math.floor(((i + 1) * (hiPos - lo)) / (w + 1))]);
      if (!(await check([...new Set(probes)]))) return unseen();
      if (!diverges(hi)) hi = divergentOutputs[0];
      const first = probes.findIndex((k) => k < hi && diverges(k));
      if (first >= 0) {
        hi = probes[first];
        const before = probes.slice(0, first).filter((k) => !dropped.has(k));
        const agreeing = before.length ? pts.indexOf(before[before.length - 1]) + 1 : lo;
        pts = points().filter((k) => k <= hi);
        hiPos = pts.indexOf(hi);
        lo = Math.min(agreeing, hiPos);
      } else {
        const lastBelow = probes.filter((k) => k < hi);
        lo = lastBelow.length ? pts.indexOf(lastBelow[lastBelow.length - 1]) + 1 : lo;
        pts = points().filter((k) => k <= hi);
        hiPos = pts.indexOf(hi);
        lo = Math.min(Math.max(lo, 0), hiPos);
      }
    }
    // The last window in one probe, with the inputs of each of its nodes, so the check below needs no extra round.
    const window = pts.slice(lo, hiPos + 1);
    const producersOf = (k: number): number[] =>
      frontier(base, matches, k).inputs.flatMap((t) => {
        const p = base.producer.get(t);
        return p === undefined ? [] : [p];
      });
    // ...and a sample of the way from `hi` to the output, so the reported path has values without a round of its own.
    const onward = shortestPathToOutputs(
      base,
      hi,
      new Set(divergentOutputs.length ? divergentOutputs : outputNodes),
    ).slice(1);
    const sample = onward.filter((_, i) => i % Math.max(1, Math.ceil(onward.length / PATH_SAMPLE)) === 0);
    const scan = [...new Set([...window, ...window.flatMap(producersOf), ...sample])];
    for (let i = 0; i < scan.length; i += s.width()) if (!(await check(scan.slice(i, i + s.width())))) return unseen();
    if (!diverges(hi)) hi = divergentOutputs[0];
    const d = [...window.filter((k) => k <= hi), hi].find(diverges) ?? hi;
    const { chain, inputs } = frontier(base, matches, d);
    await ensure(producersOf(d));
    const bad = inputs.filter((t) => status.get(t)?.diverges === true);
    if (bad.length === 0) {
      result.node = d;
      result.chain = chain;
      result.inputs = inputs;
      result.path = shortestPathToOutputs(base, d, new Set(divergentOutputs));
      return result;
    }
    hi = Math.min(
      ...bad.map((t) => {
        const p = base.producer.get(t);
        if (p === undefined) throw new Error(`divergent tensor '${t}' has no producer`);
        return p;
      }),
    );
  }
  result.reason = 'the search did not settle (a graph with cycles?)';
  return result;
}

/**
 * The matched activation tensors a node reads, looking through unmatched producers (whose nodes form the
 * chain a fused candidate node replaced). Graph inputs count as matched; weights are skipped.
 */
function frontier(
  base: LocateGraph,
  matches: Map<string, TensorMatch>,
  node: number,
): { chain: number[]; inputs: string[] } {
  const chain: number[] = [];
  const inputs = new Set<string>();
  const seen = new Set<number>([node]);
  const stack = [node];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const n = base.nodes[top];
    for (const t of n.inputs) {
      if (!t || base.constants.has(t)) continue;
      if (matches.has(t) || base.graphInputs.has(t)) {
        inputs.add(t);
        continue;
      }
      const p = base.producer.get(t);
      if (p === undefined || seen.has(p)) continue;
      seen.add(p);
      chain.push(p);
      stack.push(p);
    }
  }
  return { chain: chain.sort((a, b) => a - b), inputs: [...inputs] };
}

/** Breadth-first over consumers from `from` to the nearest of `targets`; [from] alone if none is reachable. */
function shortestPathToOutputs(base: LocateGraph, from: number, targets: Set<number>): number[] {
  const prev = new Map<number, number>([[from, -1]]);
  const queue = [from];
  for (let k = queue.shift(); k !== undefined; k = queue.shift()) {
    if (targets.has(k)) {
      const path: number[] = [];
      for (let at = k; at >= 0; at = prev.get(at) ?? -1) path.unshift(at);
      return path;
    }
    for (const o of base.nodes[k].outputs) {
      for (const c of base.consumers.get(o) ?? [])
        if (!prev.has(c)) {
          prev.set(c, k);
          queue.push(c);
        }
    }
  }
  return [from];
}
