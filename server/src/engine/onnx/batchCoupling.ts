import { onnx } from 'onnx-proto';

/**
 * Static half of "batching never changes the numbers": ops that make one row's result depend on the other
 * rows stacked with it. Only what is certain from the graph is flagged here; what depends on values
 * (a Reshape that folds the batch axis, an op fed a computed axis) is left to the run-time probe, which
 * compares stacked and single runs bit for bit.
 */

type Node = onnx.INodeProto;

function attrOf(n: Node, name: string): onnx.IAttributeProto | undefined {
  return (n.attribute ?? []).find((a) => a.name === name);
}

function num(v: number | { toNumber(): number } | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'number' ? v : v.toNumber();
}

function intAttr(n: Node, name: string): number | undefined {
  const a = attrOf(n, name);
  return a ? num(a.i) ?? 0 : undefined;
}

function intsAttr(n: Node, name: string): number[] | undefined {
  const a = attrOf(n, name);
  return a ? (a.ints ?? []).map((v) => num(v) ?? 0) : undefined;
}

/** Values of a constant int64/int32 tensor (an initializer or a Constant node's output), if known. */
function constInts(t: onnx.ITensorProto | undefined): number[] | undefined {
  if (!t) return undefined;
  if (t.int64Data?.length) return t.int64Data.map((v) => num(v) ?? 0);
  if (t.int32Data?.length) return [...t.int32Data];
  const raw = t.rawData;
  if (!raw || raw.length === 0) return (t.dims ?? []).length === 1 && num(t.dims![0]) === 0 ? [] : undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  if (t.dataType === onnx.TensorProto.DataType.INT64) for (let i = 0; i + 8 <= raw.length; i += 8) out.push(Number(view.getBigInt64(i, true)));
  else if (t.dataType === onnx.TensorProto.DataType.INT32) for (let i = 0; i + 4 <= raw.length; i += 4) out.push(view.getInt32(i, true));
  else return undefined;
  return out;
}

/** Ops that read the batch axis of their data input: the axis/axes they work on, and whether 0 is among them. */
function axesTouchBatch(n: Node, constants: Map<string, onnx.ITensorProto>, opset: number): boolean | undefined {
  const op = n.opType ?? '';
  const axisIs0 = (name: string, dflt: number): boolean => (intAttr(n, name) ?? dflt) === 0;
  switch (op) {
    case 'DynamicQuantizeLinear':
      return true;
    case 'ArgMax':
    case 'ArgMin':
      return axisIs0('axis', 0);
    case 'Softmax':
    case 'LogSoftmax':
    case 'Hardmax':
      return axisIs0('axis', opset >= 13 ? -1 : 1);
    case 'LayerNormalization':
    case 'LpNormalization':
    case 'TopK':
      return axisIs0('axis', -1);
    case 'Flatten':
      return axisIs0('axis', 1);
    case 'BatchNormalization':
      return (intAttr(n, 'training_mode') ?? 0) === 1;
    case 'MeanVarianceNormalization':
      return (intsAttr(n, 'axes') ?? [0, 2, 3]).includes(0);
    case 'CumSum': {
      const axis = constInts(constants.get(n.input?.[1] ?? ''));
      return axis ? axis[0] === 0 : undefined;
    }
    default:
      if (!/^Reduce(Sum|Mean|Max|Min|Prod|L1|L2|LogSum|LogSumExp|SumSquare)$/.test(op)) return false;
      return reduceTouchesBatch(n, constants);
  }
}

function reduceTouchesBatch(n: Node, constants: Map<string, onnx.ITensorProto>): boolean | undefined {
  const noopEmpty = (intAttr(n, 'noop_with_empty_axes') ?? 0) === 1;
  let axes = intsAttr(n, 'axes');
  if (axes === undefined && n.input?.[1]) {
    axes = constInts(constants.get(n.input[1]));
    if (axes === undefined) return undefined; // computed axes: left to the probe
  }
  if (axes === undefined || axes.length === 0) return !noopEmpty; // reduce over everything
  return axes.includes(0);
}

/** Ops in ORT's contrib domain that quantise their input with a scale taken over the whole tensor. */
const DYNAMIC_CONTRIB = new Set(['DynamicQuantizeMatMul', 'DynamicQuantizeLSTM', 'DynamicQuantizeLinear']);

const WHY: Record<string, string> = {
  DynamicQuantizeLinear: 'its quantisation scale is taken over the whole batch',
  BatchNormalization: 'in training mode it normalises over the batch',
  MeanVarianceNormalization: 'it normalises over the batch axis',
};

function describe(n: Node, domain: string): string {
  const op = n.opType ?? '';
  const name = n.name ? ` "${n.name}"` : '';
  const why = WHY[op] ?? (DYNAMIC_CONTRIB.has(op) ? 'it quantises with a scale taken over the whole batch' : 'it works along the batch axis (axis 0)');
  return `${domain ? `${domain}::` : ''}${op}${name}: ${why}`;
}

