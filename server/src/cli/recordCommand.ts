import * as path from 'node:path';
import { RECORDED_FIXTURES } from '../engine/stageVerify/fixturesFile';
import { recordStages } from '../engine/stageVerify/record';
import { EXIT, exitOnBadInput, type CliIO } from './io';

export interface RecordFlags {
  root?: string;
  stage: string[];
  out?: string;
  maxCalls?: number;
}

/**
 * `ml-parity record -- CMD...`: 0 when calls were recorded, 2 when none could be (the reasons listed);
 * the test command's own output goes to stderr, the summary to stdout.
 */
export async function runRecordCommand(command: string[], flags: RecordFlags, io: CliIO): Promise<number> {
  try {
    const root = path.resolve(io.cwd, flags.root ?? '.');
    const out = flags.out ? path.resolve(io.cwd, flags.out) : path.join(root, RECORDED_FIXTURES);
    const r = await recordStages({
      root,
      command,
      stages: flags.stage.length ? flags.stage : undefined,
      out,
      maxCalls: flags.maxCalls,
      onOutput: io.stderr,
    });
    const lines = [
      `recorded calls from ${r.processes} node process${r.processes === 1 ? '' : 'es'} of \`${command.join(' ')}\` (exit ${r.exitCode ?? 'signal'}) into ${path.relative(io.cwd, out) || out}`,
    ];
    for (const s of r.recorded) lines.push(`  ${s.stage}: ${s.calls} distinct call${s.calls === 1 ? '' : 's'}`);
    for (const m of r.missing) lines.push(`  ${m.stage}: no calls recorded: ${m.reason}`);
    if (r.exitCode !== 0)
      lines.push(`  note: the test command failed (exit ${r.exitCode ?? 'signal'}); the calls made before are kept`);
    io.stdout(lines.join('\n') + '\n');
    return r.recorded.length > 0 ? EXIT.ok : EXIT.badInput;
  } catch (e) {
    return exitOnBadInput(io, e);
  }
}
