import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { callArbitrary } from '../../server/src/engine/stageVerify/generate';
import { declarationNamed, shapeOf } from '../../server/src/engine/stageVerify/locate';
import { stageProgram } from '../../server/src/engine/stageVerify/program';
import type { StageShape } from '../../server/src/engine/stageVerify/types';
import { decode } from '../../server/src/engine/stageVerify/values';
import { tempDir, write } from '../support/tmp';

function shape(src: string, name: string): StageShape {
  const dir = tempDir('mlp-stage-types-');
  try {
    const file = write(dir, 'stage.ts', src);
    const program = stageProgram([file]);
    const sf = program.getSourceFile(file);
    const decl = sf && declarationNamed(sf, name);
    assert.ok(decl, name);
    const s = shapeOf(program.getTypeChecker(), decl);
    if (typeof s === 'string') assert.fail(s);
    return s;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('verify-stage: input specs from parameter types', function () {
  this.timeout(30_000);
  it('reads tuples, unions, optionals, interfaces, typed arrays and Maps', () => {
    const s = shape(
      `interface Opts { window: number; center?: boolean; mode: 'mean' | 'max' }
export function f(xs: Float32Array, pair: [number, string], o: Opts, tag: string | null, m: Map<string, number>, k?: number): number { return 0; }`,
      'f',
    );
    assert.equal(s.kind, 'function');
    const specs = s.kind === 'function' ? s.params.map((p) => [p.name, p.optional, p.spec]) : [];
    assert.deepEqual(specs, [
      ['xs', false, { kind: 'typedArray', name: 'Float32Array' }],
      [
        'pair',
        false,
        {
          kind: 'tuple',
          elements: [
            { type: { kind: 'number', integer: false }, optional: false, rest: false },
            { type: { kind: 'string' }, optional: false, rest: false },
          ],
        },
      ],
      [
        'o',
        false,
        {
          kind: 'object',
          props: [
            { name: 'window', type: { kind: 'number', integer: false }, optional: false },
            { name: 'center', type: { kind: 'boolean' }, optional: true },
            {
              name: 'mode',
              type: {
                kind: 'union',
                options: [
                  { kind: 'literal', value: 'mean' },
                  { kind: 'literal', value: 'max' },
                ],
              },
              optional: false,
            },
          ],
        },
      ],
      ['tag', false, { kind: 'union', options: [{ kind: 'null' }, { kind: 'string' }] }],
      ['m', false, { kind: 'map', key: { kind: 'string' }, value: { kind: 'number', integer: false } }],
      ['k', true, { kind: 'union', options: [{ kind: 'undefined' }, { kind: 'number', integer: false }] }],
    ]);
  });

  it('a number the code indexes, slices or loops with is an integer; through destructuring and this.fields too', () => {
    const f = shape(
      `export function avg(xs: number[], w: number, scale: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + w <= xs.length; i++) out.push(xs.slice(i, i + w).length * scale);
  return out;
}`,
      'avg',
    );
    assert.deepEqual(f.kind === 'function' && f.params.map((p) => p.spec), [
      { kind: 'array', element: { kind: 'number', integer: false } },
      { kind: 'number', integer: true },
      { kind: 'number', integer: false },
    ]);
    const g = shape(
      `export function lag({ by, fill }: { by: number; fill: number }, xs: number[]): number[] { return xs.map((_, i) => xs[i - by] ?? fill); }`,
      'lag',
    );
    assert.deepEqual(g.kind === 'function' && g.params[0].spec, {
      kind: 'object',
      props: [
        { name: 'by', type: { kind: 'number', integer: true }, optional: false },
        { name: 'fill', type: { kind: 'number', integer: false }, optional: false },
      ],
    });
    const c = shape(
      `export class Lag { constructor(private window: number) {} transform(xs: number[]): number[] { return xs.map((_, i) => xs[i - this.window]); } }`,
      'Lag',
    );
    assert.deepEqual(c.kind === 'class' && c.ctor[0].spec, { kind: 'number', integer: true });
  });

  it('any, functions and unconstrained type parameters cannot be generated, with the reason', () => {
    const s = shape(`export function h<T>(a: any, f: (x: number) => number, t: T): void {}`, 'h');
    assert.deepEqual(
      s.kind === 'function' &&
        s.params.map((p) => [p.name, p.spec, /any|function|type parameter/.test(p.unsupported ?? '')]),
      [
        ['a', undefined, true],
        ['f', undefined, true],
        ['t', undefined, true],
      ],
    );
  });

  it('generated calls cover empty arrays, length one, zero, negative and larger-than-length windows', () => {
    const s = shape(`export function avg(xs: number[], w: number): number[] { return xs.slice(0, w); }`, 'avg');
    const calls = fc
      .sample(callArbitrary(s), { numRuns: 300, seed: 1 })
      .map((c) => (c.kind === 'function' ? c.args.map((a) => decode(a)) : []));
    const seen = (p: (xs: number[], w: number) => boolean): boolean =>
      calls.some(([xs, w]) => p(xs as number[], w as number));
    assert.ok(
      seen((xs) => xs.length === 0),
      'empty',
    );
    assert.ok(
      seen((xs) => xs.length === 1),
      'length one',
    );
    assert.ok(
      seen((_, w) => w === 0),
      'zero window',
    );
    assert.ok(
      seen((_, w) => w < 0),
      'negative window',
    );
    assert.ok(
      seen((xs, w) => w > xs.length),
      'window past the end',
    );
    assert.ok(
      calls.every(([, w]) => Number.isInteger(w)),
      'integer windows',
    );
  });
});
