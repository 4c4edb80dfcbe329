import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer, analyzeFiles, type AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../../server/src/engine/config/types';
import { cli, git, REPO_ROOT, tempDir } from '../support/tmp';

/** Fixtures that copy the layouts of published ML packages (see test/fixtures/analysis/). */
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'analysis');

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** A copy of a fixture (all of it, or only `only`) in a fresh temp folder, so a CLI run's cache stays out of the repo. */
function copyOf(name: string, only?: (rel: string) => boolean): string {
  const root = fs.realpathSync(tempDir('mlp-library-'));
  roots.push(root);
  fs.cpSync(path.join(FIXTURES, name), root, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(path.join(FIXTURES, name), src).split(path.sep).join('/');
      return rel === '' || !only || fs.statSync(src).isDirectory() || only(rel);
    },
  });
  return root;
}

const config = (over: Partial<AnalysisConfig> = {}): AnalysisConfig => ({ ...DEFAULT_ANALYSIS, ...over });
const rel = (root: string, f: string): string => path.relative(root, f).split(path.sep).join('/');
const stageNames = (r: AnalysisResult): string[] => r.stages.map((s) => s.name).sort();
/** Every file a finding points at, its related locations included. */
const findingFiles = (root: string, r: AnalysisResult, rule: string): string[] =>
  r.findings
    .filter((f) => f.rule === rule)
    .flatMap((f) => [f.file, ...f.related.map((x) => x.file)].map((x) => rel(root, x)));

