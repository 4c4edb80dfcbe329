import { onnx } from 'onnx-proto';
import { EngineError } from '../errors';

/** One node of a model's main graph, as the locator needs it. */
export interface GraphNode {
  /** Position in the topological order. */
  index: number;
  /** The node's name, or a stand-in built from its op and first output when the exporter left it empty. */
  name: string;
  opType: string;
  domain: string;
  /** Input tensor names; '' for an omitted optional input. */
  inputs: string[];
  outputs: string[];
  /** If, Loop, Scan: the node carries subgraphs whose own nodes the locator does not enter. */
  controlFlow: boolean;
}

/** A model's main graph in topological order, with who produces and who consumes each tensor. */
export interface LocateGraph {
  nodes: GraphNode[];
  /** Tensor name -> index of the node producing it. */
  producer: Map<string, number>;
  /** Tensor name -> indices of the nodes reading it. */
  consumers: Map<string, number[]>;
  /** Names the fixtures feed. */
  graphInputs: Set<string>;
  /** Initializers and the outputs of Constant nodes: weights, equal by construction on each side. */
  constants: Set<string>;
  graphOutputs: string[];
}

const CONTROL_FLOW = new Set(['If', 'Loop', 'Scan']);

/** Decodes a model and orders its main graph's nodes topologically (stable: file order among ready nodes). */
export function readGraph(bytes: Uint8Array, file: string): LocateGraph {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new EngineError('not-onnx', `not a valid ONNX model: ${e instanceof Error ? e.message : String(e)}`, {
      file,
    });
  }
  const g = model.graph;
  if (!g) throw new EngineError('not-onnx', 'not a valid ONNX model (no graph)', { file });
  const constants = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  const graphInputs = new Set((g.input ?? []).map((v) => v.name ?? '').filter((n) => !constants.has(n)));
  const raw = g.node ?? [];
  for (const n of raw) if (n.opType === 'Constant') for (const o of n.output ?? []) constants.add(o);
  // A node with subgraphs also reads outer-scope tensors inside them: those count as its inputs.
  const implicit = raw.map((n) => [
    ...new Set(
      (n.attribute ?? []).flatMap((a) => [a.g, ...(a.graphs ?? [])]).flatMap((sg) => (sg ? [...outerNames(sg)] : [])),
    ),
  ]);
  const withImplicit = raw.map((n, k) => ({
    ...n,
    input: [...(n.input ?? []), ...implicit[k].filter((i) => !(n.input ?? []).includes(i))],
  }));
  const order = topologicalOrder(withImplicit, new Set([...constants, ...graphInputs]));
  const nodes: GraphNode[] = order.map((k, index) => {
    const n = withImplicit[k];
    const outputs = [...(n.output ?? [])];
    const opType = n.opType ?? '';
    return {
      index,
      name: n.name || `${opType}(${outputs[0] ?? index})`,
      opType,
      domain: n.domain ?? '',
      inputs: [...(n.input ?? [])],
      outputs,
      controlFlow: CONTROL_FLOW.has(opType) || (n.attribute ?? []).some((a) => !!a.g || (a.graphs?.length ?? 0) > 0),
    };
  });
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  for (const n of nodes) {
    for (const o of n.outputs) if (o) producer.set(o, n.index);
    for (const i of n.inputs) {
      if (!i) continue;
      const list = consumers.get(i) ?? [];
      list.push(n.index);
      consumers.set(i, list);
    }
  }
  return {
    nodes,
    producer,
    consumers,
    graphInputs,
    constants,
    graphOutputs: (g.output ?? []).map((o) => o.name ?? ''),
  };
}

/** Tensors a subgraph reads from the scope around it (not its own inputs, initializers or node outputs). */
function outerNames(g: onnx.IGraphProto): Set<string> {
  const own = new Set<string>([
    ...(g.input ?? []).map((v) => v.name ?? ''),
    ...(g.initializer ?? []).map((t) => t.name ?? ''),
  ]);
  for (const n of g.node ?? []) for (const o of n.output ?? []) own.add(o);
  const outer = new Set<string>();
  for (const n of g.node ?? []) {
    for (const i of n.input ?? []) if (i && !own.has(i)) outer.add(i);
    for (const a of n.attribute ?? []) {
      for (const sg of [a.g, ...(a.graphs ?? [])])
        if (sg) for (const i of outerNames(sg)) if (!own.has(i)) outer.add(i);
    }
  }
  for (const o of g.output ?? []) if (o.name && !own.has(o.name)) outer.add(o.name);
  return outer;
}

/**
 * Kahn's algorithm, taking ready nodes in file order, so an already sorted graph keeps its order.
 * Nodes whose inputs never become available (a malformed graph, or outer-scope names) go last in file order.
 */
function topologicalOrder(nodes: onnx.INodeProto[], available: Set<string>): number[] {
  const have = new Set(available);
  const producedBy = new Map<string, number>();
  nodes.forEach((n, k) => (n.output ?? []).forEach((o) => producedBy.set(o, k)));
  const waiting = nodes.map((n) => new Set((n.input ?? []).filter((i) => i && producedBy.has(i) && !have.has(i))));
  const readers = new Map<string, number[]>();
  waiting.forEach((w, k) => w.forEach((i) => readers.set(i, [...(readers.get(i) ?? []), k])));
  const done = new Array<boolean>(nodes.length).fill(false);
  const order: number[] = [];
  // A min-heap would be faster; a sorted ready list is enough for graphs of thousands of nodes.
  const ready = waiting.flatMap((w, k) => (w.size === 0 ? [k] : []));
  for (let k = ready.shift(); k !== undefined; k = ready.shift()) {
    done[k] = true;
    order.push(k);
    for (const o of nodes[k].output ?? []) {
      for (const r of readers.get(o) ?? []) {
        waiting[r].delete(o);
        if (waiting[r].size === 0 && !done[r] && !ready.includes(r)) insertSorted(ready, r);
      }
    }
  }
  nodes.forEach((_, k) => {
    if (!done[k]) order.push(k);
  });
  return order;
}

function insertSorted(list: number[], v: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1] > v) i--;
  list.splice(i, 0, v);
}

/**
 * The model's bytes with `names` added as graph outputs, so onnxruntime returns those intermediates.
 * Protobuf merges a message field that occurs twice and concatenates repeated fields, so appending a
 * ModelProto that holds only `graph.output` entries adds outputs without decoding or re-encoding the
 * (possibly large) model. onnxruntime infers each added output's type from the node producing it.
 */
export function markOutputs(bytes: Uint8Array, names: readonly string[]): Uint8Array {
  const extra = onnx.ModelProto.encode({ graph: { output: names.map((name) => ({ name })) } }).finish();
  const out = new Uint8Array(bytes.length + extra.length);
  out.set(bytes, 0);
  out.set(extra, bytes.length);
  return out;
}
