import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { isEngineError } from '../../server/src/engine/errors';
import { InferenceHost } from '../../server/src/engine/inference/host';
import { parseResponse } from '../../server/src/engine/inference/messages';
import { parseStageMessage } from '../../server/src/engine/stageVerify/messages';
import { verifyStage } from '../../server/src/engine/stageVerify/verifyStage';
import { git, tempDir, write } from '../support/tmp';

/** A stand-in inference worker: `answer` is the body of `(req) => message`. */
function fakeWorker(answer: string): string {
  return write(
    tempDir('mlp-fake-worker-'),
    'worker.js',
    `process.on('message', (req) => process.send((${answer})(req)));\nprocess.on('disconnect', () => process.exit(0));\n`,
  );
}

/** What a parser said instead of a message, or the message it accepted (which then fails the match). */
const refusal = (r: object | string): string => (typeof r === 'string' ? r : `accepted ${JSON.stringify(r)}`);

const rejectsWith = (p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(isEngineError(e), String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  });

describe('worker protocols: each request gets its own answer type, anything else is a clear error', function () {
  this.timeout(30_000);

  it('parses the inference answers the host relies on and names what else came', () => {
    assert.deepEqual(parseResponse({ id: 1, ok: true, type: 'load', result: { inputNames: ['x'], outputNames: [] } }), {
      id: 1,
      ok: true,
      type: 'load',
      result: { inputNames: ['x'], outputNames: [] },
    });
    assert.deepEqual(parseResponse({ id: 2, ok: false, message: 'boom' }), { id: 2, ok: false, message: 'boom' });
    assert.deepEqual(parseResponse({ id: 3, ok: true, type: 'release', result: {} }), {
      id: 3,
      ok: true,
      type: 'release',
      result: {},
    });
    const cases: [unknown, RegExp][] = [
      ['hello', /a string message/],
      [null, /a null message/],
      [{ ok: true }, /without a request id/],
      [{ id: 4 }, /request 4 without an outcome/],
      [{ id: 5, ok: true, type: 'train', result: {} }, /no known request type/],
      [{ id: 6, ok: true, type: 'run' }, /run answer for request 6 without a result/],
      [{ id: 7, ok: true, type: 'run', result: { outputs: { m: { y: 3 } } } }, /without outputs/],
      [{ id: 8, ok: true, type: 'load', result: { inputNames: 'x' } }, /without input and output names/],
    ];
    for (const [m, why] of cases) assert.match(refusal(parseResponse(m)), why, JSON.stringify(m));
  });

  it('a worker answering with the wrong type of result fails that request and stops, not the caller', async () => {
    const host = new InferenceHost(
      fakeWorker(
        `(req) => ({ id: req.id, ok: true, type: 'load', result: { inputNames: ['x'], outputNames: ['y'] } })`,
      ),
    );
    try {
      assert.deepEqual(await host.load('m', 'm.onnx', 10_000, 'm.onnx'), { inputNames: ['x'], outputNames: ['y'] });
      await rejectsWith(
        host.run(['m'], {}, 10_000, 'running case 1'),
        'inference-crashed',
        /the inference process sent a load answer while running case 1; it was stopped/,
      );
      await rejectsWith(host.release('m', 10_000), 'inference-crashed', /load answer while running case 1/);
    } finally {
      host.dispose();
    }
  });

  it('a worker sending something that is no answer, or answering no pending request, is stopped with a clear error', async () => {
    for (const [answer, why] of [
      [`() => 'hello'`, /the inference process sent a string message; it was stopped/],
      [
        `(req) => ({ id: req.id + 41, ok: true, type: 'release', result: {} })`,
        /answer to request 42, which is not pending/,
      ],
      [`(req) => ({ id: req.id, ok: true, type: 'run', result: {} })`, /a run answer for request 1 without outputs/],
    ] as const) {
      const host = new InferenceHost(fakeWorker(answer));
      try {
        await rejectsWith(host.load('m', 'm.onnx', 10_000, 'm.onnx'), 'inference-crashed', why);
      } finally {
        host.dispose();
      }
    }
  });

  it('parses the stage worker messages the host relies on and names what else came', () => {
    assert.deepEqual(parseStageMessage({ type: 'progress', done: 10, total: 60 }), {
      type: 'progress',
      done: 10,
      total: 60,
    });
    const result = { type: 'result', generated: 60, fixtures: 0, failures: 0, bothTimedOut: 0, truncated: false };
    assert.deepEqual(parseStageMessage(result), result);
    assert.deepEqual(parseStageMessage({ type: 'error', message: 'no', which: 'candidate' }), {
      type: 'error',
      message: 'no',
      which: 'candidate',
    });
    const cases: [unknown, RegExp][] = [
      ['hello', /a string message/],
      [{ type: 'progress', done: '1', total: 2 }, /progress message without its counts/],
      [{ ...result, failures: undefined }, /result message with missing or mistyped fields/],
      [{ ...result, counterexample: { display: 'f()' } }, /result message with missing or mistyped fields/],
      [{ type: 'done' }, /no known type \("done"\)/],
      [{}, /no known type \(undefined\)/],
    ];
    for (const [m, why] of cases) assert.match(refusal(parseStageMessage(m)), why, JSON.stringify(m));
  });

  it('a stage that writes to its process channel gets a clear error naming what it sent', async () => {
    const repo = fs.realpathSync(tempDir('mlp-stage-send-'));
    const stage = (body: string): string =>
      `/** @stage */\nexport function total(xs: number[]): number {\n${body}\n}\n`;
    try {
      git(repo, 'init', '-q');
      write(repo, 'src/total.ts', stage('  return xs.reduce((a, b) => a + b, 0);'));
      git(repo, 'add', '.');
      git(repo, 'commit', '-qm', 'init');
      write(
        repo,
        'src/total.ts',
        `(globalThis as unknown as { process: { send(m: unknown): void } }).process.send('hello');\n` +
          stage('  let s = 0;\n  for (const x of xs) s += x;\n  return s;'),
      );
      await rejectsWith(
        verifyStage({ root: repo, stage: 'total', count: 5, seed: 1 }),
        'stage-crashed',
        /the process running total sent a string message; it was stopped/,
      );
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});
