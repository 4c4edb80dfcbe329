import * as path from 'node:path';
import { Argument, Option, type Command } from 'commander';
import type { HookAction, HookCommandOptions } from './hookCommand';
import { EXIT, exitOnBadInput, type CliIO } from './io';
import {
  acceptEntry,
  carryEntry,
  collect,
  dimEntry,
  integer,
  mapEntry,
  nonNegativeInt,
  number,
  positiveInt,
  rangeEntry,
  shapeEntry,
  shard,
  valueEntry,
} from './options';
import type { RecordFlags } from './recordCommand';
import type { VerifyStageFlags } from './stageCommand';
import type { VerifyFlags } from './verifyCommand';

// Each command's implementation is loaded only when it runs: the analysis pulls in the TypeScript
// compiler (~400 ms to load), which `verify` and `--help` should not pay for.
const lazy = {
  verify: () => require('./verifyCommand') as typeof import('./verifyCommand'),
  check: () => require('./check') as typeof import('./check'),
  hook: () => require('./hookCommand') as typeof import('./hookCommand'),
  stage: () => require('./stageCommand') as typeof import('./stageCommand'),
  record: () => require('./recordCommand') as typeof import('./recordCommand'),
  report: () => require('./reportCommand') as typeof import('./reportCommand'),
  config: () => require('../engine/config/load') as typeof import('../engine/config/load'),
};

/** Binds every subcommand; each action reports its exit code through `done`. */
export function registerCommands(program: Command, io: CliIO, done: (code: number) => void): void {
  program
    .command('verify')
    .description('Run the baseline and candidate models on fixtures and compare every output.')
    .option('--baseline <model>', 'old model: a path, git:REV (the candidate path at REV) or git:REV:path')
    .option(
      '--candidate <model>',
      'refactored model (.onnx); without --baseline, compare against golden outputs in the fixtures',
    )
    .option('--fixtures <path>', 'ONNX test-data folder, folder of .npy files, or JSON fixture file')
    .option('--count <n>', 'number of synthetic fixtures when none are given', positiveInt)
    .option('--seed <n>', 'seed for synthetic fixtures', integer)
    .option(
      '--range <[name=]low,high>',
      'value range for synthetic fixtures: every input, or one input by name (repeatable)',
      rangeEntry,
      { inputs: {} },
    )
    .option(
      '--dim <name=size>',
      'size of a symbolic dim for synthetic fixtures (repeatable; not with --fixtures)',
      dimEntry,
      {},
    )
    .option('--shape <name=d0,d1,...>', 'concrete shape of one synthetic input (repeatable)', shapeEntry, {})
    .option(
      '--value <name=v>',
      'fill one synthetic input with a fixed value, e.g. sr=16000 (repeatable)',
      valueEntry,
      {},
    )
    .option('--atol <x>', 'absolute tolerance for every output', number)
    .option('--rtol <x>', 'relative tolerance for every output', number)
    .option('--equal-nan', 'treat NaN in both models as equal')
    .option('--output-map <base=cand>', 'pair a renamed output (repeatable)', mapEntry, {})
    .option('--timeout <ms>', 'kill inference that takes longer than this', positiveInt)
    .option(
      '--carry <out=in>',
      'stateful models: feed each model its own output OUT of step k as input IN at step k+1 (repeatable)',
      carryEntry,
      {},
    )
    .option(
      '--shard <i/n>',
      'run the i-th of n slices of the fixtures (1-based); merge the JSON reports with `report merge`',
      shard,
    )
    .option('--cast-inputs', "cast fixtures to each model's own input dtype (float16 I/O); the report says which")
    .option('--batch-size <rows>', 'max rows per batched run (1 disables batching)', positiveInt)
    .option(
      '--accept <metric=threshold>',
      'accept by a task metric instead of elementwise tolerance (repeatable): cosine, snrDb, top1, top5, accuracy (min); maxAbs, meanAbs, mismatchPct, accuracyDrop (max)',
      acceptEntry,
      {},
    )
    .option('--locate', 'on a failed case, find the first node where the models diverge')
    .option(
      '--max-input-mb <mb>',
      'refuse an input tensor (synthetic or a fixture file) larger than this per fixture (default 1024)',
      positiveInt,
    )
    .option('--config <file>', 'config file (default: ./mlparity.config.json)')
    .option('--case <name>', 'run only this config case (repeatable)', collect, [])
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'junit', 'sarif']).default('text'),
    )
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--update-golden <dir>', 'write fixtures with the reference model outputs as golden test data to DIR')
    .action(async (flags: VerifyFlags) => done(await lazy.verify().runVerifyCommand(flags, io)));
  const report = program.command('report').description('Work with verify reports.');
  report
    .command('merge')
    .description('Merge the JSON reports of verify --shard 1/N ... N/N into the report of one unsharded run.')
    .argument('<reports...>', 'JSON reports of every shard')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'junit', 'sarif']).default('text'),
    )
    .option('--out <file>', 'write the report to a file instead of stdout')
    .action((files: string[], flags: { format: 'text' | 'json' | 'junit' | 'sarif'; out?: string }) =>
      done(lazy.report().runReportMerge(files, flags, io)),
    );
  registerCheck(program, io, done);
  registerVerifyStage(program, io, done);
  registerRecord(program, io, done);
  registerLsp(program, done);
  registerHook(program, io, done);
}

interface CheckFlags {
  staged?: boolean;
  stages?: boolean;
  since?: string;
  cache: boolean;
  format: 'text' | 'json' | 'sarif';
  out?: string;
  config?: string;
}

