// Each function takes a divergence as the engine makes it or as JSON carries it to the editor (JsonSafe), so the
// report webview shows the CLI's very sentences.
import { formatNumber, toNumber } from '../format/numbers';
import type { JsonSafe } from '../jsonSafe';
import type { Divergence } from './types';

const BY: Record<NonNullable<Divergence['matchedBy']>, string> = {
  name: 'matched by name',
  alignment: 'matched by structural alignment',
  structure: 'matched by position in the consumer (fused/folded)',
  values: 'matched by value signature (several candidates of the same op read the same inputs)',
};

/** One line, as the text report prints it: where the models first part ways, or why that is unknown. */
export function divergenceLine(d: JsonSafe<Divergence>): string {
  if (!d.found || !d.baseline || !d.candidate) return `first divergence: not located (${d.reason ?? 'unknown reason'})`;
  const inputs =
    d.inputMaxAbs === 0
      ? 'inputs equal (max|Δ| 0)'
      : `inputs agree within tolerance (max|Δ| ${formatNumber(d.inputMaxAbs ?? NaN)})`;
  const chain = d.replacedChain.length
    ? `, replacing ${d.replacedChain.map((n) => `'${n}'`).join(' → ')} → '${d.baseline.name}'`
    : '';
  return `first divergence at ${d.baseline.opType} '${d.baseline.name}' (candidate ${d.candidate.opType === d.baseline.opType ? '' : `${d.candidate.opType} `}'${d.candidate.name}'${chain}): ${inputs}, output max|Δ| ${formatNumber(d.outputMaxAbs ?? NaN)}`;
}

/** `output 'a' ↔ 'b' matched by name`: how the divergent output was paired; undefined when nothing was located. */
export function matchLine(d: JsonSafe<Divergence>): string | undefined {
  return d.found && d.matchedBy
    ? `output '${d.baseline?.output}' ↔ '${d.candidate?.output}' ${BY[d.matchedBy]}`
    : undefined;
}

/** What the search ran on and cost, and how many tensors each matching method paired. */
export function searchLine(d: JsonSafe<Divergence>): string {
  const m = d.matching;
  return (
    `searched ${d.fixtures.length ? `fixture${d.fixtures.length === 1 ? '' : 's'} ${d.fixtures.join(', ')}` : 'no fixture'}: ${d.compared} tensor pairs in ${d.rounds} round${d.rounds === 1 ? '' : 's'}, ${Math.round(toNumber(d.ms))} ms; ` +
    `tensors matched by name ${m.name}, alignment ${m.alignment}, structure ${m.structure}, values ${m.values}, unmatched ${m.unmatched}`
  );
}

/** Further lines: how the pair was matched, control flow, the path to the output and what the search cost. */
export function divergenceDetails(d: JsonSafe<Divergence>): string[] {
  const lines: string[] = [];
  const matched = matchLine(d);
  if (matched) lines.push(matched);
  if (d.controlFlow) lines.push(d.controlFlow);
  if (d.path.length > 1) {
    lines.push(
      `path to the output: ${d.path.map((p) => `${p.opType} '${p.name}'${p.maxAbs === undefined ? '' : ` ${formatNumber(p.maxAbs)}`}`).join(' → ')}`,
    );
  }
  lines.push(searchLine(d));
  return lines;
}
