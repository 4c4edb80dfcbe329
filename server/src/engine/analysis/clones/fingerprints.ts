import type { FileTokens } from './tokenize';

const BASE = 0x01000193;

/** Spreads the small token codes over 32 bits so the polynomial hash uses all its bits. */
function mix(code: number): number {
  let x = Math.imul(code ^ 0x5bd1e995, 0x9e3779b1);
  x ^= x >>> 15;
  return Math.imul(x, 0x85ebca77);
}

function power(base: number, exp: number): number {
  let r = 1;
  for (let i = 0; i < exp; i++) r = Math.imul(r, base);
  return r;
}

/**
 * Rolling hash of every window of `k` normalized tokens that does not span removed code.
 * Returns the window start positions and their hashes (31-bit, so V8 keeps them as small integers).
 */
export function windowHashes(tokens: FileTokens, k: number): { positions: Int32Array; hashes: Int32Array } {
  const n = tokens.count;
  const positions = new Int32Array(Math.max(0, n - k + 1));
  const hashes = new Int32Array(positions.length);
  if (n < k) return { positions, hashes };
  const top = power(BASE, k - 1);
  const { norm, brk } = tokens;
  let h = 0;
  let run = 0; // tokens since the last break
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (brk[i]) {
      h = 0;
      run = 0;
    }
    if (run >= k) h = h - Math.imul(mix(norm[i - k]), top);
    h = (Math.imul(h, BASE) + mix(norm[i])) | 0;
    run++;
    if (run >= k) {
      positions[count] = i - k + 1;
      hashes[count] = h >> 1;
      count++;
    }
  }
  return { positions: positions.subarray(0, count), hashes: hashes.subarray(0, count) };
}
