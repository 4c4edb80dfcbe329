import * as fs from 'node:fs';
import { EngineError } from '../engine/errors';

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

/** What a subcommand caught: an EngineError is bad input (one located line, exit 2); anything else is a bug, rethrown. */
export function exitOnBadInput(io: Pick<CliIO, 'stderr'>, e: unknown): number {
  if (!(e instanceof EngineError)) throw e;
  io.stderr(`error: ${e.format()}\n`);
  return EXIT.badInput;
}

const WRITE_FAILURE: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/**
 * Writes a report to --out or stdout. When --out cannot be written, the finished report goes to stdout
 * instead (a long run is not lost) and an EngineError says why, so the command exits 2.
 */
export function emit(io: Pick<CliIO, 'stdout'>, text: string, out?: string): void {
  if (!out) {
    io.stdout(text);
    return;
  }
  try {
    fs.writeFileSync(out, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    io.stdout(text);
    const why = WRITE_FAILURE[code] ?? (e instanceof Error ? e.message : String(e));
    throw new EngineError(
      'output-unwritable',
      `cannot write the report here (${why}); it was printed to stdout instead`,
      { file: out },
    );
  }
}
