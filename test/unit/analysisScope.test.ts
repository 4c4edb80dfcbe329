import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles } from '../../server/src/engine/analysis/analyzer';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../../server/src/engine/config/types';
import { cli, REPO_ROOT, tempDir, writeWorkspace } from '../support/tmp';

// Like simple-statistics: tsconfig.json's "files" names only the typings and a type test; the code is src/*.js
// (index.js, package.json's main, counts as build output beside src/).
const NARROW = path.join(REPO_ROOT, 'test', 'fixtures', 'analysis', 'narrow-tsconfig');
const config = (over: Partial<AnalysisConfig> = {}): AnalysisConfig => ({ ...DEFAULT_ANALYSIS, ...over });

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** A copy of the narrow-tsconfig fixture (plus `extra` files) in a fresh temp folder. */
function narrowCopy(extra: Record<string, string> = {}): string {
  const root = fs.realpathSync(tempDir('mlp-narrow-'));
  roots.push(root);
  fs.cpSync(NARROW, root, { recursive: true });
  for (const [rel, text] of Object.entries(extra)) fs.writeFileSync(path.join(root, rel), text);
  return root;
}

const OUTSIDE =
  /^No source files analysed \(from tsconfig\.json "files" \+ the test globs\): 3 JS\/TS source files of the project are outside it and were not analysed \(3 in src\/\)\. Add them with "analysis\.include" in mlparity\.config\.json \(e\.g\. \["src\/\*\*"\]\)\.$/;

