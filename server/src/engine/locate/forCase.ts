import type { OutputComparison } from '../compare/types';
import { toEngineError } from '../errors';
import { bindInputs } from '../fixtures/bind';
import type { FixtureStream } from '../fixtures/types';
import type { InferenceHost } from '../inference/host';
import type { ValueInfo } from '../onnx/signature';
import type { Tensor } from '../tensor/tensor';
import type { VerifyCase } from '../verifyTypes';
import { locateDivergence, type LocateModel } from './locate';
import type { Divergence } from './types';

/** Fixtures the locator runs on by default: the worst ones, few, since each probe runs every one. */
const DEFAULT_LOCATE_FIXTURES = 2;

export interface CaseLocate {
  host: InferenceHost;
  c: VerifyCase;
  baseline: LocateModel;
  candidate: LocateModel;
  outputs: OutputComparison[];
  fixtures: FixtureStream;
  inputs: ValueInfo[];
  timeoutMs: number;
}

/**
 * `--locate` for one failed case: picks the worst fixtures (the cases holding the worst element of each
 * failing output, largest |Δ| first), frees the verify sessions and searches. Never throws: a search that
 * cannot run says why in the returned divergence.
 */
export async function locateForCase(l: CaseLocate): Promise<Divergence> {
  const failing = l.outputs.filter((o) => !o.passed).sort((a, b) => b.maxAbs - a.maxAbs);
  const limit = l.c.locateFixtures ?? DEFAULT_LOCATE_FIXTURES;
  const ids = [
    ...new Set(
      failing.flatMap((o) => (o.worst ? [o.worst.caseId] : []).concat(o.shapeMismatch ? [o.shapeMismatch.caseId] : [])),
    ),
  ].slice(0, limit);
  const empty: Divergence = {
    found: false,
    replacedChain: [],
    path: [],
    compared: 0,
    rounds: 0,
    ms: 0,
    fixtures: ids,
    matching: { name: 0, alignment: 0, structure: 0, values: 0, unmatched: 0 },
  };
  try {
    const fixtures = readById(l.fixtures, l.inputs, ids);
    if (fixtures.length === 0)
      return { ...empty, reason: 'no failing fixture case to run on (the failing outputs name no worst element)' };
    await l.host.release('candidate', l.timeoutMs);
    await l.host.release('baseline', l.timeoutMs);
    return await locateDivergence({
      host: l.host,
      baseline: l.baseline,
      candidate: l.candidate,
      fixtures,
      failing: failing.map((o) => o.name),
      outputMap: l.c.outputMap,
      tolerance: l.c.tolerance,
      timeoutMs: l.timeoutMs,
    });
  } catch (e) {
    return { ...empty, reason: `the search failed: ${toEngineError(e, 'inference-failed').message}` };
  }
}

/** The fixture cases with these ids, bound to the inputs, in the order of `ids`. */
function readById(
  stream: FixtureStream,
  inputs: ValueInfo[],
  ids: string[],
): { id: string; feeds: Record<string, Tensor> }[] {
  const found = new Map<string, Record<string, Tensor>>();
  const chunk = 64;
  for (let start = 0; start < stream.count && found.size < ids.length; start += chunk) {
    for (const fc of stream.read(start, Math.min(stream.count, start + chunk))) {
      if (ids.includes(fc.id)) found.set(fc.id, Object.fromEntries(bindInputs(fc, inputs, fc.source)));
    }
  }
  return ids.flatMap((id) => {
    const f = found.get(id);
    return f ? [{ id, feeds: f }] : [];
  });
}
