import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { CloneIndex, detectClones, tokenize, type SourceFileText } from '../../server/src/engine/analysis/clones';
import { windowHashes } from '../../server/src/engine/analysis/clones/fingerprints';
import { seedLength } from '../../server/src/engine/analysis/clones/pairs';
import { DEFAULT_CLONE_OPTIONS } from '../../server/src/engine/analysis/clones/types';

// Statements that periodic code repeats: 2 files × ~35 repeats of one already overflow a bucket (64
// postings), so buckets fill and empty as files come and go, in every order.
const PERIODIC = ['total += values[i] * scale;', 'rows.push([left, right, 0]);', 'if (flags.a) { count++; }'];

const BLOCKS = [
  `export function normalize(values: number[], scale: number): number[] {
  const out: number[] = [];
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += values[i] * scale;
  }
  const mean = total / values.length;
  for (const v of values) {
    out.push((v - mean) / scale);
  }
  return out;
}`,
  `class Cache<K, V> {
  private readonly map = new Map<K, V>();
  get(key: K, make: () => V): V {
    let value = this.map.get(key);
    if (value === undefined) {
      value = make();
      this.map.set(key, value);
    }
    return value;
  }
  clear(): void { this.map.clear(); }
}`,
];

const FILLERS = [
  'while (queue.length > 0) queue.pop();',
  'export type Id = string | number;',
  'try { run(); } catch { }',
];

const chunk = fc.oneof(
  fc
    .record({
      s: fc.integer({ min: 0, max: PERIODIC.length - 1 }),
      reps: fc.integer({ min: 3, max: 45 }),
      cut: fc.boolean(),
    })
    // `cut`: the run starts in the middle of its statement (another phase of the same period).
    .map(
      ({ s, reps, cut }) =>
        (cut ? PERIODIC[s].slice(PERIODIC[s].indexOf(' ') + 1) + '\n' : '') + `${PERIODIC[s]}\n`.repeat(reps),
    ),
  fc.constantFrom(...BLOCKS),
  fc.constantFrom(...FILLERS),
);
const content = fc.array(chunk, { minLength: 1, maxLength: 4 }).map((cs) => cs.join('\n'));
const name = fc.integer({ min: 0, max: 5 }).map((i) => `/ws/f${i}.ts`);

type Op =
  | { op: 'update'; file: string; text: string }
  | { op: 'remove'; file: string }
  | { op: 'classes' }
  | { op: 'store and restore' };

const ops = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('update' as const), file: name, text: content }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), file: name }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('classes' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('store and restore' as const) }) },
  ),
  { minLength: 1, maxLength: 14 },
);

/**
 * Applies `list` to a new index (and the files it stands for), calling `check` at each 'classes' op;
 * returns the final index and files.
 */
function replay(
  list: readonly Op[],
  check: (index: CloneIndex, files: ReadonlyMap<string, string>) => void,
): { index: CloneIndex; files: Map<string, string> } {
  const files = new Map<string, string>();
  let index = new CloneIndex({});
  for (const o of list) {
    if (o.op === 'update') {
      files.set(o.file, o.text);
      index.update({ file: o.file, text: o.text });
    } else if (o.op === 'remove') {
      files.delete(o.file);
      index.remove(o.file);
    } else if (o.op === 'classes') check(index, files);
    else {
      const state = index.toState();
      index = CloneIndex.restore({}, state, (file) => tokenize(file, files.get(file) ?? ''));
    }
  }
  return { index, files };
}

/** The classes of a fresh run over the files as they are now (in name order). */
function fresh(files: ReadonlyMap<string, string>): ReturnType<typeof detectClones> {
  const sources: SourceFileText[] = [...files]
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([file, text]) => ({ file, text }));
  return detectClones(sources, {});
}

