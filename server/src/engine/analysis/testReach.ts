import type { Finding, Location, RelatedLocation } from '../findings';
import type { FileGraph } from './refGraph';
import type { Stage } from './types';
import { moduleKey } from './units';
import { relPath } from './paths';

/** A merged stage with the unit key of its declaration. */
export type KeyedStage = Stage & { key: string };

/** What the tests reach: per test file, and over all of them. */
export interface Reach {
  /** Unit keys reached by at least one test. */
  all: Set<string>;
  /** Unit keys reached by each test file. */
  perTest: Map<string, Set<string>>;
}

/**
 * Walks the reference graph from every test file. A test file's roots are its top-level code and every
 * function in it; edges follow calls, references, aliases (resolved by the checker), callbacks passed as
 * arguments and containment, so "runs the pipeline" reaches every stage the pipeline registers.
 */
export function computeReach(graphs: readonly FileGraph[], testFiles: readonly string[]): Reach {
  const adjacency = new Map<string, Set<string>>();
  for (const g of graphs) for (const [from, tos] of g.edges) adjacency.set(from, tos);
  const byFile = new Map(graphs.map((g) => [g.file, g]));
  const perTest = new Map<string, Set<string>>();
  const all = new Set<string>();
  for (const test of testFiles) {
    const roots = [moduleKey(test), ...(byFile.get(test)?.edges.keys() ?? [])];
    const seen = new Set<string>(roots);
    const queue = [...roots];
    // Iterative BFS with a visited set: cycles in the graph (recursion, circular imports) terminate.
    while (queue.length > 0) {
      for (const next of adjacency.get(queue.pop() as string) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    perTest.set(test, seen);
    for (const k of seen) all.add(k);
  }
  return { all, perTest };
}

/** One `untested-stage` finding per stage no test reaches, naming the test that comes closest. */
export function untestedStageFindings(root: string, stages: readonly KeyedStage[], reach: Reach, graphs: readonly FileGraph[]): Finding[] {
  const imports = new Map(graphs.map((g) => [g.file, g.imports]));
  const out: Finding[] = [];
  for (const stage of stages) {
    if (reach.all.has(stage.key)) continue;
    const related: RelatedLocation[] = [];
    if (stage.registration) related.push({ ...stage.registration, message: `stage '${stage.name}' is registered here` });
    const near = nearestTest(root, stage, stages, reach, imports);
    if (near) related.push(near.related);
    out.push({
      file: stage.location.file,
      range: stage.location.range,
      rule: 'untested-stage',
      severity: 'warning',
      message: `Stage '${stage.name}' is not reached by any test${near ? `; nearest test: ${near.text}` : ''}`,
      related,
      data: { stage: stage.name, file: stage.location.file, kind: stage.kind, ...(near ? { nearestTest: near.test } : {}) },
    });
  }
  return out;
}

interface Nearest {
  test: string;
  text: string;
  related: RelatedLocation;
}

function nearestTest(root: string, stage: KeyedStage, stages: readonly KeyedStage[], reach: Reach, imports: Map<string, FileGraph['imports']>): Nearest | undefined {
  const tests = [...reach.perTest.keys()].sort();
  // Closest: a test that imports the stage's module but never gets to the stage itself.
  for (const test of tests) {
    const imp = imports.get(test)?.find((i) => i.target === stage.location.file);
    if (imp) {
      const rel = relPath(root, test);
      return { test, text: `${rel} imports its module but never calls it`, related: { ...imp.location, message: `nearest test: imports the module of '${stage.name}' but never calls it` } };
    }
  }
  // Next: the test reaching most sibling stages (same file, or registered in the same file).
  const siblings = stages.filter((s) => s.key !== stage.key && (s.location.file === stage.location.file || (stage.registration && s.registration?.file === stage.registration.file)));
  let best: { test: string; names: string[] } | undefined;
  for (const test of tests) {
    const seen = reach.perTest.get(test) as Set<string>;
    const names = siblings.filter((s) => seen.has(s.key)).map((s) => s.name);
    if (names.length > 0 && (!best || names.length > best.names.length)) best = { test, names };
  }
  if (!best) return undefined;
  const rel = relPath(root, best.test);
  const n = best.names.length;
  const reaches = `reaches ${n} sibling stage${n === 1 ? '' : 's'} (${best.names.join(', ')}) but not this one`;
  const at: Location = { file: best.test, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  return { test: best.test, text: `${rel} ${reaches}`, related: { ...at, message: `nearest test: ${reaches}` } };
}
