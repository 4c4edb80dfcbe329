import type { CliIO } from './io';

/** Options for tests: a clock, and how often a log line is written when stderr is not a terminal. */
export interface ProgressOptions {
  now?: () => number;
  /** Milliseconds between plain progress lines off a terminal (CI logs); the first comes after one period. */
  logEveryMs?: number;
}

/**
 * Progress on stderr. On a terminal: a one-line bar redrawn at most every 100 ms. Elsewhere (CI, a pipe):
 * a plain line every 10 s once a run takes that long, so a long run shows it is alive without flooding
 * the log of a short one.
 */
export function progressBar(io: CliIO, opts: ProgressOptions = {}): { update: (done: number, total: number, message: string) => void; end: () => void } {
  const now = opts.now ?? Date.now;
  const logEvery = opts.logEveryMs ?? 10_000;
  const started = now();
  let last = io.isTTY ? 0 : started;
  let drawn = false;
  return {
    update(done, total, message) {
      const t = now();
      if (!io.isTTY) {
        if (t - last < logEvery || done >= total) return;
        last = t;
        const pct = total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : '';
        io.stderr(`progress: ${message}${pct}, ${Math.round((t - started) / 1000)} s\n`);
        return;
      }
      if (t - last < 100 && done < total) return;
      last = t;
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${message}`.padEnd(80).slice(0, 100));
      drawn = true;
    },
    end() {
      if (drawn) io.stderr('\r' + ' '.repeat(100) + '\r');
      drawn = false;
    },
  };
}
