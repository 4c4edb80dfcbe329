import type { Tolerance } from '../compare/types';
import type { InferenceHost } from '../inference/host';
import type { Tensor } from '../tensor/tensor';
import { compareTensors, pairTolerance } from './compareTensors';
import { markOutputs, readGraph, type LocateGraph } from './graph';
import { matchTensors, type MatchMethod, type MatchTie, type TensorMatch } from './match';
import { decideTies, signatureOf, tieOutput, type ValueSignature } from './signatures';
import { searchDivergence, type TensorStatus } from './search';
import type { Divergence, LocatedNode, PathNode } from './types';

export interface LocateRequest {
  host: InferenceHost;
  baseline: { bytes: Uint8Array; file: string };
  candidate: { bytes: Uint8Array; file: string };
  /** The worst failing fixtures, already bound to the models' inputs. */
  fixtures: { id: string; feeds: Record<string, Tensor> }[];
  /** Baseline output names that failed. */
  failing: string[];
  outputMap?: Record<string, string>;
  tolerance?: Partial<Tolerance>;
  timeoutMs: number;
}

/** Tensor bytes one probe may bring back per fixture and side; the probe width shrinks to stay under it. */
const PROBE_BUDGET_BYTES = 48 * 1024 * 1024;
const MAX_WIDTH = 48;
const MIN_WIDTH = 2;
const FIRST_WIDTH = 12;
const KEYS = ['locate-baseline', 'locate-candidate'];
/** Ties settled by one value-signature round; beyond these, the nearest position decides. */
const MAX_TIES = 48;

/**
 * Finds the first divergent node of a failing case (see searchDivergence). Each probe loads both models
 * with a handful of intermediates marked as outputs, runs them on the located fixtures and frees them, so
 * memory stays near one normal run plus those tensors rather than every intermediate at once.
 */
