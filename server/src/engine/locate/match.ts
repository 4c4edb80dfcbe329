import type { GraphNode, LocateGraph } from './graph';

/**
 * How a baseline tensor found its candidate counterpart:
 * - `name`: the same tensor name on both sides (or the case's output map for graph outputs);
 * - `alignment`: the producing nodes line up in a sequence alignment of the two topological orders
 *   (same op, same producer ops per input, same consumer ops);
 * - `structure`: read at the same input position by two matched nodes (how a fused or folded candidate
 *   node is tied to the baseline chain it replaces);
 * - `values`: several candidate nodes of the same op read the same matched inputs at the same positions, and
 *   the one whose output values look like the baseline's (a value signature, see signatures.ts) was taken.
 */
export type MatchMethod = 'name' | 'alignment' | 'structure' | 'values';

/** A baseline node with several candidate nodes that structure alone cannot tell apart. */
export interface MatchTie {
  /** Baseline node index. */
  base: number;
  /** Candidate node indices: same op, reading the same matched inputs at the same positions. */
  options: number[];
}

/** How ties between equally placed candidate nodes are broken. */
export interface TieBreaking {
  /** Baseline node index -> candidate node index chosen by value signatures. */
  decided?: ReadonlyMap<number, number>;
  /** Receives each tie decided by position alone (the nearest relative position), for a value probe. */
  seen?: MatchTie[];
}

export interface TensorMatch {
  cand: string;
  by: MatchMethod;
}

/** Ops that only change a tensor's type or nothing at all: a float16 candidate wraps its graph in Casts. */
const TRANSPARENT = new Set(['Cast', 'Identity']);

/** Baseline tensor name -> its candidate counterpart, for every activation tensor that could be matched. */
export function matchTensors(
  base: LocateGraph,
  cand: LocateGraph,
  outputMap: Record<string, string> = {},
  ties: TieBreaking = {},
): Map<string, TensorMatch> {
  const matches = new Map<string, TensorMatch>();
  const taken = new Set<string>();
  const put = (b: string, c: string, by: MatchMethod): void => {
    if (matches.has(b) || taken.has(c)) return;
    matches.set(b, { cand: c, by });
    taken.add(c);
  };
  const candTensors = new Set([...cand.producer.keys(), ...cand.graphInputs]);
  for (const i of base.graphInputs) if (cand.graphInputs.has(i)) put(i, i, 'name');
  for (const o of base.graphOutputs) {
    const c = outputMap[o] ?? o;
    if (candTensors.has(c)) put(o, c, 'name');
  }
  for (const n of base.nodes) {
    for (const o of n.outputs)
      if (o && !base.constants.has(o) && cand.producer.has(o) && !cand.constants.has(o)) put(o, o, 'name');
  }
  walkForward(base, cand, matches, put, ties);
  align(base, cand, matches, put);
  propagate(base, cand, matches, put);
  // A second forward walk continues below chains that the backward step tied up.
  walkForward(base, cand, matches, put, ties);
  return matches;
}

/**
 * Follows both graphs from their matched tensors: a baseline node whose activation inputs are matched
 * pairs the candidate node of the same op that reads those same counterparts at the same positions
 * (through Cast/Identity). Ties go to the candidate node whose values were found to agree (`ties.decided`),
 * else to the one at the closest relative position; the latter keeps a renamed, repetitive network (the same
 * block many times) from being paired off by one block, and is reported in `ties.seen`.
 */
