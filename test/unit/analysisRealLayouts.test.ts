import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles, type AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { parseConfig } from '../../server/src/engine/config/load';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../../server/src/engine/config/types';
import { REPO_ROOT, tempDir, writeWorkspace } from '../support/tmp';

/** Fixtures that copy the layouts of published ML packages (see test/fixtures/analysis/). */
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'analysis');
const fixture = (name: string): string => path.join(FIXTURES, name);

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** A copy of `files` of a fixture (relative paths) in a fresh temp folder. */
function copyOf(name: string, files: string[]): string {
  const root = fs.realpathSync(tempDir('mlp-layout-'));
  roots.push(root);
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.copyFileSync(path.join(fixture(name), f), path.join(root, f));
  }
  return root;
}

const config = (over: Partial<AnalysisConfig> = {}): AnalysisConfig => ({ ...DEFAULT_ANALYSIS, ...over });
const rel = (root: string, f: string): string => path.relative(root, f).split(path.sep).join('/');
const stages = (root: string, r: AnalysisResult): string[] =>
  r.stages.map((s) => `${rel(root, s.location.file)} ${s.name} (${s.how})`);
const findings = (root: string, r: AnalysisResult, rule: string): string[] =>
  r.findings
    .filter((f) => f.rule === rule)
    .map(
      (f) =>
        `${rel(root, f.file)}:${f.range.start.line + 1} ${f.rule === 'untested-stage' || f.rule === 'unexecuted-stage' ? f.data.stage : f.message}`,
    );

