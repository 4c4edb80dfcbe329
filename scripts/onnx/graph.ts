import { onnx } from 'onnx-proto';
import { ONNX_ELEM_TYPE, type DType } from '../../server/src/engine/tensor/tensor';

/** A declared dim: a fixed size, a symbolic name such as 'batch', or null for an unnamed free dim. */
export type DimSpec = number | string | null;

/** A typed node attribute; build one with the `attr` helpers so the ONNX attribute type is always right. */
export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'graph'; value: GraphBuilder };

export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attr => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
  graph: (value: GraphBuilder): Attr => ({ kind: 'graph', value }),
};

/** Initializer payloads the builder can serialize to raw_data. */
export type InitData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** Options for a node beyond its op, inputs and outputs. */
export interface NodeOptions {
  /** Operator domain; '' is the default ONNX domain. */
  domain?: string;
  name?: string;
}

const AttrType = onnx.AttributeProto.AttributeType;

function attrProto(name: string, a: Attr): onnx.IAttributeProto {
  switch (a.kind) {
    case 'int':
      return { name, type: AttrType.INT, i: a.value };
    case 'float':
      return { name, type: AttrType.FLOAT, f: a.value };
    case 'ints':
      return { name, type: AttrType.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: AttrType.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: AttrType.STRING, s: new TextEncoder().encode(a.value) };
    case 'graph':
      return { name, type: AttrType.GRAPH, g: a.value.toProto() };
  }
}

function valueInfo(name: string, dtype: DType, dims?: readonly DimSpec[]): onnx.IValueInfoProto {
  const tensorType: onnx.TypeProto.ITensor = { elemType: ONNX_ELEM_TYPE[dtype] };
  if (dims) {
    tensorType.shape = {
      dim: dims.map((d) => (d === null ? {} : typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
    };
  }
  return { name, type: { tensorType } };
}

// Always little-endian, as ONNX raw_data requires, whatever the host byte order.
function rawBytes(data: InitData): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  data.forEach((v: number | bigint, i: number) => {
    if (data instanceof Float32Array) view.setFloat32(i * 4, v as number, true);
    else if (data instanceof Float64Array) view.setFloat64(i * 8, v as number, true);
    else if (data instanceof BigInt64Array) view.setBigInt64(i * 8, v as bigint, true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, v as number, true);
    else view.setUint8(i, v as number);
  });
  return out;
}

function initDType(data: InitData, bool: boolean): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  return bool ? 'bool' : 'uint8';
}

/**
 * Builds one ONNX graph (a model's main graph or a Loop body). Everything is kept in insertion order,
 * so the same calls always serialize to the same bytes.
 */
export class GraphBuilder {
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly nodes: onnx.INodeProto[] = [];

  constructor(readonly name: string) {}

  /** Declares a graph input; omit dims for an input of unknown rank (used for Loop body scalars). */
  input(name: string, dtype: DType, dims?: readonly DimSpec[]): this {
    this.inputs.push(valueInfo(name, dtype, dims));
    return this;
  }

  output(name: string, dtype: DType, dims?: readonly DimSpec[]): this {
    this.outputs.push(valueInfo(name, dtype, dims));
    return this;
  }

  /** Adds a constant tensor stored as raw_data; pass `bool: true` to tag a Uint8Array of 0/1 as bool. */
  initializer(name: string, dims: readonly number[], data: InitData, bool = false): this {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length)
      throw new Error(`initializer ${name}: ${data.length} values for dims [${dims.join(',')}]`);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: ONNX_ELEM_TYPE[initDType(data, bool)],
      rawData: rawBytes(data),
    });
    return this;
  }

  /** Adds a node; attributes are serialized in the order given. */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: Readonly<Record<string, Attr>> = {},
    options: NodeOptions = {},
  ): this {
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [...outputs],
      name: options.name ?? `${opType}_${this.nodes.length}`,
      domain: options.domain ?? '',
      attribute: Object.entries(attrs).map(([k, a]) => attrProto(k, a)),
    });
    return this;
  }

  toProto(): onnx.IGraphProto {
    return {
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    };
  }
}

/** Extra operator-set imports, e.g. a custom domain for an op onnxruntime does not know. */
export interface ModelOptions {
  opset?: number;
  extraOpsets?: ReadonlyArray<{ domain: string; version: number }>;
  docString?: string;
}

const DEFAULT_OPSET = 17;
const IR_VERSION = 8;

/** A whole model: a main graph plus opset imports (opset 17, IR version 8 unless told otherwise). */
export class ModelBuilder extends GraphBuilder {
  constructor(
    name: string,
    private readonly options: ModelOptions = {},
  ) {
    super(name);
  }

  toModelProto(): onnx.ModelProto {
    const opsetImport: onnx.IOperatorSetIdProto[] = [
      { domain: '', version: this.options.opset ?? DEFAULT_OPSET },
      ...(this.options.extraOpsets ?? []).map((o) => ({ domain: o.domain, version: o.version })),
    ];
    return onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'ml-parity-scripts',
      producerVersion: '1',
      opsetImport,
      docString: this.options.docString ?? '',
      graph: this.toProto(),
    });
  }

  toBytes(): Uint8Array {
    return onnx.ModelProto.encode(this.toModelProto()).finish();
  }
}
