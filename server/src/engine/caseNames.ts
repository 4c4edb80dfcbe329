import { EngineError } from './errors';
import { list } from './fixtures/inputSpecs';
import type { Signature } from './onnx/signature';
import type { VerifyCase } from './verifyTypes';

/**
 * Every input, output and dim name a case mentions must exist in the models: a misspelt name silently
 * ignored would leave a default (a dim of 1, a tolerance, an unmapped output) in place while the user
 * believes it was set. Throws EngineError('usage') naming the unknown names and the ones that exist.
 * `baseline` is absent in golden mode (then output names are the candidate's).
 */
export function checkCaseNames(c: VerifyCase, candidate: Signature, baseline?: Signature): void {
  const reference = baseline ?? candidate;
  const dimNames = new Set<string>();
  for (const s of [reference, candidate]) {
    for (const i of s.inputs) for (const d of i.dims ?? []) if (typeof d === 'string') dimNames.add(d);
  }
  unknown('--dim (config dims)', 'symbolic dims of the inputs', Object.keys(c.dims ?? {}), dimNames);

  const inputNames = new Set(reference.inputs.map((i) => i.name));
  unknown('--shape/--value/--range (config inputs)', 'inputs', Object.keys(c.inputs ?? {}), inputNames);
  if (c.fixtures) {
    // These only shape generated inputs; with fixtures they would be ignored while the user believes them applied.
    const synthetic = [
      Object.keys(c.inputs ?? {}).length > 0 ? 'per-input --shape/--value/--range (config inputs)' : '',
      Object.keys(c.dims ?? {}).length > 0 ? `--dim ${Object.keys(c.dims ?? {}).join(', ')} (config dims)` : '',
      c.range ? '--range (config range)' : '',
    ].filter(Boolean);
    if (synthetic.length > 0) {
      throw new EngineError(
        'usage',
        `${synthetic.join(' and ')} size or fill synthetic inputs, but fixtures are given (${c.fixtures}), whose tensors fix the shapes and values; drop one or the other`,
      );
    }
  }

  const baseOutputs = new Set(reference.outputs.map((o) => o.name));
  unknown('--output-map (config outputMap)', `baseline outputs`, Object.keys(c.outputMap ?? {}), baseOutputs);
  unknown(
    '--output-map (config outputMap)',
    'candidate outputs',
    Object.values(c.outputMap ?? {}),
    new Set(candidate.outputs.map((o) => o.name)),
  );
  unknown('config outputs', baseline ? 'baseline outputs' : 'outputs', Object.keys(c.outputs ?? {}), baseOutputs);
  unknown('--carry OUT=IN (config carry)', 'baseline outputs', Object.keys(c.carry ?? {}), baseOutputs);
  unknown('--carry OUT=IN (config carry)', 'inputs', Object.values(c.carry ?? {}), inputNames);
}

function unknown(where: string, what: string, given: string[], known: ReadonlySet<string>): void {
  const bad = given.filter((n) => !known.has(n));
  if (bad.length === 0) return;
  throw new EngineError(
    'usage',
    `${where}: unknown name${bad.length === 1 ? '' : 's'} ${list(bad)}; the ${what} are ${list([...known])}`,
  );
}
