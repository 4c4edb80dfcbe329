import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { FileGraph } from '../../server/src/engine/analysis/link';
import { ReachIndex, reachStateOf, type Reach, type ReachState } from '../../server/src/engine/analysis/reachIndex';

// Reachability kept across edits and across processes (toState, JSON, restore): whatever happened in
// between, every result is the one an independent walk over the graphs as they are now gives.

const FILES = ['/w/a.ts', '/w/b.ts', '/w/c.ts', '/w/d.ts', '/w/t1.test.ts', '/w/t2.test.ts'];
const TESTS = FILES.filter((f) => f.includes('.test.'));
// A file's units (key `file#i`; a test's top-level code is `file#module`); a node's edges are in its file's graph.
const UNITS = FILES.flatMap((f) => [0, 1, 2].map((i) => `${f}#${i}`)).concat(TESTS.map((t) => `${t}#module`));

const unitOf = fc.constantFrom(...UNITS);
/** A file's graph: some of its units (and a test's top-level code) with edges to any unit anywhere. */
const graphOf = (file: string): fc.Arbitrary<FileGraph> =>
  fc
    .array(
      fc.tuple(fc.constantFrom(...UNITS.filter((u) => u.startsWith(`${file}#`))), fc.array(unitOf, { maxLength: 3 })),
      {
        maxLength: 4,
      },
    )
    .map((rows) => {
      const edges = new Map<string, Set<string>>();
      for (const [from, tos] of rows) {
        const set = edges.get(from) ?? new Set<string>();
        for (const t of tos) if (t !== from) set.add(t);
        edges.set(from, set);
      }
      return { file, edges, imports: [], targetFiles: new Set<string>() };
    });

type Op =
  | { op: 'relink'; graph: FileGraph }
  | { op: 'same edges'; file: string }
  | { op: 'remove'; file: string }
  | { op: 'stages'; stages: string[] }
  | { op: 'tests'; tests: string[] }
  | { op: 'compute' }
  | { op: 'store and restore' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...FILES).chain((f) => graphOf(f).map((graph) => ({ op: 'relink' as const, graph }))),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('same edges' as const), file: fc.constantFrom(...FILES) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), file: fc.constantFrom(...FILES) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stages' as const), stages: fc.subarray(UNITS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tests' as const), tests: fc.subarray(TESTS) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('compute' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('store and restore' as const) }) },
);

/** An independent walk: from each test's top-level code and every unit of its graph, along each node's file's edges. */
function expected(graphs: readonly FileGraph[], tests: readonly string[], stages: readonly string[]): Reach {
  const byFile = new Map(graphs.map((g) => [g.file, g]));
  const perTest = new Map<string, Set<string>>();
  const all = new Set<string>();
  for (const test of tests) {
    const seen = new Set<string>([`${test}#module`, ...(byFile.get(test)?.edges.keys() ?? [])]);
    const queue = [...seen];
    while (queue.length > 0) {
      const n = queue.pop() as string;
      for (const t of byFile.get(n.slice(0, n.indexOf('#')))?.edges.get(n) ?? []) {
        if (seen.has(t)) continue;
        seen.add(t);
        queue.push(t);
      }
    }
    const reached = new Set(stages.filter((s) => seen.has(s)));
    perTest.set(test, reached);
    for (const s of reached) all.add(s);
  }
  return { all, perTest };
}

const sorted = (r: Reach): unknown => ({
  all: [...r.all].sort(),
  perTest: [...r.perTest].map(([t, s]) => [t, [...s].sort()]).sort(),
});

/** The stored form of graphs (as Workspace.toState/restore give them: other objects, same edges). */
const copy = (g: FileGraph): FileGraph => ({ ...g, edges: new Map([...g.edges].map(([k, v]) => [k, new Set(v)])) });

