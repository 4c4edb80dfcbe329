import { onnx } from 'onnx-proto';
import { EngineError } from '../errors';
import { dtypeFromOnnx } from '../tensor/tensor';
import { batchCouplingReason } from './batchCoupling';
import { externalDataFiles } from './externalData';
import { scoreOutputs } from './scoreOutputs';
import type { Dim, Signature, ValueInfo } from './signature';

/** What the engine needs from a model file without starting onnxruntime. */
export interface ParsedModel {
  signature: Signature;
  /** `domain::op_type` of every node, for naming an op the runtime rejects. */
  ops: string[];
  opsets: { domain: string; version: number }[];
  /** Why stacking fixtures could change this model's numbers, when its graph says so for certain. */
  batchCoupling?: string;
  /** External data files the weights live in, relative to the model's folder (forward slashes). */
  externalData: string[];
  /** Outputs known to hold class scores along the last axis (see scoreOutputs). */
  scoreOutputs: Set<string>;
}

function toNumber(v: number | { toNumber(): number } | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'number' ? v : v.toNumber();
}

function valueInfo(v: onnx.IValueInfoProto, file: string): ValueInfo {
  const name = v.name ?? '';
  const tensorType = v.type?.tensorType;
  if (!tensorType) {
    throw new EngineError('model-load-failed', `"${name}" is not a tensor (sequences and maps are not supported)`, {
      file,
    });
  }
  const elemType = tensorType.elemType ?? 0;
  const dtype = dtypeFromOnnx(elemType);
  if (!dtype)
    throw new EngineError('model-load-failed', `"${name}" has unsupported element type ${elemType}`, { file });
  const dims: Dim[] | undefined = tensorType.shape
    ? (tensorType.shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : (toNumber(d.dimValue) ?? null)))
    : undefined;
  return { name, dtype, dims };
}

/**
 * Decodes an .onnx file's bytes. Anything that is not a model (wrong file, truncated download)
 * is reported as such rather than as a runtime error later.
 */
export function parseModel(bytes: Uint8Array, file: string): ParsedModel {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new EngineError('not-onnx', `not a valid ONNX model (truncated or not protobuf: ${why})`, { file });
  }
  const graph = model.graph;
  if (!graph || !model.irVersion || (graph.output ?? []).length === 0) {
    throw new EngineError('not-onnx', 'not a valid ONNX model (no graph, IR version or outputs)', { file });
  }
  // Old exporters list initializers among the inputs; they are weights, not things a fixture feeds.
  const weights = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !weights.has(i.name ?? '')).map((i) => valueInfo(i, file));
  const outputs = (graph.output ?? []).map((o) => valueInfo(o, file));
  const ops = (graph.node ?? []).map((n) => (n.domain ? `${n.domain}::${n.opType}` : String(n.opType)));
  const opsets = (model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: toNumber(o.version) ?? 0 }));
  return {
    signature: { inputs, outputs },
    ops,
    opsets,
    externalData: externalDataFiles(model, file),
    batchCoupling: batchCouplingReason(model),
    scoreOutputs: scoreOutputs(model),
  };
}
