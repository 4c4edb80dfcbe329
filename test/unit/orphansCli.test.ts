import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hangingModel } from '../../scripts/onnx/models';
import { BIN, tempDir, write } from '../support/tmp';
import { busyFor, inferenceWorkerOf, isDead, killIfAlive, pollUntil } from '../support/procs';

/** The brief's budget: the worker is gone within 2 s of its parent being stopped. */
const ORPHAN_BUDGET_MS = 2000;

describe('no orphan inference worker: CLI', function () {
  let dir: string;
  let cli: ChildProcess | undefined;
  let worker: number | undefined;

  before(() => {
    dir = tempDir();
    write(dir, 'hang.onnx', hangingModel());
  });
  afterEach(() => {
    killIfAlive(worker);
    if (cli?.exitCode === null) cli.kill('SIGKILL');
    cli = worker = undefined;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Starts `ml-parity verify` on a model that never finishes and waits until the worker is busy in it. */
  async function startHangingVerify(): Promise<{ cli: ChildProcess; worker: number }> {
    const model = path.join(dir, 'hang.onnx');
    cli = spawn(process.execPath, [BIN, 'verify', '--baseline', model, '--candidate', model, '--count', '1', '--timeout', '600000'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const pid = cli.pid!;
    worker = await pollUntil('the inference worker', () => inferenceWorkerOf(pid), 30_000);
    await busyFor(worker, 0.6);
    return { cli, worker };
  }

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGKILL'] as const) {
    it(`${signal} to the CLI while onnxruntime is busy: the worker dies within 2 s`, async () => {
      const run = await startHangingVerify();
      const exited = new Promise<NodeJS.Signals | null>((resolve) => run.cli.once('exit', (_code, sig) => resolve(sig)));
      run.cli.kill(signal);
      await pollUntil(`worker ${run.worker} to die after ${signal}`, () => isDead(run.worker), ORPHAN_BUDGET_MS);
      // The CLI itself ends by the same signal, as a shell expects.
      assert.equal(await exited, signal);
    });
  }
});
