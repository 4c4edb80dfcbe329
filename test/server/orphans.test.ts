import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { ExitNotification, ShutdownRequest } from 'vscode-languageserver-protocol';
import { hangingModel } from '../../scripts/onnx/models';
import { VerifyRequest } from '../../server/src/protocol';
import { busyFor, inferenceWorkerOf, isDead, killIfAlive, pollUntil } from '../support/procs';
import { tempDir, write } from '../support/tmp';
import { LspTestClient } from './lspClient';

/** The brief's budget: the worker is gone within 2 s of the server going away. */
const ORPHAN_BUDGET_MS = 2000;

/** How each case ends the server while a verify request runs a model that never finishes. */
const ENDINGS: Record<string, (c: LspTestClient) => Promise<void> | void> = {
  'shutdown + exit': async (c) => {
    await c.conn.sendRequest(ShutdownRequest.type);
    await c.conn.sendNotification(ExitNotification.type);
  },
  'stdin closed': (c) => {
    c.proc.stdin!.end();
  },
  SIGTERM: (c) => {
    c.proc.kill('SIGTERM');
  },
  SIGKILL: (c) => {
    c.proc.kill('SIGKILL');
  },
};

describe('no orphan inference worker: language server', function () {
  let root: string;
  let client: LspTestClient | undefined;
  let worker: number | undefined;

  beforeEach(() => {
    root = tempDir('mlparity-orphan-');
    write(root, 'hang.onnx', hangingModel());
    const config = { verify: { cases: [{ name: 'hang', baseline: 'hang.onnx', candidate: 'hang.onnx', count: 1, timeoutMs: 600_000 }] } };
    write(root, 'mlparity.config.json', JSON.stringify(config));
  });
  afterEach(async () => {
    killIfAlive(worker);
    if (client && client.proc.exitCode === null && client.proc.signalCode === null) await client.stop();
    else client?.conn.dispose();
    client = worker = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  for (const [how, end] of Object.entries(ENDINGS)) {
    it(`${how} while onnxruntime is busy: the worker dies within 2 s`, async () => {
      client = await LspTestClient.start(root);
      const c = client;
      const serverPid = c.proc.pid!;
      const pending = c.conn.sendRequest(VerifyRequest, { caseName: 'hang' });
      pending.catch(() => undefined); // the server goes away before it answers
      const w = await c.waitFor('inference worker', () => inferenceWorkerOf(serverPid));
      worker = w;
      await busyFor(w, 0.6);
      await end(c);
      await pollUntil(`worker ${w} to die after ${how}`, () => isDead(w), ORPHAN_BUDGET_MS);
      await pollUntil('the server to exit', () => c.proc.exitCode !== null || c.proc.signalCode !== null, 5000);
      assert.ok(isDead(w));
    });
  }
});