function walkForward(
  base: LocateGraph,
  cand: LocateGraph,
  matches: Map<string, TensorMatch>,
  put: (b: string, c: string, by: MatchMethod) => void,
  ties: TieBreaking,
): void {
  const candDone = new Set<number>();
  for (const m of matches.values()) {
    const p = cand.producer.get(m.cand);
    if (p !== undefined) candDone.add(p);
  }
  for (const b of base.nodes) {
    if (!isActivation(base, b) || b.outputs.some((o) => matches.has(o))) continue;
    let options: Set<number> | undefined;
    b.inputs.forEach((tb, i) => {
      const m = tb ? matches.get(tb) : undefined;
      if (!m) return;
      const readers = new Set(
        readersAt(cand, m.cand, i).filter(
          (k) => !candDone.has(k) && cand.nodes[k].opType === b.opType && cand.nodes[k].domain === b.domain,
        ),
      );
      options = options ? new Set([...options].filter((k) => readers.has(k))) : readers;
    });
    if (!options || options.size === 0) continue;
    const found: Set<number> = options;
    const rel = b.index / Math.max(1, base.nodes.length);
    const byPosition = [...found].sort(
      (x, y) => Math.abs(x / cand.nodes.length - rel) - Math.abs(y / cand.nodes.length - rel),
    );
    const chosen = ties.decided?.get(b.index);
    const byValues = chosen !== undefined && found.size > 1 && found.has(chosen);
    const best = byValues ? chosen : byPosition[0];
    if (!byValues && found.size > 1) ties.seen?.push({ base: b.index, options: byPosition });
    const c = cand.nodes[best];
    if (c.outputs.length !== b.outputs.length) continue;
    candDone.add(best);
    b.outputs.forEach((o, k) => {
      if (o && c.outputs[k] && !base.constants.has(o)) put(o, c.outputs[k], byValues ? 'values' : 'alignment');
    });
  }
}

/** Candidate nodes reading tensor `t` (or a Cast/Identity of it) as their input number `i`. */
function readersAt(g: LocateGraph, t: string, i: number): number[] {
  const out: number[] = [];
  const visit = (name: string, depth: number): void => {
    for (const k of g.consumers.get(name) ?? []) {
      const n = g.nodes[k];
      if (n.inputs[i] === name) out.push(k);
      if (TRANSPARENT.has(n.opType) && depth < 4) visit(n.outputs[0], depth + 1);
    }
  };
  visit(t, 0);
  return out;
}

function isActivation(g: LocateGraph, n: GraphNode): boolean {
  return n.opType !== 'Constant' && n.outputs.some((o) => o && !g.constants.has(o));
}

/** The op producing a tensor, looking through Cast/Identity; 'input' or 'const' for graph inputs and weights. */
function producerOp(g: LocateGraph, t: string): string {
  for (let depth = 0; depth < 8; depth++) {
    if (!t) return 'none';
    if (g.constants.has(t)) return 'const';
    const p = g.producer.get(t);
    if (p === undefined) return 'input';
    const n = g.nodes[p];
    if (!TRANSPARENT.has(n.opType)) return n.opType;
    t = n.inputs[0];
  }
  return 'none';
}

/** A node's op plus the ops around it: what must agree for two nodes to be aligned. */
function context(g: LocateGraph, n: GraphNode): string {
  const ins = n.inputs.map((i) => producerOp(g, i)).join(',');
  const outs = n.outputs
    .flatMap((o) => (g.consumers.get(o) ?? []).map((k) => g.nodes[k]))
    .flatMap((c) =>
      TRANSPARENT.has(c.opType)
        ? c.outputs.flatMap((o) => (g.consumers.get(o) ?? []).map((k) => g.nodes[k].opType))
        : [c.opType],
    )
    .sort()
    .join(',');
  return `${n.domain}:${n.opType}/${n.outputs.length}(${ins})->[${outs}]`;
}

/**
 * Aligns the nodes left unmatched by name, segment by segment between name-matched anchors, with a
 * longest-common-subsequence alignment (Needleman-Wunsch with free gaps) on their contexts. Nodes whose
 * contexts differ (a fused or folded neighbourhood) stay unaligned; `propagate` ties those up.
 */
