import assert from 'node:assert/strict';
import { scoreTool } from '../../bench/clones/score';
import type { Injection, ReportedClone } from '../../bench/clones/types';

// The seeded clone benchmark's scoring (bench/clones/score.ts): which reported clones count for and
// against a tool's precision. Line ranges are made up; only their overlaps matter.

const at = (file: string, start: number, end: number): { file: string; start: number; end: number } => ({
  file,
  start,
  end,
});
const clone = (...occurrences: ReturnType<typeof at>[]): ReportedClone => ({ occurrences });

// `src.ts:10-30` copied to the end of `dest.ts` (lines 100-120); `src.ts` already duplicated `other.ts:5-25`.
const INJECTION: Injection = { type: 1, source: at('src.ts', 10, 30), copy: at('dest.ts', 100, 120) };
const BEFORE = [clone(at('src.ts', 12, 28), at('other.ts', 5, 25)), clone(at('a.ts', 1, 9), at('b.ts', 1, 9))];

describe('seeded clone benchmark scoring', () => {
  it('counts a clone of the injected copy and its source as a true positive', () => {
    const s = scoreTool('t', [clone(at('src.ts', 10, 30), at('dest.ts', 100, 120))], BEFORE, [INJECTION]);
    assert.deepEqual([s.truePositives, s.falsePositives, s.preExisting, s.implied, s.recall[1]], [1, 0, 0, 0, 1]);
  });

  it('leaves out duplication the untouched corpus already had, also when it overlaps an injected source', () => {
    const s = scoreTool(
      't',
      [clone(at('src.ts', 12, 28), at('other.ts', 5, 25)), clone(at('a.ts', 1, 9), at('b.ts', 1, 9))],
      BEFORE,
      [INJECTION],
    );
    assert.deepEqual([s.truePositives, s.falsePositives, s.preExisting], [0, 0, 2]);
    assert.equal(s.recall[1], 0);
  });

  it('leaves out a clone of the copy with code its source was already a clone of (implied)', () => {
    const s = scoreTool('t', [clone(at('dest.ts', 103, 118), at('other.ts', 5, 25))], BEFORE, [INJECTION]);
    assert.deepEqual([s.falsePositives, s.implied], [0, 1]);
  });

  it('counts a clone of the copy with code its source never duplicated, and new clones in old code, as false positives', () => {
    const s = scoreTool(
      't',
      [clone(at('dest.ts', 103, 118), at('c.ts', 40, 60)), clone(at('c.ts', 1, 9), at('d.ts', 1, 9))],
      BEFORE,
      [INJECTION],
    );
    assert.deepEqual([s.falsePositives, s.implied, s.preExisting, s.precision], [2, 0, 0, 0]);
  });
});
