import type { CliIO } from './io';

/** A one-line progress bar on stderr, drawn only on a terminal and at most every 100 ms. */
export function progressBar(io: CliIO): {
  update: (done: number, total: number, message: string) => void;
  end: () => void;
} {
  let last = 0;
  let drawn = false;
  return {
    update(done, total, message) {
      if (!io.isTTY) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
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