describe('test reachability kept across edits and processes (ReachIndex)', () => {
  it('gives what a fresh walk gives, whatever was relinked, removed, staged, stored and restored in between', () => {
    fc.assert(
      fc.property(fc.tuple(...FILES.map(graphOf)), fc.array(op, { minLength: 1, maxLength: 16 }), (initial, ops) => {
        const graphs = new Map(initial.map((g) => [g.file, g]));
        let tests = [...TESTS];
        let stages = UNITS.filter((_, i) => i % 3 === 0);
        let index = new ReachIndex();
        const check = (): void => {
          const now = [...graphs.values()];
          assert.deepEqual(sorted(index.compute(now, tests, stages)), sorted(expected(now, tests, stages)));
        };
        check();
        for (const o of ops) {
          if (o.op === 'relink') graphs.set(o.graph.file, o.graph);
          else if (o.op === 'same edges') {
            const g = graphs.get(o.file);
            if (g) graphs.set(o.file, copy(g));
          } else if (o.op === 'remove') graphs.delete(o.file);
          else if (o.op === 'stages') stages = o.stages;
          else if (o.op === 'tests') tests = o.tests;
          else if (o.op === 'compute') check();
          else {
            // Stored with the graphs as they are now (maybe changed since the last compute), read back as JSON.
            const state = reachStateOf(JSON.parse(JSON.stringify(index.toState(graphs.values()))));
            assert.ok(state);
            const restored = [...graphs.values()].map(copy);
            for (const g of restored) graphs.set(g.file, g);
            index = ReachIndex.restore(state, restored);
          }
        }
        check();
      }),
      { numRuns: 300, seed: 20261130 },
    );
  });

  const chain = (): FileGraph[] => {
    // t1 → a#0 → b#0 (a stage); t2 → c#0 (a stage); d is visited by no test.
    const g = (file: string, edges: [string, string[]][]): FileGraph => ({
      file,
      edges: new Map(edges.map(([k, v]) => [k, new Set(v)])),
      imports: [],
      targetFiles: new Set(),
    });
    return [
      g('/w/a.ts', [['/w/a.ts#0', ['/w/b.ts#0']]]),
      g('/w/b.ts', []),
      g('/w/c.ts', []),
      g('/w/d.ts', [['/w/d.ts#0', ['/w/b.ts#0']]]),
      g('/w/t1.test.ts', [['/w/t1.test.ts#module', ['/w/a.ts#0']]]),
      g('/w/t2.test.ts', [['/w/t2.test.ts#module', ['/w/c.ts#0']]]),
    ];
  };
  const STAGES = ['/w/b.ts#0', '/w/c.ts#0'];
  const restored = (graphs: FileGraph[], state: ReachState | undefined): ReachIndex =>
    ReachIndex.restore(state, graphs);

  it('after a restore walks only the tests that visited a file whose edges changed', () => {
    const graphs = chain();
    const first = new ReachIndex();
    first.compute(graphs, TESTS, STAGES);
    assert.deepEqual(first.walked, TESTS);
    const state = reachStateOf(JSON.parse(JSON.stringify(first.toState(graphs))));
    assert.ok(state);

    // Nothing changed, or a file no test visited, or a file relinked to the same edges: no walk at all.
    let index = restored(graphs, state);
    assert.deepEqual(sorted(index.compute(graphs, TESTS, STAGES)), sorted(expected(graphs, TESTS, STAGES)));
    assert.deepEqual(index.walked, []);
    const d = [...graphs.slice(0, 3), { ...graphs[3], edges: new Map() }, ...graphs.slice(4)];
    index = restored(graphs, state);
    index.compute(d, TESTS, STAGES);
    assert.deepEqual(index.walked, []);
    index = restored(graphs, state);
    index.compute([...graphs.slice(1), copy(graphs[0])], TESTS, STAGES);
    assert.deepEqual(index.walked, []);

    // a (two hops from b) no longer calls b: t1 alone is walked, and no longer reaches b.
    const cut = [{ ...graphs[0], edges: new Map() }, ...graphs.slice(1)];
    index = restored(graphs, state);
    const reach = index.compute(cut, TESTS, STAGES);
    assert.deepEqual(index.walked, ['/w/t1.test.ts']);
    assert.deepEqual(sorted(reach), sorted(expected(cut, TESTS, STAGES)));
    assert.deepEqual([...reach.all], ['/w/c.ts#0']);

    // A new stage in a file t1 visited: t1 is walked; one in a file no test visited: none is.
    index = restored(graphs, state);
    assert.ok(index.compute(graphs, TESTS, [...STAGES, '/w/a.ts#0']).all.has('/w/a.ts#0'));
    assert.deepEqual(index.walked, ['/w/t1.test.ts']);
    index = restored(graphs, state);
    assert.ok(!index.compute(graphs, TESTS, [...STAGES, '/w/d.ts#0']).all.has('/w/d.ts#0'));
    assert.deepEqual(index.walked, []);
    // A stage that is no longer one is no longer reached, without a walk.
    index = restored(graphs, state);
    assert.deepEqual([...index.compute(graphs, TESTS, ['/w/c.ts#0']).all], ['/w/c.ts#0']);
    assert.deepEqual(index.walked, []);
  });

  it('walks stored against graphs relinked since (not computed yet) are not stored', () => {
    const graphs = chain();
    const index = new ReachIndex();
    index.compute(graphs, TESTS, STAGES);
    const now = new Map(graphs.map((g) => [g.file, g]));
    now.set('/w/a.ts', { ...graphs[0], edges: new Map() });
    assert.deepEqual(
      index.toState(now.values()).tests.map(([t]) => t),
      ['/w/t2.test.ts'],
    );
  });

  it('stored walks that are not well formed are not used', () => {
    const good: ReachState = {
      stages: ['/w/b.ts#0'],
      files: ['/w/t1.test.ts', '/w/a.ts', '/w/b.ts'],
      tests: [['/w/t1.test.ts', [0, 1, 2], [0]]],
    };
    assert.deepEqual(reachStateOf(good), good);
    for (const [why, bad] of [
      ['not an object', 'x'],
      ['no tests', { ...good, tests: undefined }],
      ['a file index out of range', { ...good, tests: [['/w/t1.test.ts', [0, 3], [0]]] }],
      ['a stage index out of range', { ...good, tests: [['/w/t1.test.ts', [0, 1, 2], [1]]] }],
      ['a fractional index', { ...good, tests: [['/w/t1.test.ts', [0, 1.5], []]] }],
      ['a test that did not visit its own file', { ...good, tests: [['/w/t1.test.ts', [1, 2], []]] }],
      ['a stage in a file the test did not visit', { ...good, tests: [['/w/t1.test.ts', [0, 1], [0]]] }],
      ['a file listed twice', { ...good, files: [...good.files, '/w/a.ts'] }],
      ['an entry of the wrong shape', { ...good, tests: [['/w/t1.test.ts', [0]]] }],
    ] as const)
      assert.equal(reachStateOf(bad), undefined, why);
  });
});
