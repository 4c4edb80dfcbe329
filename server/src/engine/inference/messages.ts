import type { DType, Tensor } from '../tensor/tensor';

/** Per session key, the inputs to cast before running it and the dtype each needs (`--cast-inputs`). */
export type CastPlan = Record<string, Record<string, DType>>;

/** What each request carries, by request type. Tensors cross the process boundary by structured clone. */
export interface WorkerRequests {
  /**
   * A model by path (the worker reads it, so a large file does not queue on the pipe) or by bytes (from git,
   * or with outputs marked); `externalDataDir`: the folder its external data `location`s resolve against when
   * loaded from bytes (onnxruntime would take the working folder instead).
   */
  load: { key: string; model: string | Uint8Array; externalDataDir?: string };
  /** Runs every listed session on the same feeds, so a batch crosses the process boundary once. */
  run: { keys: string[]; feeds: Record<string, Tensor>; cast?: CastPlan };
  release: { key: string };
}

/** What the worker answers to each request type. */
export interface WorkerResults {
  load: { inputNames: string[]; outputNames: string[] };
  /** Outputs by session key, then output name. */
  run: { outputs: Record<string, Record<string, Tensor>> };
  release: Record<string, never>;
}

export type RequestType = keyof WorkerRequests;

const REQUEST_TYPES: readonly RequestType[] = ['load', 'run', 'release'];

/** Parent -> worker: a request of type `K` (any type by default). */
export type WorkerRequest<K extends RequestType = RequestType> = {
  [P in K]: { id: number; type: P } & WorkerRequests[P];
}[K];

/** Worker -> parent: the answer to request `id`, of the request's own type, or why it failed. */
export type WorkerResponse<K extends RequestType = RequestType> =
  | { [P in K]: { id: number; ok: true; type: P; result: WorkerResults[P] } }[K]
  | { id: number; ok: false; message: string };

/**
 * A message from the worker, checked as far as the host relies on it (id, outcome, request type), or
 * a description of what arrived instead. The results themselves come from our own worker as written.
 */
export function parseResponse(m: unknown): WorkerResponse | string {
  if (typeof m !== 'object' || m === null) return `a ${m === null ? 'null' : typeof m} message`;
  if (!('id' in m) || typeof m.id !== 'number') return 'a message without a request id';
  if (!('ok' in m) || typeof m.ok !== 'boolean') return `a message for request ${m.id} without an outcome`;
  if (!m.ok) {
    const message = 'message' in m && typeof m.message === 'string' ? m.message : 'no reason given';
    return { id: m.id, ok: false, message };
  }
  if (!('type' in m) || !isRequestType(m.type)) return `a message for request ${m.id} of no known request type`;
  if (!('result' in m) || typeof m.result !== 'object' || m.result === null)
    return `a ${m.type} answer for request ${m.id} without a result`;
  return parseResult(m.id, m.type, m.result);
}

function isRequestType(t: unknown): t is RequestType {
  return REQUEST_TYPES.some((r) => r === t);
}

function parseResult(id: number, type: RequestType, result: object): WorkerResponse | string {
  switch (type) {
    case 'load':
      return 'inputNames' in result &&
        isStrings(result.inputNames) &&
        'outputNames' in result &&
        isStrings(result.outputNames)
        ? { id, ok: true, type, result: { inputNames: result.inputNames, outputNames: result.outputNames } }
        : `a load answer for request ${id} without input and output names`;
    case 'run':
      return 'outputs' in result && isOutputs(result.outputs)
        ? { id, ok: true, type, result: { outputs: result.outputs } }
        : `a run answer for request ${id} without outputs`;
    case 'release':
      return { id, ok: true, type, result: {} };
  }
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

// Tensors from the worker are built by it from onnxruntime's outputs; the check stops at their shape.
function isOutputs(v: unknown): v is Record<string, Record<string, Tensor>> {
  const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
  return (
    isRecord(v) &&
    Object.values(v).every(
      (byName) =>
        isRecord(byName) &&
        Object.values(byName).every((t) => isRecord(t) && typeof t.dtype === 'string' && Array.isArray(t.dims)),
    )
  );
}
