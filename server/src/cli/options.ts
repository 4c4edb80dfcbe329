import { InvalidArgumentError } from 'commander';
import type { AcceptCriteria } from '../engine/compare/metrics';
import type { ShardSpec } from '../engine/shard';

/** Commander argument parsers that reject bad values with a message instead of NaN. */
export function number(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number`);
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a non-negative integer`);
  return n;
}

export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`"${value}" is not an integer`);
  return n;
}

function range(value: string): [number, number] {
  const parts = value.split(',').map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p)) || parts[0] >= parts[1]) {
    throw new InvalidArgumentError(`"${value}" is not a range LOW,HIGH with LOW < HIGH`);
  }
  return [parts[0], parts[1]];
}

/** `--range LOW,HIGH` for every input, or `--range NAME=LOW,HIGH` for one (repeatable). */
export interface RangeFlags {
  all?: [number, number];
  inputs: Record<string, [number, number]>;
}

export function rangeEntry(value: string, acc: RangeFlags): RangeFlags {
  const m = /^([^=]+)=(.*)$/.exec(value);
  if (!m) return { ...acc, all: range(value) };
  return { ...acc, inputs: { ...acc.inputs, [m[1]]: range(m[2]) } };
}

/** Repeatable `NAME=D0,D1,...` (non-negative integers) into a record. */
export function shapeEntry(value: string, acc: Record<string, number[]>): Record<string, number[]> {
  const m = /^([^=]+)=(\d+(?:,\d+)*)?$/.exec(value);
  if (!m)
    throw new InvalidArgumentError(`"${value}" is not NAME=D0,D1,... (non-negative integers; NAME= for a scalar)`);
  return { ...acc, [m[1]]: m[2] === undefined ? [] : m[2].split(',').map(Number) };
}

/** Repeatable `NAME=V` (a finite number) into a record. */
export function valueEntry(value: string, acc: Record<string, number>): Record<string, number> {
  const m = /^([^=]+)=(.+)$/.exec(value);
  const v = m ? Number(m[2]) : NaN;
  if (!m || !Number.isFinite(v)) throw new InvalidArgumentError(`"${value}" is not NAME=VALUE with a finite number`);
  return { ...acc, [m[1]]: v };
}

/** Repeatable `name=N` into a record. */
export function dimEntry(value: string, acc: Record<string, number>): Record<string, number> {
  const m = /^([^=]+)=(\d+)$/.exec(value);
  if (!m || Number(m[2]) < 1) throw new InvalidArgumentError(`"${value}" is not NAME=SIZE`);
  return { ...acc, [m[1]]: Number(m[2]) };
}

/** Repeatable `base=cand` into a record. */
export function mapEntry(value: string, acc: Record<string, string>): Record<string, string> {
  const m = /^([^=]+)=(.+)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`"${value}" is not BASELINE_OUTPUT=CANDIDATE_OUTPUT`);
  return { ...acc, [m[1]]: m[2] };
}

export function collect(value: string, acc: string[]): string[] {
  return [...acc, value];
}

/** Repeatable `METRIC=THRESHOLD` (acceptance by task metrics) into a record. */
export function acceptEntry(value: string, acc: AcceptCriteria): AcceptCriteria {
  // Loaded on use: every command's options are declared at start, and only verify's parse metrics.
  const { parseCriterion } = require('../engine/compare/metrics') as typeof import('../engine/compare/metrics');
  const c = parseCriterion(value);
  if (typeof c === 'string') throw new InvalidArgumentError(c);
  return { ...acc, [c.metric]: c.threshold };
}

/** `I/N` for --shard. */
export function shard(value: string): ShardSpec {
  try {
    return (require('../engine/shard') as typeof import('../engine/shard')).parseShard(value);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}

/** Repeatable `OUT=IN` for --carry. */
export function carryEntry(value: string, acc: Record<string, string>): Record<string, string> {
  const m = /^([^=]+)=(.+)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`"${value}" is not OUTPUT=INPUT`);
  return { ...acc, [m[1]]: m[2] };
}
