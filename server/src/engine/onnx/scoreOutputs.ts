import type { onnx } from 'onnx-proto';

/** Ops that pass a tensor through unchanged, so the op before them decides what it holds. */
const PASS_THROUGH = new Set(['Identity']);
const SCORE_OPS = new Set(['Softmax', 'LogSoftmax']);

function intAttr(node: onnx.INodeProto, name: string): number | undefined {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  if (!a || a.i === null || a.i === undefined) return undefined;
  return typeof a.i === 'number' ? a.i : a.i.toNumber();
}

/**
 * Graph outputs known to hold class scores along their last axis: made by a Softmax or LogSoftmax over the
 * last axis (possibly through Identity). Top-1/top-5 agreement means something there; on any other output
 * (logits are not told apart from an embedding or a regression here) it is reported as informative only.
 */
export function scoreOutputs(model: onnx.IModelProto): Set<string> {
  const graph = model.graph;
  const found = new Set<string>();
  if (!graph) return found;
  const defaultOpset = (model.opsetImport ?? []).find((o) => !o.domain)?.version;
  const opset = defaultOpset === null || defaultOpset === undefined ? 0 : Number(defaultOpset);
  const producer = new Map<string, onnx.INodeProto>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) producer.set(o, n);
  for (const out of graph.output ?? []) {
    const rank = out.type?.tensorType?.shape?.dim?.length;
    if (!out.name || rank === undefined || rank < 1) continue;
    let node = producer.get(out.name);
    for (let hops = 0; node && PASS_THROUGH.has(node.opType ?? '') && hops < 16; hops++)
      node = producer.get(node.input?.[0] ?? '');
    if (!node || node.domain || !SCORE_OPS.has(node.opType ?? '')) continue;
    // opset 13 made the last axis the default; before it, axis 1 (the last one of a 2-D tensor)
    const axis = intAttr(node, 'axis') ?? (opset >= 13 ? -1 : 1);
    if ((axis < 0 ? axis + rank : axis) === rank - 1) found.add(out.name);
  }
  return found;
}