describe('analysis on real layouts: source, not build output', () => {
  it('leaves the lib/ bundle of a package with src/ out, says so once, and keeps the cross-stage duplicate a warning', () => {
    const root = fixture('estimator-lib');
    const r = analyzeFiles(root, config());
    assert.ok(
      r.findings.every(
        (f) => !rel(root, f.file).startsWith('lib/') && f.related.every((x) => !rel(root, x.file).startsWith('lib/')),
      ),
    );
    assert.ok(r.stages.every((s) => !rel(root, s.location.file).startsWith('lib/')));
    assert.deepEqual(
      r.notes.filter((n) => /build-output/.test(n)),
      [
        'Left out 1 build-output file (1 under lib/ beside src/): set "analysis.includeBuildOutput": true in mlparity.config.json to analyse it.',
      ],
    );
    assert.deepEqual(r.leftOut, { [path.join(root, 'lib/index.js')]: 'under lib/ beside src/' });
    const cross = r.findings.filter((f) => f.rule === 'cross-stage-duplicate');
    assert.equal(cross.length, 1);
    assert.equal(cross[0].severity, 'warning');
    assert.match(
      cross[0].message,
      /^Code duplicated across stages 'ForestBase' and 'KNN' \(160 tokens over 6 lines, type 1\): src\/base\.js:8-13 \(stage 'ForestBase'\), src\/knn\.js:6-11 \(stage 'KNN'\)$/,
    );
  });

  it('analyses build output when asked to, and a folder holding only build output as it is', () => {
    const all = analyzeFiles(fixture('estimator-lib'), config({ includeBuildOutput: true }));
    assert.ok(all.stages.some((s) => s.location.file.endsWith('lib/index.js') && s.name === 'KNN'));
    assert.ok(!all.notes.some((n) => /build-output|Only build output/.test(n)));

    const root = copyOf('estimator-lib', ['package.json', 'lib/index.js']);
    const built = analyzeFiles(root, config());
    assert.deepEqual(
      built.stages.map((s) => s.name),
      ['ForestBase', 'ForestClassifier', 'ForestRegression', 'KNN'],
    );
    assert.ok(!built.notes.some((n) => /build output|build-output/.test(n)), 'without src/, lib/ is the code');

    const dist = analyzeFiles(fixture('es5-dist'), config());
    assert.equal(dist.stages.length, 5);
    assert.ok(dist.notes.includes('Only build output here (7 files, no sources): analysed it as it is.'));
  });

  it('recognises build output by tsconfig outDir, package.json entry points, sourceMappingURL, minification, webpack and .js beside .ts', () => {
    const minified = `export function big(){${'x.y=z(1,2);'.repeat(300)}}`;
    // As webpack 3 lays out a bundle, here a copy kept for a docs site.
    const webpack = [
      '/******/ (function(modules) { // webpackBootstrap',
      '/******/ \tfunction __webpack_require__(moduleId) {',
      '/******/ \t\treturn modules[moduleId].call(module.exports, module, module.exports, __webpack_require__);',
      '/******/ \t}',
      '/******/ })([',
      '/* 0 */',
      '/***/ (function(module, exports) {',
      'function Network() {}',
      'Network.prototype.train = function (set) { return set.length; };',
      'module.exports = Network;',
      '/***/ })',
      '/******/ ]);',
    ].join('\n');
    const root = writeWorkspace(
      {
        'package.json': '{ "name": "p", "main": "bundle.js", "exports": { "./extra": { "require": "./extra.cjs" } } }',
        'src/model.ts': 'export class Model { fit() { return this; } predict() { return 1; } }\n',
        'src/model.js': 'export class Model { fit() { return this; } predict() { return 1; } }\n',
        'bundle.js': 'export class Model { fit() { return this; } }\n',
        'extra.cjs': 'exports.f = function f() {};\n',
        'mapped.js': 'export class Mapped { fit() {} }\n//# sourceMappingURL=mapped.js.map\n',
        'packed.js': minified,
        'data.js': `export const table = [${Array.from({ length: 600 }, (_, i) => i).join(', ')}];\n`,
        'docs/cdn/1.4.7/neataptic.js': webpack,
        // Hand-written code that names webpack's require (a loader helper) is not a bundle.
        'src/loader.js': 'export function load(id) { return __webpack_require__(id); }\n',
      },
      'mlp-built-',
    );
    roots.push(root);
    const r = analyzeFiles(root, config());
    assert.deepEqual(r.leftOut, {
      [path.join(root, 'bundle.js')]: 'named by package.json as an entry point',
      [path.join(root, 'docs/cdn/1.4.7/neataptic.js')]: 'webpack bundle',
      [path.join(root, 'extra.cjs')]: 'named by package.json as an entry point',
      [path.join(root, 'mapped.js')]: 'has a sourceMappingURL comment',
      [path.join(root, 'packed.js')]: 'minified',
      [path.join(root, 'src/model.js')]: 'emitted beside its TypeScript source',
    });
    assert.deepEqual(
      r.analysedFiles.map((f) => rel(root, f)),
      ['data.js', 'src/loader.js', 'src/model.ts'],
    );
  });

  it('recognises bundles copied into docs folders by their bootstrap (webpack 4/5, rollup UMD, browserify), not by a mention', () => {
    // Like neataptic's docs/cdn/<version>/ and mkdocs/theme/cdn/<version>/: no map, not minified.
    const root = fixture('cdn-bundles');
    const r = analyzeFiles(root, config());
    assert.deepEqual(r.leftOut, {
      [path.join(root, 'docs/cdn/1.0.0/netlib.js')]: 'webpack bundle',
      [path.join(root, 'docs/cdn/1.1.0/netlib.bundle.js')]: 'browserify bundle',
      [path.join(root, 'mkdocs/theme/cdn/1.0.0/netlib.umd.js')]: 'rollup bundle',
      [path.join(root, 'mkdocs/theme/cdn/1.1.0/netlib.js')]: 'webpack bundle',
    });
    assert.deepEqual(
      r.analysedFiles.map((f) => rel(root, f)),
      ['src/index.js', 'src/loader.js', 'src/network.js', 'test/network.test.js'],
    );
    assert.deepEqual(stages(root, r), ['src/network.js Network (class with train)']);
    assert.deepEqual(findings(root, r, 'untested-stage'), []);
    assert.deepEqual(findings(root, r, 'duplicate-code'), []);
    assert.ok(
      r.notes.includes(
        'Left out 4 build-output files (2 webpack bundle; 1 browserify bundle; 1 rollup bundle): set "analysis.includeBuildOutput": true in mlparity.config.json to analyse them.',
      ),
      r.notes.join('\n'),
    );
    const all = analyzeFiles(root, config({ includeBuildOutput: true }));
    assert.equal(all.analysedFiles.length, 8);
    assert.deepEqual(all.leftOut, {});
  });

  it('recognises a standalone browserify bundle behind a licence banner longer than 4 KB (brain.js 1.x browser.js)', () => {
    // `browserify -p licensify -s name`: a banner listing every bundled module, then the UMD wrapper, then the prelude.
    const root = fixture('banner-bundle');
    const r = analyzeFiles(root, config());
    assert.deepEqual(r.leftOut, { [path.join(root, 'browser.js')]: 'browserify bundle' });
    assert.deepEqual(stages(root, r), ['src/network.js Network (class with train)']);
    assert.deepEqual(findings(root, r, 'untested-stage'), []);
    assert.deepEqual(findings(root, r, 'duplicate-code'), []);
  });

  it("counts Jasmine's spec/ files as tests (natural: spec/*_spec.ts importing 'lib/natural' through baseUrl)", () => {
    const root = fixture('jasmine-spec');
    const narrow = analyzeFiles(root, config());
    assert.equal(narrow.scope.testFiles, 2, JSON.stringify(narrow.scope));
    assert.equal(narrow.scope.sourceFiles, 1); // lib/natural/analyzers/SenType.ts: tsconfig lists only the .ts
    // As the note says to: the JavaScript under lib/ added; its classifier is reached by its spec.
    const r = analyzeFiles(root, config({ include: ['lib/**'] }));
    assert.deepEqual(stages(root, r), [
      'lib/natural/classifiers/bayes_classifier.js BayesClassifier (class with train)',
    ]);
    assert.deepEqual(findings(root, r, 'untested-stage'), []);
    assert.deepEqual(r.scope, {
      sourceFiles: 5,
      testFiles: 2,
      from: 'tsconfig.json "include" + the test globs + analysis.include',
    });
  });

  it("leaves out what lies in tsconfig.json's outDir (tests the test globs add included)", () => {
    const root = writeWorkspace(
      {
        'tsconfig.json': '{ "compilerOptions": { "outDir": "compiled" }, "include": ["src"] }',
        'src/model.ts': 'export class Model { fit() { return this; } }\n',
        'test/model.test.ts': "import { Model } from '../src/model';\nit('x', () => new Model().fit());\n",
        'compiled/test/model.test.js': "const m = require('../src/model');\nit('x', () => 1);\n",
      },
      'mlp-outdir-',
    );
    roots.push(root);
    const r = analyzeFiles(root, config());
    assert.deepEqual(r.leftOut, {
      [path.join(root, 'compiled/test/model.test.js')]: "under tsconfig.json's outDir compiled/",
    });
  });

  it("extends the default excludes with a config's own", () => {
    const cfg = parseConfig('{ "analysis": { "exclude": ["Benchmark/**"] } }', '/w/mlparity.config.json');
    assert.ok(cfg.analysis.exclude.includes('**/node_modules/**'));
    assert.ok(cfg.analysis.exclude.includes('Benchmark/**'));
  });

  it('says which files were left out when nothing is left to analyse', () => {
    const root = writeWorkspace(
      { 'src/big.ts': `export const x = ${'1 + '.repeat(100)}1;\n`, 'scripts/gen.ts': 'export const y = 1;\n' },
      'mlp-none-',
    );
    roots.push(root);
    const r = analyzeFiles(root, config({ maxFileBytes: 50, exclude: [...DEFAULT_ANALYSIS.exclude, 'scripts/**'] }));
    const err = r.findings.find((f) => f.rule === 'config-error');
    assert.match(
      err?.message ?? '',
      /^No files to analyse under .*: the 2 files matched were left out: scripts\/gen\.ts \(excluded by analysis\.exclude\), src\/big\.ts \(file is \d+ bytes, over maxFileBytes \(50\)\)$/,
    );
  });
});