describe('analysis scope: what was analysed, and what a narrow tsconfig.json leaves out', () => {
  it('fails, naming the scope and the way to widen it, when tsconfig.json "files" holds no source at all', () => {
    const r = analyzeFiles(NARROW, config());
    assert.deepEqual(r.scope, {
      sourceFiles: 0,
      testFiles: 2,
      from: 'tsconfig.json "files" + the test globs',
      notAnalysed: 3,
    });
    const errors = r.findings.filter((f) => f.rule === 'config-error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].severity, 'error');
    assert.match(errors[0].message, OUTSIDE);
  });

  it('suggests an include that covers what the tests import (simple-statistics: the root index.js, not only src/)', () => {
    const root = narrowCopy({
      'package.json':
        '{ "name": "narrow-tsconfig", "source": "index.js", "main": "dist/narrow.cjs", "types": "index.d.ts" }',
    });
    const r = analyzeFiles(root, config());
    const errors = r.findings.filter((f) => f.rule === 'config-error').map((f) => f.message);
    assert.deepEqual(errors, [
      'No source files analysed (from tsconfig.json "files" + the test globs): 4 JS/TS source files of the project are outside it and were not analysed (3 in src/, 1 in (root)). Add them with "analysis.include" in mlparity.config.json (e.g. ["src/**", "index.js"]).',
    ]);
    // Followed as suggested, the test reaches what index.js re-exports: only PerceptronModel is left untested.
    const fixed = analyzeFiles(root, config({ include: ['src/**', 'index.js'] }));
    assert.deepEqual(
      fixed.findings.filter((f) => f.rule === 'untested-stage' || f.rule === 'config-error').map((f) => f.message),
      ["Stage 'PerceptronModel' is not reached by any test"],
    );
  });

  it('analyses what analysis.include adds to the tsconfig.json list, and then says nothing more', () => {
    const r = analyzeFiles(NARROW, config({ include: ['src/**'] }));
    assert.deepEqual(r.scope, {
      sourceFiles: 3,
      testFiles: 2,
      from: 'tsconfig.json "files" + the test globs + analysis.include',
    });
    assert.deepEqual(
      r.stages.map((s) => s.name),
      ['PerceptronModel'],
    );
    assert.ok(!r.findings.some((f) => f.rule === 'config-error'));
    assert.ok(!r.notes.some((n) => /outside it/.test(n)), r.notes.join('\n'));
  });

  it('notes a tsconfig.json that covers less source than it leaves out, and stays quiet when it covers src/', () => {
    const partial = narrowCopy({
      'tsconfig.json': '{ "include": ["src/sum.js"], "compilerOptions": { "allowJs": true } }',
    });
    const r = analyzeFiles(partial, config());
    assert.equal(r.scope.sourceFiles, 1);
    assert.equal(r.scope.notAnalysed, 2);
    assert.ok(!r.findings.some((f) => f.rule === 'config-error'));
    assert.deepEqual(
      r.notes.filter((n) => /outside it/.test(n)),
      [
        'Only 1 source file analysed (from tsconfig.json "include" + the test globs): 2 JS/TS source files of the project are outside it and were not analysed (2 in src/). Add them with "analysis.include" in mlparity.config.json (e.g. ["src/**"]).',
      ],
    );

    const common = writeWorkspace(
      {
        'tsconfig.json': '{ "include": ["src"], "compilerOptions": { "allowJs": true, "outDir": "dist" } }',
        'src/a.ts': 'export const a = 1;\n',
        'src/b.ts': 'export const b = 2;\n',
        'jest.config.js': 'module.exports = {};\n',
        'dist/a.js': 'exports.a = 1;\n',
        'dist/b.js': 'exports.b = 2;\n',
        'dist/c.js': 'exports.c = 3;\n',
      },
      'mlp-common-',
    );
    roots.push(common);
    const quiet = analyzeFiles(common, config());
    assert.deepEqual(quiet.scope, { sourceFiles: 2, testFiles: 0, from: 'tsconfig.json "include" + the test globs' });
    assert.deepEqual(quiet.notes, []);
  });

  it('an empty report over a narrow tsconfig.json does not read as a pass for the project', () => {
    const root = writeWorkspace(
      {
        'package.json': '{}',
        'tsconfig.json': '{ "files": ["src/a.ts"] }',
        'src/a.ts': 'export const a = 1;\n',
        'more/b.ts': 'export const b = 2;\n',
        'more/c.ts': 'export const c = 3;\n',
      },
      'mlp-narrow-empty-',
    );
    roots.push(root);
    const r = cli(root, 'check', '--no-cache');
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^No findings in the files analysed; 2 source files of the project not analysed \(see the note\)\.$/m,
    );
    assert.doesNotMatch(r.stdout, /^No findings\.$/m);
  });

  it('says what was analysed in the text, JSON and SARIF reports of check', () => {
    const text = cli(NARROW, 'check', '--no-cache');
    assert.equal(text.status, 1);
    assert.match(
      text.stdout,
      /^Analysed 0 source files and 2 test files \(from tsconfig\.json "files" \+ the test globs\)\. 3 source files of the project not analysed \(see the note\)\.$/m,
    );
    assert.doesNotMatch(text.stdout, /No findings/);
    const json = cli(NARROW, 'check', '--no-cache', '--format', 'json');
    const report = JSON.parse(json.stdout) as { analysed: unknown; findings: { rule: string; message: string }[] };
    assert.deepEqual(report.analysed, {
      sourceFiles: 0,
      testFiles: 2,
      from: 'tsconfig.json "files" + the test globs',
      notAnalysed: 3,
    });
    assert.match(report.findings.find((f) => f.rule === 'config-error')?.message ?? '', OUTSIDE);
    const sarif = cli(NARROW, 'check', '--no-cache', '--format', 'sarif');
    const log = JSON.parse(sarif.stdout) as { runs: { properties?: { analysed?: unknown } }[] };
    assert.deepEqual(log.runs[0].properties?.analysed, {
      sourceFiles: 0,
      testFiles: 2,
      from: 'tsconfig.json "files" + the test globs',
      notAnalysed: 3,
    });
  });

  it('says so when the source a test imports is there but not analysed (simple-statistics: main in dist/, index.js its source)', () => {
    // The typings named by "types" alone, and also by exports (an entry point), as simple-statistics names them.
    const typings = '"types": "index.d.ts"';
    const exported = `${typings}, "exports": { ".": { "types": "./index.d.ts", "require": "./dist/narrow.cjs" } }`;
    let root = '';
    for (const fields of [typings, exported]) {
      root = narrowCopy({
        'package.json': `{ "name": "narrow-tsconfig", "source": "index.js", "main": "dist/narrow.cjs", ${fields} }`,
      });
      const r = analyzeFiles(root, config({ include: ['src/**'] }));
      const untested = r.findings.filter((f) => f.rule === 'untested-stage').map((f) => f.message);
      assert.deepEqual(
        untested,
        [
          'Stage \'PerceptronModel\' is not reached by any test; but test/mean.test.js imports build output index.d.ts that could not be mapped to source (its source index.js is not among the analysed files (add it with "analysis.include")), so a test may reach it',
        ],
        fields,
      );
    }
    // Added as the message says, index.js is followed: the test imports only mean, so the stage is untested for sure.
    const all = analyzeFiles(root, config({ include: ['src/**', 'index.js'] }));
    assert.deepEqual(
      all.findings.filter((f) => f.rule === 'untested-stage').map((f) => f.message),
      ["Stage 'PerceptronModel' is not reached by any test"],
    );
  });
});
