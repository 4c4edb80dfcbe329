import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../engine/version';
import { EXIT, processIO } from './io';
import { registerCommands } from './commands';

/** Entry point of `./bin/ml-parity`. Usage errors exit 2, like any other bad input. */
export async function main(argv: string[], entry?: string): Promise<number> {
  const io = processIO(entry);
  const program = new Command('ml-parity')
    .description(
      'Keep ML pipelines safe while refactoring: behavioural equivalence of ONNX models and pipeline analysis.',
    )
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  let code: number = EXIT.ok;
  registerCommands(program, io, (c) => (code = c));
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit through here too, with their own zero code.
      return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    io.stderr(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.badInput;
  }
  return code;
}

/** Runs the CLI on this process's arguments and sets the exit code; `entry` is the calling script's path. */
export function run(entry?: string): void {
  void main(process.argv, entry).then((code) => {
    // exitCode rather than exit(): piped JSON on stdout must drain first.
    process.exitCode = code;
  });
}
