import type { DType, Tensor } from '../tensor/tensor';

/** Parent -> worker. Tensors cross the process boundary by structured clone (typed arrays stay binary). */
export type WorkerRequest =
  /**
   * A model by path (the worker reads it, so a large file does not queue on the pipe) or by bytes (from git,
   * or with outputs marked); `externalDataDir`: the folder its external data `location`s resolve against when
   * loaded from bytes (onnxruntime would take the working folder instead).
   */
  | { id: number; type: 'load'; key: string; model: string | Uint8Array; externalDataDir?: string }
  /** Runs every listed session on the same feeds, so a batch crosses the process boundary once. */
  | { id: number; type: 'run'; keys: string[]; feeds: Record<string, Tensor>; cast?: CastPlan }
  | { id: number; type: 'release'; key: string };

/** Worker -> parent. */
export type WorkerResponse =
  | {
      id: number;
      ok: true;
      outputs?: Record<string, Record<string, Tensor>>;
      inputNames?: string[];
      outputNames?: string[];
    }
  | { id: number; ok: false; message: string };

/** Per session key, the inputs to cast before running it and the dtype each needs (`--cast-inputs`). */
export type CastPlan = Record<string, Record<string, DType>>;