/**
 * Values computed from the batch size: outputs of Shape (from dim 0) and Size, and of any node whose
 * non-constant inputs all derive from them. Such a value reaching anything other than a shape-like
 * argument (Reshape's shape, Expand's shape, Slice bounds...) makes results depend on how many rows ran.
 */
const SHAPE_ARGUMENT: Record<string, readonly number[]> = {
  Reshape: [1], Expand: [1], ConstantOfShape: [0], Tile: [1], Slice: [1, 2, 3, 4], Squeeze: [1], Unsqueeze: [1],
  Pad: [1], Resize: [1, 2, 3], Range: [0, 1, 2], TopK: [1], OneHot: [1], Upsample: [1], Split: [1],
};

function shapeFlowCoupling(nodes: readonly Node[], constants: Map<string, onnx.ITensorProto>): Node | undefined {
  const derived = new Set<string>();
  // Values computed only from constants are constant too (exporters wrap constants in Cast, Unsqueeze...).
  const fixed = new Set(constants.keys());
  for (const n of nodes) {
    const op = n.opType ?? '';
    const inputs = (n.input ?? []).filter((i) => i !== '');
    if (inputs.every((i) => fixed.has(i)) && !op.startsWith('Random')) {
      for (const o of n.output ?? []) fixed.add(o);
      continue;
    }
    if ((op === 'Shape' && (intAttr(n, 'start') ?? 0) <= 0) || op === 'Size') {
      for (const o of n.output ?? []) derived.add(o);
      continue;
    }
    const fromBatch = inputs.filter((i) => derived.has(i));
    if (fromBatch.length === 0 || picksTrailingDims(n, derived, constants)) continue;
    const shapeArgs = new Set((SHAPE_ARGUMENT[op] ?? []).map((k) => n.input?.[k]));
    // The batch size only shapes this node's output (Reshape's shape, ConstantOfShape...): values are per row.
    if (fromBatch.every((i) => shapeArgs.has(i))) continue;
    const others = inputs.filter((i) => !derived.has(i) && !fixed.has(i));
    if (others.length > 0) return n;
    for (const o of n.output ?? []) derived.add(o); // still arithmetic on the shape
  }
  return undefined;
}

/** Gather or Slice taking only dims after the first out of a shape: no longer depends on the batch size. */
function picksTrailingDims(n: Node, derived: Set<string>, constants: Map<string, onnx.ITensorProto>): boolean {
  const data = n.input?.[0] ?? '';
  if (!derived.has(data)) return false;
  if (n.opType === 'Gather') {
    const idx = constInts(constants.get(n.input?.[1] ?? ''));
    return !!idx && idx.length > 0 && idx.every((i) => i >= 1);
  }
  if (n.opType === 'Slice') {
    const starts = constInts(constants.get(n.input?.[1] ?? ''));
    return !!starts && starts.length === 1 && starts[0] >= 1;
  }
  return false;
}

/** Constant tensors of a graph: initializers and Constant nodes' `value`. */
function constantsOf(g: onnx.IGraphProto): Map<string, onnx.ITensorProto> {
  const c = new Map<string, onnx.ITensorProto>();
  for (const t of g.initializer ?? []) if (t.name) c.set(t.name, t);
  for (const n of g.node ?? []) {
    const v = n.opType === 'Constant' ? attrOf(n, 'value')?.t : undefined;
    if (v && n.output?.[0]) c.set(n.output[0], v);
  }
  return c;
}

/**
 * Why stacking fixtures along the batch axis could change this model's numbers, from its graph alone;
 * undefined when nothing certain was found (the probe still checks).
 */
export function batchCouplingReason(model: onnx.IModelProto): string | undefined {
  const opset = num((model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version) ?? 0;
  const visit = (g: onnx.IGraphProto | null | undefined, top: boolean): string | undefined => {
    if (!g) return undefined;
    const constants = constantsOf(g);
    for (const n of g.node ?? []) {
      const domain = n.domain ?? '';
      if (domain === 'com.microsoft' && DYNAMIC_CONTRIB.has(n.opType ?? '')) return describe(n, domain);
      if ((domain === '' || domain === 'ai.onnx') && axesTouchBatch(n, constants, opset)) {
        // Inside a Loop/If body axis 0 need not be the batch axis; only DynamicQuantizeLinear is certain there.
        if (top || n.opType === 'DynamicQuantizeLinear') return describe(n, '');
      }
      for (const a of n.attribute ?? []) {
        const inner = visit(a.g, false) ?? (a.graphs ?? []).map((sg) => visit(sg, false)).find(Boolean);
        if (inner) return inner;
      }
    }
    if (top) {
      const n = shapeFlowCoupling(g.node ?? [], constants);
      if (n) return `${n.opType}${n.name ? ` "${n.name}"` : ''} computes with the batch size (read by Shape/Size)`;
    }
    return undefined;
  };
  return visit(model.graph, true);
}
