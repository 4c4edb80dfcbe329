import assert from 'node:assert/strict';
import type { AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { analyzeCached } from '../../server/src/engine/analysis/cache/resultCache';
import { analyzeSince } from '../../server/src/engine/analysis/since';
import { DEFAULT_ANALYSIS } from '../../server/src/engine/config/types';
import { comparable, committedRepos } from '../support/stagedRepo';
import { git, write } from '../support/tmp';

// What is build output, and which source an import of it stands for, comes from package.json and
// tsconfig.json: a cached or derived analysis must change with them exactly as a fresh one does.

const estimator = (cls: string): string =>
  `class ${cls} {\n  fit(rows) { this.n = rows.length; return this; }\n  predict(rows) { return rows.map(() => this.n); }\n}\nmodule.exports = { Model: ${cls} };\n`;

const FILES = {
  'package.json': JSON.stringify({ name: 'two-models', main: 'lib/a.js' }),
  'src/a.js': estimator('A'),
  'src/b.js': estimator('B'),
  // The test reaches whichever source package.json's main was built from.
  'test/model.test.js': "const { Model } = require('..');\nit('fits', () => new Model().fit([[1]]));\n",
};

const untested = (r: AnalysisResult): string[] =>
  r.findings.flatMap((f) => (f.rule === 'untested-stage' ? [f.data.stage] : []));

describe('analysis cache: package.json and tsconfig.json decide what an import of build output reaches', function () {
  this.timeout(60_000);
  const repos = committedRepos('mlp-built-cache-');
  after(repos.cleanup);
  const repo = repos.make;

  it("the hook's staged analysis and check follow a change of package.json main, as a fresh analysis does", () => {
    const { root, cache } = repo(FILES);
    const config = DEFAULT_ANALYSIS;
    const hook = (): ReturnType<typeof analyzeSince> =>
      analyzeSince({ root, config, rev: 'HEAD', staged: true, cache });
    // HEAD's state and result are stored as the previous commit's hook run leaves them.
    assert.deepEqual(untested(hook().result), ['B']);
    assert.deepEqual(untested(analyzeCached(root, config, { cache })), ['B']);

    write(root, 'package.json', JSON.stringify({ name: 'two-models', main: 'lib/b.js' }));
    git(root, 'add', 'package.json');
    const staged = hook();
    const fresh = analyzeSince({ root, config, rev: 'HEAD', staged: true, cache: false });
    assert.deepEqual(untested(fresh.result), ['A']);
    assert.equal(comparable(staged.result), comparable(fresh.result));
    assert.deepEqual(staged.comparison, fresh.comparison);
    assert.deepEqual(
      staged.comparison.current.filter((f) => f.state === 'new').map((f) => f.finding.message),
      ["Stage 'A' is not reached by any test"],
    );

    const checked = analyzeCached(root, config, { cache });
    assert.equal(checked.fromCache, false);
    assert.equal(comparable(checked), comparable(analyzeCached(root, config, { cache: false })));
    assert.deepEqual(untested(checked), ['A']);
  });

  it('check follows a change of a source map alone, as a fresh analysis does', () => {
    const map = (src: string): string => JSON.stringify({ version: 3, sources: [`../${src}`], mappings: '' });
    const { root, cache } = repo({
      ...FILES,
      'package.json': JSON.stringify({ name: 'two-models', main: 'dist/model.js' }),
      'dist/model.js': `${estimator('M')}//# sourceMappingURL=model.js.map\n`,
      'dist/model.js.map': map('src/a.js'),
    });
    const config = DEFAULT_ANALYSIS;
    assert.deepEqual(untested(analyzeCached(root, config, { cache })), ['B']);
    write(root, 'dist/model.js.map', map('src/b.js'));
    const second = analyzeCached(root, config, { cache });
    assert.equal(comparable(second), comparable(analyzeCached(root, config, { cache: false })));
    assert.deepEqual(untested(second), ['A']);
  });

  it("check follows a change of tsconfig.json's outDir, as a fresh analysis does", () => {
    const { root, cache } = repo({
      'package.json': JSON.stringify({ name: 'outdir', main: 'built/index.js' }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { allowJs: true, rootDir: 'source', outDir: 'built' } }),
      'source/index.js': estimator('A'),
      'built/index.js': estimator('A'),
      'test/model.test.js':
        "const { Model } = require('../built/index.js');\nit('fits', () => new Model().fit([[1]]));\n",
    });
    const config = DEFAULT_ANALYSIS;
    const first = analyzeCached(root, config, { cache });
    assert.deepEqual(
      first.stages.map((s) => s.location.file.slice(root.length + 1)),
      ['source/index.js'],
    );
    assert.deepEqual(untested(first), []);
    // built/ is no longer the outDir (nor a build folder by name): it is analysed, and its A is tested directly.
    write(
      root,
      'tsconfig.json',
      JSON.stringify({ compilerOptions: { allowJs: true, rootDir: 'source', outDir: 'out' } }),
    );
    const second = analyzeCached(root, config, { cache });
    assert.equal(second.fromCache, false);
    assert.equal(comparable(second), comparable(analyzeCached(root, config, { cache: false })));
    assert.deepEqual(untested(second), ['A']);
  });
});
