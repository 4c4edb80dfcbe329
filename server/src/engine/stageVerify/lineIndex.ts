import { lineOf } from '../analysis/clones/lineStarts';
import type { LineFacts } from '../analysis/facts/types';
import { globalKey } from '../analysis/unitKeys';

export interface UnitLines {
  start: number;
  end: number;
  depth: number;
  /** Name of the top-level declaration it belongs to (undefined: inside top-level code, `register(() => …)`). */
  name: string | undefined;
  /** Unit keys of it and of every unit nested in it: a stage reaching any of them runs these lines. */
  keys: string[];
}

/** Per line of one text: the innermost unit (see analysis/units.ts) and whether it is top-level runtime code. */
export class LineIndex {
  private readonly units: UnitLines[] = [];
  /** Lines of top-level statements that run (not types, not `declare`); inside units or not. */
  private readonly code: [number, number][] = [];

  /** `facts` are the text's (see analysis/facts/lines.ts); `text` has no BOM, as analysed. */
  constructor(file: string, text: string, facts: LineFacts) {
    const starts = gitLineStarts(text);
    const line = (pos: number): number => lineOf(starts, pos);
    for (const [key, start, end, depth, parent, name] of facts.units) {
      const up = parent >= 0 ? this.units[parent] : undefined;
      const startLine = line(start);
      this.units.push({
        start: startLine,
        end: line(end),
        depth,
        name: depth === 0 ? (name ?? `line ${startLine + 1}`) : up?.name,
        keys: [globalKey(file, key)],
      });
    }
    // A unit's keys include its descendants': children come after their parent, so walk back.
    for (let i = facts.units.length - 1; i >= 0; i--) {
      const parent = facts.units[i][4];
      if (parent >= 0) for (const k of this.units[i].keys) this.units[parent].keys.push(k);
    }
    for (const [a, b] of facts.code) this.code.push([line(a), line(b)]);
  }

  /** Whether line `l` is in a top-level statement that runs. */
  isCode(l: number): boolean {
    return this.code.some(([a, b]) => a <= l && l <= b);
  }

  /** The innermost unit holding both lines. */
  spanning(a: number, b: number): UnitLines | undefined {
    let best: UnitLines | undefined;
    for (const u of this.units) if (u.start <= a && b <= u.end && (!best || u.depth > best.depth)) best = u;
    return best;
  }
}

/**
 * Offsets at which each line starts as git and jsdiff count lines (after `\n` only), so that hunks map
 * to the right lines in a text holding a lone `\r` or U+2028 (which the compiler and LSP count as breaks).
 */
function gitLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
