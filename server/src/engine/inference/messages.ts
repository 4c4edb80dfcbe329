import type { Tensor } from '../tensor/tensor';

/** Parent -> worker. Tensors cross the process boundary by structured clone (typed arrays stay binary). */
export type WorkerRequest =
  | { id: number; type: 'load'; key: string; bytes: Uint8Array }
  | { id: number; type: 'run'; key: string; feeds: Record<string, Tensor>; outputs?: string[] }
  | { id: number; type: 'release'; key: string };

/** Worker -> parent. */
export type WorkerResponse =
  | { id: number; ok: true; outputs?: Record<string, Tensor>; inputNames?: string[]; outputNames?: string[] }
  | { id: number; ok: false; message: string };