describe('benchmarks, scripts and examples are not library code (ml-random-forest layout)', () => {
  const root = path.join(FIXTURES, 'bench-scripts');
  const NOTE =
    'Not library code: 5 files of benchmarks, scripts or examples in scripts/ (3), Benchmark/ (1), examples/ (1). They declare no stages (except with a @stage tag), are not checked for duplicates, and running them does not count as a test; they are still followed where library code imports them. To analyse such a folder as library code, name it in "analysis.include" in mlparity.config.json (e.g. ["scripts/**"]); to leave it out, in "analysis.exclude".';

  it('finds no stage and no duplicate in them, says so once, and counts them apart', () => {
    const r = analyzeFiles(root, config());
    // FeatureBag (Benchmark/, a class with train and predict) is a benchmark's model; normalise is tagged @stage.
    assert.deepEqual(stageNames(r), ['Forest', 'normalise']);
    assert.deepEqual(findingFiles(root, r, 'duplicate-code'), []);
    assert.deepEqual(
      r.notes.filter((n) => /benchmarks, scripts or examples/.test(n)),
      [NOTE],
    );
    assert.deepEqual(
      { source: r.scope.sourceFiles, tests: r.scope.testFiles, auxiliary: r.scope.auxiliaryFiles },
      { source: 3, tests: 1, auxiliary: 5 },
    );
  });

  it('still follows them where library code imports them', () => {
    const deps = new Analyzer(root, config()).dependencies();
    const forest = deps.stages.find((s) => s.name === 'Forest');
    assert.ok(forest);
    assert.ok(deps.loads(forest).some((f) => rel(root, f) === 'scripts/defaults.js'));
    const reach = deps.reach(forest);
    assert.ok(reach && [...reach.units].some((k) => k.startsWith(path.join(root, 'scripts/defaults.js') + '#0#')));
  });

  it('analyses a folder as library code when analysis.include names it, and leaves it out with analysis.exclude', () => {
    const named = analyzeFiles(root, config({ include: ['src/**', 'scripts/**', 'Benchmark/**'] }));
    assert.deepEqual(stageNames(named), ['FeatureBag', 'Forest']);
    assert.deepEqual([...new Set(findingFiles(root, named, 'duplicate-code'))].sort(), [
      'Benchmark/featureBag.js',
      'scripts/benchmarkClassification.js',
      'scripts/benchmarkRegression.js',
    ]);
    assert.equal(named.scope.auxiliaryFiles, undefined);
    assert.ok(!named.notes.some((n) => /benchmarks, scripts or examples/.test(n)));

    // A glob that does not name the folder (every .js file) leaves it what it is.
    const wide = analyzeFiles(root, config({ include: ['**/*.js'] }));
    assert.deepEqual(stageNames(wide), ['Forest', 'normalise']);

    const excluded = analyzeFiles(
      root,
      config({ exclude: [...DEFAULT_ANALYSIS.exclude, 'Benchmark/**', 'examples/**'] }),
    );
    assert.ok(excluded.analysedFiles.every((f) => !/\/(Benchmark|examples)\//.test(f)));
    assert.equal(excluded.scope.auxiliaryFiles, 3);
  });

  it('analyses them as library code when they are all the code there is', () => {
    const only = copyOf('bench-scripts', (f) => f.startsWith('Benchmark/') || f === 'package.json');
    const r = analyzeFiles(only, config());
    assert.deepEqual(stageNames(r), ['FeatureBag']);
    assert.ok(
      r.notes.includes(
        'Only benchmarks, scripts or examples here (1 file, no other source): analysed them as library code.',
      ),
    );
  });

  it('says it in every output format: text, JSON and SARIF', () => {
    const copy = copyOf('bench-scripts');
    const text = cli(copy, 'check');
    assert.equal(text.status, 0, text.stderr);
    assert.ok(text.stderr.includes(`note: ${NOTE}\n`), text.stderr);
    assert.match(
      text.stdout,
      /^Analysed 3 source files and 1 test file \(from the analysis include globs\), besides 5 files of benchmarks, scripts or examples, not library code \(see the note\)\.$/m,
    );
    const json = JSON.parse(cli(copy, 'check', '--format', 'json').stdout) as {
      notes: string[];
      analysed: { auxiliaryFiles?: number };
    };
    assert.ok(json.notes.includes(NOTE));
    assert.equal(json.analysed.auxiliaryFiles, 5);
    const sarif = JSON.parse(cli(copy, 'check', '--format', 'sarif').stdout) as {
      runs: { invocations?: { toolExecutionNotifications: { message: { text: string } }[] }[] }[];
    };
    assert.ok(sarif.runs[0].invocations?.[0].toolExecutionNotifications.some((n) => n.message.text === NOTE));
  });
});

describe('classes that are not stages to a package user: internal parts and test helpers', () => {
  const TREE_NOTE =
    'Not counted as a stage: TreeNode (src/TreeNode.js:4, class with train, predict) is an internal part of TreeClassifier, TreeRegression (used only inside them; the package entry src/index.js does not export it). Tag it with @stage to count it.';

  it('sets aside an internal class with train that only the exported stages use (ml-cart: TreeNode)', () => {
    const root = path.join(FIXTURES, 'tree-internal');
    const r = analyzeFiles(root, config());
    assert.deepEqual(stageNames(r), ['TreeClassifier', 'TreeRegression']);
    assert.deepEqual(
      r.setAside?.map((s) => `${rel(root, s.location.file)}:${s.location.range.start.line + 1} ${s.name} (${s.how})`),
      ['src/TreeNode.js:4 TreeNode (class with train, predict)'],
    );
    assert.ok(r.notes.includes(TREE_NOTE), r.notes.join('\n'));
    // Its copies are not a cross-stage duplicate with TreeNode any more; the two public stages' still is.
    assert.deepEqual(
      r.findings.filter((f) => f.rule === 'cross-stage-duplicate').map((f) => f.data.stages),
      [['TreeClassifier', 'TreeRegression']],
    );
  });

  it('keeps it a stage when the entry exports it, a @stage tag names it, other code uses it, or the entry is unknown', () => {
    const exported = copyOf('tree-internal');
    fs.appendFileSync(path.join(exported, 'src/index.js'), "export { default as TreeNode } from './TreeNode';\n");
    assert.deepEqual(stageNames(analyzeFiles(exported, config())), ['TreeClassifier', 'TreeNode', 'TreeRegression']);

    const tagged = copyOf('tree-internal');
    const node = path.join(tagged, 'src/TreeNode.js');
    fs.writeFileSync(
      node,
      fs.readFileSync(node, 'utf8').replace('export default class', '/** @stage */\nexport default class'),
    );
    const t = analyzeFiles(tagged, config());
    assert.deepEqual(stageNames(t), ['TreeClassifier', 'TreeNode', 'TreeRegression']);
    assert.deepEqual(t.setAside, []);

    const used = copyOf('tree-internal');
    fs.appendFileSync(
      path.join(used, 'src/utils.js'),
      "import TreeNode from './TreeNode';\nexport function stump(rows, targets) {\n  return new TreeNode({ minSize: rows.length }).train(rows, targets);\n}\n",
    );
    assert.deepEqual(stageNames(analyzeFiles(used, config())), ['TreeClassifier', 'TreeNode', 'TreeRegression']);

    const app = copyOf('tree-internal', (f) => f !== 'package.json');
    assert.deepEqual(stageNames(analyzeFiles(app, config())), ['TreeClassifier', 'TreeNode', 'TreeRegression']);
  });

  it('sets aside a class only tests load, outside the test globs (brain.js: TestLayer in src/test-utils.ts)', () => {
    const root = path.join(FIXTURES, 'test-helper');
    const r = analyzeFiles(root, config());
    assert.deepEqual(stageNames(r), ['BaseLayer', 'Network']);
    assert.deepEqual(
      r.setAside?.map((s) => `${s.name}: ${s.why}`),
      [
        'TestLayer: a test helper (only tests load its file: src/base-layer.test.ts, src/network.test.ts; the package entry src/index.ts never does)',
      ],
    );

    // Library code that loads the file makes it library code again.
    const loaded = copyOf('test-helper');
    fs.appendFileSync(path.join(loaded, 'src/network.ts'), "export { mockLayer } from './test-utils';\n");
    assert.deepEqual(stageNames(analyzeFiles(loaded, config())), ['BaseLayer', 'Network', 'TestLayer']);
  });

  it('verify-stage on a class set aside says why and what to do, not only that no stage has the name', () => {
    const copy = copyOf('tree-internal');
    git(copy, 'init', '-q');
    git(copy, 'add', '-A');
    git(copy, 'commit', '-qm', 'init');
    const r = cli(copy, 'verify-stage', 'TreeNode');
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(
      r.stderr,
      `error: ${path.join(copy, 'src/TreeNode.js')}:4:22: "TreeNode" is not counted as a stage in the work tree: it is an internal part of TreeClassifier, TreeRegression (used only inside them; the package entry src/index.js does not export it). Verify the stages that use it, or tag it with @stage to verify it alone\n`,
    );
  });

  it('lists them with --stages and says so in the text, JSON and SARIF reports', () => {
    const copy = copyOf('tree-internal');
    const listed = cli(copy, 'check', '--stages');
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok(listed.stderr.includes(`note: ${TREE_NOTE}\n`), listed.stderr);
    assert.match(listed.stdout, /^Stages: 2 \(2 estimator class\); 1 more class set aside \(see the note\):$/m);
    assert.match(
      listed.stdout,
      /^ {4}not counted: src\/TreeNode\.js:4:22 TreeNode \(class with train, predict\): an internal part of TreeClassifier, TreeRegression \(used only inside them; the package entry src\/index\.js does not export it\)$/m,
    );
    assert.match(
      cli(copy, 'check').stdout,
      /^Stages: 2 \(2 estimator class\); 1 more class set aside \(see the note\); --stages lists them\.$/m,
    );
    const json = JSON.parse(cli(copy, 'check', '--format', 'json').stdout) as {
      notes: string[];
      setAside?: { file: string; line: number; name: string; why: string }[];
    };
    assert.ok(json.notes.includes(TREE_NOTE));
    assert.deepEqual(
      json.setAside?.map((s) => `${s.file}:${s.line} ${s.name}`),
      ['src/TreeNode.js:4 TreeNode'],
    );
    const sarif = JSON.parse(cli(copy, 'check', '--format', 'sarif').stdout) as {
      runs: { invocations?: { toolExecutionNotifications: { message: { text: string } }[] }[] }[];
    };
    assert.ok(sarif.runs[0].invocations?.[0].toolExecutionNotifications.some((n) => n.message.text === TREE_NOTE));
  });
});
