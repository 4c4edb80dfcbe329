import type { StageCall } from './types';
import { decode, formatValue, type Encoded } from './values';

function args(xs: readonly Encoded[]): string {
  return xs.map((x) => safe(x)).join(', ');
}

function safe(x: Encoded): string {
  try {
    return formatValue(decode(x), 200);
  } catch {
    return JSON.stringify(x);
  }
}

/** `movingAverage([0, 0, 1], 2)`, or `new Scaler(2).fit([[1]]).transform([[1]])` for a class stage. */
export function formatCall(name: string, call: StageCall): string {
  if (call.kind === 'function') return `${name}(${args(call.args)})`;
  return `new ${name}(${args(call.ctor)})${call.calls.map((c) => `.${c.method}(${args(c.args)})`).join('')}`;
}