function align(
  base: LocateGraph,
  cand: LocateGraph,
  matches: Map<string, TensorMatch>,
  put: (b: string, c: string, by: MatchMethod) => void,
): void {
  const anchored = new Set<number>();
  const candAnchored = new Set<number>();
  const anchors: [number, number][] = [];
  for (const [b, m] of matches) {
    const pb = base.producer.get(b);
    const pc = cand.producer.get(m.cand);
    if (pb === undefined || pc === undefined) continue;
    anchored.add(pb);
    candAnchored.add(pc);
    anchors.push([pb, pc]);
  }
  // Keep anchors that are increasing on both sides, so segments between them are well defined.
  anchors.sort((x, y) => x[0] - y[0]);
  const chain = longestIncreasing(anchors);
  const bounds: [number, number][] = [[-1, -1], ...chain, [base.nodes.length, cand.nodes.length]];
  for (let s = 0; s + 1 < bounds.length; s++) {
    const bs = base.nodes
      .slice(bounds[s][0] + 1, bounds[s + 1][0])
      .filter((n) => !anchored.has(n.index) && isActivation(base, n));
    const cs = cand.nodes
      .slice(bounds[s][1] + 1, bounds[s + 1][1])
      .filter((n) => !candAnchored.has(n.index) && isActivation(cand, n));
    if (bs.length === 0 || cs.length === 0) continue;
    for (const [bn, cn] of lcs(
      bs.map((n) => context(base, n)),
      cs.map((n) => context(cand, n)),
    )) {
      bs[bn].outputs.forEach((o, k) => {
        const co = cs[cn].outputs[k];
        if (o && co && !base.constants.has(o)) put(o, co, 'alignment');
      });
    }
  }
}

/** Index pairs of a longest common subsequence of two string lists (O(n·m), fine for thousands of nodes). */
function lcs(a: string[], b: string[]): [number, number][] {
  const w = b.length + 1;
  const t = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      t[i * w + j] = a[i] === b[j] ? t[(i + 1) * w + j + 1] + 1 : Math.max(t[(i + 1) * w + j], t[i * w + j + 1]);
    }
  }
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) i++;
    else j++;
  }
  return pairs;
}

/** The longest run of pairs increasing in both coordinates (pairs sorted by the first). */
function longestIncreasing(pairs: [number, number][]): [number, number][] {
  const len = pairs.map(() => 1);
  const prev = pairs.map(() => -1);
  for (let i = 0; i < pairs.length; i++) {
    for (let j = Math.max(0, i - 256); j < i; j++) {
      if (pairs[j][0] < pairs[i][0] && pairs[j][1] < pairs[i][1] && len[j] + 1 > len[i]) {
        len[i] = len[j] + 1;
        prev[i] = j;
      }
    }
  }
  let best = -1;
  len.forEach((l, i) => {
    if (best < 0 || l > len[best]) best = i;
  });
  const out: [number, number][] = [];
  for (let i = best; i >= 0; i = prev[i]) out.unshift(pairs[i]);
  return out;
}

/**
 * Walks the baseline backwards: when two matched nodes of the same op read an unmatched tensor at the
 * same input position, those tensors correspond (the candidate's may come from a fused node replacing a
 * chain). Cast/Identity on the candidate side are looked through.
 */
function propagate(
  base: LocateGraph,
  cand: LocateGraph,
  matches: Map<string, TensorMatch>,
  put: (b: string, c: string, by: MatchMethod) => void,
): void {
  for (let k = base.nodes.length - 1; k >= 0; k--) {
    const b = base.nodes[k];
    const out = b.outputs.find((o) => matches.has(o));
    if (!out) continue;
    const m = matches.get(out);
    if (!m) continue;
    const pc = cand.producer.get(skipTransparentUp(cand, m.cand));
    if (pc === undefined) continue;
    const c = cand.nodes[pc];
    if (c.opType !== b.opType || c.inputs.length !== b.inputs.length) continue;
    b.inputs.forEach((tb, i) => {
      if (!tb || base.constants.has(tb) || base.graphInputs.has(tb)) return;
      const tc = skipTransparentUp(cand, c.inputs[i]);
      if (tc && cand.producer.has(tc) && !cand.constants.has(tc)) put(tb, tc, 'structure');
    });
  }
}

/** From a candidate tensor made by Cast/Identity, the tensor it was made from. */
function skipTransparentUp(g: LocateGraph, t: string): string {
  for (let depth = 0; depth < 8; depth++) {
    const p = g.producer.get(t);
    if (p === undefined || !TRANSPARENT.has(g.nodes[p].opType)) return t;
    t = g.nodes[p].inputs[0];
  }
  return t;
}
