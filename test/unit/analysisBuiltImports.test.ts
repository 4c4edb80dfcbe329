import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles, type AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { DEFAULT_ANALYSIS } from '../../server/src/engine/config/types';
import { cli, REPO_ROOT, writeWorkspace } from '../support/tmp';

/** Packages whose tests import their build output (see test/fixtures/analysis/built-imports/). */
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'analysis', 'built-imports');
const fixture = (name: string): string => path.join(FIXTURES, name);

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

const rel = (root: string, f: string): string => path.relative(root, f).split(path.sep).join('/');
const untested = (r: AnalysisResult): string[] =>
  r.findings.flatMap((f) => (f.rule === 'untested-stage' ? [f.data.stage] : []));
const mappedNote = (r: AnalysisResult): string | undefined => r.notes.find((n) => n.startsWith('Tests import build'));

/** Every file of a fixture, absolute path → text (what `--staged` gives the analysis). */
function textsOf(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(root, { recursive: true, withFileTypes: true }))
    if (e.isFile()) out.set(path.join(e.parentPath, e.name), fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'));
  return out;
}

describe('analysis: tests that import build output reach the sources it was built from', () => {
  it('follows a source map, per file and for a bundle (to its entry), where no path matches', () => {
    const root = fixture('sourcemap');
    const r = analyzeFiles(root, DEFAULT_ANALYSIS);
    assert.deepEqual(
      r.stages.map((s) => s.name),
      ['KNN', 'StandardScaler'],
    );
    assert.deepEqual(untested(r), []);
    assert.equal(
      mappedNote(r),
      "Tests import build output, read as the source it was built from: dist/bundle.js as src/index.ts (its source map's entry); dist/scaler.js as src/estimators/scaler.ts (its source map).",
    );
  });

  it('maps an import of unbuilt dist/ in a tsc project whose sources reach above it (the danfojs layout)', () => {
    const root = fixture('tsc-monorepo');
    const r = analyzeFiles(root, DEFAULT_ANALYSIS);
    // Both tested estimators are reached through ../../dist/node/src; the one no test uses stays untested, plainly.
    assert.deepEqual(untested(r), ['OneHotEncoder']);
    const finding = r.findings.find((f) => f.rule === 'untested-stage');
    assert.equal(finding?.message, "Stage 'OneHotEncoder' is not reached by any test");
    assert.match(mappedNote(r) ?? '', /src\/node\/dist\/node\/src as src\/node\/src\/index\.ts/);
  });

  it("maps lib/ to its sources through tsconfig.json's rootDir and outDir, and require('..') through package.json main", () => {
    const root = fixture('lib-outdir');
    const r = analyzeFiles(root, DEFAULT_ANALYSIS);
    assert.deepEqual(
      r.stages.map((s) => s.name),
      ['RandomForest', 'DecisionTree'],
    );
    assert.deepEqual(untested(r), []);
    assert.equal(
      mappedNote(r),
      "Tests import build output, read as the source it was built from: lib/index.js as source/index.ts (tsconfig.json's rootDir for its outDir); lib/models/tree.js as source/models/tree.ts (tsconfig.json's rootDir for its outDir).",
    );
  });

  it("maps the package's own name to its main, and says so when a built file cannot be mapped", () => {
    const root = fixture('self-name');
    const r = analyzeFiles(root, DEFAULT_ANALYSIS);
    assert.deepEqual(untested(r), ['Legacy']);
    const f = r.findings.find((x) => x.rule === 'untested-stage');
    assert.ok(f && f.rule === 'untested-stage');
    assert.equal(
      f.message,
      "Stage 'Legacy' is not reached by any test; but test/legacy.test.js imports build output lib/legacy.min.js that could not be mapped to source (no source at src/legacy.min.*), so a test may reach it",
    );
    assert.deepEqual(f.data.unmappedBuild, [path.join(root, 'lib/legacy.min.js')]);
    const at = f.related.find((x) => /could not be mapped/.test(x.message));
    assert.equal(rel(root, at?.file ?? ''), 'test/legacy.test.js');
    assert.equal(at?.range.start.line, 0);
  });

  it('says so in every output format', () => {
    for (const format of ['json', 'sarif', 'text']) {
      const out = cli(fixture('self-name'), 'check', '.', '--format', format, '--no-cache');
      assert.equal(out.status, 0, out.stderr);
      assert.match(out.stdout, /imports build output lib\/legacy\.min\.js that could not be mapped to source/, format);
    }
  });

  it('says why a bundle whose source map names no clear entry is not mapped', () => {
    const root = writeWorkspace({
      'package.json': '{ "name": "two", "main": "dist/bundle.js" }\n',
      'src/a.ts': 'export class A { fit() { return this; } predict() { return 1; } }\n',
      'src/b.ts': 'export class B { fit() { return this; } predict() { return 2; } }\n',
      'dist/bundle.js': 'module.exports = {};\n//# sourceMappingURL=bundle.js.map\n',
      'dist/bundle.js.map': '{"version":3,"sources":["../src/a.ts","../src/b.ts"],"mappings":""}\n',
      'test/a.test.js': "const { A } = require('..');\nit('fits', () => new A().fit());\n",
    });
    roots.push(root);
    const r = analyzeFiles(root, DEFAULT_ANALYSIS);
    assert.deepEqual(untested(r), ['A', 'B']);
    for (const f of r.findings.filter((x) => x.rule === 'untested-stage'))
      assert.match(
        f.message,
        /; but test\/a\.test\.js imports build output dist\/bundle\.js that could not be mapped to source \(its source map dist\/bundle\.js\.map lists 2 sources, none clearly the entry; no source at src\/bundle\.\*\), so a test may reach it$/,
      );
  });

  it('reads package.json from the file set alone when it is exclusive (the git index), never from the disk', () => {
    const root = fixture('self-name');
    const texts = textsOf(root);
    const staged = analyzeFiles(root, DEFAULT_ANALYSIS, texts, { exclusive: true });
    assert.deepEqual(untested(staged), ['Legacy']);
    // Without package.json in the set, `ml-nearest` is a package like any other: nothing maps it to src/.
    texts.delete(path.join(root, 'package.json'));
    const without = analyzeFiles(root, DEFAULT_ANALYSIS, texts, { exclusive: true });
    assert.deepEqual(untested(without), ['KNN', 'Legacy']);
  });

  it('analyses the imported build output itself when build output is included', () => {
    const r = analyzeFiles(fixture('sourcemap'), { ...DEFAULT_ANALYSIS, includeBuildOutput: true });
    assert.equal(mappedNote(r), undefined);
    assert.ok(r.stages.some((s) => s.location.file.endsWith(path.join('dist', 'scaler.js'))));
  });
});
