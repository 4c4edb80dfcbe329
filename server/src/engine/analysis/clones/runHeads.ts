import type { FileTokens } from './tokenize';

/**
 * The heads of runs among the postings of one window hash, fed file by file in ascending position
 * (the order the index stores them in). A file's occurrences of a window repeated in periodic code
 * (a table, the same statement 40 times) come at a fixed stride: such a run has two heads, its first
 * occurrence and its second (marked `second` when a third follows at the same stride), and an
 * occurrence after a change of stride starts a new run. Repeated code that is not periodic keeps every
 * occurrence as a head. Whether an occurrence is a head depends only on its own file's occurrences,
 * so pairing heads is symmetric and independent of the other files. (Murakami et al. fold repeated
 * instructions before suffix-array matching for the same reason: a run of repeats should match as one
 * unit, not as every shifted copy of itself.)
 */
export class RunHeads {
  readonly heads: number[] = [];
  /** Per head, 1 when it is the second occurrence of a run of three or more. */
  readonly second: number[] = [];
  private file = -1;
  private prev = 0;
  private gap = -1;
  private prevIsHead = false;

  add(posting: number, file: number, position: number): void {
    if (file !== this.file) {
      this.file = file;
      this.gap = -1;
    } else {
      const gap = position - this.prev;
      const continues = gap === this.gap;
      this.gap = gap;
      this.prev = position;
      if (continues && this.prevIsHead) this.second[this.second.length - 1] = 1;
      this.prevIsHead = !continues;
      if (continues) return;
    }
    this.prev = position;
    this.prevIsHead = true;
    this.heads.push(posting);
    this.second.push(0);
  }
}

/**
 * Length of the run of agreeing normalized tokens from `p` in `a` and `q` in `b`, stopping at removed
 * code and, within one file, where the second copy starts (a copy never overlaps itself).
 */
export function agreeingRun(a: FileTokens, p: number, b: FileTokens, q: number): number {
  const limit = Math.min(a.count - p, b.count - q, a === b ? Math.abs(q - p) : Infinity);
  const { norm: an, brk: ab } = a;
  const { norm: bn, brk: bb } = b;
  let n = 0;
  while (n < limit && an[p + n] === bn[q + n] && (n === 0 || (!ab[p + n] && !bb[q + n]))) n++;
  return n;
}
