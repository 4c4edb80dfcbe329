import type { Dim, Signature, SignatureDifference, ValueInfo } from './signature';

function dimText(d: Dim): string {
  return d === null ? '?' : String(d);
}

export function shapeText(dims: Dim[] | undefined): string {
  return dims ? `[${dims.map(dimText).join(', ')}]` : '[unknown rank]';
}

function compareValue(side: 'input' | 'output', name: string, b: ValueInfo, c: ValueInfo): SignatureDifference[] {
  const out: SignatureDifference[] = [];
  if (b.dtype !== c.dtype) {
    out.push({
      kind: 'dtype',
      side,
      name,
      baseline: b.dtype,
      candidate: c.dtype,
      message: `${side} "${name}": dtype ${b.dtype} vs ${c.dtype}`,
    });
  }
  const cdims = c.dims;
  if (!b.dims || !cdims) return out;
  if (b.dims.length !== cdims.length) {
    out.push({
      kind: 'rank',
      side,
      name,
      baseline: shapeText(b.dims),
      candidate: shapeText(cdims),
      message: `${side} "${name}": rank ${b.dims.length} ${shapeText(b.dims)} vs ${cdims.length} ${shapeText(cdims)}`,
    });
    return out;
  }
  b.dims.forEach((bd, i) => {
    const cd = cdims[i];
    if (typeof bd === 'number' && typeof cd === 'number' && bd !== cd) {
      out.push({
        kind: 'static-dim',
        side,
        name,
        baseline: String(bd),
        candidate: String(cd),
        message: `${side} "${name}": dim ${i} is ${bd} vs ${cd}`,
      });
    } else if (typeof bd !== typeof cd || (typeof bd === 'string' && bd !== cd)) {
      // A symbolic dim renamed or made static: still runnable, so reported but not blocking.
      out.push({
        kind: 'symbolic-dim',
        side,
        name,
        baseline: dimText(bd),
        candidate: dimText(cd),
        message: `${side} "${name}": dim ${i} is ${dimText(bd)} vs ${dimText(cd)}`,
      });
    }
  });
  return out;
}

/**
 * Lists every difference between two signatures. Inputs are matched by name (order does not matter);
 * outputs by name after applying `outputMap` (baseline name -> candidate name).
 */
export function compareSignatures(
  baseline: Signature,
  candidate: Signature,
  outputMap: Record<string, string> = {},
): SignatureDifference[] {
  const diffs: SignatureDifference[] = [];
  const cIn = new Map(candidate.inputs.map((v) => [v.name, v]));
  for (const b of baseline.inputs) {
    const c = cIn.get(b.name);
    if (!c)
      diffs.push({
        kind: 'missing-input',
        side: 'input',
        name: b.name,
        message: `input "${b.name}" is missing from the candidate`,
      });
    else diffs.push(...compareValue('input', b.name, b, c));
  }
  const bInNames = new Set(baseline.inputs.map((v) => v.name));
  for (const c of candidate.inputs) {
    if (!bInNames.has(c.name))
      diffs.push({
        kind: 'extra-input',
        side: 'input',
        name: c.name,
        message: `candidate has an extra input "${c.name}"`,
      });
  }
  const cOut = new Map(candidate.outputs.map((v) => [v.name, v]));
  const matched = new Set<string>();
  for (const b of baseline.outputs) {
    const cName = outputMap[b.name] ?? b.name;
    const c = cOut.get(cName);
    if (!c) {
      diffs.push({
        kind: 'missing-output',
        side: 'output',
        name: b.name,
        candidate: cName,
        message: `output "${b.name}" is missing from the candidate${cName !== b.name ? ` (mapped to "${cName}")` : ''}`,
      });
      continue;
    }
    matched.add(cName);
    diffs.push(...compareValue('output', b.name, b, c));
  }
  for (const c of candidate.outputs) {
    if (!matched.has(c.name))
      diffs.push({
        kind: 'extra-output',
        side: 'output',
        name: c.name,
        message: `candidate has an extra output "${c.name}"`,
      });
  }
  return diffs;
}

/** Differences that make running both models on the same fixtures impossible. */
export function isBlocking(d: SignatureDifference): boolean {
  return d.side === 'input' && d.kind !== 'symbolic-dim';
}