/** `ml-parity check`: analysis findings; the root is the config's folder, else the current folder. */
function registerCheck(program: Command, io: CliIO, done: (code: number) => void): void {
  program
    .command('check')
    .description('Find pipeline stages, duplicated code and untested stages (exit 1 on an error-severity finding).')
    .argument('[paths...]', 'files or folders to report on (default: the whole workspace)')
    .option('--staged', 'analyse the files as staged in git (the index), not the work tree')
    .option('--since <rev>', 'report only findings that are new relative to this git revision (e.g. main, HEAD~1)')
    .option('--no-cache', 'do not read or write the cache in node_modules/.cache/ml-parity')
    .option('--config <file>', 'config file (default: ./mlparity.config.json)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--stages', 'text format: list every stage found and how it was found')
    .action(async (paths: string[], flags: CheckFlags) => {
      try {
        const absPaths = paths.map((p) => path.resolve(io.cwd, p));
        // Named paths are checked in their own project (see projectRootOf), not necessarily the current folder's.
        const home = flags.config ? undefined : lazy.check().projectOf(absPaths, io.cwd);
        const cfg = lazy.config().loadConfig(flags.config ? path.resolve(io.cwd, flags.config) : (home ?? io.cwd));
        const root = cfg.file ? cfg.root : (home ?? io.cwd);
        const check = lazy.check();
        const options = {
          root,
          paths: absPaths,
          config: cfg.analysis,
          format: flags.format,
          out: flags.out,
          staged: !!flags.staged,
          since: flags.since,
          cache: flags.cache,
          listStages: !!flags.stages,
        };
        done(await check.runCheck(options, io));
      } catch (e) {
        done(exitOnBadInput(io, e));
      }
    });
}

/** `ml-parity verify-stage NAME`: one stage of the work tree against its git version, on generated and recorded inputs. */
function registerVerifyStage(program: Command, io: CliIO, done: (code: number) => void): void {
  program
    .command('verify-stage')
    .description(
      'Check that a pipeline stage behaves as it did at a git revision, on generated inputs (exit 1 with a minimal counterexample when not).',
    )
    .argument('<name>', 'stage name, as `ml-parity check --format json` lists it')
    .option('--against <rev>', 'git revision of the baseline', 'HEAD')
    .option('--count <n>', 'number of generated inputs (0: only fixtures)', nonNegativeInt)
    .option('--seed <n>', 'seed for the generated inputs', integer)
    .option(
      '--inputs <file>',
      'JSON fixtures file with calls of the stage (default: .ml-parity/stage-fixtures.json if present)',
    )
    .option('--timeout <ms>', 'limit for one call of the stage', positiveInt)
    .option('--root <dir>', 'workspace folder (default: the current folder)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option(
      '--accept',
      'accept the staged change to this stage as intended: the pre-commit hook then lets exactly that code through',
    )
    .action(async (name: string, flags: VerifyStageFlags) =>
      done(await lazy.stage().runVerifyStageCommand(name, flags, io)),
    );
}

/** `ml-parity record -- CMD...`: the real arguments of the stages' calls while the tests run, as fixtures. */
function registerRecord(program: Command, io: CliIO, done: (code: number) => void): void {
  program
    .command('record')
    .description(
      'Run the test command with the stages wrapped and store the real arguments of their calls as verify-stage fixtures.',
    )
    .argument('<command...>', 'the test command after --, e.g. -- npx mocha')
    .option('--root <dir>', 'workspace folder (default: the current folder)')
    .option('--stage <name>', 'record only this stage (repeatable)', collect, [])
    .option('--out <file>', `fixtures file to merge into (default: ${'.ml-parity/stage-fixtures.json'})`)
    .option('--max-calls <n>', 'distinct calls kept per stage (default 50)', positiveInt)
    .action(async (command: string[], flags: RecordFlags) =>
      done(await lazy.record().runRecordCommand(command, flags, io)),
    );
}

/** `ml-parity lsp --stdio`: the language server for any LSP client (transport flags are read by the server). */
function registerLsp(program: Command, done: (code: number) => void): void {
  program
    .command('lsp')
    .description('Start the ML Parity language server (--stdio, --node-ipc or --socket=PORT).')
    .allowUnknownOption()
    .option('--stdio', 'talk LSP over stdin/stdout')
    .action(() => {
      // Loaded lazily: the CLI's other commands should not pay for the LSP libraries.
      (require('../lsp/main') as { main: () => void }).main();
      done(EXIT.ok);
    });
}

/** `ml-parity hook install|uninstall|run|status`: the pre-commit check, run on the staged content. */
function registerHook(program: Command, io: CliIO, done: (code: number) => void): void {
  program
    .command('hook')
    .description('Install, remove, inspect or run the pre-commit check (it judges the staged content).')
    .addArgument(new Argument('<action>', 'what to do').choices(['install', 'uninstall', 'run', 'status']))
    .option('--root <dir>', 'workspace folder inside the repository', '.')
    .option('--node <path>', 'node binary the hook runs (default: this one)')
    .option('--cli <path>', 'ml-parity script the hook runs (default: this one)')
    .addOption(
      new Option('--fail-on <severity>', 'lowest finding severity that blocks the commit (default warning)').choices([
        'error',
        'warning',
      ]),
    )
    .option('--all', 'judge every finding in staged files, not only those the commit introduces (new relative to HEAD)')
    .action(async (action: HookAction, flags: HookCommandOptions) =>
      done(await lazy.hook().runHookCommand(action, flags, io)),
    );
}
