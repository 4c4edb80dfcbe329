import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { analyzeFiles, type AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { DEFAULT_ANALYSIS } from '../../server/src/engine/config/types';
import { writeWorkspace } from '../support/tmp';

// Reachability is resolved from syntax (scopes, imports, exports, members) without a type checker:
// these cases pin down what that resolution must get right, and where it deliberately stops.

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

function analyze(files: Record<string, string>): AnalysisResult {
  const root = writeWorkspace(files, 'mlp-resolve-');
  roots.push(root);
  return analyzeFiles(root, DEFAULT_ANALYSIS);
}

function untested(r: AnalysisResult): string[] {
  return r.findings
    .filter((f) => f.rule === 'untested-stage')
    .map((f) => String(f.data?.stage))
    .sort();
}

const STEPS = {
  'src/pipeline/steps.ts': [
    'export function load(x: number[]) { return x; }',
    'export function clean(x: number[]) { return x; }',
    'export function scale(x: number[]) { return x; }',
  ].join('\n'),
};

const MODEL = `export class Model {
  /** @stage */
  prep(x: number[]) { return x; }
  /** @stage */
  other(x: number[]) { return x; }
  run(x: number[]) { return this.prep(x); }
}
export class Child extends Model {
  go(x: number[]) { return super.other(x); }
}
export function makeModel(): Model { return new Model(); }
export function opaqueModel() { return new Model(); }
`;

describe('analysis: name resolution from syntax', () => {
  it('follows an import to the script, not to the declaration file shipped beside it', () => {
    // Packages written in JavaScript ship `mean.d.ts` next to `mean.js`; the compiler resolves
    // `./mean.js` to the types, which the analysis leaves out: the script is what the test runs.
    const result = analyze({
      'package.json': '{ "type": "module" }',
      'src/pipeline/mean.js': 'export default function mean(x) { return x.length; }\n',
      'src/pipeline/mean.d.ts': 'export default function mean(x: number[]): number;\n',
      'test/mean.test.js': "import mean from '../src/pipeline/mean.js';\nit('m', () => mean([1]));\n",
    });
    assert.deepEqual(
      result.stages.map((s) => s.name),
      ['mean'],
    );
    assert.deepEqual(untested(result), []);
  });

  it('does not count a local binding that shadows an imported stage', () => {
    const result = analyze({
      ...STEPS,
      'test/shadow.test.ts': [
        "import { load, clean, scale } from '../src/pipeline/steps';",
        'it("param", () => { const f = (clean: (x: number[]) => number[]) => clean([1]); f((x) => x); });',
        'it("const", () => { const scale = (x: number[]) => x; scale([1]); });',
        'it("hoisted var", () => { if (Math.random() > 2) { var load = (x: number[]) => x; } load([1]); });',
      ].join('\n'),
    });
    assert.deepEqual(untested(result), ['clean', 'load', 'scale']);
  });

  it('follows names destructured from a namespace, an object or an instance', () => {
    const result = analyze({
      ...STEPS,
      'src/model.ts': MODEL,
      'test/d.test.ts': [
        "import * as steps from '../src/pipeline/steps';",
        "import { Model } from '../src/model';",
        'const { load, clean: c } = steps;',
        "it('x', () => { const { other } = new Model(); load([1]); c([2]); other([3]); });",
      ].join('\n'),
    });
    assert.deepEqual(untested(result), ['prep', 'scale']);
  });

  it('follows this.method(), super.method() and methods inherited through extends', () => {
    const viaThis = analyze({
      'src/model.ts': MODEL,
      'test/m.test.ts': "import { Model } from '../src/model';\nit('x', () => new Model().run([1]));\n",
    });
    assert.deepEqual(untested(viaThis), ['other']);
    const viaSuper = analyze({
      'src/model.ts': MODEL,
      'test/m.test.ts': "import { Child } from '../src/model';\nit('x', () => new Child().go([1]));\n",
    });
    assert.deepEqual(untested(viaSuper), ['prep']);
    const inherited = analyze({
      'src/model.ts': MODEL,
      'test/m.test.ts': "import { Child } from '../src/model';\nit('x', () => new Child().prep([1]));\n",
    });
    assert.deepEqual(untested(inherited), ['other']);
  });

  it('knows the class of a typed parameter, a `new` variable and a class reached through a namespace', () => {
    const typed = analyze({
      'src/model.ts': MODEL,
      'test/m.test.ts':
        "import { Model } from '../src/model';\nfunction use(m: Model) { return m.other([1]); }\nit('x', () => { const k = new Model(); k.prep([2]); use(k); });\n",
    });
    assert.deepEqual(untested(typed), []);
    const ns = analyze({
      'src/model.ts': MODEL,
      'test/m.test.ts': "import * as lib from '../src/model';\nit('x', () => new lib.Model().other([1]));\n",
    });
    assert.deepEqual(untested(ns), ['prep']);
  });

  it('follows members of class fields: typed, initialised, parameter properties and constructor assignments', () => {
    const parts = `export class Scaler {
  /** @stage */
  scale(x: number[]) { return x; }
  /** @stage */
  unused(x: number[]) { return x; }
}
export class Encoder {
  /** @stage */
  encode(x: number[]) { return x; }
}
export class Chain {
  private scaler = new Scaler();
  constructor(private readonly encoder: Encoder) {}
  run(x: number[]) { return this.encoder.encode(this.scaler.scale(x)); }
}
export class Legacy {
  enc: any;
  constructor() { this.enc = new Encoder(); }
  run(x: number[]) { return this.enc.encode(x); }
}
`;
    const chain = analyze({
      'src/parts.ts': parts,
      'test/c.test.ts':
        "import { Chain, Encoder } from '../src/parts';\nit('x', () => new Chain(new Encoder()).run([1]));\n",
    });
    assert.deepEqual(untested(chain), ['unused']);
    const legacy = analyze({
      'src/parts.ts': parts,
      'test/l.test.ts': "import { Legacy } from '../src/parts';\nit('x', () => new Legacy().run([1]));\n",
    });
    assert.deepEqual(untested(legacy), ['scale', 'unused']);
  });

  it('knows what a function returns from its declared return type, through a Promise too', () => {
    const result = analyze({
      'src/model.ts': MODEL,
      'test/m.test.ts': "import { makeModel } from '../src/model';\nit('x', () => makeModel().other([1]));\n",
    });
    assert.deepEqual(untested(result), ['prep']);
    const loader =
      "import { Model } from './model';\nexport async function load(): Promise<Model> { return new Model(); }\n";
    const awaited = analyze({
      'src/model.ts': MODEL,
      'src/load.ts': loader,
      'test/a.test.ts': "import { load } from '../src/load';\nit('x', async () => (await load()).prep([1]));\n",
    });
    assert.deepEqual(untested(awaited), ['other']);
  });

  it('matches a member of an unknown receiver against the classes the file names, and no others', () => {
    const named = analyze({
      'src/model.ts': MODEL,
      'test/m.test.ts':
        "import { opaqueModel, Model } from '../src/model';\nit('x', () => { const m: unknown = opaqueModel(); (m as Model); opaqueModel().other([1]); });\n",
    });
    assert.deepEqual(untested(named), ['prep']);
    // Without the class in sight, an unannotated factory's value is opaque: the stage stays untested (reported, not hidden).
    const opaque = analyze({
      'src/model.ts': MODEL,
      'test/m.test.ts': "import { opaqueModel } from '../src/model';\nit('x', () => opaqueModel().other([1]));\n",
    });
    assert.deepEqual(untested(opaque), ['other', 'prep']);
  });

  it('follows Object.assign(C.prototype, module) mixins and functions that declare `this: C`', () => {
    const result = analyze({
      'src/methods.ts': [
        "import type { Box } from './box';",
        '/** @stage */',
        'export function grow(this: Box, n: number) { return this.shrinkBy(n); }',
        '/** @stage */',
        'export function shrinkBy(this: Box, n: number) { return n; }',
        '/** @stage */',
        'export function spare(this: Box) { return 0; }',
      ].join('\n'),
      'src/box.ts': [
        "import * as Methods from './methods';",
        'export class Box {}',
        'export interface Box { grow(n: number): number; shrinkBy(n: number): number; spare(): number }',
        'Object.assign(Box.prototype, Methods);',
      ].join('\n'),
      'test/b.test.ts': "import { Box } from '../src/box';\nit('x', () => new Box().grow(1));\n",
    });
    assert.deepEqual(untested(result), ['spare']);
  });

  it('does not match built-in method names (.filter, .map, .then…) on an unknown receiver', () => {
    const result = analyze({
      'src/ds.ts':
        'export class Dataset {\n  /** @stage */\n  filter(x: number[]) { return x; }\n  /** @stage */\n  sample(x: number[]) { return x; }\n}\nexport function open() { return new Dataset(); }\n',
      'test/d.test.ts':
        "import { Dataset, open } from '../src/ds';\nit('x', () => { open().filter([1]); open().sample([2]); });\n",
    });
    assert.deepEqual(untested(result), ['filter']);
  });

  it('resolves CommonJS module.exports objects and single values, default exports, export * chains and import()', () => {
    const result = analyze({
      'src/pipeline/cjs.js':
        'function a(x) { return x; }\nfunction bImpl(x) { return x; }\nmodule.exports = { a, b: bImpl };\n',
      'src/pipeline/single.js': 'module.exports = function single(x) { return x; };\n',
      'src/pipeline/lone.js': 'function lone(x) { return x; }\nmodule.exports = lone;\n',
      'src/pipeline/arrowed.js': 'module.exports = (x) => x;\n',
      'test/s.test.js': "const single = require('../src/pipeline/single');\nit('x', () => single([1]));\n",
      'src/pipeline/lazy.ts': 'export function lazyStage(x: number[]) { return x; }\n',
      'test/lazy.test.ts':
        "it('x', async () => { const m = await import('../src/pipeline/lazy'); m.lazyStage([1]); });\n",
      'src/pipeline/def.ts':
        'export default function defStage(x: number[]) { return x; }\nexport function named(x: number[]) { return x; }\n',
      'src/pipeline/all.ts': "export * from './def';\n",
      'test/c.test.js': "const m = require('../src/pipeline/cjs');\nit('x', () => m.b([1]));\n",
      'test/d.test.ts':
        "import run from '../src/pipeline/def';\nimport { named } from '../src/pipeline/all';\nit('x', () => { run([1]); named([2]); });\n",
    });
    assert.deepEqual(untested(result), ['a', 'arrowed', 'lone']);
  });
});

describe('analysis: workspace packages linked into node_modules', () => {
  // packages/a tests a stage of packages/b only through the package name, as a monorepo's tests do.
  const FILES = {
    'package.json': '{ "name": "mono", "private": true, "workspaces": ["packages/*"] }\n',
    'packages/b/package.json': '{ "name": "@s/b", "version": "1.0.0", "main": "src/index.ts" }\n',
    'packages/b/src/index.ts':
      '/** @stage */\nexport function scale(xs: number[]): number[] {\n  return xs.map((x) => x * 2);\n}\n',
    'packages/a/test/scale.test.ts': "import { scale } from '@s/b';\nit('scales', () => scale([1]));\n",
  };
  const linked = (): string => {
    const root = writeWorkspace(FILES, 'mlp-workspaces-');
    roots.push(root);
    fs.mkdirSync(`${root}/node_modules/@s`, { recursive: true });
    fs.symlinkSync('../../packages/b', `${root}/node_modules/@s/b`, 'dir');
    return root;
  };

  it('follow the link to the package source: its stage is reached by the test', () => {
    const root = writeWorkspace(FILES, 'mlp-workspaces-');
    roots.push(root);
    assert.deepEqual(untested(analyzeFiles(root, DEFAULT_ANALYSIS)), ['scale']);
    assert.deepEqual(untested(analyzeFiles(linked(), DEFAULT_ANALYSIS)), []);
  });

  it('also when the root itself is reached through a link', () => {
    const root = linked();
    const alias = `${root}-alias`;
    fs.symlinkSync(root, alias, 'dir');
    roots.push(alias);
    assert.deepEqual(untested(analyzeFiles(alias, DEFAULT_ANALYSIS)), []);
  });
});