describe('analysis on real layouts: the stages real ML code has', () => {
  it('finds ES5 classes in their compiled forms, inherited methods, and no FFT', () => {
    const root = fixture('es5-dist');
    const r = analyzeFiles(root, config());
    assert.deepEqual(stages(root, r), [
      'dist/models/base.js BaseModel (ES5 class with fit, predict)',
      'dist/models/regressor.js Regressor (ES5 class inheriting fit, predict from BaseModel)',
      'dist/transformers/encoders/label.encoder.js LabelEncoder (ES5 class with fitTransform)',
      'dist/transformers/scalers/min.max.scaler.js MinMaxScaler (ES5 class with fit, transform)',
      'dist/transformers/scalers/standard.scaler.js StandardScaler (ES5 class with fit, transform)',
    ]);
    // tsc's __assign/__importDefault helpers repeat in every compiled file: not reported as duplicates.
    assert.ok(
      r.findings.every((f) => !/Duplicated|duplicated/.test(f.message) || f.range.start.line > 15),
      JSON.stringify(findings(root, r, 'duplicate-code')),
    );
    // The clone between the scalers' methods lies in both classes: a cross-stage duplicate.
    assert.ok(
      r.findings.some(
        (f) => f.rule === 'cross-stage-duplicate' && /'MinMaxScaler' and 'StandardScaler'/.test(f.message),
      ),
    );
  });

  it('finds inherited _call/forward, exported classes of a pipeline folder, and judges their tests', () => {
    const root = fixture('pipelines-lib');
    const r = analyzeFiles(root, config());
    assert.deepEqual(stages(root, r), [
      'src/models.js PreTrainedModel (class with _call, forward)',
      'src/models.js BertModel (class inheriting _call, forward from PreTrainedModel)',
      'src/models.js WhisperModel (class inheriting _call, forward from PreTrainedModel)',
      'src/pipelines/feature-extraction.js FeatureExtractionPipeline (exported class in a pipeline folder)',
      'src/pipelines/text-classification.js TextClassificationPipeline (exported class in a pipeline folder)',
    ]);
    assert.deepEqual(findings(root, r, 'untested-stage'), [
      'src/models.js:18 WhisperModel',
      'src/pipelines/feature-extraction.js:3 FeatureExtractionPipeline',
    ]);
  });

  it('reaches the bases in between when a test uses a subclass (ES and ES5)', () => {
    const root = writeWorkspace(
      {
        'src/models.js':
          'export class Base { fit(x) { return this; } }\nexport class Mid extends Base {}\nexport class Leaf extends Mid {}\n',
        'src/old.js':
          "var m = require('./models');\nfunction OldMid() {}\n_inherits(OldMid, m.Base);\nfunction OldLeaf() {}\n_inherits(OldLeaf, OldMid);\nexports.OldLeaf = OldLeaf;\n",
        'test/leaf.test.js':
          "import { Leaf } from '../src/models';\nconst { OldLeaf } = require('../src/old');\nit('x', () => { new Leaf().fit([1]); new OldLeaf().fit([1]); });\n",
      },
      'mlp-bases-',
    );
    roots.push(root);
    const r = analyzeFiles(root, config());
    assert.deepEqual(
      r.stages.map((s) => s.name),
      ['Base', 'Mid', 'Leaf', 'OldMid', 'OldLeaf'],
    );
    assert.deepEqual(findings(root, r, 'untested-stage'), []);
  });

  it('takes the stage methods from analysis.stageMethods', () => {
    const root = fixture('pipelines-lib');
    const r = analyzeFiles(root, config({ stageMethods: ['generate'], pipelineFolders: [] }));
    assert.deepEqual(stages(root, r), ['src/models.js WhisperModel (class with generate)']);
  });

  it('finds the estimators of a package with sources, inherited ones included', () => {
    const root = fixture('estimator-lib');
    const r = analyzeFiles(root, config());
    assert.deepEqual(stages(root, r), [
      'src/base.js ForestBase (class with train, predict)',
      'src/forest.js ForestClassifier (class inheriting predict, train from ForestBase)',
      'src/forest.js ForestRegression (class inheriting predict, train from ForestBase)',
      'src/knn.js KNN (class with train, predict)',
    ]);
    assert.deepEqual(findings(root, r, 'untested-stage'), ['src/forest.js:10 ForestRegression']);
  });

  it('reads the ES5 forms one by one: prototype assignments, a prototype object, util.inherits, Object.create', () => {
    const root = writeWorkspace(
      {
        'src/a.js': 'function A() {}\nA.prototype.fit = function (x) { return this; };\nmodule.exports = A;\n',
        'src/b.js': 'function B() {}\nB.prototype = { predict: function (x) { return x; } };\nmodule.exports = B;\n',
        'src/c.js':
          "var util = require('util');\nvar A = require('./a');\nfunction C() { A.call(this); }\nutil.inherits(C, A);\nC.prototype.score = function () { return 1; };\nmodule.exports = C;\n",
        'src/d.js':
          "var B = require('./b');\nfunction D() {}\nD.prototype = Object.create(B.prototype);\nmodule.exports = D;\n",
        'src/e.js': 'function E() {}\nE.prototype.transform = function (x) { return x; };\nmodule.exports = E;\n',
      },
      'mlp-es5-',
    );
    roots.push(root);
    assert.deepEqual(stages(root, analyzeFiles(root, config())), [
      'src/a.js A (ES5 class with fit)',
      'src/b.js B (ES5 class with predict)',
      'src/c.js C (ES5 class inheriting fit from A)',
      'src/d.js D (ES5 class inheriting predict from B)',
    ]);
  });
});
