import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { runCase } from '../../server/src/engine/verify';
import type { VerifyCase } from '../../server/src/engine/verifyTypes';
import { leakyState } from '../../scripts/onnx/inputModels';
import { cli, tempDir, write } from '../support/tmp';

describe('stateful models: --carry OUT=IN', function () {
  this.timeout(60_000);
  let dir: string;
  let c: VerifyCase;
  before(() => {
    dir = tempDir();
    write(dir, 'a.onnx', leakyState(0.9));
    write(dir, 'b.onnx', leakyState(0.900005));
    c = {
      name: 'leaky',
      baseline: path.join(dir, 'a.onnx'),
      candidate: path.join(dir, 'b.onnx'),
      count: 30,
      range: [0, 1],
      inputs: { state: { value: 0 } },
    };
  });

  it('without carrying the state every step starts from zero and the drift stays hidden', async () => {
    const r = await runCase(c);
    assert.equal(r.status, 'pass', JSON.stringify(r.outputs.map((o) => o.maxAbs)));
    assert.equal(r.carry, undefined);
  });

  it('carrying each model its own state: per-step statistics and the first step beyond tolerance', async () => {
    const r = await runCase({ ...c, carry: { stateN: 'state' } });
    assert.equal(r.status, 'fail', JSON.stringify(r.error));
    const carry = r.carry!;
    assert.deepEqual(carry.carry, { stateN: 'state' });
    assert.equal(r.inputs?.find((u) => u.name === 'state')?.carriedFrom, 'stateN');
    assert.equal(carry.steps.length, 30);
    assert.equal(carry.steps[0].outputs[0].maxAbs, 0, 'step 0 runs on the fixture state: identical');
    const first = carry.firstFailingStep!;
    assert.ok(first > 1, `first failing step ${first}`);
    assert.ok(carry.steps.slice(0, first).every((s) => s.outputs.every((o) => o.mismatches === 0)));
    assert.ok(carry.steps[first].outputs.some((o) => o.mismatches > 0));
    const y = carry.steps.map((s) => s.outputs[0].maxAbs);
    assert.ok(y[10] > y[2] && y[20] > y[5], `drift grows: ${y.join(' ')}`);
    const total = r.outputs.find((o) => o.name === 'y')!;
    assert.equal(total.maxAbs, Math.max(...y), 'the case statistics cover every step');
    assert.equal(total.elements, 30 * 4);
  });

  it('unknown names, golden mode, sharding and a shape that cannot be carried are errors', async () => {
    for (const [extra, message] of [
      [
        { carry: { stateM: 'state' } },
        /--carry OUT=IN \(config carry\): unknown name 'stateM'; the baseline outputs are 'y', 'stateN'/,
      ],
      [{ carry: { stateN: 'stat' } }, /unknown name 'stat'; the inputs are 'x', 'state'/],
      [{ carry: { stateN: 'state' }, shard: { index: 1, count: 2 } }, /--shard would cut/],
      [{ carry: { stateN: 'state' }, baseline: undefined }, /needs a baseline/],
    ] as const) {
      const r = await runCase({ ...c, ...extra });
      assert.equal(r.status, 'error', JSON.stringify(extra));
      assert.match(r.error?.message ?? '', message);
    }
  });

  it('CLI and config: --carry, per-step lines in text, carry in JSON', () => {
    const args = [
      'verify',
      '--baseline',
      'a.onnx',
      '--candidate',
      'b.onnx',
      '--count',
      '30',
      '--range',
      '0,1',
      '--value',
      'state=0',
      '--carry',
      'stateN=state',
    ];
    const text = cli(dir, ...args);
    assert.equal(text.status, 1, text.stderr + text.stdout);
    assert.match(text.stdout, /^ {2}stateful: carried stateN -> state over 30 steps$/m);
    assert.match(
      text.stdout,
      /^ {4}state {2}float32\[1,4\] .* synthetic fill 0 {2}steps 1\+: each model's own stateN$/m,
    );
    assert.match(
      text.stdout,
      /^ {2}first step exceeding tolerance: step \d+ \(case sample-\d{4}\): y max\|Δ\| \S+ \(\d+ mismatches\)/m,
    );
    assert.match(text.stdout, /^ {2}max\|Δ\| per step, y: 0 /m);
    const json = cli(dir, ...args, '--format', 'json');
    const report = JSON.parse(json.stdout) as { cases: { carry?: { steps: unknown[]; firstFailingStep?: number } }[] };
    assert.equal(report.cases[0].carry?.steps.length, 30);
    assert.equal(typeof report.cases[0].carry?.firstFailingStep, 'number');
    const bad = cli(dir, ...args.slice(0, -2), '--carry', 'nonsense');
    assert.equal(bad.status, 2);
    write(
      dir,
      'mlparity.config.json',
      JSON.stringify({
        verify: {
          cases: [
            {
              name: 'leaky',
              baseline: 'a.onnx',
              candidate: 'b.onnx',
              count: 8,
              range: [0, 1],
              inputs: { state: { value: 0 } },
              carry: { stateN: 'state' },
            },
          ],
        },
      }),
    );
    const cfg = cli(dir, 'verify', '--format', 'json');
    assert.equal(cfg.status, 1, cfg.stderr + cfg.stdout);
    assert.equal(
      (JSON.parse(cfg.stdout) as { cases: { carry?: { steps: unknown[] } }[] }).cases[0].carry?.steps.length,
      8,
    );
  });
});
