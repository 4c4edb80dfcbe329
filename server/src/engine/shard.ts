import { EngineError } from './errors';
import type { FixtureStream } from './fixtures/types';

/** `--shard I/N`: this run takes the I-th of N contiguous, near-equal slices of the fixtures (1-based). */
export interface ShardSpec {
  index: number;
  count: number;
}

/** What a sharded case report records about its slice. */
export interface ShardInfo extends ShardSpec {
  /** Fixtures [start, end) of `total`, in the order they are read. */
  start: number;
  end: number;
  total: number;
}

/** The warning a shard with no fixtures carries; a merged report covers them all and drops it. */
export const EMPTY_SHARD = 'this shard has no fixtures';

/** Parses `I/N` with 1 <= I <= N. */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 1 && index <= count)) {
    throw new EngineError('usage', `--shard takes I/N with 1 <= I <= N (e.g. 2/4), got "${text}"`);
  }
  return { index, count };
}

/**
 * The slice of `total` fixtures that shard I of N runs: contiguous, so the shards in order read the fixtures
 * in their original order (what makes "the first worst element" the same after a merge), and sizes differ by
 * at most one. Deterministic: the same fixtures and N always give the same slices.
 */
export function shardRange(s: ShardSpec, total: number): [number, number] {
  return [Math.floor((total * (s.index - 1)) / s.count), Math.floor((total * s.index) / s.count)];
}

/** The fixtures of one shard; case ids stay those of the whole set. */
export function shardStream(all: FixtureStream, s: ShardSpec): { stream: FixtureStream; info: ShardInfo } {
  const [start, end] = shardRange(s, all.count);
  const stream: FixtureStream = {
    count: end - start,
    synthetic: all.synthetic,
    origin: all.origin,
    read: (from, to) => all.read(start + from, Math.min(end, start + to)),
  };
  return { stream, info: { ...s, start, end, total: all.count } };
}