describe('clone classes are a function of the set of files', () => {
  it('whatever order files were added, updated, removed and the index stored and restored in', () => {
    fc.assert(
      fc.property(ops, (list: Op[]) => {
        const { index, files } = replay(list, (ix, fs) => assert.deepEqual(ix.classes(), fresh(fs)));
        assert.deepEqual(index.classes(), fresh(files));
      }),
      { numRuns: 60, seed: 20261129 },
    );
  });

  it('and so are the stored postings (every window of every file, at its place, once), however the index got there', () => {
    /** A stored index's postings as sorted "hash file position" lines (see CloneIndexState). */
    const postings = (index: CloneIndex): string[] => {
      const state = index.toState();
      const out: string[] = [];
      for (let i = 0; i < state.hashes.length; i++) {
        assert.ok(i === 0 || state.hashes[i - 1] < state.hashes[i], 'buckets by ascending hash');
        assert.ok(state.offsets[i + 1] > state.offsets[i], 'no empty bucket');
        for (let k = state.offsets[i]; k < state.offsets[i + 1]; k++) {
          const p = state.postings[k];
          out.push(`${state.hashes[i]} ${state.files[Math.floor(p / 2 ** 23)]} ${p % 2 ** 23}`);
        }
      }
      assert.equal(state.offsets[state.hashes.length], state.postings.length);
      return out.sort();
    };
    /** Every window of every file, hashed on its own (what the stored postings must hold, and only that). */
    const windows = (files: ReadonlyMap<string, string>): string[] =>
      [...files]
        .flatMap(([file, text]) => {
          const { positions, hashes } = windowHashes(tokenize(file, text), seedLength(DEFAULT_CLONE_OPTIONS));
          return Array.from(hashes, (h, i) => `${h} ${file} ${positions[i]}`);
        })
        .sort();
    fc.assert(
      fc.property(ops, (list: Op[]) => {
        const { index, files } = replay(list, () => undefined);
        assert.deepEqual(postings(index), windows(files));
      }),
      { numRuns: 60, seed: 20261129 },
    );
  });

  it('in particular when a bucket fills past its limit after pairs were found in it', () => {
    // A function shared by 70 files is boilerplate: no file seeds from it. Found between the first
    // three files, the pair must go once the others join, as in a fresh run over all of them.
    const body = `export function f(values: number[], scale: number): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += values[i] * scale + Math.sqrt(values[i]);
  }
  if (total > 10) { console.log(total); }
  return total / values.length;
}`;
    const files = Array.from({ length: 70 }, (_, i) => ({
      file: `/ws/f${i}.ts`,
      text: `const x${i} = ${i};\n${body}\n`,
    }));
    const index = new CloneIndex({});
    for (const f of files.slice(0, 3)) index.update(f);
    assert.equal(index.classes().length, 1);
    for (const f of files.slice(3)) index.update(f);
    assert.deepEqual(index.classes(), detectClones(files, {}));
    // And back: with 60 files left, every file pairs again.
    for (const f of files.slice(60)) index.remove(f.file);
    assert.deepEqual(index.classes(), detectClones(files.slice(0, 60), {}));
    assert.equal(index.classes().length, 1);
  });

  it('and so are the stretches it did not compare (windows in more than 64 places), incrementally kept', () => {
    // A block repeated at uneven strides keeps every copy as a head: a few files overflow its buckets.
    const block = BLOCKS[0];
    const text = fc
      .array(fc.constantFrom(...FILLERS, '', 'let spacer = 0;\nspacer++;'), { minLength: 20, maxLength: 40 })
      .map((fillers) => fillers.map((f) => `${block}\n${f}`).join('\n'));
    const someOps = fc.array(
      fc.oneof(
        { weight: 5, arbitrary: fc.record({ op: fc.constant('update' as const), file: name, text }) },
        { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), file: name }) },
        { weight: 2, arbitrary: fc.record({ op: fc.constant('classes' as const) }) },
        { weight: 1, arbitrary: fc.record({ op: fc.constant('store and restore' as const) }) },
      ),
      { minLength: 1, maxLength: 14 },
    );
    const freshUnseeded = (files: ReadonlyMap<string, string>): ReturnType<CloneIndex['unseeded']> => {
      const index = new CloneIndex({});
      for (const [file, t] of [...files].sort(([x], [y]) => (x < y ? -1 : 1))) index.update({ file, text: t });
      return index.unseeded();
    };
    let sawHidden = false;
    fc.assert(
      fc.property(someOps, (list: Op[]) => {
        const { index, files } = replay(list, (ix, fs) => assert.deepEqual(ix.unseeded(), freshUnseeded(fs)));
        const u = index.unseeded();
        sawHidden ||= u.spans.length > 0;
        assert.deepEqual(u, freshUnseeded(files));
      }),
      { numRuns: 25, seed: 20261130 },
    );
    assert.ok(sawHidden, 'some runs overflow a bucket');
  });
});
