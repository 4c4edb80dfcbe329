import * as path from 'node:path';
import { isEngineError } from '../engine/errors';
import { runHookChecks } from '../engine/hooks/run';
import { formatHookSummary } from './reporters/hookSummary';
import type { FailOn, Installation } from '../engine/hooks/types';
import { EXIT, type CliIO } from './io';

export type HookAction = 'install' | 'uninstall' | 'run' | 'status';

export interface HookCommandOptions {
  /** Workspace folder inside the repository (relative paths resolve against `io.cwd`). */
  root: string;
  /** Node binary the hook runs; default: this process's (absolute, so a PATH without nvm still works). */
  node?: string;
  /** CLI script the hook runs; default: the script that started this CLI (`io.entry`), else this package's bin/ml-parity. */
  cli?: string;
  failOn?: FailOn;
  /** Judge every finding in staged files, not only those the commit introduces (baked into the hook by install). */
  all?: boolean;
}

/** `ml-parity hook install|uninstall|run|status`: 0 ok, 1 checks failed (commit blocked), 2 bad input. */
export async function runHookCommand(action: HookAction, opts: HookCommandOptions, io: CliIO): Promise<number> {
  const root = path.resolve(io.cwd, opts.root);
  // The installer is loaded on use: a pre-commit run (the common case) installs nothing.
  try {
    switch (action) {
      case 'install': {
        const node = path.resolve(io.cwd, opts.node ?? process.execPath);
        const cli = path.resolve(io.cwd, opts.cli ?? io.entry ?? repoBin());
        const { installHook } = require('../engine/hooks/install') as typeof import('../engine/hooks/install');
        const r = installHook({
          root,
          node,
          runAsNode: isElectron(node),
          cli,
          failOn: opts.failOn,
          all: opts.all,
        });
        io.stdout(`${r.fresh ? 'Installed' : 'Refreshed'} the ML Parity pre-commit check (${r.layout}): ${r.file}\n`);
        if (r.chained) io.stdout(`  your previous hook runs first: ${r.chained}\n`);
        for (const n of r.notes) io.stdout(`  note: ${n}\n`);
        return EXIT.ok;
      }
      case 'uninstall': {
        const { uninstallHook } = require('../engine/hooks/install') as typeof import('../engine/hooks/install');
        const r = uninstallHook(root);
        if (r.removed.length === 0) io.stdout('ML Parity pre-commit check was not installed.\n');
        for (const i of r.removed) io.stdout(`Removed the ML Parity pre-commit check (${i.layout}): ${i.file}\n`);
        for (const f of r.restored) io.stdout(`Restored your previous hook: ${f}\n`);
        for (const n of r.notes) io.stderr(`note: ${n}\n`);
        return EXIT.ok;
      }
      case 'status': {
        const { hookStatus } = require('../engine/hooks/install') as typeof import('../engine/hooks/install');
        const s = hookStatus(root);
        io.stdout(
          s.installed.length === 0
            ? `not installed (install would use the ${s.layout} layout; hooks folder ${s.hooksDir})\n`
            : s.installed.map(describeInstallation).join(''),
        );
        return EXIT.ok;
      }
      case 'run': {
        absolutizeIndexEnv();
        const r = await runHookChecks({ root, failOn: opts.failOn ?? 'warning', all: opts.all });
        io.stdout(formatHookSummary(r));
        return r.passed ? EXIT.ok : EXIT.failed;
      }
      default:
        io.stderr(`error: unknown hook action "${String(action)}" (use install, uninstall, run or status)\n`);
        return EXIT.badInput;
    }
  } catch (e) {
    io.stderr(`error: ${isEngineError(e) ? e.format() : e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.badInput;
  }
}

function describeInstallation(i: Installation): string {
  return `installed (${i.layout}): ${i.file}\n${i.chained ? `  chained previous hook: ${i.chained}\n` : ''}`;
}

/** This package's bin/ml-parity in the compiled layout (out/server/src/cli), for callers that name no entry. */
function repoBin(): string {
  return path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'ml-parity');
}

/**
 * True when `node` is this process's own binary and that is Electron (an editor's runtime started with
 * ELECTRON_RUN_AS_NODE=1): the hook must set the same variable or the binary would open an editor window.
 */
function isElectron(node: string): boolean {
  return !!process.versions.electron && node === path.resolve(process.execPath);
}

/** git may hand hooks a relative GIT_INDEX_FILE; pin it so git calls from other folders read the same index. */
function absolutizeIndexEnv(): void {
  const f = process.env.GIT_INDEX_FILE;
  if (f && !path.isAbsolute(f)) process.env.GIT_INDEX_FILE = path.resolve(f);
}
