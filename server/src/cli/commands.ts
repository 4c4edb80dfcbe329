import { Option, type Command } from 'commander';
import type { CliIO } from './io';
import { collect, dimEntry, integer, mapEntry, number, positiveInt, range } from './options';
import { runVerifyCommand, type VerifyFlags } from './verifyCommand';

/** Binds every subcommand; each action reports its exit code through `done`. */
export function registerCommands(program: Command, io: CliIO, done: (code: number) => void): void {
  program
    .command('verify')
    .description('Run the baseline and candidate models on fixtures and compare every output.')
    .option('--baseline <model>', 'old model: a path, git:REV (the candidate path at REV) or git:REV:path')
    .option('--candidate <model>', 'refactored model (.onnx); without --baseline, compare against golden outputs in the fixtures')
    .option('--fixtures <path>', 'ONNX test-data folder, folder of .npy files, or JSON fixture file')
    .option('--count <n>', 'number of synthetic fixtures when none are given', positiveInt)
    .option('--seed <n>', 'seed for synthetic fixtures', integer)
    .option('--range <low,high>', 'value range for synthetic fixtures', range)
    .option('--dim <name=size>', 'size of a symbolic dim for synthetic fixtures (repeatable)', dimEntry, {})
    .option('--atol <x>', 'absolute tolerance for every output', number)
    .option('--rtol <x>', 'relative tolerance for every output', number)
    .option('--equal-nan', 'treat NaN in both models as equal')
    .option('--output-map <base=cand>', 'pair a renamed output (repeatable)', mapEntry, {})
    .option('--timeout <ms>', 'kill inference that takes longer than this', positiveInt)
    .option('--batch-size <rows>', 'max rows per batched run (1 disables batching)', positiveInt)
    .option('--config <file>', 'config file (default: ./mlparity.config.json)')
    .option('--case <name>', 'run only this config case (repeatable)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'junit', 'sarif']).default('text'))
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--update-golden <dir>', 'write fixtures with the reference model outputs as golden test data to DIR')
    .action(async (flags: VerifyFlags) => done(await runVerifyCommand(flags, io)));
}