export async function locateDivergence(r: LocateRequest): Promise<Divergence> {
  const started = performance.now();
  const base = readGraph(r.baseline.bytes, r.baseline.file);
  const cand = readGraph(r.candidate.bytes, r.candidate.file);
  const ties: MatchTie[] = [];
  let matches = matchTensors(base, cand, r.outputMap, { seen: ties });
  // Until a probe has measured them, intermediates are guessed to be 8× the inputs (feature maps have more
  // channels than an image), and the first probe stays modest either way.
  const inputBytes = Math.max(
    1,
    ...r.fixtures.map((f) => Object.values(f.feeds).reduce((n, t) => n + byteLength(t), 0)),
  );
  let width = Math.min(FIRST_WIDTH, clampWidth(PROBE_BUDGET_BYTES / (8 * inputBytes)));
  let rounds = 0;
  let compared = 0;

  /** One round: both models loaded with these tensors marked as outputs, run on `fixtures`, then freed. */
  const round = async (
    baseNames: string[],
    candNames: string[],
    fixtures: LocateRequest['fixtures'],
    each: (res: Record<string, Record<string, Tensor>>) => void,
  ): Promise<void> => {
    rounds++;
    await r.host.load(KEYS[0], markOutputs(r.baseline.bytes, baseNames), r.timeoutMs, r.baseline.file);
    await r.host.load(KEYS[1], markOutputs(r.candidate.bytes, candNames), r.timeoutMs, r.candidate.file);
    try {
      for (const fx of fixtures)
        each(await r.host.run(KEYS, fx.feeds, r.timeoutMs, `locating the divergence on case ${fx.id}`));
    } finally {
      await r.host.release(KEYS[0], r.timeoutMs);
      await r.host.release(KEYS[1], r.timeoutMs);
    }
  };

  // Candidates that structure and position cannot tell apart (same op, same matched inputs): one round on the
  // first fixture measures their value signatures, and the matching is redone with those choices.
  const tied = ties.slice(0, MAX_TIES);
  if (tied.length > 0 && r.fixtures[0]) {
    const baseNames = [...new Set(tied.flatMap((t) => tieOutput(base, t.base) ?? []))];
    const candNames = [...new Set(tied.flatMap((t) => t.options.flatMap((k) => tieOutput(cand, k) ?? [])))];
    const baseSigs = new Map<string, ValueSignature>();
    const candSigs = new Map<string, ValueSignature>();
    await round(baseNames, candNames, [r.fixtures[0]], (res) => {
      for (const [names, key, sigs] of [
        [baseNames, KEYS[0], baseSigs],
        [candNames, KEYS[1], candSigs],
      ] as const)
        for (const n of names) {
          const t = res[key]?.[n];
          const sig = t && signatureOf(t);
          if (sig) sigs.set(n, sig);
        }
    });
    const decided = decideTies(tied, base, cand, baseSigs, candSigs);
    if (decided.size > 0) matches = matchTensors(base, cand, r.outputMap, { decided });
  }

  const probe = async (names: string[]): Promise<Map<string, TensorStatus>> => {
    const candNames = names.map((n) => {
      const m = matches.get(n);
      if (!m) throw new Error(`probed tensor '${n}' has no candidate match`);
      return m.cand;
    });
    const out = new Map<string, TensorStatus>();
    let bytes = 0;
    await round(names, candNames, r.fixtures, (res) => {
      names.forEach((n, i) => {
        const b = res[KEYS[0]]?.[n];
        const c = res[KEYS[1]]?.[candNames[i]];
        const prev = out.get(n) ?? { comparable: true, maxAbs: 0, diverges: false };
        if (!b || !c) {
          out.set(n, { ...prev, comparable: false });
          return;
        }
        bytes += byteLength(b);
        const cmp = compareTensors(b, c, pairTolerance(b.dtype, c.dtype, r.tolerance));
        compared++;
        out.set(n, {
          comparable: prev.comparable && cmp.comparable,
          maxAbs: Math.max(prev.maxAbs, cmp.maxAbs),
          diverges: prev.diverges || cmp.diverges,
        });
      });
    });
    const perTensor = bytes / Math.max(1, names.length * r.fixtures.length);
    width = clampWidth(PROBE_BUDGET_BYTES / Math.max(1, perTensor));
    return out;
  };

  const search = await searchDivergence({ base, matches, failing: r.failing, probe, width: () => width });
  const result: Divergence = {
    found: search.node !== undefined,
    replacedChain: [],
    path: [],
    compared,
    rounds,
    ms: 0,
    fixtures: r.fixtures.map((f) => f.id),
    matching: matchingCounts(base, matches),
  };
  if (search.node === undefined) {
    result.reason = search.reason;
  } else {
    const d = base.nodes[search.node];
    const out = d.outputs.find((o) => search.status.get(o)?.diverges) ?? d.outputs[0];
    const m = matches.get(out);
    if (!m) throw new Error(`divergent output '${out}' has no candidate match`);
    result.baseline = located(base, search.node, out);
    result.candidate = located(cand, cand.producer.get(m.cand), m.cand);
    result.outputMaxAbs = search.status.get(out)?.maxAbs;
    result.inputMaxAbs = Math.max(0, ...search.inputs.map((t) => search.status.get(t)?.maxAbs ?? 0));
    result.matchedBy = m.by;
    result.replacedChain = search.chain.map((k) => base.nodes[k].name);
    if (d.controlFlow)
      result.controlFlow = `${d.opType} '${d.name}' holds subgraphs; the search stops at this node, not inside its body`;
    // When the search saw too little of the path, one more round samples it, so the report shows how Δ grows.
    const known = search.path.filter((k) => base.nodes[k].outputs.some((o) => search.status.has(o))).length;
    const unknown =
      known >= Math.min(4, search.path.length)
        ? []
        : search.path.filter(
            (k) =>
              !base.nodes[k].outputs.some((o) => search.status.has(o)) &&
              base.nodes[k].outputs.some((o) => matches.has(o)),
          );
    const sample = unknown.filter((_, i) => i % Math.ceil(unknown.length / width) === 0).slice(0, width);
    if (sample.length > 0) {
      const names = sample.flatMap((k) =>
        base.nodes[k].outputs.filter((o) => matches.has(o) && !base.constants.has(o)),
      );
      for (const [t, st] of await probe(names)) search.status.set(t, st);
    }
    result.path = search.path.map((k) => pathNode(base, k, search.status, matches));
    result.compared = compared;
    result.rounds = rounds;
  }
  result.ms = performance.now() - started;
  return result;
}

function clampWidth(w: number): number {
  return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.floor(w)));
}

function byteLength(t: Tensor): number {
  return Array.isArray(t.data) ? t.data.length * 8 : t.data.byteLength;
}

function located(g: LocateGraph, node: number | undefined, output: string): LocatedNode {
  if (node === undefined) return { name: output, opType: 'graph input', output };
  const n = g.nodes[node];
  return { name: n.name, opType: n.opType, output };
}

function pathNode(
  g: LocateGraph,
  k: number,
  status: Map<string, TensorStatus>,
  matches: Map<string, TensorMatch>,
): PathNode {
  const n = g.nodes[k];
  const out = n.outputs.find((o) => status.get(o)?.comparable) ?? n.outputs.find((o) => matches.has(o)) ?? n.outputs[0];
  const st = status.get(out);
  const p: PathNode = { name: n.name, opType: n.opType, output: out };
  if (st?.comparable) {
    p.maxAbs = st.maxAbs;
    p.diverges = st.diverges;
  }
  return p;
}

function matchingCounts(
  base: LocateGraph,
  matches: Map<string, TensorMatch>,
): Record<MatchMethod | 'unmatched', number> {
  const counts: Record<MatchMethod | 'unmatched', number> = {
    name: 0,
    alignment: 0,
    structure: 0,
    values: 0,
    unmatched: 0,
  };
  for (const n of base.nodes) {
    if (n.opType === 'Constant') continue;
    for (const o of n.outputs) {
      if (!o || base.constants.has(o)) continue;
      const m = matches.get(o);
      counts[m ? m.by : 'unmatched']++;
    }
  }
  return counts;
}
