import * as fs from 'node:fs';

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** True when stderr is a terminal, so progress bars are worth drawing. */
  isTTY: boolean;
  cwd: string;
  /** The script that started this CLI (bin/ml-parity or the bundled dist/cli.js), for files that must run it again. */
  entry?: string;
}

export function processIO(entry?: string): CliIO {
  // `ml-parity check | head -1`: the reader has what it wanted; the rest of the report goes nowhere, quietly.
  let readerGone = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    readerGone = true;
  });
  return {
    stdout: (s) => {
      if (!readerGone) process.stdout.write(s);
    },
    stderr: (s) => process.stderr.write(s),
    isTTY: !!process.stderr.isTTY,
    cwd: process.cwd(),
    ...(entry ? { entry } : {}),
  };
}

/** Exit codes shared by every subcommand. */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/** Writes a report to --out or stdout. */
export function emit(io: CliIO, text: string, out?: string): void {
  if (out) fs.writeFileSync(out, text);
  else io.stdout(text);
}
