import type { Finding, RelatedLocation } from '../findings';
import type { FileGraph } from './link';
import { relPath } from './paths';
import { RULES } from '../rules';

/** One `circular-import` finding per strongly connected component of the import graph. */
export function circularImportFindings(root: string, graphs: readonly FileGraph[]): Finding[] {
  const adj = new Map<string, FileGraph['imports']>(graphs.map((g) => [g.file, g.imports]));
  const out: Finding[] = [];
  for (const scc of stronglyConnected([...adj.keys()].sort(), (f) => (adj.get(f) ?? []).map((i) => i.target))) {
    const self = scc.length === 1 && (adj.get(scc[0]) ?? []).some((i) => i.target === scc[0]);
    if (scc.length < 2 && !self) continue;
    const cycle = cycleThrough(scc.sort()[0], new Set(scc), adj);
    const steps = cycle.slice(0, -1).map((from, i) => (adj.get(from) ?? []).find((imp) => imp.target === cycle[i + 1]));
    const first = steps[0];
    if (!first) continue;
    const names = cycle.map((f) => relPath(root, f));
    const related: RelatedLocation[] = steps
      .slice(1)
      .flatMap((s, i) => (s ? [{ ...s.location, message: `${names[i + 1]} imports ${names[i + 2]}` }] : []));
    out.push({
      file: cycle[0],
      range: first.location.range,
      rule: 'circular-import',
      severity: RULES['circular-import'].severity,
      message: `Circular import: ${names.join(' → ')}`,
      related,
      data: { files: names },
    });
  }
  return out;
}

/** Shortest import path start → … → start inside the component (BFS, so it always terminates). */
function cycleThrough(start: string, members: Set<string>, adj: Map<string, FileGraph['imports']>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length > 0) {
    const cur = queue.shift() as string;
    for (const { target } of adj.get(cur) ?? []) {
      if (target === start) {
        const chain: string[] = [];
        for (let n: string | undefined = cur; n !== undefined && n !== start; n = prev.get(n)) chain.unshift(n);
        return [start, ...chain, start];
      }
      if (members.has(target) && !seen.has(target)) {
        seen.add(target);
        prev.set(target, cur);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

/** Tarjan's algorithm, iterative so deep import chains cannot overflow the stack. */
function stronglyConnected(nodes: readonly string[], next: (n: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; succ: string[]; i: number }[] = [];
    const push = (n: string): void => {
      index.set(n, counter);
      low.set(n, counter++);
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, succ: next(n), i: 0 });
    };
    push(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      if (top.i < top.succ.length) {
        const s = top.succ[top.i++];
        if (!index.has(s)) push(s);
        else if (onStack.has(s)) low.set(top.node, Math.min(low.get(top.node) as number, index.get(s) as number));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent) as number, low.get(top.node) as number));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const comp: string[] = [];
        let n: string;
        do {
          n = stack.pop() as string;
          onStack.delete(n);
          comp.push(n);
        } while (n !== top.node);
        out.push(comp);
      }
    }
  }
  return out;
}
