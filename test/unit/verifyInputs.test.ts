import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateFixtures } from '../../server/src/engine/fixtures/generate';
import { writeTestDataSet } from '../../server/src/engine/fixtures/write';
import { resolveShape, validateInputSpecs } from '../../server/src/engine/fixtures/inputSpecs';
import { runCase } from '../../server/src/engine/verify';
import type { CaseReport } from '../../server/src/engine/verifyTypes';
import { sampleRateGain, sequencePool } from '../../scripts/onnx/inputModels';
import { twoInputs } from '../../scripts/onnx/models';
import { cli, tempDir, write } from '../support/tmp';

function input(r: CaseReport, name: string) {
  const u = r.inputs?.find((x) => x.name === name);
  assert.ok(u, `input ${name} in ${JSON.stringify(r.inputs)}`);
  return u;
}

describe('synthetic inputs you can see and set', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = tempDir();
    write(dir, 'sum.onnx', sequencePool({ reduce: 'sum' }));
    write(dir, 'max.onnx', sequencePool({ reduce: 'max' }));
    write(dir, 'sum_unnamed.onnx', sequencePool({ reduce: 'sum', time: null }));
    write(dir, 'max_unnamed.onnx', sequencePool({ reduce: 'max', time: null }));
    write(dir, 'gain1.onnx', sampleRateGain(1));
    write(dir, 'gain2.onnx', sampleRateGain(1.5));
  });
  const p = (f: string): string => path.join(dir, f);

  it('resolves shapes: spec first, then named sizes, else 1 with the dim listed as defaulted', () => {
    const x = { name: 'x', dtype: 'float32' as const, dims: ['batch', null, 4] };
    assert.deepEqual(resolveShape(x, {}), { dims: [1, 1, 4], defaulted: [`dim 0 'batch'`, 'dim 1 (unnamed)'] });
    assert.deepEqual(resolveShape(x, { batch: 3 }), { dims: [3, 1, 4], defaulted: ['dim 1 (unnamed)'] });
    assert.deepEqual(resolveShape(x, {}, { shape: [2, 7, 4] }), { dims: [2, 7, 4], defaulted: [] });
    assert.deepEqual(resolveShape({ name: 'r', dtype: 'float32' }, {}).defaulted, ['rank unknown (fed as [1])']);
  });

  it('rejects specs that cannot apply, naming what the model has', () => {
    const inputs = [{ name: 'x', dtype: 'float32' as const, dims: ['batch', null, 4] }];
    assert.throws(
      () => validateInputSpecs({ y: { value: 1 } }, inputs),
      /'y' is not an input of the model \(its inputs: 'x'\)/,
    );
    assert.throws(
      () => validateInputSpecs({ x: { shape: [2, 3] } }, inputs),
      /rank 2 but the model declares \[batch, \?, 4\]/,
    );
    assert.throws(
      () => validateInputSpecs({ x: { shape: [2, 3, 5] } }, inputs),
      /sets dim 2 to 5 but the model fixes it at 4/,
    );
    assert.throws(() => validateInputSpecs({ x: { value: 1, range: [0, 1] } }, inputs), /not both/);
    assert.throws(() => validateInputSpecs({ x: { range: [1, 1] } }, inputs), /low < high/);
  });

  it('generates a fixed value, a per-input range and a given shape', () => {
    const inputs = [
      { name: 'x', dtype: 'float32' as const, dims: ['batch', null, 4] },
      { name: 'sr', dtype: 'int64' as const, dims: [] },
      { name: 'h', dtype: 'float16' as const, dims: [2] },
    ];
    const set = generateFixtures(inputs, {
      count: 3,
      seed: 1,
      range: [-1, 1],
      dims: {},
      inputs: { x: { shape: [2, 5, 4], range: [10, 11] }, sr: { value: 16000 }, h: { value: 0.5 } },
    });
    for (const c of set.cases) {
      const [x, sr, h] = c.inputs.map((t) => t.tensor);
      assert.deepEqual(x.dims, [2, 5, 4]);
      assert.ok([...(x.data as Float32Array)].every((v) => v >= 10 && v < 11));
      assert.deepEqual([...(sr.data as BigInt64Array)], [16000n]);
      assert.deepEqual([...(h.data as Uint16Array)], [0x3800, 0x3800]);
    }
    assert.throws(
      () => generateFixtures(inputs, { count: 1, seed: 1, range: [-1, 1], dims: {}, inputs: { sr: { value: 0.5 } } }),
      /not an integer/,
    );
  });

  it('a symbolic dim fed as 1 hides a difference: the report warns, and sizing it shows the failure', async () => {
    const silent = await runCase({ name: 'pool', baseline: p('sum.onnx'), candidate: p('max.onnx'), count: 4 });
    assert.equal(silent.status, 'pass', 'with time = 1 sum and max agree: this is the trap');
    assert.deepEqual(input(silent, 'x').defaultedDims, [`dim 0 'batch'`, `dim 1 'time'`]);
    assert.deepEqual(input(silent, 'x').shape, [1, 1, 4]);
    assert.equal(input(silent, 'x').declared, '[batch, time, 4]');
    assert.ok(
      silent.warnings?.some((w) => /input 'x' \[batch, time, 4\]: dim 0 'batch', dim 1 'time' defaulted to 1/.test(w)),
      JSON.stringify(silent.warnings),
    );

    const sized = await runCase({
      name: 'pool',
      baseline: p('sum.onnx'),
      candidate: p('max.onnx'),
      count: 4,
      dims: { batch: 2, time: 8 },
    });
    assert.equal(sized.status, 'fail');
    assert.deepEqual(input(sized, 'x').shape, [2, 8, 4]);
    assert.equal(input(sized, 'x').defaultedDims, undefined);
    assert.deepEqual(sized.warnings, []);
  });

  it('an unnamed dim can be sized with a shape', async () => {
    const r = await runCase({
      name: 'pool',
      baseline: p('sum_unnamed.onnx'),
      candidate: p('max_unnamed.onnx'),
      count: 2,
      inputs: { x: { shape: [1, 6, 4] } },
    });
    assert.equal(r.status, 'fail');
    assert.deepEqual(input(r, 'x').shape, [1, 6, 4]);
    assert.equal(input(r, 'x').declared, '[batch, ?, 4]');
  });

  it('a sample-rate input with the shared range compares nothing; --value sr=16000 does, and the report shows both', async () => {
    const blind = await runCase({
      name: 'sr',
      baseline: p('gain1.onnx'),
      candidate: p('gain2.onnx'),
      count: 3,
      dims: { samples: 16 },
    });
    assert.equal(blind.status, 'pass');
    assert.deepEqual(
      [input(blind, 'sr').min, input(blind, 'sr').max],
      [-1, 0],
      'the report shows the sample rate was -1..0',
    );
    const real = await runCase({
      name: 'sr',
      baseline: p('gain1.onnx'),
      candidate: p('gain2.onnx'),
      count: 3,
      dims: { samples: 16 },
      inputs: { sr: { value: 16000 } },
    });
    assert.equal(real.status, 'fail');
    assert.deepEqual(input(real, 'sr').generated, { value: 16000 });
    assert.deepEqual([input(real, 'sr').min, input(real, 'sr').max], [16000, 16000]);
    assert.deepEqual(input(real, 'x').generated, { range: [-1, 1] });
  });

  it('unknown names in dims, inputs, outputMap and outputs are errors listing the names that exist', async () => {
    const base = { name: 'n', baseline: p('sum.onnx'), candidate: p('max.onnx'), count: 1 };
    const cases: [Partial<typeof base> & Record<string, unknown>, RegExp][] = [
      [{ dims: { tmie: 3 } }, /unknown name 'tmie'; the symbolic dims of the inputs are 'batch', 'time'/],
      [{ inputs: { xx: { value: 1 } } }, /unknown name 'xx'; the inputs are 'x'/],
      [{ outputMap: { yy: 'y' } }, /unknown name 'yy'; the baseline outputs are 'y'/],
      [{ outputMap: { y: 'z' } }, /unknown name 'z'; the candidate outputs are 'y'/],
      [{ outputs: { why: { atol: 1 } } }, /config outputs: unknown name 'why'; the baseline outputs are 'y'/],
    ];
    for (const [extra, message] of cases) {
      const r = await runCase({ ...base, ...extra });
      assert.equal(r.status, 'error', JSON.stringify(extra));
      assert.equal(r.error?.code, 'usage');
      assert.match(r.error?.message ?? '', message);
    }
  });

  it('CLI: --shape/--value/--range NAME=..., inputs in text and JSON, exit 2 on unknown names', () => {
    const text = cli(
      dir,
      'verify',
      '--baseline',
      'gain1.onnx',
      '--candidate',
      'gain2.onnx',
      '--count',
      '2',
      '--shape',
      'x=1,32',
      '--value',
      'sr=16000',
      '--range',
      'x=0,2',
    );
    assert.equal(text.status, 1, text.stderr + text.stdout);
    assert.match(
      text.stdout,
      /^ {4}x {2}float32\[1,32\] \(declared \[1, samples\]\) {2}values \[0\.\d+, 1\.\d+\] {2}synthetic uniform \[0, 2\)$/m,
    );
    assert.match(
      text.stdout,
      /^ {4}sr {2}int64\[\] \(declared \[\]\) {2}values \[16000, 16000\] {2}synthetic fill 16000$/m,
    );
    assert.doesNotMatch(text.stdout, /WARNING/);

    const json = cli(
      dir,
      'verify',
      '--baseline',
      'sum.onnx',
      '--candidate',
      'max.onnx',
      '--count',
      '2',
      '--format',
      'json',
    );
    assert.equal(json.status, 0);
    const report = JSON.parse(json.stdout) as { cases: CaseReport[] };
    assert.deepEqual(report.cases[0].inputs?.[0].defaultedDims, [`dim 0 'batch'`, `dim 1 'time'`]);
    assert.match(report.cases[0].warnings?.[0] ?? '', /defaulted to 1/);
    const plain = cli(dir, 'verify', '--baseline', 'sum.onnx', '--candidate', 'max.onnx', '--count', '2');
    assert.match(
      plain.stdout,
      /^ {2}WARNING: input 'x' \[batch, time, 4\]: dim 0 'batch', dim 1 'time' defaulted to 1/m,
    );

    for (const [flag, value, listed] of [
      ['--dim', 'tiem=4', `'batch', 'time'`],
      ['--shape', 'q=1,2,4', `'x'`],
      ['--value', 'q=1', `'x'`],
      ['--range', 'q=0,1', `'x'`],
      ['--output-map', 'q=y', `'y'`],
    ]) {
      const r = cli(dir, 'verify', '--baseline', 'sum.onnx', '--candidate', 'max.onnx', '--count', '1', flag, value);
      assert.equal(r.status, 2, `${flag} ${value}: ${r.stdout}`);
      assert.match(r.stdout, new RegExp(`unknown name '(tiem|q)'; the .* are ${listed}`), r.stdout);
    }
    const both = cli(
      dir,
      'verify',
      '--baseline',
      'sum.onnx',
      '--candidate',
      'max.onnx',
      '--value',
      'x=1',
      '--range',
      'x=0,1',
    );
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--value or --range, not both/);
  });

  it('with fixtures, what only shapes synthetic inputs is exit 2 naming the conflict, never silently ignored', async () => {
    const fx = path.join(dir, 'fx');
    const x = { name: 'x', tensor: { dtype: 'float32' as const, dims: [1, 3, 4], data: new Float32Array(12) } };
    writeTestDataSet(fx, 0, [x]);
    const base = { name: 'n', baseline: p('sum.onnx'), candidate: p('max.onnx'), fixtures: fx };
    assert.equal((await runCase(base)).status, 'pass');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ dims: { time: 8 } }, /--dim time \(config dims\) size or fill synthetic inputs, but fixtures are given/],
      [{ range: [0, 2] }, /--range \(config range\) size or fill synthetic inputs/],
      [{ inputs: { x: { value: 1 } } }, /per-input --shape\/--value\/--range \(config inputs\) size or fill/],
    ];
    for (const [extra, message] of cases) {
      const r = await runCase({ ...base, ...extra });
      assert.equal(r.status, 'error', JSON.stringify(extra));
      assert.equal(r.error?.code, 'usage');
      assert.match(r.error?.message ?? '', message);
    }
    const args = ['verify', '--baseline', 'sum.onnx', '--candidate', 'max.onnx', '--fixtures', 'fx'];
    for (const [extra, message] of [
      [['--dim', 'time=8'], /--dim time \(config dims\) size or fill synthetic inputs, but fixtures are given/],
      [['--count', '5'], /--count set synthetic fixtures, but --fixtures fx is given/],
      [['--seed', '3', '--count', '2'], /--count and --seed set synthetic fixtures/],
    ] as [string[], RegExp][]) {
      const r = cli(dir, ...args, ...extra);
      assert.equal(r.status, 2, extra.join(' '));
      assert.match(r.stdout + r.stderr, message);
    }
    const noCandidate = cli(dir, 'verify', '--fixtures', 'fx');
    assert.equal(noCandidate.status, 2);
    assert.match(noCandidate.stderr, /--fixtures needs --candidate/);
  });

  it('--count or --seed over config cases that read fixture files is exit 2 naming them, never applied to some silently', () => {
    const fx = path.join(dir, 'fx');
    const x = { name: 'x', tensor: { dtype: 'float32' as const, dims: [1, 3, 4], data: new Float32Array(12) } };
    writeTestDataSet(fx, 0, [x]);
    const pair = { baseline: 'sum.onnx', candidate: 'sum.onnx' };
    const config = (file: string, cases: Record<string, unknown>[]): string =>
      write(dir, file, JSON.stringify({ verify: { cases } }));
    const mixed = config('mixed.config.json', [
      { name: 'files', ...pair, fixtures: 'fx' },
      { name: 'generated', ...pair, dims: { time: 4 } },
    ]);
    const seed = cli(dir, 'verify', '--config', mixed, '--seed', '3');
    assert.equal(seed.status, 2, seed.stdout);
    assert.match(
      seed.stderr,
      /mixed\.config\.json: --seed sets synthetic fixtures, but case "files" reads fixture files, where it does nothing; run the synthetic ones alone \(--case generated\)/,
    );
    // selecting the synthetic case applies the flag to every case run
    const alone = cli(
      dir,
      'verify',
      '--config',
      mixed,
      '--seed',
      '3',
      '--count',
      '2',
      '--case',
      'generated',
      '--format',
      'json',
    );
    assert.equal(alone.status, 0, alone.stderr);
    assert.equal((JSON.parse(alone.stdout) as { cases: { fixtures: { count: number } }[] }).cases[0].fixtures.count, 2);
    // every selected case reads files: nothing would be generated at all
    const files = config('files.config.json', [{ name: 'files', ...pair, fixtures: 'fx' }]);
    const count = cli(dir, 'verify', '--config', files, '--count', '5', '--seed', '1');
    assert.equal(count.status, 2);
    assert.match(
      count.stderr,
      /--count and --seed set synthetic fixtures, but case "files" reads fixture files, where they do nothing; drop them/,
    );
    // without the flags the mixed config runs
    assert.equal(cli(dir, 'verify', '--config', mixed).status, 0);
  });

  it('config inputs: validated by the schema, unknown outputs keys are exit 2', () => {
    const ws = tempDir();
    write(ws, 'a.onnx', twoInputs({}));
    write(ws, 'b.onnx', twoInputs({}));
    const config = (c: Record<string, unknown>): void => {
      fs.writeFileSync(
        path.join(ws, 'mlparity.config.json'),
        JSON.stringify(
          { verify: { cases: [{ name: 'c', baseline: 'a.onnx', candidate: 'b.onnx', count: 2, ...c }] } },
          null,
          2,
        ),
      );
    };
    config({ inputs: { a: { shape: [3, 4], value: 2 }, b: { range: [5, 6] } } });
    const ok = cli(ws, 'verify', '--format', 'json');
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    const r = (JSON.parse(ok.stdout) as { cases: CaseReport[] }).cases[0];
    assert.deepEqual(input(r, 'a').shape, [3, 4]);
    assert.deepEqual([input(r, 'a').min, input(r, 'a').max], [2, 2]);
    assert.ok((input(r, 'b').min ?? 0) >= 5);
    assert.deepEqual(input(r, 'b').defaultedDims, [`dim 0 'batch'`]);

    config({ inputs: { a: { value: 1, range: [0, 1] } } });
    const both = cli(ws, 'verify');
    assert.equal(both.status, 2);
    assert.match(
      both.stderr,
      /mlparity\.config\.json:\d+:\d+: verify\.cases\.0\.inputs\.a: set "value" or "range", not both/,
    );

    config({ outputs: { yy: { atol: 1 } } });
    const unknown = cli(ws, 'verify');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stdout, /config outputs: unknown name 'yy'; the baseline outputs are 'y'/);
  });
});
