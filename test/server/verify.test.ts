import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import { hangingModel } from '../../scripts/onnx/models';
import { LastReportRequest, VerifyRequest, type VerifyReport } from '../../server/src/protocol';
import { childPids } from '../support/procs';
import { LspTestClient } from './lspClient';
import { copyExample } from './workspace';

/** Adds a case whose model never finishes, so cancellation and crashes can be staged deterministically. */
function addHangingCase(root: string, timeoutMs: number): void {
  fs.writeFileSync(path.join(root, 'models/hang.onnx'), hangingModel());
  const file = path.join(root, 'mlparity.config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { verify: { cases: object[] } };
  config.verify.cases.push({ name: 'hang', baseline: 'models/hang.onnx', candidate: 'models/hang.onnx', count: 1, timeoutMs });
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
}

describe('language server: verify request', function () {
  let root: string;
  let client: LspTestClient;

  afterEach(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs every case with work-done progress and keeps the report', async () => {
    root = copyExample();
    client = await LspTestClient.start(root);
    const token = 'verify-1';
    const progress = client.track(token);
    const report = await client.conn.sendRequest(VerifyRequest, { workDoneToken: token });
    assert.deepEqual(
      report.cases.map((c) => [c.name, c.status]),
      [['fuse-matmul-add', 'pass'], ['split-reduction', 'pass'], ['relu-to-leakyrelu', 'fail']],
    );
    assert.equal(report.passed, false);
    assert.equal(progress[0]?.kind, 'begin');
    assert.ok(progress.some((p) => p.kind === 'report' && /fixtures/.test(p.message ?? '')));
    await client.waitFor('progress end', () => progress.at(-1)?.kind === 'end');
    const last = await client.conn.sendRequest(LastReportRequest);
    assert.deepEqual(last, report);
    const status = await client.waitFor('status with verify', () => client.statuses.find((s) => s.lastVerify));
    assert.deepEqual({ passed: status.lastVerify!.passed, failed: status.lastVerify!.failed }, { passed: false, failed: 1 });
  });

  it('runs one named case and rejects an unknown one', async () => {
    root = copyExample();
    client = await LspTestClient.start(root);
    const one: VerifyReport = await client.conn.sendRequest(VerifyRequest, { caseName: 'split-reduction' });
    assert.deepEqual(one.cases.map((c) => c.name), ['split-reduction']);
    assert.equal(one.passed, true);
    assert.ok(Number(one.cases[0]!.outputs[0]!.maxAbs) > 0, 'within tolerance, not bit-identical');
    await assert.rejects(client.conn.sendRequest(VerifyRequest, { caseName: 'nope' }), /no verify case named 'nope'/);
  });

  it('stops on $/cancelRequest', async () => {
    root = copyExample();
    addHangingCase(root, 120_000);
    client = await LspTestClient.start(root);
    const token = 'verify-cancel';
    const progress = client.track(token);
    const source = client.cancellation();
    const pending = client.conn.sendRequest(VerifyRequest, { caseName: 'hang', workDoneToken: token }, source.token);
    await client.waitFor('verify started', () => progress.some((p) => p.kind === 'begin'));
    source.cancel();
    await assert.rejects(pending, (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled);
    await client.waitFor('progress end', () => progress.at(-1)?.kind === 'end');
    assert.equal(await client.conn.sendRequest(LastReportRequest), null);
  });

  it('survives a crash of the inference process and keeps answering', async () => {
    root = copyExample();
    addHangingCase(root, 120_000);
    client = await LspTestClient.start(root);
    const serverPid = client.proc.pid!;
    const pending = client.conn.sendRequest(VerifyRequest, { caseName: 'hang' });
    const worker = await client.waitFor('inference worker', () => childPids(serverPid)[0]);
    // A native crash inside onnxruntime ends the worker with SIGSEGV: do exactly that.
    process.kill(worker, 'SIGSEGV');
    const report = await pending;
    assert.equal(report.cases[0]!.status, 'error');
    assert.equal(report.cases[0]!.error?.code, 'inference-crashed');
    const after = await client.conn.sendRequest(VerifyRequest, { caseName: 'split-reduction' });
    assert.equal(after.passed, true);
    assert.equal(client.proc.exitCode, null);
  });

  it('refuses to verify in an untrusted workspace but still analyses', async () => {
    root = copyExample();
    client = await LspTestClient.start(root, { trusted: false });
    await assert.rejects(client.conn.sendRequest(VerifyRequest, {}), /untrusted/);
    await client.waitFor('diagnostics', () => client.diagnosticsFor(path.join(root, 'src/pipeline/featurize.ts')).length > 0);
  });
});
