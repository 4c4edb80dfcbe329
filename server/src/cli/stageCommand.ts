import * as fs from 'node:fs';
import * as path from 'node:path';
import { acceptStagedStage } from '../engine/stageVerify/commitCheck';
import { RECORDED_FIXTURES, readStageFixtures } from '../engine/stageVerify/fixturesFile';
import { verifyStage } from '../engine/stageVerify/verifyStage';
import type { StageCall } from '../engine/stageVerify/types';
import { EXIT, emit, exitOnBadInput, type CliIO } from './io';
import { formatStageJson } from './reporters/stageJson';
import { formatStageText } from './reporters/stageText';

export interface VerifyStageFlags {
  against: string;
  count?: number;
  seed?: number;
  inputs?: string;
  timeout?: number;
  root?: string;
  format: 'text' | 'json';
  out?: string;
  accept?: boolean;
}

/** `ml-parity verify-stage NAME`: 0 equivalent, 1 not equivalent, 2 bad input. */
export async function runVerifyStageCommand(name: string, flags: VerifyStageFlags, io: CliIO): Promise<number> {
  try {
    const root = path.resolve(io.cwd, flags.root ?? '.');
    if (flags.accept) {
      const at = acceptStagedStage(root, name);
      io.stdout(
        `accepted the staged change to stage "${name}" (${path.relative(io.cwd, at.file) || at.file}:${at.line}) as intended: the pre-commit hook lets exactly this code through; any further edit is verified again\n`,
      );
      return EXIT.ok;
    }
    let fixtures: StageCall[] | undefined;
    let origin: string | undefined;
    if (flags.inputs) {
      const file = path.resolve(io.cwd, flags.inputs);
      fixtures = readStageFixtures(file, name) ?? [];
      origin = path.relative(io.cwd, file) || file;
      if (fixtures.length === 0) io.stderr(`note: ${origin} has no calls for stage "${name}"\n`);
    } else {
      const recorded = path.join(root, RECORDED_FIXTURES);
      if (fs.existsSync(recorded)) {
        fixtures = readStageFixtures(recorded, name);
        origin = RECORDED_FIXTURES;
      }
    }
    const report = await verifyStage({
      root,
      stage: name,
      baseline: { kind: 'revision', rev: flags.against },
      count: flags.count,
      seed: flags.seed,
      fixtures,
      fixturesOrigin: origin,
      callTimeoutMs: flags.timeout,
      onProgress: io.isTTY ? (done, total) => io.stderr(`\r${name}: ${done}/${total} inputs`) : undefined,
    });
    if (io.isTTY) io.stderr('\r\x1b[K');
    emit(
      io,
      flags.format === 'json' ? formatStageJson(report) : formatStageText(report),
      flags.out && path.resolve(io.cwd, flags.out),
    );
    return report.status === 'equivalent' ? EXIT.ok : EXIT.failed;
  } catch (e) {
    return exitOnBadInput(io, e);
  }
}
