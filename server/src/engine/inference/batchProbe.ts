import type { Tensor } from '../tensor/tensor';
import { splitOutput, type Batch, type BoundCase } from './batching';

/** How many fixtures of the first stacked batch are also run alone and compared bit for bit. */
const PROBE_FIXTURES = 4;

/** Outputs of one run, keyed by session ('candidate', 'baseline') then output name. */
export type RunOutputs = Record<string, Record<string, Tensor>>;

function bytesOf(t: Tensor): Uint8Array | undefined {
  if (Array.isArray(t.data)) return undefined;
  const d = t.data as ArrayBufferView;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Same dtype, dims and bits (NaN payloads and -0 included); strings compared as strings. */
function bitIdentical(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) return false;
  const x = bytesOf(a);
  const y = bytesOf(b);
  if (!x || !y) {
    const s = a.data as string[];
    const t = b.data as string[];
    return s.length === t.length && s.every((v, i) => v === t[i]);
  }
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** The probe's single runs: the first fixtures of `batch`, each as its own run. */
export function probeCases(batch: Batch): BoundCase[] {
  return batch.cases.slice(0, PROBE_FIXTURES);
}

/**
 * Compares each probed fixture's slice of the stacked outputs with its outputs when run alone. Returns
 * undefined when every output of every model is bit-identical, else why batching changes the numbers.
 */
export function probeDifference(batch: Batch, stacked: RunOutputs, alone: RunOutputs[]): string | undefined {
  for (const [key, outputs] of Object.entries(stacked)) {
    for (const [name, t] of Object.entries(outputs)) {
      const parts = splitOutput(t, batch.rows);
      if (!parts) return `the ${key}'s output "${name}" does not keep one row per input row when fixtures are stacked`;
      for (let j = 0; j < alone.length; j++) {
        const single = alone[j][key]?.[name];
        if (!single || !bitIdentical(parts[j], single)) {
          return `stacking changed the numbers: fixture ${batch.cases[j].id}, ${key} output "${name}" differs bit for bit between a stacked run and a run alone`;
        }
      }
    }
  }
  return undefined;
}
